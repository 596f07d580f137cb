"""The fake Bot API's getUpdates and deleteWebhook behave like Telegram's (for ``python -m local poll``).

Given the fake on 127.0.0.1 and the production client pointed at it,
when updates are queued and a bot polls,
then offsets confirm, limits cut, allowed_updates filter and long polls wait as Telegram's do.
"""

from __future__ import annotations

import threading

import pytest

import vibecoder.telegram as tg
from tests.fakes.telegram_api import FakeClock, FakeTelegram, TelegramUser
from vibecoder.telegram import TelegramClient, TelegramError


@pytest.fixture
def telegram(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(tg, "sleep", clock.sleep)
    with FakeTelegram(clock=clock) as fake:
        yield fake


@pytest.fixture
def client(telegram):
    return TelegramClient(telegram.token, telegram.api_url, timeout=10)


@pytest.fixture
def ann(telegram):
    return TelegramUser(telegram)


def ids(updates: list[dict]) -> list[int]:
    return [u["update_id"] for u in updates]


def test_queued_updates_come_in_order_until_an_offset_confirms_them(client, telegram, ann):
    first, second, third = (telegram.queue_update(ann.message(t)) for t in ("one", "two", "three"))

    assert ids(client.call("getUpdates")) == ids([first, second, third])
    assert ids(client.call("getUpdates")) == ids([first, second, third])  # nothing confirmed yet
    assert ids(client.call("getUpdates", {"offset": second["update_id"]})) == ids([second, third])
    assert ids(client.call("getUpdates", {"offset": first["update_id"]})) == ids([second, third])  # forgotten
    assert client.call("getUpdates", {"offset": third["update_id"] + 1}) == []
    assert telegram.pending_updates == []


def test_limit_cuts_and_a_negative_offset_keeps_only_the_last(client, telegram, ann):
    queued = [telegram.queue_update(ann.message(f"m{i}")) for i in range(5)]

    assert ids(client.call("getUpdates", {"limit": 2})) == ids(queued[:2])
    assert ids(client.call("getUpdates", {"limit": 0})) == ids(queued[:1])  # 1-100 accepted
    assert ids(client.call("getUpdates", {"offset": -2})) == ids(queued[3:])
    assert ids(client.call("getUpdates")) == ids(queued[3:])  # the others are forgotten


def test_allowed_updates_is_remembered_and_filters_updates_created_after_it(client, telegram, ann):
    early_reaction = telegram.queue_update(ann.update("message_reaction", {"chat": ann.chat, "message_id": 1}))
    assert early_reaction not in telegram.pending_updates  # not a default kind
    client.call("getUpdates", {"allowed_updates": ["callback_query"], "timeout": 0})
    text = telegram.queue_update(ann.message("ignored now"))
    tap = telegram.queue_update(ann.update("callback_query", {"id": "1", "from": ann.sender, "data": "x"}))

    assert ids(client.call("getUpdates")) == ids([tap])  # the setting stays without the parameter
    client.call("getUpdates", {"allowed_updates": [], "offset": tap["update_id"] + 1})  # back to the default
    assert text not in telegram.pending_updates
    later = telegram.queue_update(ann.message("seen again"))
    assert ids(client.call("getUpdates")) == ids([later])


def test_a_long_poll_returns_as_soon_as_an_update_arrives(client, telegram, ann):
    answers: list[list[dict]] = []
    poll = threading.Thread(target=lambda: answers.append(client.call("getUpdates", {"timeout": 30})))
    poll.start()
    telegram.wait_until(lambda: telegram.waiting_polls == 1)

    update = telegram.queue_update(ann.message("hello"))
    poll.join(timeout=10)

    assert not poll.is_alive() and ids(answers[0]) == [update["update_id"]]


def test_a_long_poll_with_nothing_to_say_ends_empty_after_its_timeout(client, telegram):
    assert client.call("getUpdates", {"timeout": 1}) == []


def test_a_newer_poll_terminates_the_older_one_with_409(client, telegram, ann):
    errors: list[TelegramError] = []

    def older() -> None:
        try:
            client.call("getUpdates", {"timeout": 30})
        except TelegramError as error:
            errors.append(error)

    poll = threading.Thread(target=older)
    poll.start()
    telegram.wait_until(lambda: telegram.waiting_polls == 1)
    other_instance = TelegramClient(telegram.token, telegram.api_url, timeout=10)

    assert other_instance.call("getUpdates", {"timeout": 0}) == []
    poll.join(timeout=10)
    assert errors[0].status == 409 and "terminated by other getUpdates request" in errors[0].description


def test_get_updates_refuses_while_a_webhook_is_set_and_delete_webhook_makes_it_work(client, telegram, ann):
    client.call("setWebhook", {"url": "https://example.org/telegram/webhook"})
    update = telegram.queue_update(ann.message("hi"))
    with pytest.raises(TelegramError) as refused:
        client.call("getUpdates")
    assert refused.value.status == 409 and "use deleteWebhook" in refused.value.description
    assert client.call("getWebhookInfo")["pending_update_count"] == 1

    assert client.call("deleteWebhook") is True
    assert client.call("getWebhookInfo")["url"] == ""
    assert ids(client.call("getUpdates")) == [update["update_id"]]


def test_delete_webhook_can_drop_pending_updates(client, telegram, ann):
    telegram.queue_update(ann.message("old"))
    assert client.call("deleteWebhook", {"drop_pending_updates": True}) is True
    assert client.call("getUpdates") == []


@pytest.mark.parametrize("params", [{"offset": "abc"}, {"timeout": 1.5}, {"limit": True},
                                    {"allowed_updates": "message"}])
def test_malformed_parameters_are_400(client, params):
    with pytest.raises(TelegramError) as refused:
        client.call("getUpdates", params)
    assert refused.value.status == 400
