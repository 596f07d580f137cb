#!/usr/bin/env python3
"""Cold start: the import time of every handler module in a fresh interpreter, next to a bare Powertools handler.

    python bench/coldstart_bench.py [--runs 7] [--no-write]

For each of the nine handler modules (``<module>.handler``, loaded the way Lambda loads it, with
``functions/`` and ``layers/shared/python`` on the path) and for a *bare Powertools handler* (a
module that creates Logger, Tracer and Metrics and defines a handler decorated with all three),
it starts ``--runs`` fresh interpreters that each time ``import <module>`` (``time.perf_counter``
around the import only: interpreter start-up is the same for all and is reported once), and reports
the median, the ratio to the bare handler and the goal (telegram-gateway ≤ 1.5×, the others ≤ 3×).
One more fresh interpreter per module runs with ``-X importtime``: its self times are summed per
top-level package to show what to make lazy.

The environment is the tests' (tests/conftest.py): tracing and metrics disabled, log level ERROR,
fake credentials. Lambda with active tracing also imports aws_xray_sdk through Tracer; a second,
smaller pass (``--traced-runs``) measures that case with ``POWERTOOLS_TRACE_DISABLED=false`` and
``AWS_LAMBDA_FUNCTION_NAME`` set (no segment is ever sent: nothing is invoked).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()

BARE_MODULE = "bare_powertools_handler"
BARE_SOURCE = '''"""A bare Powertools handler: Logger, Tracer and Metrics created, a handler decorated with all three."""
from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="bare")
tracer = Tracer(service="bare")
metrics = Metrics(namespace="Bare", service="bare")


@logger.inject_lambda_context
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event, context):
    return {"ok": True}
'''
TIMER = ("import time; t, c = time.perf_counter(), time.process_time(); import {module}; "
         "print(f'{{(time.perf_counter() - t) * 1000:.3f}} {{(time.process_time() - c) * 1000:.3f}}')")
GOALS = {"telegram-gateway": 1.5}
DEFAULT_GOAL = 3.0


def handler_modules() -> dict[str, str]:
    from vibecoder.events.catalog import CATALOG

    return {name: service.handler.rpartition(".")[0] for name, service in CATALOG.services.items()}


def environment(extra_path: str, traced: bool) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("POWERTOOLS_", "AWS_"))}
    env.update(benchlib.QUIET_ENV)
    env["PYTHONPATH"] = os.pathsep.join([*benchlib.CODE_PATHS, extra_path])
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # .pyc files are already there from the first run; no writes
    if traced:
        env["POWERTOOLS_TRACE_DISABLED"] = "false"
        env["AWS_LAMBDA_FUNCTION_NAME"] = "coldstart-bench"
        env["AWS_XRAY_CONTEXT_MISSING"] = "IGNORE_ERROR"
        env["AWS_XRAY_SDK_ENABLED"] = "true"
    return env


def time_import(module: str, env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of ``import module`` in a fresh interpreter."""
    result = subprocess.run([sys.executable, "-c", TIMER.format(module=module)], env=env, capture_output=True,
                            text=True, timeout=120, cwd=tempfile.gettempdir())
    if result.returncode:
        raise RuntimeError(f"import {module} failed:\n{result.stderr[-3000:]}")
    wall, cpu = result.stdout.strip().splitlines()[-1].split()
    return float(wall), float(cpu)


def interpreter_startup_ms(env: dict[str, str], runs: int) -> float:
    import time

    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], env=env, check=True, cwd=tempfile.gettempdir())
        times.append((time.perf_counter() - t) * 1000)
    return benchlib.median(times)


IMPORTTIME = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def self_times(module: str, env: dict[str, str], runs: int = 3) -> dict[str, float]:
    """Each imported module's self import time (ms, median of ``runs`` fresh ``-X importtime`` runs)."""
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(runs):
        result = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], env=env,
                                capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir())
        for line in result.stderr.splitlines():
            found = IMPORTTIME.match(line)
            if found:
                samples[found.group(4)].append(int(found.group(1)) / 1000)
    return {name: benchlib.median(values) for name, values in samples.items()}


def contributors(times: dict[str, float], own: str, exclude: dict[str, float] | None = None,
                 top: int = 6) -> tuple[list[tuple[str, float]], float]:
    """Self times summed by top-level package (own code and the shared layer by module), largest first,
    leaving out the modules in ``exclude`` (the bare handler's); and their total."""
    per_package: dict[str, float] = defaultdict(float)
    for name, ms in times.items():
        if exclude is not None and name in exclude:
            continue
        package = name.split(".")[0]
        if package in (own.split(".")[0], "vibecoder"):
            package = name  # own code and the shared layer: by module, they are what we can change
        per_package[package] += ms
    ranked = sorted(per_package.items(), key=lambda kv: -kv[1])
    return ranked[:top], sum(per_package.values())


