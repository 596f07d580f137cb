#!/usr/bin/env python3
"""Cold start in the deployed shape: each handler imported in its own Python 3.12, from its synthesized assets.

    python bench/deployed_coldstart_bench.py [--runs 3] [--no-write]

The coldstart section above times ``import <handler module>`` with the repository's folders on the
path, Python 3.11, bytecode cached and tracing off. This one starts the function as
local/deployed/ does (``make deployed-test``): ``cdk synth`` for this machine, the code asset, the
layers and the runtime's boto3 as the only import path, the template's environment (Tracer active,
as ``TracingConfig: Active`` makes it), moto behind ``AWS_ENDPOINT_URL`` for what a handler calls
while it initialises. For each function it starts ``--runs`` fresh interpreters two ways:

- **as deployed**: no bytecode anywhere (``-B``; the assets ship none, and Lambda's /var/task and
  /opt are read-only, so every cold start compiles every module it imports);
- **with bytecode**: the same, after one run filled a bytecode cache (``-X pycache_prefix``): what a
  layer shipping ``.pyc`` files would get.

"init" is the handler's import measured inside the interpreter (Lambda's Init Duration less the
runtime's own start); "start" adds spawning the interpreter and the runtime's bootstrap.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()
sys.path.insert(0, str(benchlib.ROOT))


def cold_starts(stack, name: str, runs: int, pycache: Path | None, workdir: Path) -> list:
    from local.deployed.process import Worker

    spec = dataclasses.replace(stack.pools[name].spec, pycache_prefix=pycache, workdir=workdir / name)
    spec.workdir.mkdir(parents=True, exist_ok=True)
    found = []
    for number in range(runs):
        worker = Worker(spec, number + 1)
        try:
            found.append(worker.start())
        finally:
            worker.stop()
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    from local.deployed.prepare import prepare, prerequisites

    python, problems = prerequisites()
    if problems:
        print("deployed cold start skipped: " + "; ".join(problems))
        return 0
    load_before = benchlib.load_average()
    command = "python bench/deployed_coldstart_bench.py" + (f" --runs {args.runs}" if args.runs != 3 else "")
    prepared = prepare(None)  # no handler calls the Bot API while it initialises: any synthesis will do
    local = benchlib.load_result("coldstart") or {}
    figures = {}
    with tempfile.TemporaryDirectory(prefix="deployed-coldstart-") as scratch:
        workdir = Path(scratch)
        stack = prepared.stack(workdir / "stack", pycache_prefix=None).start()
        python_version = "?"
        try:
            for name in stack.functions:  # round-robin would mix the modes' caches; each function in turn
                deployed = cold_starts(stack, name, args.runs, None, workdir / "deployed")
                cache = workdir / "pycache"
                cold_starts(stack, name, 1, cache, workdir / "warmup")
                cached = cold_starts(stack, name, args.runs, cache, workdir / "cached")
                figures[name] = {
                    "deployed_init_ms": benchlib.median([c.init_ms for c in deployed]),
                    "deployed_start_ms": benchlib.median([c.start_ms for c in deployed]),
                    "cached_init_ms": benchlib.median([c.init_ms for c in cached]),
                    "cached_start_ms": benchlib.median([c.start_ms for c in cached]),
                    "peak_mb": max(c.max_rss_kb for c in deployed + cached) / 1024,
                    "memory_mb": stack.functions[name].memory_mb,
                    "local_import_ms": local.get("quiet", {}).get(name, {}).get("median_ms"),
                    "samples": {"deployed": [c.init_ms for c in deployed], "cached": [c.init_ms for c in cached]},
                }
                f = figures[name]
                python_version = deployed[0].python
                print(f"{name:<20} as deployed {f['deployed_init_ms']:6.0f} ms init, {f['deployed_start_ms']:6.0f} ms "
                      f"start; with bytecode {f['cached_init_ms']:6.0f} / {f['cached_start_ms']:6.0f} ms")
        finally:
            stack.stop()

    rows = []
    for name, f in figures.items():
        local_text = f"{f['local_import_ms']:.0f}" if f["local_import_ms"] else "—"
        rows.append(f"| {name} | {f['deployed_init_ms']:.0f} | {f['deployed_start_ms']:.0f} | {f['cached_init_ms']:.0f} | "
                    f"{f['cached_start_ms']:.0f} | {f['deployed_init_ms'] / f['cached_init_ms']:.1f}× | {local_text} | "
                    f"{f['peak_mb']:.0f} of {f['memory_mb']} |")
    slowest = max(figures, key=lambda n: figures[n]["deployed_init_ms"])
    text = "\n".join([
        "## Cold start in the deployed shape (Python 3.12, from the synthesized assets)",
        "",
        "Each handler started the way `make deployed-test` starts it: its own Python 3.12 interpreter whose",
        "import path is only its code asset, its layers as bundled (the dependency layer built for this",
        "machine) and the runtime's boto3, with the template's environment (active tracing included).",
        "",
        *benchlib.preamble(command, load_before, f"the functions on Python {python_version}"),
        f"- Runs: median of {args.runs} fresh interpreters per function and mode.",
        "",
        "| function | init as deployed, ms | start as deployed, ms | init with bytecode, ms | start with bytecode, ms |"
        " compile share | local import (coldstart above), ms | peak MiB of MB |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "*As deployed*: no `.pyc` anywhere (the layer is built with `--no-compile` and stripped of caches,",
        "/var/task and /opt are read-only in Lambda), so every cold start compiles each module it imports; *with",
        "bytecode* is the same start once a bytecode cache exists (what shipping `.pyc` in the layer would buy).",
        "*init* is the handler's import timed inside the interpreter (Lambda's Init Duration less the runtime's",
        "own start); *start* adds spawning the interpreter and the bootstrap. The local column is the",
        "coldstart section's import time (Python 3.11, repository folders, bytecode cached, tracing off).",
        f"Slowest as deployed: {slowest} ({figures[slowest]['deployed_init_ms']:.0f} ms).",
    ])
    benchlib.save_result("coldstart_deployed", {"functions": figures, "python": str(python_version),
                                                "date": benchlib.utc_now(), "runs": args.runs})
    if args.no_write:
        print(text)
    else:
        benchlib.write_section("coldstart-deployed", text)
        print(f"wrote the coldstart-deployed section of {benchlib.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
