#!/usr/bin/env python3
"""The flow, one request at a time: webhook time to 200, webhook → album latency, and what one carousel costs.

    python bench/flow_bench.py [--requests 15] [--warmup 3] [--no-write] [--baseline GIT-REF]

Runs the local runtime in this process against a moto *server* (a separate process, so the
handlers' CPU time is ours, not moto's) and the fake Telegram Bot API (tests/fakes/telegram_api.py,
real HTTP on 127.0.0.1), with the webhook served by the local API Gateway emulator and the event
router in the background, as ``python -m local serve`` does. Offline content (no OpenAI key).

For each request, sequentially and after the previous one has settled: a Telegram user posts
``/carousel <topic>`` to ``POST /telegram/webhook`` (with the secret header); we time the HTTP
answer (time to 200) and the moment the fake Bot API stores the album (``sendMediaGroup``) for that
chat (end to end). Every handler invocation is timed (wall and thread CPU time) and every AWS API
call is recorded (bench/awscalls.py), then divided by the number of measured requests: invocations,
milliseconds, DynamoDB/S3/EventBridge operations and log bytes per carousel, per function.
``bench/results/flow.json`` keeps it all for the cost model (bench/cost_model.py). With ``--baseline REF``
this same bench first runs on a checkout of REF (``bench/results/flow-baseline.json``), so a change's
before and after come from one run, on one machine, by one instrument.

Logs: the runtime runs verbose (Powertools log level INFO and EMF metrics on, as deployed), and the
bytes the handlers write to stdout are counted (that is what CloudWatch Logs would ingest, before
Lambda's own START/END/REPORT lines).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()

from awscalls import attributed_to, record_calls  # noqa: E402

# Topics the offline notes cover (offline, an uncovered topic is answered "not covered", with no album).
TOPICS = [
    "Functional Programming with TypeScript",
    "Clean code",
    "Event-driven architecture",
    "Тестирование программ",
    "Git branching",
    "Observability",
    "Microservices",
    "Serverless on AWS",
]


class CountingSink(io.TextIOBase):
    """Stands in for stdout: counts the bytes the handlers log, keeps none of it."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines = 0
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self.bytes += len(text.encode())
            self.lines += text.count("\n")
        return len(text)

    def writable(self) -> bool:
        return True


@dataclass
class Invocation:
    function: str
    kind: str  # the event's detail-type, or "http"
    wall_ms: float
    cpu_ms: float
    ok: bool
    started: float


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("moto server did not start")


