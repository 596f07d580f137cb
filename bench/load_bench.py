#!/usr/bin/env python3
"""Load: 200 requests from 50 users at once against ``python -m local serve``, over HTTP on 127.0.0.1.

    python bench/load_bench.py [--requests 200] [--users 50] [--only api|webhook] [--no-write]

Two bounded runs, each against a fresh ``python -m local serve --port N --out DIR`` subprocess:

* **API**: 50 client threads (one ``userId`` each) send their share of the 200 ``POST /carousels``
  at once, then poll ``GET /carousels/{id}`` (each thread its oldest unfinished request, every
  ``--poll`` seconds) until every request is terminal. Reported: all completed?, end to end as the
  client sees it (POST → the poll that saw ``completed``; resolution = the poll interval) and as the
  server records it (``timings.completed``), throughput (completed carousels per second from the first
  POST to the last completion).
* **Webhook**: the same shape through ``POST /telegram/webhook`` (secret header, ``/carousel <topic>``
  from 50 Telegram users, each its own chat), with the server pointed at the fake Bot API
  (tests/fakes/telegram_api.py, started in this process on 127.0.0.1) by ``TELEGRAM_BOT_TOKEN`` and
  ``TELEGRAM_API_URL``. Every chat must receive exactly one album (``sendMediaGroup``) per request:
  duplicates and missing albums are counted at the fake. End to end = POST → album stored at the fake.

The server is one Python process (the router delivers events one at a time, the HTTP threads share
the GIL), so throughput is the local runtime's, on this machine's cores, not Lambda's (which runs
each invocation in its own environment). Offline content (no OpenAI key); 5 slides a carousel.
"""

from __future__ import annotations

import argparse
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchlib  # noqa: E402

benchlib.add_code_paths()

from flow_bench import TOPICS, free_port  # noqa: E402

TERMINAL = {"completed", "failed"}
WEBHOOK_SECRET = "local-webhook-secret"  # local.runtime.LOCAL_WEBHOOK_SECRET, the server's default


class Server:
    """``python -m local serve`` in a subprocess; its CPU time and peak RSS are read from /proc at the end."""

    def __init__(self, out: Path, env_extra: dict[str, str] | None = None):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("POWERTOOLS_", "AWS_", "TELEGRAM_", "OPENAI_"))}
        env.update(benchlib.QUIET_ENV)
        env.update(env_extra or {})
        self.proc = subprocess.Popen([sys.executable, "-m", "local", "serve", "--port", str(self.port), "--out",
                                      str(out)], cwd=benchlib.ROOT, env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.url = self._wait_listening()
        self._stderr_tail: list[str] = []
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _wait_listening(self, timeout: float = 60) -> str:
        found: queue.Queue[str] = queue.Queue()

        def read() -> None:
            for line in self.proc.stdout:
                if line.startswith("listening on"):
                    found.put(line.split()[-1])
            found.put("")

        threading.Thread(target=read, daemon=True).start()
        try:
            url = found.get(timeout=timeout)
        except queue.Empty:
            url = ""
        if not url:
            self.proc.kill()
            raise RuntimeError(f"the server did not start: {self.proc.stderr.read()[-2000:]}")
        return url

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:
            self._stderr_tail = (self._stderr_tail + [line])[-20:]

    def usage(self) -> dict[str, float]:
        stat = Path(f"/proc/{self.proc.pid}/stat").read_text()
        fields = stat[stat.rindex(")") + 2:].split()
        ticks = os.sysconf("SC_CLK_TCK")
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        hwm = next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0)
        return {"cpu_s": (int(fields[11]) + int(fields[12])) / ticks, "peak_rss_mb": hwm / 1024}

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _session() -> Any:
    import requests

    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=4)
    session.mount("http://", adapter)
    return session


class Retrying:
    """A client's HTTP calls, retried on connection errors (counted): under a 50-client burst the server's
    listen backlog (socketserver's default of 5) overflows and connections are reset; real clients, and
    Telegram for webhooks, retry."""

    def __init__(self) -> None:
        self.session = _session()
        self.connection_errors = 0

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        import random

        import requests

        for attempt in range(8):
            try:
                return self.session.request(method, url, timeout=120, **kwargs)
            except requests.ConnectionError:
                self.connection_errors += 1
                if attempt == 7:
                    raise
                time.sleep(min(5.0, 0.1 * 2 ** attempt) * (0.5 + random.random()))
        raise AssertionError("unreachable")


