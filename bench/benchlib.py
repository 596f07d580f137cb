"""What the benchmark scripts share: the machine line, the repo paths, and BENCHMARKS.md sections.

Each script owns one section of BENCHMARKS.md between ``<!-- bench:NAME:start -->`` and
``<!-- bench:NAME:end -->`` and rewrites only that section, so the scripts run in any order (or
alone) without erasing each other's figures. Machine-readable results go to ``bench/results/``
(``NAME.json``), which later scripts read (the cost model reads the flow's measurements).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "BENCHMARKS.md"
RESULTS = ROOT / "bench" / "results"
CODE_PATHS = [str(ROOT / "functions"), str(ROOT / "layers" / "shared" / "python")]

# Section order in BENCHMARKS.md (a missing section is inserted at its place).
SECTION_ORDER = ["summary", "coldstart", "coldstart-deployed", "flow", "load", "memory", "cost", "render", "whatif",
                 "content-before", "content"]

HEADER = """# Benchmarks

Figures measured on this machine by the scripts in `bench/` (`make bench` runs them all). Each
script rewrites only its own section (between `<!-- bench:NAME:start/end -->` markers), with the
command, the machine and the date it ran. Nothing here is estimated unless it says so.
"""

# The environment the tests and the local runtime use: no tracing, no metrics, quiet logs, fake credentials.
QUIET_ENV = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_DISABLED": "true",
    "POWERTOOLS_LOG_LEVEL": "ERROR",
}


def add_code_paths() -> None:
    for path in reversed([str(ROOT), *CODE_PATHS]):
        if path not in sys.path:
            sys.path.insert(0, path)


def load_average() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def machine(extra: str = "") -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    line = (f"{cpu}, {os.cpu_count()} vCPU{mem}; {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}")
    return f"{line}; {extra}" if extra else line


def utc_now() -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())


def preamble(command: str, load_before: str, extra_machine: str = "") -> list[str]:
    return [
        f"- Command: `{command}` (also `make bench`)",
        f"- Machine: {machine(extra_machine)}",
        f"- Date: {utc_now()}; load average before the run: {load_before}",
    ]


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_section(name: str, text: str, path: Path = BENCHMARKS) -> None:
    """Replace (or insert, in SECTION_ORDER) the section ``name`` of BENCHMARKS.md; the rest is kept."""
    start, end = _markers(name)
    block = f"{start}\n{text.strip()}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if start not in current:
        # A file from before the markers (the render script used to own all of it) starts over.
        current = current if "<!-- bench:" in current else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.S)
    if pattern.search(current):
        updated = pattern.sub(lambda _m: block, current)
    else:
        position = len(current)
        later = SECTION_ORDER[SECTION_ORDER.index(name) + 1:] if name in SECTION_ORDER else []
        for other in later:
            found = current.find(_markers(other)[0])
            if found != -1:
                position = min(position, found)
        before, after = current[:position].rstrip("\n"), current[position:].lstrip("\n")
        updated = f"{before}\n\n{block}\n" + (f"\n{after}" if after else "")
    path.write_text(updated.rstrip("\n") + "\n", encoding="utf-8")


def save_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    target = RESULTS / f"{name}.json"
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    return target


def load_result(name: str) -> dict[str, Any] | None:
    target = RESULTS / f"{name}.json"
    return json.loads(target.read_text(encoding="utf-8")) if target.exists() else None


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


@contextlib.contextmanager
def tree_at(ref: str) -> Iterator[Path]:
    """A temporary checkout of ``ref`` (a git worktree) that runs with this venv and these installed fonts:
    a bench of the code as it was, measured in the same run as the code as it is."""
    import shutil
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="bench-baseline-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), ref], check=True)
        try:
            for installed in ("functions/image_renderer/fonts/noto", "functions/image_renderer/native"):
                if (ROOT / installed).exists() and not (tree / installed).exists():
                    (tree / installed).symlink_to(ROOT / installed)
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)
            shutil.rmtree(tree, ignore_errors=True)
