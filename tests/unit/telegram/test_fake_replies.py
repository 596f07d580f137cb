"""The fake Bot API checks where a message goes as Telegram does: a topic only in a forum, a reply only to
a message of that chat (unless told to send without it), and inline answers within their limits.

Given the fake on 127.0.0.1 and the production client pointed at it, when a call names a thread or a
reply target (or answers an inline query), then the fake answers what Telegram would.
"""

from __future__ import annotations

import pytest

from tests.fakes.telegram_api import FakeTelegram, TelegramUser
from vibecoder.telegram import TelegramClient, TelegramError

FORUM, GROUP = -1001800000001, -1001800000002


@pytest.fixture
def telegram():
    with FakeTelegram() as fake:
        yield fake


@pytest.fixture
def client(telegram):
    return TelegramClient(telegram.token, telegram.api_url, timeout=5)


def refused(client, method: str, params: dict) -> str:
    with pytest.raises(TelegramError) as caught:
        client.call(method, params)
    assert caught.value.status == 400
    return caught.value.description


def test_a_topic_message_goes_only_to_an_existing_topic_of_a_forum(client, telegram):
    forum = TelegramUser(telegram, chat_id=FORUM, chat_type="supergroup", forum=True)
    group = TelegramUser(telegram, chat_id=GROUP, chat_type="supergroup")
    topic = forum.open_topic("Design")
    group.message("hello")

    sent = client.call("sendMessage", {"chat_id": FORUM, "text": "in the topic", "message_thread_id": topic})

    assert sent["message_thread_id"] == topic and sent["is_topic_message"] is True
    assert "message thread not found" in refused(client, "sendMessage", {
        "chat_id": FORUM, "text": "x", "message_thread_id": topic + 100})
    assert "message thread not found" in refused(client, "sendMessage", {
        "chat_id": GROUP, "text": "x", "message_thread_id": topic})
    assert "message thread not found" in refused(client, "sendChatAction", {
        "chat_id": GROUP, "action": "typing", "message_thread_id": topic})
    assert client.call("sendChatAction", {"chat_id": FORUM, "action": "typing", "message_thread_id": topic})


def test_a_reply_needs_its_message_unless_sending_without_it_is_allowed(client, telegram):
    group = TelegramUser(telegram, chat_id=GROUP, chat_type="supergroup")
    asked = group.message("/carousel TDD")["message"]

    reply = client.call("sendMessage", {"chat_id": GROUP, "text": "on it",
                                        "reply_parameters": {"message_id": asked["message_id"]}})

    assert reply["reply_to_message"]["message_id"] == asked["message_id"]
    assert "message to be replied not found" in refused(client, "sendMessage", {
        "chat_id": GROUP, "text": "x", "reply_parameters": {"message_id": 999_999}})
    anyway = client.call("sendMessage", {"chat_id": GROUP, "text": "x", "reply_parameters": {
        "message_id": 999_999, "allow_sending_without_reply": True}})
    assert "reply_to_message" not in anyway
    assert "reply parameters" in refused(client, "sendMessage", {"chat_id": GROUP, "text": "x",
                                                                 "reply_parameters": {"chat_id": GROUP}})


def article(i: int = 1, **extra) -> dict:
    return {"type": "article", "id": f"r{i}", "title": "Make a carousel",
            "input_message_content": {"message_text": "note"}} | extra


@pytest.mark.parametrize(("params", "error"), [
    ({"results": [article(i) for i in range(51)]}, "RESULTS_TOO_MUCH"),
    ({"results": [article(1, id="x" * 65)]}, "RESULT_ID_INVALID"),
    ({"results": [article(1), article(1)]}, "RESULT_ID_DUPLICATE"),
    ({"results": [article(1, input_message_content={})]}, "message_text"),
    ({"results": [article(1)], "cache_time": -1}, "cache_time"),
    ({"results": [article(1)], "is_personal": "maybe"}, "is_personal"),
    ({"results": [], "button": {"text": "Start", "start_parameter": "has space"}}, "START_PARAM_INVALID"),
    ({"results": [], "button": {"text": "Start", "start_parameter": "x" * 65}}, "START_PARAM_INVALID"),
])
def test_an_inline_answer_outside_the_limits_is_refused(client, telegram, params, error):
    query = TelegramUser(telegram).inline("TDD")["inline_query"]
    assert error in refused(client, "answerInlineQuery", {"inline_query_id": query["id"]} | params)


def test_an_inline_query_is_answered_once_and_its_choice_can_be_edited(client, telegram):
    ann = TelegramUser(telegram)
    update = ann.inline("TDD")
    keyboard = {"inline_keyboard": [[{"text": "Open", "url": "https://t.me/BibleVibeCoderBot"}]]}
    answer = {"inline_query_id": update["inline_query"]["id"], "results": [article(1, reply_markup=keyboard)],
              "cache_time": 10, "is_personal": True, "button": {"text": "Start", "start_parameter": "c_VEREIA"}}

    assert client.call("answerInlineQuery", answer) is True
    assert "query is too old" in refused(client, "answerInlineQuery", answer)
    chosen = ann.choose(update, {"id": GROUP, "type": "supergroup", "title": "G"})["chosen_inline_result"]
    edited = client.call("editMessageText", {"inline_message_id": chosen["inline_message_id"], "text": "start me"})

    assert edited["text"] == "start me" and telegram.chat(GROUP, from_bot=False)[-1].texts == ["note", "start me"]
    assert "MESSAGE_ID_INVALID" in refused(client, "editMessageText", {"inline_message_id": "nope", "text": "x"})