class FlowHarness:
    """The local runtime (verbose, against a moto server), its HTTP server, the fake Bot API, and meters."""

    def __init__(self, out_dir: Path, moto_url: str):
        from tests.fakes.telegram_api import FakeTelegram

        self.sink = CountingSink()
        self._real_stdout = sys.stdout
        sys.stdout = self.sink  # before any handler module creates its Logger (it keeps this stream)
        self.telegram = FakeTelegram().start()
        os.environ.update(AWS_ENDPOINT_URL=moto_url, TELEGRAM_BOT_TOKEN=self.telegram.token,
                          TELEGRAM_API_URL=self.telegram.api_url)
        os.environ.pop("OPENAI_API_KEY", None)
        os.environ.pop("TELEGRAM_WEBHOOK_SECRET", None)
        from local.runtime import LOCAL_WEBHOOK_SECRET, LocalRuntime
        from local.server import LocalServer

        self.secret = LOCAL_WEBHOOK_SECRET
        self.telegram_sends: list[tuple[str | None, str, int]] = []  # (function, Bot API method, request bytes)
        self._patch_requests()
        self.calls_cm = record_calls()
        self.calls = self.calls_cm.__enter__()
        self.runtime = LocalRuntime(out_dir=out_dir, verbose=True)
        self.runtime.start()
        self.invocations: list[Invocation] = []
        self._lock = threading.Lock()
        original = self.runtime.invoke

        def invoke(function: str, event: dict[str, Any]) -> Any:
            kind = event.get("detail-type") or ("http" if "httpMethod" in event else "direct")
            started, cpu = time.perf_counter(), time.thread_time()
            ok = False
            try:
                with attributed_to(function):
                    result = original(function, event)
                ok = not (isinstance(result, dict) and int(result.get("statusCode", 200)) >= 500)
                return result
            finally:
                record = Invocation(function, kind, (time.perf_counter() - started) * 1000,
                                    (time.thread_time() - cpu) * 1000, ok, started)
                with self._lock:
                    self.invocations.append(record)

        self.runtime.invoke = invoke
        self.runtime.router.invoke = invoke
        self.server = LocalServer(self.runtime, port=0)
        self.server.httpd.RequestHandlerClass.log_message = lambda *a, **k: None
        self.server.start()
        self.webhook_url = f"{self.server.url}/telegram/webhook"

    def _patch_requests(self) -> None:
        """Attribute each Bot API request to the function that sends it (bytes = the upload's size)."""
        import requests
        from awscalls import current

        original = requests.sessions.Session.send
        self._original_send = original
        sends = self.telegram_sends

        def send(session: Any, request: Any, **kwargs: Any) -> Any:
            if "/bot" in (request.url or ""):
                body = request.body or b""
                sends.append((getattr(current, "function", None), request.url.rsplit("/", 1)[-1], len(body)))
            return original(session, request, **kwargs)

        requests.sessions.Session.send = send

    def settle(self, quiet_seconds: float = 1.0, timeout: float = 60) -> None:
        """Wait until no handler has run for ``quiet_seconds`` (the flow has drained)."""
        deadline = time.monotonic() + timeout
        last, since = len(self.invocations), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            count = len(self.invocations)
            if count != last:
                last, since = count, time.monotonic()
            elif time.monotonic() - since >= quiet_seconds:
                return
        raise TimeoutError("the flow did not settle")

    def album_at(self, chat_id: int, timeout: float = 60) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self.telegram.calls_of("sendMediaGroup"):
                if str(call.params.get("chat_id")) == str(chat_id):
                    return call.at  # the fake's clock: time.monotonic() when it stored the album
            time.sleep(0.005)
        return None

    def close(self) -> None:
        self.server.stop()
        self.runtime.stop()
        self.telegram.stop()
        self.calls_cm.__exit__(None, None, None)
        import requests

        requests.sessions.Session.send = self._original_send
        sys.stdout = self._real_stdout


def run(requests_count: int, warmup: int) -> dict[str, Any]:
    import requests

    from tests.fakes.telegram_api import TelegramUser

    moto, moto_url = start_moto_server()
    out = Path(tempfile.mkdtemp(prefix="flow-bench-"))
    harness = None
    try:
        harness = FlowHarness(out, moto_url)
        session = requests.Session()
        headers = {"X-Telegram-Bot-Api-Secret-Token": harness.secret}
        samples = []
        mark = {}
        for i in range(warmup + requests_count):
            if i == warmup:
                harness.settle()
                mark = {"invocations": len(harness.invocations), "calls": len(harness.calls),
                        "log_bytes": harness.sink.bytes, "log_lines": harness.sink.lines,
                        "telegram": len(harness.telegram.calls), "sends": len(harness.telegram_sends)}
            user = TelegramUser(harness.telegram, user_id=420_000_000 + i)
            update = user.message(f"/carousel {TOPICS[i % len(TOPICS)]}")
            before = len(harness.invocations)
            t0 = time.monotonic()
            response = session.post(harness.webhook_url, json=update, headers=headers, timeout=60)
            t200 = time.monotonic()
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}: {response.text}")
            album = harness.album_at(user.chat_id)
            if album is None:
                raise RuntimeError(f"no album for chat {user.chat_id}")
            gateway = next((inv for inv in harness.invocations[before:] if inv.function == "telegram-gateway"), None)
            if i >= warmup:
                samples.append({"to_200_ms": (t200 - t0) * 1000, "e2e_ms": (album - t0) * 1000,
                                "gateway_handler_ms": gateway.wall_ms if gateway else None,
                                "gateway_cpu_ms": gateway.cpu_ms if gateway else None})
            harness.settle(quiet_seconds=0.8)
        invocations = [inv for inv in harness.invocations[mark["invocations"]:] if inv.kind != "Scheduled Event"]
        calls = harness.calls.since(mark["calls"])
        log_bytes = harness.sink.bytes - mark["log_bytes"]
        log_lines = harness.sink.lines - mark["log_lines"]
        telegram_calls = Counter(c.method for c in harness.telegram.calls[mark["telegram"]:])
        sends = harness.telegram_sends[mark["sends"]:]
        telegram_by_function = Counter((f, m) for f, m, _b in sends)
        telegram_bytes = sum(b for _f, _m, b in sends)
        tables = table_facts(harness)
        albums_per_chat = Counter(str(c.params.get("chat_id")) for c in harness.telegram.calls_of("sendMediaGroup"))
    finally:
        if harness:
            harness.close()
        moto.terminate()
        moto.wait(timeout=10)
    return summarize(samples, invocations, calls, log_bytes, log_lines, telegram_calls, tables, requests_count,
                     albums_per_chat, warmup, telegram_by_function, telegram_bytes)


