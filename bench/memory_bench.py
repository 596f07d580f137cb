#!/usr/bin/env python3
"""Peak memory and first-invoke (cold) time per function: each sample event in a fresh process.

    python bench/memory_bench.py [--runs 3] [--no-write]

For each function, ``--runs`` fresh processes each start the local runtime against a moto *server*
(a separate process, reset before every run, so moto's own memory is not in ours), read
``ru_maxrss`` (the baseline: interpreter, boto3, the shared layer, the runtime's clients), import
the function's handler module, invoke it once with ``events/samples/<function>.json`` (what
``python -m local invoke FUNCTION FILE`` does) and read ``ru_maxrss`` again. Reported: the peak RSS
of the process (a proxy for Lambda's "Max Memory Used", which also counts the runtime client), the
part the function added over the baseline, the configured memory size (cdk/config.py) and the
first-invoke times: handler import and the first invocation (lazy imports, font loading, client
creation: what a cold start does after the import). The renderer also runs a 10-slide event
(bench/render_bench.py's slides), the heaviest input it takes.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()

SAMPLES = benchlib.ROOT / "events" / "samples"


def rss_now_kb() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def child(function: str, event_file: str) -> int:
    """One fresh process: baseline, import, first invoke; prints one JSON line."""
    out = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    prelude = os.environ.get("BENCH_PRELUDE")  # bench/whatif_bench.py: a candidate change, applied first
    if prelude:
        exec(prelude, {})  # noqa: S102 - our own benchmark's code
    started = time.perf_counter()
    from local.runtime import LocalRuntime

    runtime = LocalRuntime(out_dir=out)
    runtime.start()
    figures: dict[str, Any] = {"function": function, "runtime_start_ms": (time.perf_counter() - started) * 1000,
                               "baseline_maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                               "baseline_rss_kb": rss_now_kb()}
    if function != "none":
        import importlib

        from vibecoder.events.catalog import CATALOG

        event = json.loads(Path(event_file).read_text(encoding="utf-8"))
        t = time.perf_counter()
        importlib.import_module(CATALOG.service(function).handler.rpartition(".")[0])
        figures["import_ms"] = (time.perf_counter() - t) * 1000
        t = time.perf_counter()
        result = runtime.invoke(function, event)
        figures["first_invoke_ms"] = (time.perf_counter() - t) * 1000
        figures["ok"] = not (isinstance(result, dict) and int(result.get("statusCode", 200) or 200) >= 500)
        figures["peak_maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        figures["after_rss_kb"] = rss_now_kb()
    runtime.stop()
    print(json.dumps(figures))
    return 0


def renderer_ten_slides(directory: Path) -> Path:
    from render_bench import SLIDES

    event = json.loads((SAMPLES / "image-renderer.json").read_text(encoding="utf-8"))
    event = copy.deepcopy(event)
    event["detail"]["id"] = "7e3a1c52-0000-4000-8000-000000000010"
    event["detail"]["data"]["slides"] = SLIDES
    target = directory / "image-renderer-10.json"
    target.write_text(json.dumps(event, ensure_ascii=False), encoding="utf-8")
    return target


def reset_moto(url: str) -> None:
    urllib.request.urlopen(urllib.request.Request(f"{url}/moto-api/reset", method="POST"), timeout=30).read()


def run_child(function: str, event: Path | str, moto_url: str, prelude: str = "") -> dict[str, Any]:
    reset_moto(moto_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_", "TELEGRAM_", "OPENAI_"))}
    env.update(benchlib.QUIET_ENV, AWS_ENDPOINT_URL=moto_url)
    if prelude:
        env["BENCH_PRELUDE"] = prelude
    result = subprocess.run([sys.executable, __file__, "--child", function, str(event)], env=env,
                            capture_output=True, text=True, timeout=300, cwd=benchlib.ROOT)
    if result.returncode:
        raise RuntimeError(f"{function}: {result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("FUNCTION", "EVENT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)

    from flow_bench import start_moto_server

    from cdk.config import FUNCTIONS
    from vibecoder.events.catalog import CATALOG

    load_before = benchlib.load_average()
    command = "python bench/memory_bench.py" + (f" --runs {args.runs}" if args.runs != 2 else "")
    moto, moto_url = start_moto_server()
    work = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    cases = [("none", "—", "(runtime only, no invoke)")]
    cases += [(name, str(SAMPLES / f"{name}.json"), f"events/samples/{name}.json") for name in CATALOG.services]
    cases.append(("image-renderer", str(renderer_ten_slides(work)), "10 slides (render_bench's)"))
    results: list[dict[str, Any]] = []
    try:
        for function, event, label in cases:
            runs = [run_child(function, event, moto_url) for _ in range(args.runs)]
            entry = {"function": function, "event": label, "runs": runs}
            if function != "none":
                entry["peak_mb"] = max(r["peak_maxrss_kb"] for r in runs) / 1024
                entry["added_mb"] = max(r["peak_maxrss_kb"] - r["baseline_maxrss_kb"] for r in runs) / 1024
                entry["import_ms"] = benchlib.median([r["import_ms"] for r in runs])
                entry["first_invoke_ms"] = benchlib.median([r["first_invoke_ms"] for r in runs])
                entry["ok"] = all(r["ok"] for r in runs)
                entry["memory_mb"] = FUNCTIONS[function].memory_mb
            else:
                entry["baseline_mb"] = max(r["baseline_maxrss_kb"] for r in runs) / 1024
            results.append(entry)
            print(json.dumps({k: v for k, v in entry.items() if k != "runs"}, ensure_ascii=False))
    finally:
        moto.terminate()
        moto.wait(timeout=10)

    baseline = results[0]["baseline_mb"]
    rows = []
    for entry in results[1:]:
        headroom = entry["memory_mb"] / entry["peak_mb"]
        rows.append(f"| {entry['function']} | {entry['event']} | {entry['peak_mb']:.0f} | {entry['added_mb']:.0f} | "
                    f"{entry['memory_mb']} | {headroom:.1f}× | {entry['import_ms']:.0f} | {entry['first_invoke_ms']:.0f} |"
                    f"{'' if entry['ok'] else ' (the invoke failed)'}")
    lines = [
        "## Peak memory and first invoke per function",
        "",
        *benchlib.preamble(command, load_before),
        f"- Runs: {args.runs} fresh processes per row (peak = the largest, times = the median).",
        "",
        "| function | event | peak RSS, MiB | added by the function, MiB | configured memory, MB | headroom |"
        " handler import, ms | first invoke, ms |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        f"Baseline (the local runtime started against the moto server, nothing invoked): {baseline:.0f} MiB.",
        "",
        "How it is measured: a fresh `python` per run starts the local runtime with `AWS_ENDPOINT_URL` pointing at",
        "a moto server in another process (reset before each run), so the process holds what a Lambda process",
        "holds (the interpreter, boto3, Powertools, pydantic, the shared layer, the handler and its data) plus",
        "the runtime's SQS/EventBridge clients, and not moto. `ru_maxrss` is read after the runtime started",
        "(the baseline) and after one `runtime.invoke(FUNCTION, sample event)` (the peak); \"added\" is the",
        "difference. Lambda's Max Memory Used also counts its runtime interface client (a few MiB). \"First",
        "invoke\" is the first call of the handler after its import: lazy imports (Pillow, fonts, the knowledge",
        "base, requests), client creation and the work itself, all of which Lambda bills on a cold start.",
    ]
    text = "\n".join(lines)
    benchlib.save_result("memory", {"date": benchlib.utc_now(), "baseline_mb": baseline, "results": results})
    if args.no_write:
        print(text)
    else:
        benchlib.write_section("memory", text)
        print(f"wrote the memory section of {benchlib.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
