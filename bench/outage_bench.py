#!/usr/bin/env python3
"""A Telegram outage in ``python -m local serve``, in real time: does the album still arrive, and when?

    python bench/outage_bench.py [--outage 30 90] [--compression 5]

For each outage length: the fake Bot API (tests/fakes/telegram_api.py, real HTTP on 127.0.0.1) and
``python -m local serve`` (a separate process, pointed at the fake through TELEGRAM_API_URL) start
fresh; a user posts ``/carousel 3 TDD`` to the webhook; as soon as it answers 200 the fake is
stopped (connections refused), and it comes back on the same port ``--outage`` seconds later. We
then wait for the album (or an apology) and a further quiet period, and record: what the chat got
(albums, apologies), the carousel's ``delivery`` from ``GET /carousels/{id}``, how long after the
Bot API came back the album arrived, and how many sendMediaGroup calls reached it. Figures go to
``bench/results/outage.json``; RELIABILITY.md quotes them.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import QUIET_ENV, RESULTS, ROOT, add_code_paths, machine  # noqa: E402

add_code_paths()

from tests.fakes.telegram_api import FakeTelegram, TelegramUser  # noqa: E402

SECRET = "bench-webhook-secret"
QUIET_AFTER = 20.0  # seconds of watching after the answer, for a second album that must not come


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(url: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, dict]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method="POST" if body is not None else "GET",
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def answered(telegram: FakeTelegram, chat_id: int) -> tuple[int, int]:
    albums = len(telegram.albums(chat_id))
    apologies = sum(1 for m in telegram.chat(chat_id) if m.text.startswith("😔"))
    return albums, apologies


def run_once(outage: float, compression: float, deadline: float) -> dict:
    telegram = FakeTelegram().start()
    api_port = int(telegram.api_url.rsplit(":", 1)[1])
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT", "OPENAI"))} | QUIET_ENV | {
        "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url,
        "TELEGRAM_WEBHOOK_SECRET": SECRET, "LOCAL_TIME_COMPRESSION": str(compression)}
    with tempfile.TemporaryDirectory() as out:
        log = Path(out) / "serve.log"  # a file, not a pipe: a full pipe would stall the server's logging
        with log.open("w") as sink:
            server = subprocess.Popen([sys.executable, "-m", "local", "serve", "--port", str(port), "--out", out],
                                      cwd=ROOT, env=env, stdout=sink, stderr=subprocess.STDOUT, text=True)
        try:
            while "listening on" not in log.read_text() and server.poll() is None:
                time.sleep(0.05)
            if server.poll() is not None:
                raise RuntimeError(log.read_text())
            base = f"http://127.0.0.1:{port}"
            user = TelegramUser(telegram)
            status, _ = http(f"{base}/telegram/webhook", user.message("/carousel 3 TDD"),
                             {"X-Telegram-Bot-Api-Secret-Token": SECRET})
            assert status == 200, status
            down_at = time.monotonic()
            telegram.stop()  # the Bot API is gone: connections refused
            time.sleep(outage)
            telegram.start(port=api_port)
            back_at = time.monotonic()
            while answered(telegram, user.chat_id) == (0, 0) and time.monotonic() - back_at < deadline:
                time.sleep(0.2)
            answered_at = time.monotonic()
            time.sleep(QUIET_AFTER)
            albums, apologies = answered(telegram, user.chat_id)
            ready = next((m for m in telegram.chat(user.chat_id) if m.buttons), None)
            request_id = ready.buttons[0]["callback_data"].split(":", 1)[1] if ready else None
            delivery = http(f"{base}/carousels/{request_id}")[1].get("delivery") if request_id else None
            failures = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
            attempts = [(f["timestamp"], f.get("event_type")) for f in failures if f.get("service") == "telegram-sender"]
        finally:
            server.terminate()
            server.wait(timeout=10)
            telegram.stop()
    return {
        "outageSeconds": outage, "compression": compression, "albums": albums, "apologies": apologies,
        "delivery": delivery, "secondsAfterBotApiBack": round(answered_at - back_at, 1),
        "secondsFromWebhook200": round(answered_at - down_at, 1),
        "sendMediaGroupCalls": len(telegram.calls_of("sendMediaGroup", ok=None)),
        "failedSenderAttempts": attempts,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--outage", type=float, nargs="+", default=[30.0, 90.0])
    parser.add_argument("--compression", type=float, default=5.0)
    parser.add_argument("--deadline", type=float, default=600.0, help="seconds to wait for an answer")
    args = parser.parse_args(argv)
    runs = []
    for outage in args.outage:
        run = run_once(outage, args.compression, args.deadline)
        print(json.dumps(run), flush=True)
        runs.append(run)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "outage.json").write_text(json.dumps({
        "command": "python bench/outage_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": machine(), "runs": runs}, indent=2) + "\n", encoding="utf-8")
    return 0 if all(r["albums"] == 1 and r["apologies"] == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
