#!/usr/bin/env python3
"""Cost per 1,000 carousels on AWS, from what bench/flow_bench.py measured (and the cold-start and memory runs).

    python bench/cost_model.py [--no-write]

Reads bench/results/flow.json (per function: invocations, wall and CPU milliseconds, AWS operations,
DynamoDB units, events, S3 bytes, Bot API calls, log bytes per carousel), bench/results/coldstart.json
and bench/results/memory.json (init and first-invoke times), the memory sizes in cdk/config.py and
the stack's defaults (cdk/stack.py: slide retention, archive, log retention), applies the price
table below (us-east-1 list prices; see PRICES_AS_OF) and writes docs/cost.md and the cost section
of BENCHMARKS.md. Nothing is measured here: run the other scripts first (``make bench`` does).
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()

PRICES_AS_OF = "AWS public list prices for us-east-1 as I know them (last changes: DynamoDB on-demand −50 % on 2024-11-01, Lambda INIT billed since 2025-08-01); not re-checked online (no network here)"
PRICES = {
    # name: (USD, unit, note)
    "lambda_gb_s_arm64": (0.0000133334, "GB-second", "Lambda arm64 duration, first 7.5 billion GB-s a month"),
    "lambda_request": (0.20 / 1e6, "request", "Lambda requests ($0.20 per million)"),
    "eventbridge_event": (1.00 / 1e6, "64 KB chunk of a custom event", "EventBridge PutEvents ($1.00 per million)"),
    "eventbridge_archive_gb": (0.10, "GB archived", "EventBridge archive, events processed"),
    "dynamodb_wru": (0.625 / 1e6, "write request unit", "DynamoDB on-demand writes ($0.625 per million)"),
    "dynamodb_rru": (0.125 / 1e6, "read request unit", "DynamoDB on-demand reads ($0.125 per million)"),
    "s3_put": (0.005 / 1000, "PUT/COPY/POST/LIST request", "S3 Standard ($0.005 per 1,000)"),
    "s3_get": (0.0004 / 1000, "GET request", "S3 Standard ($0.0004 per 1,000)"),
    "s3_gb_month": (0.023, "GB-month", "S3 Standard storage, first 50 TB"),
    "apigw_rest_request": (3.50 / 1e6, "request", "API Gateway REST API, first 333 million a month"),
    "logs_ingest_gb": (0.50, "GB ingested", "CloudWatch Logs standard ingestion"),
    "logs_storage_gb_month": (0.03, "GB-month", "CloudWatch Logs storage (compressed)"),
    "xray_trace": (5.00 / 1e6, "trace recorded", "X-Ray traces recorded ($5.00 per million; 100,000 free a month)"),
    "data_out_gb": (0.09, "GB", "Data transfer out to the internet (first 10 TB; 100 GB a month free)"),
}
FULL_VCPU_MB = 1769  # Lambda gives one full vCPU at 1,769 MB; CPU share is proportional below it
# Latencies assumed for the real services (the local run talks to a moto server and a fake Bot API on
# 127.0.0.1, which answer in ~1-3 ms; real services take longer and Lambda bills the wait).
LATENCY_MS = {
    "dynamodb": 6.0,  # single-digit milliseconds in-region
    "events.PutEvents": 20.0,
    "s3.PutObject": 40.0,  # ~150 KB a slide
    "s3.GetObject": 15.0,
    "s3.other": 15.0,
    "other": 15.0,
    "telegram": 150.0,  # a Bot API call from us-east-1 (Telegram's servers are in Europe)
    "telegram_upload_mb_s": 10.0,  # album upload throughput, MB/s
}
LOG_PLATFORM_BYTES = 350  # Lambda's START, END and REPORT lines per invocation (REPORT with X-Ray: ~350 bytes)
COLD_STARTS_PER_FUNCTION = 24  # per 1,000 carousels: 1,000 a day, each function cold about once an hour
LAMBDA_RUNTIME_INIT_MS = 150  # the Python runtime's own start before the handler import (assumed)
CAROUSELS = 1000


def lambda_ms(function: str, f: dict[str, Any], flow: dict[str, Any], memory_mb: int) -> dict[str, float]:
    """Billed milliseconds per carousel for one function, two ways."""
    invocations = f["invocations_per_carousel"]
    cpu_scale = max(1.0, FULL_VCPU_MB / memory_mb)
    waits = 0.0
    for op, count in f["aws_calls_per_carousel"].items():
        service = op.split(".", 1)[0]
        waits += count * LATENCY_MS.get(op, LATENCY_MS.get(service, LATENCY_MS["other"]))
    telegram_calls = sum(v for k, v in flow.get("telegram_by_function", {}).items() if k.split(" ", 1)[0] == function)
    waits += telegram_calls * LATENCY_MS["telegram"]
    if function == "telegram-sender":
        waits += flow.get("telegram_upload_bytes_per_carousel", 0) / 1e6 / LATENCY_MS["telegram_upload_mb_s"] * 1000
    rounding = 0.5 * invocations  # Lambda rounds each invocation up to the next millisecond
    return {
        "measured": f["wall_ms_per_carousel"] + rounding,
        "modelled": f["cpu_ms_per_carousel"] * cpu_scale + waits + rounding,
        "cpu_scale": cpu_scale,
        "waits": waits,
    }


def openai_estimate() -> dict[str, Any]:
    """Tokens of one request as ai-content would send it (chars/4; no tokenizer offline) and a typical answer."""
    try:
        from ai_content.finishing import request_budget
        from ai_content.openai_provider import PRICES_PER_MTOK, CarouselDraft, build_messages
        from vibecoder.events.models import AiContentRequested
    except Exception as error:  # noqa: BLE001 - optional figure
        return {"error": f"{type(error).__name__}: {error}"}
    import json

    request = AiContentRequested(request_id="cost", user_id="cost", topic="Functional Programming with TypeScript",
                                 slides_count=5, language="en")
    messages = build_messages(request, "en", request_budget(request))
    schema = json.dumps(CarouselDraft.model_json_schema())
    prompt_chars = sum(len(m["content"]) for m in messages) + len(schema)
    prompt_tokens = math.ceil(prompt_chars / 4) + 20
    # An answer: ~5 slides of title + body (≤ 70 + 320 characters), caption, keywords, hashtags, as JSON.
    completion_tokens = 700
    price_in, price_out = PRICES_PER_MTOK["gpt-4o-mini"]
    per_carousel = (prompt_tokens * price_in + completion_tokens * price_out) / 1e6
    return {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens, "model": "gpt-4o-mini",
            "price_in": price_in, "price_out": price_out, "per_1000": per_carousel * CAROUSELS}


def build(flow: dict[str, Any], coldstart: dict[str, Any] | None, memory: dict[str, Any] | None) -> dict[str, Any]:
    from cdk.config import FUNCTIONS
    from cdk.stack import DEFAULTS

    p = {k: v[0] for k, v in PRICES.items()}
    functions = []
    gb_s = {"measured": 0.0, "modelled": 0.0}
    invocations = 0.0
    for function, f in sorted(flow["per_function"].items()):
        memory_mb = FUNCTIONS[function].memory_mb
        ms = lambda_ms(function, f, flow, memory_mb)
        for key in gb_s:
            gb_s[key] += ms[key] / 1000 * memory_mb / 1024
        invocations += f["invocations_per_carousel"]
        functions.append({"function": function, "memory_mb": memory_mb, **ms,
                          "invocations": f["invocations_per_carousel"], "cpu_ms": f["cpu_ms_per_carousel"],
                          "gb_s_modelled": ms["modelled"] / 1000 * memory_mb / 1024,
                          "wru": flow.get("dynamodb_units_by_function", {}).get(function, {}).get("wru", 0.0)})

    # Cold starts: INIT (runtime start + handler import, CPU-scaled) + the first invoke's extra work.
    init_gb_s = 0.0
    cold_detail = []
    if coldstart:
        first = {}
        if memory:
            for entry in memory["results"][1:]:
                if entry["event"].startswith("events/samples/"):
                    first[entry["function"]] = entry["first_invoke_ms"]
        for function, figures in coldstart["quiet"].items():
            if function not in FUNCTIONS:
                continue
            memory_mb = FUNCTIONS[function].memory_mb
            scale = max(1.0, FULL_VCPU_MB / memory_mb)
            warm = flow["per_function"].get(function, {}).get("wall_ms_median", 0.0)
            extra_first = max(0.0, first.get(function, 0.0) - warm)
            init_ms = LAMBDA_RUNTIME_INIT_MS + figures["median_ms"] * scale + extra_first * scale
            init_gb_s += COLD_STARTS_PER_FUNCTION * init_ms / 1000 * memory_mb / 1024
            cold_detail.append({"function": function, "init_ms": init_ms, "import_ms": figures["median_ms"],
                                "extra_first_ms": extra_first, "scale": scale})

    wru = sum(u["wru"] for u in flow["dynamodb_units_per_carousel"].values())
    rru = sum(u["rru"] for u in flow["dynamodb_units_per_carousel"].values())
    s3 = flow["s3"]
    s3_puts = sum(v for k, v in s3.items() if k in ("PutObject", "CopyObject", "ListObjectsV2", "ListObjects"))
    s3_gets = sum(v for k, v in s3.items() if k in ("GetObject", "HeadObject"))
    retention_days = int(DEFAULTS["slideRetentionDays"])
    stored_gb = flow["s3_put_bytes_per_carousel"] / 1024**3
    webhook_updates = 1.0  # the /carousel message; the flow's other Bot API traffic is outbound
    log_bytes = flow["log_bytes_per_carousel"] + LOG_PLATFORM_BYTES * invocations
    n = CAROUSELS
    lines = [
        ("Lambda duration (arm64, modelled: CPU scaled to each memory size + real-service waits)",
         f"{gb_s['modelled'] * n:,.1f} GB-s", gb_s["modelled"] * n * p["lambda_gb_s_arm64"]),
        (f"Lambda INIT on cold starts ({COLD_STARTS_PER_FUNCTION} per function per 1,000 carousels, assumed)",
         f"{init_gb_s:,.1f} GB-s", init_gb_s * p["lambda_gb_s_arm64"]),
        ("Lambda requests", f"{invocations * n:,.0f}", invocations * n * p["lambda_request"]),
        ("EventBridge custom events (64 KB chunks)", f"{flow['event_chunks_per_carousel'] * n:,.0f}",
         flow["event_chunks_per_carousel"] * n * p["eventbridge_event"]),
        ("EventBridge archive (every event)", f"{flow['event_bytes_per_carousel'] * n / 1024**3:.4f} GB",
         flow["event_bytes_per_carousel"] * n / 1024**3 * p["eventbridge_archive_gb"]),
        ("DynamoDB on-demand writes", f"{wru * n:,.0f} WRU", wru * n * p["dynamodb_wru"]),
        ("DynamoDB on-demand reads", f"{rru * n:,.0f} RRU", rru * n * p["dynamodb_rru"]),
        ("S3 PUT requests", f"{s3_puts * n:,.0f}", s3_puts * n * p["s3_put"]),
        ("S3 GET requests", f"{s3_gets * n:,.0f}", s3_gets * n * p["s3_get"]),
        (f"S3 storage of the slides for their {retention_days}-day lifetime", f"{stored_gb * n:.2f} GB × "
         f"{retention_days / 30:.1f} months", stored_gb * n * retention_days / 30 * p["s3_gb_month"]),
        ("API Gateway REST requests (the webhook update)", f"{webhook_updates * n:,.0f}",
         webhook_updates * n * p["apigw_rest_request"]),
        ("CloudWatch Logs ingestion (INFO level, EMF, platform lines)", f"{log_bytes * n / 1024**2:.1f} MiB",
         log_bytes * n / 1024**3 * p["logs_ingest_gb"]),
        ("X-Ray traces (one per carousel: the trace header crosses the bus)", f"{n:,}", n * p["xray_trace"]),
        ("Data transfer out (slides uploaded to Telegram)",
         f"{flow.get('telegram_upload_bytes_per_carousel', 0) * n / 1024**3:.2f} GB",
         flow.get("telegram_upload_bytes_per_carousel", 0) * n / 1024**3 * p["data_out_gb"]),
    ]
    total = sum(cost for _l, _q, cost in lines)
    measured_lambda = gb_s["measured"] * n * p["lambda_gb_s_arm64"]
    dominant = max(lines, key=lambda row: row[2])
    return {"lines": lines, "total": total, "functions": functions, "cold": cold_detail, "gb_s": gb_s,
            "measured_lambda": measured_lambda, "dominant": dominant, "wru": wru, "rru": rru,
            "openai": openai_estimate(), "retention_days": retention_days, "invocations": invocations,
            "log_bytes": log_bytes}


def levers(model: dict[str, Any], flow: dict[str, Any]) -> list[str]:
    """What the largest parts of the bill are made of, from the measured breakdown (no change is assumed)."""
    wru_usd = PRICES["dynamodb_wru"][0] * CAROUSELS
    units = flow["dynamodb_units_per_carousel"]
    pairs = {k: v for k, v in flow.get("dynamodb_units_by_function", {}).items() if " " in k}
    gsi = sum(u.get("gsi_wru", 0.0) for u in units.values())
    idempotency = sum(u["wru"] for t, u in units.items() if t.endswith("idempotency"))
    audit = sum(v["wru"] for k, v in pairs.items() if k.startswith("event-orchestrator ") and k.endswith("-events"))
    storage = next(cost for label, _q, cost in model["lines"] if label.startswith("S3 storage"))
    transfer = next(cost for label, _q, cost in model["lines"] if label.startswith("Data transfer"))
    out = [
        f"- Global secondary index writes (projection ALL, so every update of an item rewrites its index copies at"
        f" full size): {gsi:.0f} WRU a carousel, ${gsi * wru_usd:.3f} per 1,000.",
        f"- Idempotency records (Powertools Idempotency: a put and an update per processed event): {idempotency:.0f}"
        f" WRU a carousel, ${idempotency * wru_usd:.3f} per 1,000.",
        f"- The orchestrator's audit trail (events table, its GSI included): {audit:.0f} WRU a carousel,"
        f" ${audit * wru_usd:.3f} per 1,000.",
        f"- Slide bytes: S3 storage for {model['retention_days']} days ${storage:.3f} and the upload to Telegram"
        f" ${transfer:.3f} per 1,000; both scale with the bytes a slide takes and storage with the retention"
        f" (7 days instead of {model['retention_days']} would make storage ${storage * 7 / model['retention_days']:.3f}).",
    ]
    whatif = benchlib.load_result("whatif")
    if whatif and "jpeg" in whatif:
        base = whatif["jpeg"].get("as is: q90, 4:4:4")
        if base:
            options = ", ".join(f"{label} {(f['kib'] - base['kib']) / base['kib']:+.0%}" for label, f in
                                whatif["jpeg"].items() if label != "as is: q90, 4:4:4")
            out.append(f"  Measured bytes per slide against the renderer's q90 4:4:4 (BENCHMARKS.md, *What-if*): {options}.")
    return out


def before_after(before: dict[str, Any], model: dict[str, Any], baseline: dict[str, Any]) -> list[str]:
    """Each line's cost for the code at the flow bench's baseline commit and now (same prices and memory sizes)."""
    old = {label: cost for label, _qty, cost in before["lines"]}
    rows = [f"| {label} | ${old.get(label, 0.0):.4f} | ${cost:.4f} |" for label, _qty, cost in model["lines"]]
    return [
        f"## Before and after (commit {baseline['commit']}, `{baseline['ref']}`, measured in the same flow bench run)",
        "",
        "| line | before, USD / 1,000 | after, USD / 1,000 |",
        "| --- | ---: | ---: |",
        *rows,
        f"| **total** | **${before['total']:.2f}** | **${model['total']:.2f}** |",
        "",
    ]


def render_doc(model: dict[str, Any], flow: dict[str, Any], command: str,
               before: tuple[dict[str, Any], dict[str, Any]] | None = None) -> str:
    lines_md = [f"| {label} | {qty} | ${cost:.4f} |" for label, qty, cost in model["lines"]]
    fn_rows = []
    for f in sorted(model["functions"], key=lambda x: -x["gb_s_modelled"]):
        fn_rows.append(f"| {f['function']} | {f['memory_mb']} | {f['invocations']:.1f} | {f['measured']:.0f} | "
                       f"{f['cpu_ms']:.0f} × {f['cpu_scale']:.2f} + {f['waits']:.0f} = {f['modelled']:.0f} | "
                       f"{f['gb_s_modelled'] * 1000:.0f} | ${f['gb_s_modelled'] * 1000 * PRICES['lambda_gb_s_arm64'][0]:.4f} |"
                       f" {f['wru']:.1f} |")
    price_rows = [f"| {note} | ${usd:.10g} per {unit} |" for usd, unit, note in PRICES.values()]
    wru_price = PRICES["dynamodb_wru"][0] * CAROUSELS
    ops = flow["dynamodb_ops_per_carousel"]
    table_rows = []
    for table, u in sorted(flow["dynamodb_units_per_carousel"].items(), key=lambda kv: -kv[1]["wru"]):
        writes = sum(v for k, v in ops.items() if k.startswith(f"{table}.") and k.split(".", 1)[1] in
                     ("PutItem", "UpdateItem", "DeleteItem"))
        table_rows.append(f"| {table} | {writes:.1f} | {u['wru']:.1f} | {u.get('gsi_wru', 0.0):.1f} | "
                          f"${u['wru'] * wru_price:.4f} |")
    by_pair = {k: v for k, v in flow.get("dynamodb_units_by_function", {}).items() if " " in k}
    pair_rows = [f"| {k.split(' ', 1)[0]} | {k.split(' ', 1)[1]} | {v['wru']:.1f} | ${v['wru'] * wru_price:.4f} |"
                 for k, v in sorted(by_pair.items(), key=lambda kv: -kv[1]["wru"])[:10]]
    openai = model["openai"]
    if "error" in openai:
        openai_text = f"(not estimated: {openai['error']})"
    else:
        openai_text = (f"{openai['model']} at ${openai['price_in']}/${openai['price_out']} per million input/output "
                       f"tokens: a request is about {openai['prompt_tokens']:,} prompt tokens (the system and user "
                       f"messages plus the structured-output schema, counted as characters / 4: there is no "
                       f"tokenizer offline) and about {openai['completion_tokens']} completion tokens (5 slides, "
                       f"caption, keywords and hashtags as JSON; capped at 2,500 by OPENAI_MAX_TOKENS), so "
                       f"**≈ ${openai['per_1000']:.2f} per 1,000 carousels** on top of the table. ai-content "
                       "records the real tokens and cost of each call in `ai.analysis.completed`.")
    dominant = model["dominant"]
    total = model["total"]
    share = dominant[2] / total if total else 0
    goal = "under" if total < 0.50 else "OVER"
    return "\n".join([
        "# Cost per 1,000 carousels on AWS",
        "",
        f"**${total:.2f} per 1,000 carousels without OpenAI** (goal: under $0.50 — {goal}); the largest line is",
        f"*{dominant[0]}* (${dominant[2]:.3f}, {share:.0%}). OpenAI, when a key is set, is separate (below).",
        "",
        f"Generated by `{command}` (also `make bench`) from the figures `bench/flow_bench.py` measured on",
        f"{flow['date']} (see BENCHMARKS.md, section *Flow*): {flow['requests']} Telegram requests of 5 slides, offline",
        "content, each through the whole event flow of the local runtime (the deployed topology, moto for AWS,",
        "the fake Bot API for Telegram). Counts (invocations, events, DynamoDB units, S3 operations and bytes,",
        "Bot API calls, log bytes) are measured per carousel; durations are measured locally and then modelled",
        "for Lambda as explained below. Regenerate after changing the flow: `make bench`.",
        "",
        "| line | quantity per 1,000 carousels | USD |",
        "| --- | ---: | ---: |",
        *lines_md,
        f"| **total** | | **${total:.2f}** |",
        "",
        *(before_after(before[0], model, before[1]) if before else []),
        "## Lambda duration per function",
        "",
        f"Per carousel: {model['invocations']:.1f} invocations. Modelled ms = the CPU time measured here × the",
        f"CPU share the memory size buys (max(1, {FULL_VCPU_MB} MB / memory): 256 MB runs CPU-bound code",
        f"{FULL_VCPU_MB / 256:.1f}× slower than one vCPU) + the calls' waits at the latencies assumed below + 0.5 ms a",
        "call for Lambda's rounding up to the millisecond. \"Measured\" is the local wall time (moto and the fake",
        "Bot API answer in 1–3 ms, the CPU is a full core): a floor, not what Lambda would bill.",
        "",
        "| function | memory, MB | invocations / carousel | measured wall ms / carousel | modelled ms: CPU × scale"
        " + waits | GB-s / 1,000 | USD / 1,000 | DynamoDB WRU / carousel |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *fn_rows,
        "",
        f"Lambda duration with the measured local wall times instead: ${model['measured_lambda']:.4f} per 1,000"
        f" (vs ${model['lines'][0][2]:.4f} modelled).",
        "",
        "Assumed latencies of the real services (Lambda bills the wait): "
        + ", ".join(f"{k} {v:g} ms" for k, v in LATENCY_MS.items() if k != "telegram_upload_mb_s")
        + f", album upload at {LATENCY_MS['telegram_upload_mb_s']:g} MB/s.",
        "",
        "## DynamoDB writes",
        "",
        "By table, per carousel (GSI = the units spent writing global secondary indexes, as projected):",
        "",
        "| table | write operations | WRU | of which GSI | USD / 1,000 carousels |",
        "| --- | ---: | ---: | ---: | ---: |",
        *table_rows,
        "",
        "The largest writers (function, table), WRU per carousel:",
        "",
        "| function | table | WRU | USD / 1,000 carousels |",
        "| --- | --- | ---: | ---: |",
        *pair_rows,
        "",
        "## Where the money goes (levers, none applied)",
        "",
        *levers(model, flow),
        "",
        "## Assumptions",
        "",
        f"- Prices: {PRICES_AS_OF}. Free tiers are ignored (they would make small volumes free).",
        "- Lambda on arm64 at the memory sizes in `cdk/config.py`; this machine's x86 core counts as one Lambda",
        "  vCPU (Graviton2 single-thread speed is similar for this Python code; if it is 30 % slower, the",
        "  duration line grows by about the CPU part × 0.3).",
        f"- Cold starts: {COLD_STARTS_PER_FUNCTION} per function per 1,000 carousels (1,000 a day, each function",
        f"  re-initialised about once an hour); INIT = {LAMBDA_RUNTIME_INIT_MS} ms of runtime start (assumed) + the",
        "  measured handler import (BENCHMARKS.md, *Cold start*) + the measured extra work of the first invoke",
        "  (*Peak memory and first invoke*), CPU-scaled like the warm time; Lambda bills INIT since 2025-08-01.",
        "- DynamoDB on demand: units computed from the measured item sizes (reads in 4 KB units, halved when",
        "  eventually consistent; writes in 1 KB units; each global secondary index the write touches costs the",
        "  same again, twice when its key changes). TTL deletions are free; storage (cents a GB-month, under the",
        "  free 25 GB for a long time) is left out.",
        f"- S3: the slides live {model['retention_days']} days (`slideRetentionDays`, the carousel record's",
        "  lifetime); the sender reads each slide once to upload it; no S3 request from presigned URLs counted.",
        "- API Gateway: one REST request per carousel (the Telegram update); `/style`, `/lang`, `/history` and",
        "  other commands are extra requests at the same $3.50 per million.",
        f"- Logs: the handlers' own lines at the deployed INFO level plus EMF metrics, measured "
        f"({flow['log_bytes_per_carousel'] / 1024:.1f} KiB a carousel), plus {LOG_PLATFORM_BYTES} bytes of platform lines per"
        "  invocation; storage for the one-month retention is cents and left out.",
        "- X-Ray: one trace per carousel (the publisher forwards the trace header, so the flow is one trace);",
        "  the first 100,000 traces a month are free.",
        "- Data transfer: the album uploaded to Telegram leaves AWS; the first 100 GB a month are free.",
        "- Not counted: Secrets Manager ($0.40 a secret a month and $0.05 per 10,000 calls, cached per",
        "  container), CloudWatch custom metrics, alarms and the dashboard (monthly, not per carousel), SQS",
        "  dead-letter queues (empty when healthy), the schedule's sweep every 5 minutes (about 8,640",
        "  invocations a month whatever the traffic), KMS and NAT (none used).",
        "",
        "## OpenAI (separate)",
        "",
        openai_text,
        "",
        "## Price table",
        "",
        "| item | price |",
        "| --- | ---: |",
        *price_rows,
        "",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    flow = benchlib.load_result("flow")
    if not flow:
        print("bench/results/flow.json is missing: run bench/flow_bench.py first", file=sys.stderr)
        return 2
    coldstart, memory = benchlib.load_result("coldstart"), benchlib.load_result("memory")
    model = build(flow, coldstart, memory)
    baseline = benchlib.load_result("flow-baseline")  # written by `flow_bench.py --baseline REF`, with this flow
    before = (build(baseline, coldstart, memory), baseline) if baseline else None
    command = "python bench/cost_model.py"
    doc = render_doc(model, flow, command, before)
    top = sorted(model["lines"], key=lambda row: -row[2])[:4]
    section = "\n".join([
        "## Cost per 1,000 carousels (AWS, without OpenAI)",
        "",
        f"- Command: `{command}` (also `make bench`), from the flow figures of {flow['date']}",
        *([f"- Before (commit {before[1]['commit']}): ${before[0]['total']:.2f} per 1,000 carousels, measured in the"
           " same flow bench run."] if before else []),
        f"- **${model['total']:.2f} per 1,000 carousels** (goal: under $0.50); largest lines: "
        + "; ".join(f"{label} ${cost:.3f}" for label, _q, cost in top) + ".",
        f"- OpenAI on top, estimated: ≈ ${model['openai'].get('per_1000', float('nan')):.2f} per 1,000 (gpt-4o-mini).",
        "- Table, per-function durations, prices and assumptions: [docs/cost.md](docs/cost.md).",
    ])
    print(doc)
    benchlib.save_result("cost", {"date": benchlib.utc_now(), "flow_date": flow["date"], "total": model["total"],
                                  "lines": model["lines"], "dominant": model["dominant"],
                                  "openai_per_1000": model["openai"].get("per_1000")})
    if not args.no_write:
        (benchlib.ROOT / "docs" / "cost.md").write_text(doc, encoding="utf-8")
        benchlib.write_section("cost", section)
        print(f"wrote docs/cost.md and the cost section of {benchlib.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
