"""``python -m local poll``: a real bot on a laptop, against the fake Bot API's getUpdates.

Updates are queued at the fake (Telegram holding them for the bot); the poller takes them with
getUpdates, hands each to telegram-gateway as its webhook would, and the local router delivers the
events, so the chat ends with the album. Offsets survive a restart; a stop finishes the current update.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from local.poll import MAX_ATTEMPTS, OffsetStore, PollError, UpdatePoller
from tests.fakes.telegram_api import FakeTelegram, TelegramUser
from tests.fakes.telegram_harness import bot_under_test
from vibecoder.telegram import POLICIES, TelegramClient

WEBHOOK_ATTEMPTS = POLICIES["webhook"].max_attempts  # the client's attempts per call inside the webhook

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
OLD_WEBHOOK = "https://old.example.org/telegram/webhook"


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


@pytest.fixture
def gateway_events(bot, monkeypatch):
    """Every event telegram-gateway is invoked with (by the poller or by the webhook emulator)."""
    seen: list[dict] = []
    invoke = bot.runtime.invoke

    def recording(function: str, event: dict):
        if function == "telegram-gateway":
            seen.append(event)
        return invoke(function, event)

    monkeypatch.setattr(bot.runtime, "invoke", recording)
    return seen


def poller_for(bot, state: Path, lines: list[str] | None = None) -> UpdatePoller:
    client = TelegramClient(bot.telegram.token, bot.telegram.api_url, timeout=10)
    return UpdatePoller(bot.runtime, client, OffsetStore(state / "poll-offset.json"), poll_timeout=0,
                        retry_seconds=0, say=(lines if lines is not None else []).append)


def test_a_message_held_at_telegram_becomes_an_album_through_the_webhook_event(bot, gateway_events, tmp_path):
    TelegramClient(bot.telegram.token, bot.telegram.api_url).call("setWebhook", {"url": OLD_WEBHOOK})
    ann = bot.user()
    poller = poller_for(bot, tmp_path)

    assert poller.delete_webhook() == OLD_WEBHOOK and bot.telegram.webhook == {}
    update = bot.telegram.queue_update(ann.message("/carousel 3 Test-Driven Development"))
    assert poller.poll_once() == 1
    bot.drain()

    (album,) = bot.telegram.albums(ann.chat_id)
    assert len(album) == 3 and bot.failed_deliveries() == []
    (call,) = bot.telegram.calls_of("getUpdates")
    assert call.params["allowed_updates"] == ["message", "callback_query", "inline_query", "chosen_inline_result"] \
        and "offset" not in call.params
    # The gateway got exactly what the API Gateway emulator builds for the same update posted to the webhook.
    bot.post(bot.user().message("/help"))
    polled, posted = gateway_events
    assert set(polled) == set(posted) and set(polled["requestContext"]) == set(posted["requestContext"])
    for key in ("resource", "path", "httpMethod", "pathParameters", "queryStringParameters"):
        assert polled[key] == posted[key], key
    assert (polled["resource"], polled["httpMethod"]) == ("/telegram/webhook", "POST")
    assert polled["headers"]["X-Telegram-Bot-Api-Secret-Token"] == posted["headers"][
        "X-Telegram-Bot-Api-Secret-Token"] == bot.secret
    assert json.loads(polled["body"]) == update and polled["isBase64Encoded"] is False


def test_a_restart_resumes_from_the_saved_offset_and_handles_nothing_twice(bot, gateway_events, tmp_path):
    ann = bot.user()
    first = bot.telegram.queue_update(ann.message("/carousel 2 TDD"))
    before = poller_for(bot, tmp_path)
    before.poll_once()
    bot.drain()
    # The process ends here without another getUpdates: Telegram still holds the update, unconfirmed.
    assert first in bot.telegram.pending_updates
    assert json.loads((tmp_path / "poll-offset.json").read_text()) == {"offset": first["update_id"] + 1}

    second = bot.telegram.queue_update(ann.message("/carousel 2 Clean Architecture"))
    after = poller_for(bot, tmp_path)
    assert after.offset == first["update_id"] + 1
    assert after.poll_once() == 1
    bot.drain()

    assert bot.telegram.calls_of("getUpdates")[-1].params["offset"] == first["update_id"] + 1
    assert [json.loads(e["body"])["update_id"] for e in gateway_events] == [first["update_id"], second["update_id"]]
    assert len(bot.telegram.albums(ann.chat_id)) == 2
    assert after.offset == second["update_id"] + 1


def test_a_stop_finishes_the_current_update_and_leaves_the_rest_at_telegram(bot, tmp_path, monkeypatch):
    ann = bot.user()
    first, second = (bot.telegram.queue_update(ann.message(text)) for text in ("/start", "/help"))
    poller = poller_for(bot, tmp_path)
    invoke = bot.runtime.invoke

    def stop_while_handling(function: str, event: dict):
        poller.stop()  # Ctrl-C arrives while the gateway handles the first update
        return invoke(function, event)

    monkeypatch.setattr(bot.runtime, "invoke", stop_while_handling)
    poller.run()
    poller.confirm()

    assert [m.text.split("!")[0] for m in bot.telegram.chat(ann.chat_id)] == ["👋 Hi, Ann"]  # the first, whole
    assert poller.handled == 1 and poller.offset == first["update_id"] + 1
    assert bot.telegram.pending_updates == [second]  # confirmed the first, kept the second for the next run


def test_a_5xx_from_the_gateway_is_retried_like_a_webhook_redelivery(bot, tmp_path):
    ann = bot.user()
    bot.telegram.fail("sendMessage", 503, times=WEBHOOK_ATTEMPTS)  # every attempt fails: the gateway answers 503
    update = bot.telegram.queue_update(ann.message("/start"))
    lines: list[str] = []

    poller_for(bot, tmp_path, lines).poll_once()

    assert [m.text.split("!")[0] for m in bot.telegram.chat(ann.chat_id)] == ["👋 Hi, Ann"]
    assert lines == [f"update {update['update_id']} (message): 200"]


def test_an_update_that_always_fails_is_given_up_on_and_said_so(bot, tmp_path):
    ann = bot.user()
    bot.telegram.fail("sendMessage", 503, times=WEBHOOK_ATTEMPTS * MAX_ATTEMPTS)
    stuck, next_one = (bot.telegram.queue_update(ann.message(text)) for text in ("/start", "/help"))
    lines: list[str] = []
    poller = poller_for(bot, tmp_path, lines)

    assert poller.poll_once() == 2

    assert lines[0].startswith(f"update {stuck['update_id']} (message): gave up after {MAX_ATTEMPTS} attempts (503)")
    assert bot.telegram.chat(ann.chat_id)[-1].text.startswith("What I can do")
    assert poller.offset == next_one["update_id"] + 1


def test_telegram_unreachable_is_waited_out(bot, tmp_path, monkeypatch):
    ann = bot.user()
    bot.telegram.fail("getUpdates", 502, times=4)  # one whole round of the client's attempts
    bot.telegram.queue_update(ann.message("/start"))
    lines: list[str] = []
    poller = poller_for(bot, tmp_path, lines)
    invoke = bot.runtime.invoke

    def stop_after_this_update(function: str, event: dict):
        poller.stop()
        return invoke(function, event)

    monkeypatch.setattr(bot.runtime, "invoke", stop_after_this_update)
    poller.run()

    assert lines[0].startswith("Telegram unreachable (Bad Gateway); retrying")
    assert poller.handled == 1


def test_another_instance_or_a_new_webhook_stops_polling_with_a_clear_error(bot, tmp_path):
    poller = poller_for(bot, tmp_path)
    TelegramClient(bot.telegram.token, bot.telegram.api_url).call("setWebhook", {"url": OLD_WEBHOOK})

    with pytest.raises(PollError, match="use deleteWebhook.*stop the other process"):
        poller.run()


def test_a_corrupt_offset_file_is_a_clear_error(bot, tmp_path):
    (tmp_path / "poll-offset.json").write_text("{not json")
    with pytest.raises(PollError, match="delete it to start"):
        poller_for(bot, tmp_path)


def test_without_a_token_it_says_what_to_set(monkeypatch, capsys, tmp_path):
    from local.__main__ import main

    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert main(["poll", "--out", str(tmp_path)]) == 2
    assert "set TELEGRAM_BOT_TOKEN" in capsys.readouterr().err


# --- the command itself, as a developer runs it ----------------------------------------------------


class Process:
    """``python -m local poll`` in its own interpreter; its stdout read line by line."""

    def __init__(self, telegram: FakeTelegram, out: Path):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT", "OPENAI", "TELEGRAM"))}
        env |= {"TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_URL": telegram.api_url}
        self.process = subprocess.Popen([sys.executable, "-m", "local", "poll", "--out", str(out)], cwd=ROOT,
                                        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)  # end of output

    def until(self, prefix: str) -> str:
        while True:
            line = self.lines.get(timeout=60)
            assert line is not None, f"no line starting {prefix!r} in:\n" + "\n".join(self.seen)
            self.seen.append(line)
            if line.startswith(prefix):
                return line

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        code = self.process.wait(timeout=30)
        self.until("stopped;")
        return code


def test_the_command_polls_a_bot_survives_a_restart_and_stops_cleanly_on_ctrl_c(tmp_path):
    with FakeTelegram() as telegram:
        TelegramClient(telegram.token, telegram.api_url).call("setWebhook", {"url": OLD_WEBHOOK})
        ann = TelegramUser(telegram)

        first_run = Process(telegram, tmp_path)
        assert first_run.until("deleteWebhook") == f"deleteWebhook: removed the webhook {OLD_WEBHOOK} " \
                                                   "(python -m tools.webhook sets it again)"
        assert "from the earliest unconfirmed update" in first_run.until("polling")
        first = telegram.queue_update(ann.message("/carousel 2 TDD"))
        telegram.wait_until(lambda: len(telegram.albums(ann.chat_id)) == 1 and telegram.waiting_polls == 1)
        assert first_run.stop(signal.SIGINT) == 0
        assert "SIGINT: stopping after the current update" in first_run.seen
        assert first_run.seen[-1].startswith("stopped; updates handled: 1; next offset "
                                             f"{first['update_id'] + 1} saved in ")

        second_run = Process(telegram, tmp_path)
        assert second_run.until("deleteWebhook") == "deleteWebhook: no webhook was set"
        assert f"polling from update {first['update_id'] + 1}" in second_run.until("polling")
        telegram.queue_update(ann.message("/help"))
        telegram.wait_until(lambda: telegram.chat(ann.chat_id)[-1].text.startswith("What I can do")
                            and telegram.waiting_polls == 1)
        assert second_run.stop(signal.SIGTERM) == 0

        assert second_run.seen[-1].startswith("stopped; updates handled: 1;")  # /help only, not the carousel again
        assert len(telegram.albums(ann.chat_id)) == 1 and len(telegram.calls_of("sendMediaGroup")) == 1
        assert telegram.pending_updates == []