def measure(modules: dict[str, str], env: dict[str, str], runs: int) -> dict[str, dict]:
    # Round-robin so a burst of machine load does not land on one module only.
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in modules}
    for module in modules.values():  # warm the disk cache and .pyc files once
        time_import(module, env)
    for _ in range(runs):
        for name, module in modules.items():
            samples[name].append(time_import(module, env))
    figures = {}
    for name, values in samples.items():
        walls, cpus = [w for w, _c in values], [c for _w, c in values]
        figures[name] = {"median_ms": benchlib.median(walls), "min_ms": min(walls), "max_ms": max(walls),
                         "cpu_median_ms": benchlib.median(cpus), "samples_ms": walls, "cpu_samples_ms": cpus}
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--traced-runs", type=int, default=2, help="0 skips the active-tracing pass")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_before = benchlib.load_average()
    command = "python bench/coldstart_bench.py" + (f" --runs {args.runs}" if args.runs != 5 else "")

    with tempfile.TemporaryDirectory(prefix="coldstart-") as bare_dir:
        Path(bare_dir, f"{BARE_MODULE}.py").write_text(BARE_SOURCE, encoding="utf-8")
        modules = {"bare Powertools handler": BARE_MODULE, **handler_modules()}
        env = environment(bare_dir, traced=False)
        startup = interpreter_startup_ms(env, args.runs)
        quiet = measure(modules, env, args.runs)
        times = {name: self_times(module, env) for name, module in modules.items()}
        bare_times = times["bare Powertools handler"]
        tops = {name: contributors(t, modules[name], None if name == "bare Powertools handler" else bare_times)
                for name, t in times.items()}
        traced = {}
        if args.traced_runs:
            traced = measure(modules, environment(bare_dir, traced=True), args.traced_runs)

    bare = quiet["bare Powertools handler"]["median_ms"]
    bare_cpu = quiet["bare Powertools handler"]["cpu_median_ms"]
    bare_traced = traced["bare Powertools handler"]["median_ms"] if traced else None
    rows = []
    verdicts = {}
    for name, figures in quiet.items():
        ratio = figures["median_ms"] / bare
        if name == "bare Powertools handler":
            goal_text, ok = "—", True
        else:
            goal = GOALS.get(name, DEFAULT_GOAL)
            ok = ratio <= goal
            goal_text = f"≤ {goal:g}× {'✅' if ok else '❌'}"
            verdicts[name] = ok
        traced_text = "—"
        if traced:
            t = traced[name]["median_ms"]
            traced_text = f"{t:.0f} ({t / bare_traced:.2f}×)"
        ranked, beyond = tops[name]
        top_text = f"{beyond:.0f}: " + ", ".join(f"{pkg} {ms:.0f}" for pkg, ms in ranked)
        cpu_ratio = figures["cpu_median_ms"] / bare_cpu
        rows.append(f"| {name} | `{modules[name]}` | {figures['median_ms']:.0f} | {figures['min_ms']:.0f}–"
                    f"{figures['max_ms']:.0f} | {ratio:.2f}× | {goal_text} | {figures['cpu_median_ms']:.0f} "
                    f"({cpu_ratio:.2f}×) | {traced_text} | {top_text} |")
        print(f"{name:<24} {figures['median_ms']:7.0f} ms  {ratio:5.2f}×  traced {traced_text:<14} {top_text}")

    lines = [
        "## Cold start: handler import time",
        "",
        "Import time of each handler module in a fresh interpreter (what Lambda's init phase spends importing",
        "the handler string's module, before the first invoke), next to a bare Powertools handler.",
        "",
        *benchlib.preamble(command, load_before),
        f"- Runs: median of {args.runs} fresh interpreters per module (round-robin, after one warm-up import"
        f" each); interpreter start-up itself (`python -c pass`): {startup:.0f} ms, not included.",
        "",
        "| function | module | import, ms (median) | min–max | ratio to bare | goal | CPU ms (ratio) |"
        " with active tracing, ms (ratio) | beyond the bare handler (`-X importtime` self ms): total: top packages |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | --- |",
        *rows,
        "",
        "How it is measured: `python -c \"import time; t=time.perf_counter(); import <module>; print(...)\"` with",
        "`PYTHONPATH=functions:layers/shared/python` and the tests' environment (POWERTOOLS_TRACE_DISABLED=true,",
        "POWERTOOLS_METRICS_DISABLED=true, POWERTOOLS_LOG_LEVEL=ERROR, fake AWS credentials). The bare handler is",
        "a module that creates Logger, Tracer and Metrics and defines a handler decorated with",
        "`inject_lambda_context`, `capture_lambda_handler` and `log_metrics`. \"With active tracing\" repeats it",
        f"({args.traced_runs} runs) with POWERTOOLS_TRACE_DISABLED=false and AWS_LAMBDA_FUNCTION_NAME set, as in",
        "Lambda with X-Ray active tracing (Tracer imports aws_xray_sdk in both cases; active, it also patches",
        "botocore and requests). The CPU column is the process CPU time of the import, less sensitive to other",
        "load on the machine than the wall time; the goal column judges the wall-time ratio. The last column takes",
        "the modules a handler imports that the bare handler does not, and sums their `-X importtime` self times",
        "(median of 3 runs) by top-level package, the function's own modules and the shared layer's `vibecoder.*`",
        "by module: that is what stands between a handler and the bare one. Lambda's arm64 CPUs, and the CPU share a",
        "memory size buys (1769 MB = one vCPU), differ from this machine: the ratios carry over better than the",
        "milliseconds.",
        "",
    ]
    failing = [n for n, ok in verdicts.items() if not ok]
    lines.append("Goals met: all." if not failing else f"Goals not met: {', '.join(failing)}.")
    text = "\n".join(lines)
    benchlib.save_result("coldstart", {"startup_ms": startup, "quiet": quiet, "traced": traced,
                                       "contributors": tops, "modules": modules, "date": benchlib.utc_now()})
    if args.no_write:
        print(text)
    else:
        benchlib.write_section("coldstart", text)
        print(f"wrote the coldstart section of {benchlib.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