def table_facts(harness: FlowHarness) -> dict[str, Any]:
    """Each table's indexes (write amplification) and its items' sizes now (for UpdateItem's unit estimate)."""
    from awscalls import item_size

    from vibecoder.aws import client
    from vibecoder.tables import TABLES

    dynamodb = client("dynamodb")
    facts = {}
    for spec in TABLES.values():
        name = getattr(harness.runtime.settings, spec.settings_field)
        sizes = {}
        for page in dynamodb.get_paginator("scan").paginate(TableName=name):
            for item in page["Items"]:
                key = {k: item[k] for k in [spec.partition_key, spec.sort_key] if k}
                sizes[_key_text(key)] = [item_size(item), sorted(item)]
        facts[name] = {"indexes": [{"name": i.name, "keys": [k for k in (i.partition_key, i.sort_key) if k],
                                    "projection": i.projection, "include": list(getattr(i, "include", ()))}
                                   for i in spec.indexes], "sizes": sizes}
    return facts


def _key_text(key: Any) -> str:
    import json

    return json.dumps(key, sort_keys=True, default=str)


def dynamodb_units(calls: list[Any], tables: dict[str, Any]) -> tuple[dict[str, dict[str, float]],
                                                                      dict[str, dict[str, float]]]:
    """Read and write request units by table and by function (on-demand: 4 KB reads, 1 KB writes, GSIs too)."""
    import json
    import math

    by_table: dict[str, dict[str, float]] = defaultdict(lambda: {"rru": 0.0, "wru": 0.0, "gsi_wru": 0.0})
    by_function: dict[str, dict[str, float]] = defaultdict(lambda: {"rru": 0.0, "wru": 0.0, "gsi_wru": 0.0})
    for call in calls:
        if call.service != "dynamodb" or call.error in ("ResourceNotFoundException",):
            continue
        table = tables.get(call.table or "", {"indexes": [], "sizes": {}})
        op = call.operation
        rru = wru = gsi = 0.0
        if op in ("GetItem", "Query", "Scan"):
            per = 1.0 if call.consistent else 0.5
            rru = per * max(1, math.ceil(call.read_bytes / 4096))
        elif op in ("PutItem", "UpdateItem", "DeleteItem"):
            size, attributes = call.request_bytes, set(call.item_attributes)
            if call.key and op != "PutItem":
                key = json.loads(call.key)
                plain = {k: next(iter(v.values())) if isinstance(v, dict) else v for k, v in key.items()}
                size, names = table["sizes"].get(_key_text({k: {"S": str(v)} for k, v in plain.items()})) or \
                    table["sizes"].get(_key_text(key)) or (0, [])
                attributes = set(names)
            known = bool(size)
            size = size or 1024  # unknown (deleted since): one unit
            per_write = max(1, math.ceil(size / 1024))
            wru = per_write
            for index in table["indexes"]:
                if known and index["keys"][0] not in attributes:
                    continue  # not in this sparse index
                key_changed = op == "UpdateItem" and any(k in call.update_names for k in index["keys"])
                if index.get("projection", "ALL") == "ALL":  # the index's copy is the whole item, rewritten
                    copy, written = per_write, True
                else:  # keys and a few attributes (under 1 KB), written only when one of them changes
                    copy = 1
                    written = op != "UpdateItem" or key_changed or any(a in call.update_names
                                                                       for a in index.get("include", ()))
                if written:
                    gsi += copy * (2 if key_changed else 1)  # an index key change is a delete and a put
            wru += gsi
        elif op == "TransactWriteItems":
            wru = 2
        for target in (by_table[call.table or "?"], by_function[call.function or "?"],
                       by_function[f"{call.function or '?'} {call.table or '?'}"]):
            target["rru"] += rru
            target["wru"] += wru
            target["gsi_wru"] += gsi
    return {k: dict(v) for k, v in by_table.items()}, {k: dict(v) for k, v in by_function.items()}


