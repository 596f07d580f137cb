#!/usr/bin/env python3
"""Candidate changes, measured without applying them: what each would gain.

    python bench/whatif_bench.py [--runs 5] [--no-write]

Not part of ``make bench`` (it judges changes, not the code as it is); its section of BENCHMARKS.md
says when it last ran.

1. **pydantic ``defer_build=True``** on every model (the shared layer's ``CamelModel`` and the
   envelope): each model's validator is built on first use instead of at import. Simulated by setting
   ``defer_build`` on ``pydantic.BaseModel.model_config`` before anything is imported (every model
   inherits it). Measured: the handler import's CPU time in a fresh interpreter (pydantic itself
   imported beforehand in both variants, so only model building differs), and the whole cold path
   (runtime start + handler import + first invoke of the sample event, as in bench/memory_bench.py),
   because deferring only pays if the first invoke does not build everything back.
2. **JPEG encoder options** for the slides (bytes stored in S3, uploaded to Telegram; encode time):
   the renderer's ``JPEG_OPTIONS`` against alternatives, on bench/render_bench.py's 10 slides.
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()

DEFER = "import pydantic\npydantic.BaseModel.model_config['defer_build'] = True"
PLAIN = "import pydantic"
IMPORT_TIMER = ("import time\n{prelude}\nc = time.process_time()\nimport {module}\n"
                "print(f'{{(time.process_time() - c) * 1000:.3f}}')")
COLD_FUNCTIONS = ["telegram-gateway", "api", "carousel-generator", "event-orchestrator"]


def import_cpu(module: str, prelude: str, env: dict[str, str]) -> float:
    result = subprocess.run([sys.executable, "-c", IMPORT_TIMER.format(prelude=prelude, module=module)], env=env,
                            capture_output=True, text=True, timeout=120, cwd=tempfile.gettempdir())
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return float(result.stdout.strip().splitlines()[-1])


def defer_build(runs: int) -> dict[str, Any]:
    from coldstart_bench import environment, handler_modules
    from flow_bench import start_moto_server
    from memory_bench import SAMPLES, run_child

    env = environment(tempfile.gettempdir(), traced=False)
    imports: dict[str, dict[str, float]] = {}
    for name, module in handler_modules().items():
        import_cpu(module, PLAIN, env)  # warm-up
        plain, deferred = [], []
        for _ in range(runs):
            plain.append(import_cpu(module, PLAIN, env))
            deferred.append(import_cpu(module, DEFER, env))
        imports[name] = {"as_is": benchlib.median(plain), "deferred": benchlib.median(deferred)}
        print(f"import {name}: {imports[name]['as_is']:.0f} → {imports[name]['deferred']:.0f} ms CPU")
    moto, moto_url = start_moto_server()
    cold: dict[str, dict[str, float]] = {}
    try:
        for name in COLD_FUNCTIONS:
            event = SAMPLES / f"{name}.json"
            totals: dict[str, list[float]] = {"as_is": [], "deferred": []}
            first: dict[str, list[float]] = {"as_is": [], "deferred": []}
            for _ in range(runs):
                for variant, prelude in (("as_is", PLAIN), ("deferred", DEFER)):
                    r = run_child(name, event, moto_url, prelude)
                    totals[variant].append(r["runtime_start_ms"] + r["import_ms"] + r["first_invoke_ms"])
                    first[variant].append(r["first_invoke_ms"])
            cold[name] = {k: benchlib.median(v) for k, v in totals.items()}
            cold[name] |= {f"first_{k}": benchlib.median(v) for k, v in first.items()}
            print(f"cold path {name}: {cold[name]['as_is']:.0f} → {cold[name]['deferred']:.0f} ms")
    finally:
        moto.terminate()
        moto.wait(timeout=10)
    return {"imports": imports, "cold": cold}


JPEG_VARIANTS = {
    "as is: q90, 4:4:4": {"quality": 90, "subsampling": 0},
    "q90, 4:4:4, optimize": {"quality": 90, "subsampling": 0, "optimize": True},
    "q85, 4:4:4": {"quality": 85, "subsampling": 0},
    "q85, 4:4:4, optimize": {"quality": 85, "subsampling": 0, "optimize": True},
    "q90, 4:2:0": {"quality": 90, "subsampling": 2},
}


def jpeg_options(repeat: int = 5) -> dict[str, dict[str, float]]:
    from render_bench import SLIDES

    from image_renderer.rendering import render as render_module
    from vibecoder.content import Slide

    slides = [Slide(**s) for s in SLIDES]
    captured: list[Any] = []
    original = render_module.encode

    def capture(img: Any, image_format: str) -> bytes:
        captured.append(img.copy())
        return original(img, image_format)

    render_module.encode = capture
    try:
        render_module.render_carousel(slides)
    finally:
        render_module.encode = original
    results = {}
    for label, options in JPEG_VARIANTS.items():
        sizes, times = [], []
        for _ in range(repeat):
            for img in captured:
                t = time.perf_counter()
                buf = io.BytesIO()
                img.save(buf, "JPEG", **options)
                times.append((time.perf_counter() - t) * 1000)
                sizes.append(buf.tell())
        results[label] = {"kib": sum(sizes) / len(sizes) / 1024, "encode_ms": benchlib.median(times)}
        print(f"jpeg {label}: {results[label]['kib']:.0f} KiB, {results[label]['encode_ms']:.1f} ms")
    return results


def report(data: dict[str, Any], command: str, load_before: str) -> str:
    imports, cold, jpeg = data["defer"]["imports"], data["defer"]["cold"], data["jpeg"]
    import_rows = [f"| {name} | {f['as_is']:.0f} | {f['deferred']:.0f} | {f['deferred'] - f['as_is']:+.0f} "
                   f"({(f['deferred'] - f['as_is']) / f['as_is']:+.0%}) |" for name, f in imports.items()]
    cold_rows = [f"| {name} | {f['as_is']:.0f} | {f['deferred']:.0f} | {f['deferred'] - f['as_is']:+.0f} | "
                 f"{f['first_as_is']:.0f} → {f['first_deferred']:.0f} |" for name, f in cold.items()]
    base = jpeg["as is: q90, 4:4:4"]
    jpeg_rows = [f"| {label} | {f['kib']:.0f} | {(f['kib'] - base['kib']) / base['kib']:+.0%} | {f['encode_ms']:.1f} |"
                 for label, f in jpeg.items()]
    return "\n".join([
        "## What-if: candidate changes, measured, not applied",
        "",
        f"- Command: `{command}` (not part of `make bench`; this section is as of the date below)",
        f"- Machine: {benchlib.machine()}",
        f"- Date: {benchlib.utc_now()}; load average before the run: {load_before}",
        "",
        "### pydantic `defer_build=True` on every model",
        "",
        "Handler import, CPU ms in a fresh interpreter (median; pydantic imported first in both variants):",
        "",
        "| function | as is | deferred | change |",
        "| --- | ---: | ---: | ---: |",
        *import_rows,
        "",
        "Whole cold path, ms (runtime start + handler import + first invoke of the sample event, fresh process,",
        "moto server; median) — what deferring saves once the first invoke has built what it uses:",
        "",
        "| function | as is | deferred | change | first invoke alone |",
        "| --- | ---: | ---: | ---: | ---: |",
        *cold_rows,
        "",
        "### Slide JPEG options (bench/render_bench.py's 10 slides, 1080×1350)",
        "",
        "| options | KiB a slide | bytes | encode ms a slide |",
        "| --- | ---: | ---: | ---: |",
        *jpeg_rows,
        "",
        "Bytes drive two lines of docs/cost.md (S3 storage for the slides' lifetime and the upload to Telegram)",
        "and the sender's upload time; Telegram re-encodes album photos itself (at most 1280 px), so what it",
        "shows changes less than the bytes do.",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    for key, value in benchlib.QUIET_ENV.items():
        os.environ.setdefault(key, value)
    load_before = benchlib.load_average()
    data = {"defer": defer_build(args.runs), "jpeg": jpeg_options()}
    text = report(data, "python bench/whatif_bench.py" + (f" --runs {args.runs}" if args.runs != 5 else ""),
                  load_before)
    benchlib.save_result("whatif", data | {"date": benchlib.utc_now()})
    print(text)
    if not args.no_write:
        benchlib.write_section("whatif", text)
        print(f"wrote the whatif section of {benchlib.BENCHMARKS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