def stats(url: str) -> dict[str, Any]:
    import requests

    return requests.get(f"{url}/stats", timeout=120).json()


# ----------------------------------------------------------------------------- API load
def api_load(url: str, total: int, users: int, poll: float, deadline_s: float) -> dict[str, Any]:
    per_user = [total // users + (1 if i < total % users else 0) for i in range(users)]
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(users)
    t_start = time.monotonic()

    errors = [0] * users

    def user(index: int) -> None:
        client = Retrying()
        user_id = f"load-user-{index:03d}"
        start_gate.wait()
        mine = []
        for k in range(per_user[index]):
            body = {"topic": TOPICS[(index + k) % len(TOPICS)], "slidesCount": 5, "userId": user_id}
            t0 = time.monotonic()
            response = client.request("POST", f"{url}/carousels", json=body)
            accepted = time.monotonic()
            record = {"user": user_id, "status_code": response.status_code, "posted": t0,
                      "accept_ms": (accepted - t0) * 1000}
            if response.status_code == 202:
                record["id"] = response.json()["requestId"]
            mine.append(record)
        end = time.monotonic() + deadline_s
        pending = [r for r in mine if "id" in r]
        while pending and time.monotonic() < end:
            record = pending[0]
            response = client.request("GET", f"{url}/carousels/{record['id']}")
            seen = time.monotonic()
            if response.status_code == 200:
                view = response.json()
                if view["status"] in TERMINAL:
                    record.update(final=view["status"], seen=seen, server_ms=view.get("timings", {}).get("completed"),
                                  slides=len(view.get("slides") or []))
                    pending.pop(0)
                    continue  # check the next one at once
            time.sleep(poll)
        errors[index] = client.connection_errors
        with lock:
            results.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    completed = [r for r in results if r.get("final") == "completed"]
    client_e2e = [(r["seen"] - r["posted"]) * 1000 for r in completed]
    server_e2e = [r["server_ms"] for r in completed if r.get("server_ms") is not None]
    last = max((r["seen"] for r in completed), default=t_start)
    return {
        "requests": total,
        "users": users,
        "accepted": sum(r["status_code"] == 202 for r in results),
        "completed": len(completed),
        "failed": sum(r.get("final") == "failed" for r in results),
        "unfinished": sum("id" in r and "final" not in r for r in results),
        "status_codes": dict(Counter(r["status_code"] for r in results)),
        "accept_ms": [r["accept_ms"] for r in results],
        "client_e2e_ms": client_e2e,
        "server_e2e_ms": server_e2e,
        "wall_s": last - t_start,
        "throughput_per_s": len(completed) / (last - t_start) if completed else 0.0,
        "slides": dict(Counter(r.get("slides") for r in completed)),
        "connection_errors": sum(errors),
    }


# ----------------------------------------------------------------------------- webhook load
def webhook_load(url: str, telegram: Any, total: int, users: int, deadline_s: float) -> dict[str, Any]:
    from tests.fakes.telegram_api import TelegramUser

    per_user = [total // users + (1 if i < total % users else 0) for i in range(users)]
    people = [TelegramUser(telegram, user_id=510_000_000 + i, first_name=f"Load{i}") for i in range(users)]
    posts: list[dict[str, Any]] = []
    lock = threading.Lock()
    start_gate = threading.Barrier(users)
    t_start = time.monotonic()

    errors = [0] * users

    def user(index: int) -> None:
        client = Retrying()
        person = people[index]
        start_gate.wait()
        mine = []
        for k in range(per_user[index]):
            update = person.message(f"/carousel {TOPICS[(index + k) % len(TOPICS)]}")
            t0 = time.monotonic()
            response = client.request("POST", f"{url}/telegram/webhook", json=update,
                                      headers={"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET})
            mine.append({"chat": person.chat_id, "posted": t0, "status_code": response.status_code,
                         "to_200_ms": (time.monotonic() - t0) * 1000})
        errors[index] = client.connection_errors
        with lock:
            posts.extend(mine)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = Counter(p["chat"] for p in posts if p["status_code"] == 200)
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        albums = Counter(int(c.params["chat_id"]) for c in telegram.calls_of("sendMediaGroup"))
        if all(albums.get(chat, 0) >= n for chat, n in expected.items()):
            break
        time.sleep(0.2)
    time.sleep(3.0)  # late duplicates would show up now
    album_calls = telegram.calls_of("sendMediaGroup")
    album_failures = telegram.calls_of("sendMediaGroup", ok=False)
    per_chat = Counter(int(c.params["chat_id"]) for c in album_calls)
    # The k-th album of a chat answers its k-th request (a chat's requests complete in order or not, the
    # latency distribution is the same up to reordering within a chat).
    e2e = []
    for chat in expected:
        times = sorted(c.at for c in album_calls if int(c.params["chat_id"]) == chat)
        sent = sorted(p["posted"] for p in posts if p["chat"] == chat)
        e2e += [(a - s) * 1000 for a, s in zip(times, sent, strict=False)]
    last = max((c.at for c in album_calls), default=t_start)
    photos = Counter(len(c.params.get("media") or []) for c in album_calls)
    return {
        "requests": total,
        "users": users,
        "status_codes": dict(Counter(p["status_code"] for p in posts)),
        "to_200_ms": [p["to_200_ms"] for p in posts],
        "albums": len(album_calls),
        "album_errors": len(album_failures),
        "chats_exactly_right": sum(per_chat.get(chat, 0) == n for chat, n in expected.items()),
        "chats": len(expected),
        "duplicates": sum(max(0, per_chat.get(chat, 0) - n) for chat, n in expected.items()),
        "missing": sum(max(0, n - per_chat.get(chat, 0)) for chat, n in expected.items()),
        "e2e_ms": e2e,
        "wall_s": last - t_start,
        "throughput_per_s": len(album_calls) / (last - t_start) if album_calls else 0.0,
        "photos_per_album": dict(photos),
        "telegram_calls": dict(Counter(c.method for c in telegram.calls)),
        "telegram_errors": dict(Counter(f"{c.method} {c.status}" for c in telegram.calls if not c.ok)),
        "connection_errors": sum(errors),
    }


# ----------------------------------------------------------------------------- report
def _row(label: str, values: list[float], unit: str = "ms") -> str:
    if not values:
        return f"| {label} | — | — | — |"
    scale = 1000 if unit == "s" else 1
    return (f"| {label} | {benchlib.percentile(values, 50) / scale:.2f} | {benchlib.percentile(values, 95) / scale:.2f}"
            f" | {max(values) / scale:.2f} |")


def report(api: dict | None, hook: dict | None, command: str, load_before: str, poll: float) -> str:
    lines = [
        "## Load: 200 requests from 50 users at once against `python -m local serve`",
        "",
        *benchlib.preamble(command, load_before),
        "- Setup: each run starts a fresh `python -m local serve --port N --out DIR` (one process: in-process moto,",
        "  the event router delivering one event at a time, HTTP threads sharing the GIL); the clients run in this",
        "  process (50 threads, keep-alive connections); offline content; 5 slides a carousel. Client and server",
        "  share the machine's cores.",
        "",
    ]
    if api:
        lines += [
            f"### API: {api['requests']} × `POST /carousels` from {api['users']} users, polled with `GET /carousels/{{id}}`",
            "",
            f"All completed: **{'yes' if api['completed'] == api['requests'] else 'NO'}** — {api['accepted']} accepted"
            f" (HTTP {api['status_codes']}), {api['completed']} completed, {api['failed']} failed,"
            f" {api['unfinished']} unfinished, {api['stats'].get('totalCarousels', '?')} carousels on the server"
            f" (`GET /stats`); {api['connection_errors']} connection resets retried by the clients; throughput **{api['throughput_per_s']:.2f} carousels/s** ({api['completed']}"
            f" in {api['wall_s']:.1f} s, first POST → last completion); server process: {api['server']['cpu_s']:.0f} s CPU,"
            f" peak RSS {api['server']['peak_rss_mb']:.0f} MiB.",
            "",
            "| measure | p50, s | p95, s | max, s |",
            "| --- | ---: | ---: | ---: |",
            _row("POST /carousels → 202", api["accept_ms"], "s"),
            _row(f"end to end, client (POST → the poll that saw `completed`; polls every {poll:g} s)",
                 api["client_e2e_ms"], "s"),
            _row("end to end, server (`timings.completed` of each carousel)", api["server_e2e_ms"], "s"),
            "",
        ]
    if hook:
        ok = hook["duplicates"] == 0 and hook["missing"] == 0
        lines += [
            f"### Webhook: {hook['requests']} × `/carousel <topic>` from {hook['users']} Telegram users through"
            " `POST /telegram/webhook`, albums at the fake Bot API",
            "",
            f"Exactly one album per request: **{'yes' if ok else 'NO'}** — {hook['albums']} albums for"
            f" {hook['requests']} requests, {hook['chats_exactly_right']}/{hook['chats']} chats got exactly as many albums"
            f" as they asked for, {hook['duplicates']} duplicates, {hook['missing']} missing"
            f" (webhook answers: HTTP {hook['status_codes']}; failed Bot API calls: {hook['telegram_errors'] or 'none'};"
            f" {hook['connection_errors']} connection resets retried by the clients, as Telegram would);"
            f" throughput **{hook['throughput_per_s']:.2f} albums/s** ({hook['albums']} in {hook['wall_s']:.1f} s, first"
            f" update → last album); server process: {hook['server']['cpu_s']:.0f} s CPU, peak RSS"
            f" {hook['server']['peak_rss_mb']:.0f} MiB.",
            "",
            "| measure | p50, s | p95, s | max, s |",
            "| --- | ---: | ---: | ---: |",
            _row("webhook time to 200 under load", hook["to_200_ms"], "s"),
            _row("end to end (POST /telegram/webhook → album stored at the fake Bot API)", hook["e2e_ms"], "s"),
            "",
        ]
    lines += [
        "Connection resets: the 50 clients connect at once and the server's listen backlog (socketserver's",
        "default `request_queue_size` of 5) overflows; the clients retry with backoff (a reset connection never",
        "reached the handler; `GET /stats` counts the carousels the server holds, so a duplicate would show).",
        "",
        "Percentiles are nearest-rank. Under this load the end-to-end times are mostly queueing: the single",
        "router works through everyone's events in arrival order, so latency grows with the backlog while",
        "throughput stays what one process delivers. Deployed, each function scales out per invocation; the",
        "unloaded latencies are in the flow section.",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--poll", type=float, default=5.0, help="seconds between a client's polls")
    parser.add_argument("--deadline", type=float, default=420, help="give up waiting after this many seconds")
    parser.add_argument("--only", choices=["api", "webhook"])
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    load_before = benchlib.load_average()
    command = "python bench/load_bench.py" + "".join(
        f" --{k} {v}" for k, v, d in (("requests", args.requests, 200), ("users", args.users, 50),
                                      ("only", args.only, None)) if v != d)
    api = hook = None
    if args.only in (None, "api"):
        with tempfile.TemporaryDirectory(prefix="load-api-") as out:
            server = Server(Path(out))
            try:
                api = api_load(server.url, args.requests, args.users, args.poll, args.deadline)
                api["stats"] = stats(server.url)
                api["server"] = server.usage()
            finally:
                server.stop()
        print(f"api: {api['completed']}/{api['requests']} completed, {api['throughput_per_s']:.2f}/s, "
              f"client p50 {benchlib.percentile(api['client_e2e_ms'], 50):.0f} ms p95 "
              f"{benchlib.percentile(api['client_e2e_ms'], 95):.0f} ms")
    if args.only in (None, "webhook"):
        from tests.fakes.telegram_api import FakeTelegram

        telegram = FakeTelegram().start()
        try:
            with tempfile.TemporaryDirectory(prefix="load-webhook-") as out:
                server = Server(Path(out), {"TELEGRAM_BOT_TOKEN": telegram.token,
                                            "TELEGRAM_API_URL": telegram.api_url})
                try:
                    hook = webhook_load(server.url, telegram, args.requests, args.users, args.deadline)
                    hook["stats"] = stats(server.url)
                    hook["server"] = server.usage()
                finally:
                    server.stop()
        finally:
            telegram.stop()
        print(f"webhook: {hook['albums']} albums for {hook['requests']} requests, {hook['duplicates']} duplicates, "
              f"{hook['missing']} missing, {hook['throughput_per_s']:.2f}/s, e2e p50 "
              f"{benchlib.percentile(hook['e2e_ms'], 50):.0f} ms p95 {benchlib.percentile(hook['e2e_ms'], 95):.0f} ms")
    text = report(api, hook, command, load_before, args.poll)
    benchlib.save_result("load", {"date": benchlib.utc_now(), "api": api, "webhook": hook})
    print(text)
    if not args.no_write:
        benchlib.write_section("load", text)
        print(f"wrote the load section of {benchlib.BENCHMARKS}")
    return 0 if (not api or api["completed"] == api["requests"]) and \
        (not hook or (hook["duplicates"] == 0 and hook["missing"] == 0)) else 1


if __name__ == "__main__":
    raise SystemExit(main())
