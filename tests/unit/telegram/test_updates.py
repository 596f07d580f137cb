"""Every update kind Telegram sends parses; unknown fields and kinds are kept, not refused."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_api import FakeTelegram, TelegramUser, other_update_kinds
from vibecoder.telegram_updates import UPDATE_KINDS, Update

USER = TelegramUser(FakeTelegram())
KINDS = other_update_kinds(USER)


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_every_update_kind_parses_and_names_its_kind(kind):
    update = Update.model_validate({"update_id": 7, kind: KINDS[kind]})
    assert update.kind == kind
    assert update.message is None and update.callback_query is None


def test_the_fixture_covers_every_documented_kind_but_the_ones_the_bot_acts_on():
    assert set(UPDATE_KINDS) - set(KINDS) == {"message", "callback_query", "inline_query", "chosen_inline_result"}


def test_inline_queries_and_chosen_results_are_typed():
    query = Update.model_validate(USER.inline("TDD"))
    assert query.kind == "inline_query" and query.inline_query.query == "TDD"
    assert query.inline_query.sender.id == USER.user_id and query.inline_query.chat_type == "group"
    chosen = Update.model_validate({"update_id": 8, "chosen_inline_result": {
        "result_id": "carousel", "from": USER.sender, "query": "TDD", "inline_message_id": "AgAAA1"}})
    assert chosen.kind == "chosen_inline_result" and chosen.chosen_inline_result.inline_message_id == "AgAAA1"


@pytest.mark.parametrize("content, kind", [
    ({"text": "hi"}, "text"),
    ({"photo": [{"file_id": "a", "file_unique_id": "b", "width": 90, "height": 90}], "caption": "x"}, "photo"),
    ({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 512, "height": 512,
                  "is_animated": False, "is_video": False}}, "sticker"),
    ({"voice": {"file_id": "v", "file_unique_id": "u", "duration": 3}}, "voice"),
    ({"new_chat_title": "renamed"}, "new_chat_title"),
])
def test_messages_say_what_they_carry(content, kind):
    update = Update.model_validate(USER.message(**content))
    assert update.kind == "message" and update.message.content_kind == kind


def test_unknown_fields_are_kept():
    raw = USER.message("hello") | {"brand_new_field": {"x": 1}}
    raw["message"]["from"]["future_flag"] = True
    update = Update.model_validate(raw)
    assert update.model_extra == {"brand_new_field": {"x": 1}}
    assert update.message.sender.model_extra == {"future_flag": True}
    assert update.model_dump(by_alias=True)["message"]["from"]["id"] == USER.user_id


def test_a_callback_query_on_an_inaccessible_message_still_parses():
    raw = {"update_id": 9, "callback_query": {"id": "1", "from": USER.sender, "chat_instance": "c", "data": "x",
                                              "message": {"chat": USER.chat, "message_id": 3, "date": 0}}}
    assert Update.model_validate(raw).callback_query.message.message_id == 3