def summarize(samples, invocations, calls, log_bytes, log_lines, telegram_calls, tables, n, albums_per_chat,
              warmup, telegram_by_function, telegram_bytes) -> dict[str, Any]:
    per_function: dict[str, dict[str, Any]] = {}
    by_function: dict[str, list[Invocation]] = defaultdict(list)
    for inv in invocations:
        by_function[inv.function].append(inv)
    for function, items in sorted(by_function.items()):
        walls = [i.wall_ms for i in items]
        per_function[function] = {
            "invocations_per_carousel": len(items) / n,
            "wall_ms_per_carousel": sum(walls) / n,
            "cpu_ms_per_carousel": sum(i.cpu_ms for i in items) / n,
            "wall_ms_median": benchlib.median(walls),
            "wall_ms_p95": benchlib.percentile(walls, 95),
            "wall_ms_max": max(walls),
            "failed": sum(not i.ok for i in items),
            "aws_calls_per_carousel": {},
            "aws_ms_per_carousel": sum(c.ms for c in calls if c.function == function) / n,
            "by_kind": dict(Counter(i.kind for i in items)),
        }
    ops = Counter((c.function or "(runtime)", c.service, c.operation) for c in calls)
    for (function, service, operation), count in sorted(ops.items()):
        if function in per_function:
            per_function[function]["aws_calls_per_carousel"][f"{service}.{operation}"] = count / n
    # Plumbing of the local runtime (SQS polling, DLQ reads): not part of the deployed flow.
    plumbing = {f"{s}.{o}": c / n for (f, s, o), c in ops.items() if f == "(runtime)"}
    flow_calls = [c for c in calls if c.function]
    puts = [c for c in flow_calls if c.service == "events" and c.operation == "PutEvents"]
    entries = [size for c in puts for size in c.entries]
    s3_puts = [c for c in flow_calls if c.service == "s3" and c.operation == "PutObject"]
    units, units_by_function = dynamodb_units(flow_calls, tables)
    return {
        "date": benchlib.utc_now(),
        "requests": n,
        "warmup": warmup,
        "to_200_ms": [s["to_200_ms"] for s in samples],
        "e2e_ms": [s["e2e_ms"] for s in samples],
        "gateway_handler_ms": [s["gateway_handler_ms"] for s in samples if s["gateway_handler_ms"] is not None],
        "gateway_cpu_ms": [s["gateway_cpu_ms"] for s in samples if s["gateway_cpu_ms"] is not None],
        "per_function": per_function,
        "plumbing_calls_per_carousel": plumbing,
        "invocations_per_carousel": len(invocations) / n,
        "events_per_carousel": len(entries) / n,
        "put_events_calls_per_carousel": len(puts) / n,
        "event_bytes_per_carousel": sum(entries) / n,
        "event_chunks_per_carousel": sum(max(1, -(-size // 65536)) for size in entries) / n,
        "max_event_bytes": max(entries) if entries else 0,
        "s3": {op: cnt / n for op, cnt in Counter(c.operation for c in flow_calls if c.service == "s3").items()},
        "s3_put_bytes_per_carousel": sum(c.request_bytes for c in s3_puts) / n,
        "dynamodb_ops_per_carousel": {f"{c[0]}.{c[1]}": cnt / n for c, cnt in Counter(
            (c.table, c.operation) for c in flow_calls if c.service == "dynamodb").items()},
        "dynamodb_units_per_carousel": {t: {k: v / n for k, v in u.items()} for t, u in units.items()},
        "dynamodb_units_by_function": {f: {k: v / n for k, v in u.items()} for f, u in units_by_function.items()},
        "dynamodb_ops_by_function": {f"{c[0]} {c[1]}.{c[2]}": cnt / n for c, cnt in Counter(
            (c.function, c.table, c.operation) for c in flow_calls if c.service == "dynamodb").items()},
        "telegram_by_function": {f"{f} {m}": c / n for (f, m), c in telegram_by_function.items()},
        "telegram_upload_bytes_per_carousel": telegram_bytes / n,
        "log_bytes_per_carousel": log_bytes / n,
        "log_lines_per_carousel": log_lines / n,
        "telegram_calls_per_carousel": {m: c / n for m, c in telegram_calls.items()},
        "albums_per_chat": dict(Counter(albums_per_chat.values())),
    }


def totals(result: dict[str, Any]) -> dict[str, float]:
    """The per-carousel figures a change to the flow moves (the before/after table compares them)."""
    units = result["dynamodb_units_per_carousel"]
    writes = sum(v for k, v in result["dynamodb_ops_per_carousel"].items()
                 if k.rsplit(".", 1)[-1] in ("PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"))
    return {"handler invocations": result["invocations_per_carousel"],
            "events put on the bus": result["events_per_carousel"],
            "DynamoDB operations": sum(result["dynamodb_ops_per_carousel"].values()),
            "DynamoDB writes": writes,
            "DynamoDB WRU (GSI writes included)": sum(u["wru"] for u in units.values()),
            "DynamoDB RRU": sum(u["rru"] for u in units.values()),
            "S3 requests": sum(result["s3"].values()),
            "Bot API calls": sum(result["telegram_calls_per_carousel"].values())}


def comparison(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    old, new = totals(before), totals(after)
    rows = [f"| {name} | {old[name]:.1f} | {new[name]:.1f} | {(new[name] - old[name]) / old[name] * 100:+.0f}% |"
            if old[name] else f"| {name} | {old[name]:.1f} | {new[name]:.1f} | — |" for name in old]
    return [f"Before and after, per carousel, measured in this run (before = commit {before['commit']},"
            f" `{before['ref']}`, measured by this same bench):", "",
            "| per carousel | before | after | change |", "| --- | ---: | ---: | ---: |", *rows, ""]


def report(result: dict[str, Any], command: str, load_before: str,
           before: dict[str, Any] | None = None) -> str:
    to200, e2e, gw = result["to_200_ms"], result["e2e_ms"], result["gateway_handler_ms"]
    rows = []
    for function, f in sorted(result["per_function"].items(), key=lambda kv: -kv[1]["wall_ms_per_carousel"]):
        ops = ", ".join(f"{k.split('.', 1)[1]} {v:g}" for k, v in sorted(f["aws_calls_per_carousel"].items()))
        rows.append(f"| {function} | {f['invocations_per_carousel']:.1f} | {f['wall_ms_per_carousel']:.0f} | "
                    f"{f['cpu_ms_per_carousel']:.0f} | {f['wall_ms_median']:.1f} | {f['wall_ms_p95']:.1f} | "
                    f"{f['aws_ms_per_carousel']:.0f} | {ops or '—'} |")
    total_wall = sum(f["wall_ms_per_carousel"] for f in result["per_function"].values())
    total_cpu = sum(f["cpu_ms_per_carousel"] for f in result["per_function"].values())
    units = result["dynamodb_units_per_carousel"]
    rru = sum(u["rru"] for u in units.values())
    wru = sum(u["wru"] for u in units.values())
    ddb_ops = sum(result["dynamodb_ops_per_carousel"].values())
    s3 = ", ".join(f"{op} {v:g}" for op, v in sorted(result["s3"].items()))
    tg = ", ".join(f"{m} {v:g}" for m, v in sorted(result["telegram_calls_per_carousel"].items()))
    n = result["requests"]
    lines = [
        "## Flow: webhook time to 200, webhook → album, per-function time and operations per carousel",
        "",
        *benchlib.preamble(command, load_before),
        "- Setup: the local runtime in one process against a moto server (separate process) and the fake Bot API",
        f"  (tests/fakes/telegram_api.py) on 127.0.0.1; offline content; 5 slides; {n} requests measured one at a",
        f"  time after {result['warmup']} warm-up requests, each after the previous one settled; log level INFO and",
        "  EMF metrics on (as deployed).",
        "",
        "| measure (warm) | median | p95 | min | max |",
        "| --- | ---: | ---: | ---: | ---: |",
        _stat_row("webhook time to 200, ms (HTTP client → 200 through the API Gateway emulator)", to200),
        _stat_row("…of which the gateway handler, ms", gw),
        _stat_row("…gateway handler CPU time, ms", result["gateway_cpu_ms"]),
        _stat_row("end to end, ms (POST /telegram/webhook → album stored by the fake Bot API)", e2e),
        "",
        *(comparison(before, result) if before else []),
        f"Per carousel: {result['invocations_per_carousel']:.1f} handler invocations, {total_wall:.0f} ms of handler"
        f" wall time ({total_cpu:.0f} ms CPU), {result['events_per_carousel']:.1f} events put on the bus in"
        f" {result['put_events_calls_per_carousel']:.1f} PutEvents calls ({result['event_bytes_per_carousel'] / 1024:.1f}"
        f" KiB, largest event {result['max_event_bytes'] / 1024:.1f} KiB, {result['event_chunks_per_carousel']:.1f}"
        f" billed 64 KB chunks), {ddb_ops:.1f} DynamoDB operations (≈ {rru:.1f} RRU, {wru:.1f} WRU on demand, GSI"
        f" writes included), S3: {s3} ({result['s3_put_bytes_per_carousel'] / 1024:.0f} KiB written), Telegram: {tg};"
        f" {result['log_bytes_per_carousel'] / 1024:.1f} KiB of handler logs ({result['log_lines_per_carousel']:.0f}"
        " lines).",
        "",
        "| function | invocations / carousel | wall ms / carousel | CPU ms / carousel | wall ms per invocation,"
        " median | p95 | ms in AWS calls / carousel | AWS calls / carousel |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        "How it is measured: every handler invocation (router deliveries and HTTP) is wrapped to take its wall",
        "time and its thread's CPU time; every botocore API call is recorded (`BaseClient._make_api_call`) and",
        "attributed to the running function; the local runtime's own SQS polling is left out (EventBridge invokes",
        "Lambda directly when deployed). DynamoDB units are computed from the items' sizes (reads: 4 KB units, half",
        "for eventually consistent; writes: 1 KB units plus each GSI the write touches, an index key change counted",
        "as a delete and a put). Wall times include the round trips to the moto server (a local process, ~1–3 ms a",
        "call), not DynamoDB/S3/EventBridge latencies; the CPU column is the part that scales with Lambda's",
        "memory-proportional CPU. docs/cost.md turns these into dollars.",
    ]
    duplicates = {k: v for k, v in result["albums_per_chat"].items() if k != 1}
    lines += ["", f"Albums per chat: {result['albums_per_chat']} (chats → count of chats){' — DUPLICATES' if duplicates else ''}."]
    return "\n".join(lines)


def _stat_row(label: str, values: list[float]) -> str:
    if not values:
        return f"| {label} | — | — | — | — |"
    return (f"| {label} | {benchlib.median(values):.1f} | {benchlib.percentile(values, 95):.1f} | {min(values):.1f} | "
            f"{max(values):.1f} |")


def baseline(ref: str, requests: int, warmup: int) -> dict[str, Any]:
    """This bench's figures for the code at ``ref``: this bench (the same instrument) run on that code."""
    import shutil

    with benchlib.tree_at(ref) as tree:
        shutil.rmtree(tree / "bench")
        shutil.copytree(benchlib.ROOT / "bench", tree / "bench", ignore=shutil.ignore_patterns("__pycache__"))
        subprocess.run([sys.executable, str(tree / "bench" / "flow_bench.py"), "--requests", str(requests),
                        "--warmup", str(warmup), "--no-write"], cwd=tree, check=True, stdout=subprocess.DEVNULL)
        result = json.loads((tree / "bench" / "results" / "flow.json").read_text(encoding="utf-8"))
    commit = subprocess.run(["git", "-C", str(benchlib.ROOT), "rev-parse", "--short", ref], capture_output=True,
                            text=True, check=True).stdout.strip()
    return result | {"ref": ref, "commit": commit}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=15)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--baseline", metavar="GIT-REF", help="also measure this commit, before this one")
    args = parser.parse_args()
    for key, value in benchlib.QUIET_ENV.items():
        os.environ[key] = value
    load_before = benchlib.load_average()
    command = "python bench/flow_bench.py" + (f" --requests {args.requests}" if args.requests != 15 else "") \
        + (f" --baseline {args.baseline}" if args.baseline else "")
    before = baseline(args.baseline, args.requests, args.warmup) if args.baseline else None
    if before:
        benchlib.save_result("flow-baseline", before)
    else:  # a baseline is compared with the run that measured it, never with a later one
        (benchlib.RESULTS / "flow-baseline.json").unlink(missing_ok=True)
    result = run(args.requests, args.warmup)
    text = report(result, command, load_before, before)
    saved = dict(result)
    benchlib.save_result("flow", saved)
    print(text)
    if not args.no_write:
        benchlib.write_section("flow", text)
        print(f"wrote the flow section of {benchlib.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
