#!/usr/bin/env python3
"""The summary at the top of BENCHMARKS.md: the goals (issues #8 and #12) next to what the other scripts measured.

    python bench/summary.py

Reads bench/results/*.json (written by the other scripts in this run of ``make bench``) and writes
the ``summary`` section; it measures nothing itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402


def _ms(values: list[float], q: float) -> str:
    return f"{benchlib.percentile(values, q):.0f}" if values else "—"


def main() -> int:
    cold, flow, memory, load, cost = (benchlib.load_result(n) for n in ("coldstart", "flow", "memory", "load", "cost"))
    rows = []
    if cold:
        bare = cold["quiet"]["bare Powertools handler"]["median_ms"]
        ratios = {n: f["median_ms"] / bare for n, f in cold["quiet"].items() if n != "bare Powertools handler"}
        gateway = ratios.get("telegram-gateway", float("nan"))
        others = {n: r for n, r in ratios.items() if n != "telegram-gateway"}
        worst = max(others, key=others.get) if others else "—"
        rows.append(f"| cold start: gateway import vs a bare Powertools handler | ≤ 1.5× | {gateway:.2f}× "
                    f"({cold['quiet']['telegram-gateway']['median_ms']:.0f} vs {bare:.0f} ms) | "
                    f"{'✅' if gateway <= 1.5 else '❌'} |")
        if others:
            rows.append(f"| cold start: the other handlers | ≤ 3× | at most {others[worst]:.2f}× ({worst}) | "
                        f"{'✅' if others[worst] <= 3 else '❌'} |")
    deployed = benchlib.load_result("coldstart_deployed")
    if deployed:
        functions = deployed["functions"]
        slowest = max(functions, key=lambda n: functions[n]["deployed_init_ms"])
        rows.append(f"| cold start in the deployed shape (Python 3.12, from the assets): slowest handler init "
                    f"as deployed / with bytecode | — | {functions[slowest]['deployed_init_ms']:.0f} / "
                    f"{functions[slowest]['cached_init_ms']:.0f} ms ({slowest}) | |")
    if flow:
        rows.append(f"| webhook time to 200, warm (median / p95 ms) | — | {_ms(flow['to_200_ms'], 50)} / "
                    f"{_ms(flow['to_200_ms'], 95)} | |")
        rows.append(f"| webhook → album at the fake Bot API, one at a time (median / p95 ms) | — | "
                    f"{_ms(flow['e2e_ms'], 50)} / {_ms(flow['e2e_ms'], 95)} | |")
    if load and load.get("api"):
        api = load["api"]
        rows.append(f"| load, API: {api['requests']} requests from {api['users']} users, all completed | all | "
                    f"{api['completed']}/{api['requests']} | {'✅' if api['completed'] == api['requests'] else '❌'} |")
        rows.append(f"| load, API: end to end p50 / p95 (server timings, s); throughput | — | "
                    f"{benchlib.percentile(api['server_e2e_ms'], 50) / 1000:.0f} / "
                    f"{benchlib.percentile(api['server_e2e_ms'], 95) / 1000:.0f}; {api['throughput_per_s']:.2f} /s | |")
    if load and load.get("webhook"):
        hook = load["webhook"]
        ok = hook["duplicates"] == 0 and hook["missing"] == 0
        rows.append(f"| load, webhook: {hook['requests']} requests from {hook['users']} chats, one album each | "
                    f"no duplicate | {hook['albums']} albums, {hook['duplicates']} duplicates, {hook['missing']} missing | "
                    f"{'✅' if ok else '❌'} |")
        rows.append(f"| load, webhook: end to end p50 / p95 (s); throughput | — | "
                    f"{benchlib.percentile(hook['e2e_ms'], 50) / 1000:.0f} / "
                    f"{benchlib.percentile(hook['e2e_ms'], 95) / 1000:.0f}; {hook['throughput_per_s']:.2f} albums/s | |")
    if memory:
        entries = [e for e in memory["results"][1:]]
        worst = max(entries, key=lambda e: e["peak_mb"] / e["memory_mb"])
        rows.append(f"| peak memory per function | within the configured size | {min(e['peak_mb'] for e in entries):.0f}–"
                    f"{max(e['peak_mb'] for e in entries):.0f} MiB; tightest {worst['function']} {worst['peak_mb']:.0f} of "
                    f"{worst['memory_mb']} MB | {'✅' if all(e['peak_mb'] < e['memory_mb'] for e in entries) else '❌'} |")
    if cost:
        rows.append(f"| cost per 1,000 carousels on AWS without OpenAI | < $0.50 | ${cost['total']:.2f} (largest: "
                    f"{cost['dominant'][0]}, ${cost['dominant'][2]:.3f}) | {'✅' if cost['total'] < 0.5 else '❌'} |")
    rows.append("| render figures | issue #4's goals | see *Render benchmark* below | |")
    content = benchlib.load_result("content")
    if content:
        rows.append(f"| content evaluation score (issue #12) | — | {content['score']:.1f} / 100 | |")
        rows += [f"| content: {g['goal']} | {g['target']} | {g['measured']} | {'✅' if g['ok'] else '❌'} |"
                 for g in content["goals"]]
    text = "\n".join([
        "## Summary (issue #8)",
        "",
        f"- Written by `python bench/summary.py` at the end of `make bench` ({benchlib.utc_now()}) from the sections below.",
        "",
        "| goal | target | measured | |",
        "| --- | --- | --- | --- |",
        *rows,
    ])
    benchlib.write_section("summary", text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
