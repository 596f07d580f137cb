"""Where the bot's answers go, how often it edits, what /history offers again: against the fake Bot API.

Each test delivers updates to the webhook over HTTP, runs the whole event flow and reads what the chat
shows on the fake Bot API, which refuses a ``message_thread_id`` outside a forum topic and a reply to a
message that is not in the chat, as Telegram does.
"""

from __future__ import annotations

import pytest

from tests.fakes.telegram_harness import AI_MODEL_STEPS, SLOW_STEPS, bot_under_test

pytestmark = pytest.mark.e2e
FORUM = -1001700000001


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def with_button(bot, chat_id: int, prefix: str):
    return next(m for m in reversed(bot.telegram.chat(chat_id)) if any(
        b.get("callback_data", "").startswith(prefix) for b in m.buttons))


def last_asked(bot, chat_id: int):
    """The user's last message in the chat."""
    return [m for m in bot.telegram.chat(chat_id, from_bot=False) if not m.from_bot][-1]


def linked_to(message) -> int | None:
    return (message.get("reply_to_message") or {}).get("message_id")


# --- forum topics and reply links -------------------------------------------------------------------


def test_in_a_forum_topic_every_answer_goes_to_that_topic_and_answers_the_asking_message(bot):
    ann = bot.user(chat_id=FORUM, chat_type="supergroup", forum=True)
    design = ann.open_topic("Design")

    bot.deliver(ann.message("/carousel 3 Test-Driven Development", topic=design))

    asked = last_asked(bot, FORUM)
    status, *album, ready = bot.telegram.chat(FORUM)
    # Nothing landed in General: the status message, every photo and the buttons are in the topic.
    assert {m.get("message_thread_id") for m in [status, *album, ready]} == {design}
    assert all(m.get("is_topic_message") for m in [status, *album, ready])
    # The status message and the album answer the message that asked (several people ask in a group).
    assert linked_to(status) == asked.id and linked_to(album[0]) == asked.id
    (call,) = bot.telegram.calls_of("sendMediaGroup")
    assert call.params["reply_parameters"] == {"message_id": asked.id, "allow_sending_without_reply": True}
    assert ready.buttons and "reply_to_message" not in ready.message
    # The chat actions were shown in the topic too (the fake refuses a thread outside a forum).
    actions = bot.telegram.calls_of("sendChatAction")
    assert actions and all(c.params.get("message_thread_id") == design for c in actions)
    assert bot.telegram.calls_of(None, ok=False) == []


def test_a_button_tapped_in_a_topic_answers_in_that_topic_linked_to_the_tapped_message(bot):
    ann = bot.user(chat_id=FORUM, chat_type="supergroup", forum=True)
    design = ann.open_topic("Design")
    bot.deliver(ann.message("/carousel 3 Clean Architecture", topic=design))
    ready = with_button(bot, FORUM, "orig:")

    bot.deliver(ann.press(ready, "📎 Originals"))
    bot.deliver(ann.press(ready, "📄 PDF"))

    (documents,) = bot.telegram.albums(FORUM, kind="document")
    pdf = [m for m in bot.telegram.chat(FORUM) if m.get("document", {}).get("mime_type") == "application/pdf"]
    assert len(documents) == 3 and len(pdf) == 1
    assert {m.get("message_thread_id") for m in [*documents, *pdf]} == {design}
    assert linked_to(documents[0]) == ready.id and linked_to(pdf[0]) == ready.id


def test_an_apology_in_a_topic_answers_the_asking_message_there(bot):
    ann = bot.user(chat_id=FORUM, chat_type="supergroup", forum=True)
    ops = ann.open_topic("Ops")

    bot.deliver(ann.message("/carousel 3 Medieval falconry regulations", topic=ops))

    asked = last_asked(bot, FORUM)
    status, apology = bot.telegram.chat(FORUM)
    assert bot.events("carousel.failed"), "the offline notes do not cover the topic"
    assert {status.get("message_thread_id"), apology.get("message_thread_id")} == {ops}
    assert linked_to(apology) == asked.id


def test_general_and_ordinary_groups_get_no_thread_and_a_private_chat_no_quote(bot):
    general = bot.user(chat_id=FORUM, chat_type="supergroup", forum=True)
    group = bot.user(chat_id=-1001700000002, chat_type="supergroup", username="bob")
    ann = bot.user()

    for user in (general, group, ann):
        bot.deliver(user.message("/carousel 2 Pair programming"))

    sent = [c for c in bot.telegram.calls_of(None) if c.method.startswith("send")]
    assert sent and all("message_thread_id" not in c.params for c in sent)
    asked_in_group = last_asked(bot, group.chat_id)
    assert linked_to(bot.telegram.chat(group.chat_id)[0]) == asked_in_group.id
    assert all("reply_to_message" not in m.message for m in bot.telegram.chat(ann.chat_id))
    assert bot.telegram.calls_of(None, ok=False) == []


def test_the_answer_still_arrives_when_the_asking_message_was_deleted(bot):
    group = bot.user(chat_id=-1001700000003, chat_type="supergroup")
    update = group.message("/carousel 2 Code review")
    last_asked(bot, group.chat_id).deleted = True  # deleted before the bot answers

    bot.deliver(update)

    assert len(bot.telegram.albums(group.chat_id)) == 1
    assert bot.telegram.calls_of(None, ok=False) == []


# --- /history -----------------------------------------------------------------------------------------


def test_an_album_resent_from_history_has_its_buttons_again(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 2 TDD"))
    request_id = bot.events("carousel.completed")[0]["data"]["requestId"]
    bot.deliver(ann.message("/history"))
    listing = bot.telegram.chat(ann.chat_id)[-1]

    bot.deliver(ann.press(listing, listing.buttons[0]["text"]))

    first, again = bot.telegram.albums(ann.chat_id)
    after = bot.telegram.chat(ann.chat_id)[-1]
    assert after.id > again[-1].id, "the buttons follow the resent album"
    assert [b["callback_data"] for b in after.buttons] == [f"orig:{request_id}", f"pdf:{request_id}",
                                                          f"restyle:{request_id}", f"edit:{request_id}"]
    bot.deliver(ann.press(after, "📎 Originals"))
    (documents,) = bot.telegram.albums(ann.chat_id, kind="document")
    assert len(documents) == 2


def test_restyled_copies_are_told_apart_in_history(bot):
    ann = bot.user(language_code="ru")
    bot.deliver(ann.message("/carousel 2 TDD"))
    bot.deliver(ann.press(with_button(bot, ann.chat_id, "restyle:"), "🎨 Другой стиль"))
    original, restyled = (e["data"] for e in bot.events("carousel.completed"))

    bot.deliver(ann.message("/history"))

    listing = bot.telegram.chat(ann.chat_id)[-1]
    labels = {b["callback_data"].removeprefix("resend:"): b["text"] for b in listing.buttons}
    assert labels[restyled["requestId"]] == "1. TDD · 🌙 Тёмный · 2 🖼 · ↻ другой стиль для 2"
    assert labels[original["requestId"]] == "2. TDD · 🔮 Стекло · 2 🖼"
    assert all(len(b["callback_data"].encode()) <= 64 for b in listing.buttons)


# --- progress: only the steps someone can see -------------------------------------------------------


def progress_shown(bot, chat_id: int) -> list[str]:
    status = bot.telegram.chat(chat_id)[0]
    return [text.split(" · ")[-1] for text in status.texts]


def bot_api_calls(bot) -> dict[str, int]:
    counts: dict[str, int] = {}
    for call in bot.telegram.calls_of(None, ok=None):
        counts[call.method] = counts.get(call.method, 0) + 1
    return counts


@pytest.mark.parametrize(("steps", "chat", "shown"), [
    # Offline content renders in a moment: the bar goes from the first step to done, one edit.
    (None, "private", ["Analysing the topic…", "Done ✅"]),
    # With an AI model the content takes seconds (shown), the slides follow it at once (not shown).
    (AI_MODEL_STEPS, "private", ["Analysing the topic…", "Writing the slides…", "Done ✅"]),
    # Every stage slow: every step is seen.
    (SLOW_STEPS, "private", ["Analysing the topic…", "Writing the slides…", "Rendering 3 slides…", "Done ✅"]),
    # In a group edits count against ~20 messages a minute: 2 s between steps is too little there.
    (SLOW_STEPS, "group", ["Analysing the topic…", "Writing the slides…", "Done ✅"]),
], ids=["offline", "ai-model", "slow", "slow-group"])
def test_progress_edits_only_the_steps_slow_enough_to_see(tmp_path, monkeypatch, steps, chat, shown):
    with bot_under_test(tmp_path, monkeypatch, step_seconds=steps) as bot:
        ann = bot.user(chat_id=-1001700000009, chat_type="supergroup") if chat == "group" else bot.user()

        bot.deliver(ann.message("/carousel 3 Test-Driven Development"))

        assert progress_shown(bot, ann.chat_id) == shown
        calls = bot_api_calls(bot)
        # One status message, its edits (the last one "done", always), one album, one buttons message.
        assert calls["editMessageText"] == len(shown) - 1
        assert calls["sendMessage"] == 2 and calls["sendMediaGroup"] == 1
        assert len(bot.telegram.albums(ann.chat_id)) == 1


def test_a_failure_always_ends_the_bar_even_right_after_the_status_message(bot):
    ann = bot.user()

    bot.deliver(ann.message("/carousel 3 Medieval falconry regulations"))

    status = bot.telegram.chat(ann.chat_id)[0]
    assert len(status.texts) == 2 and status.texts[-1].endswith("Stopped ❌")


# --- inline mode ----------------------------------------------------------------------------------------

GROUP_CHAT = {"id": -1001700000010, "type": "supergroup", "title": "Designers"}


def test_inline_mode_offers_a_carousel_and_choosing_it_sends_the_album_to_the_private_chat(bot):
    ann = bot.user()
    bot.deliver(ann.message("/start"))  # Ann has started the bot

    query = ann.inline("Test-Driven Development")
    bot.deliver(query)

    answer = bot.telegram.inline_answers[query["inline_query"]["id"]]
    (article,) = answer["results"]
    assert article["title"] == "Make a carousel about “Test-Driven Development”"
    assert answer["is_personal"] is True and "button" not in answer

    bot.deliver(ann.choose(query, GROUP_CHAT))

    note = bot.telegram.chat(GROUP_CHAT["id"], from_bot=False)[-1]
    assert note["via_bot"]["username"] == "BibleVibeCoderBot" and "Test-Driven Development" in note.text
    assert bot.telegram.chat(GROUP_CHAT["id"]) == [], "nothing but the note in the chat where it was asked"
    (album,) = bot.telegram.albums(ann.chat_id)
    assert album[0]["caption"].startswith("Test-Driven Development")
    (request,) = bot.events("carousel.generate.requested")
    assert request["data"]["chatId"] == ann.user_id and request["data"]["topic"] == "Test-Driven Development"


def test_a_user_who_never_started_the_bot_gets_a_deep_link_that_makes_the_carousel(bot):
    eve = bot.user(first_name="Eve", username="eve")

    query = eve.inline("Pair programming")
    bot.deliver(query)
    answer = bot.telegram.inline_answers[query["inline_query"]["id"]]
    payload = answer["button"]["start_parameter"]
    assert answer["results"][0]["reply_markup"]["inline_keyboard"][0][0]["url"] == (
        f"https://t.me/BibleVibeCoderBot?start={payload}")

    bot.deliver(eve.choose(query, GROUP_CHAT))
    assert bot.events("carousel.generate.requested") == [], "nobody to send it to yet"
    note = bot.telegram.chat(GROUP_CHAT["id"], from_bot=False)[-1]
    assert "start @BibleVibeCoderBot first" in note.text

    bot.deliver(eve.message(f"/start {payload}"))  # the deep link opens the bot with that payload

    (request,) = bot.events("carousel.generate.requested")
    assert request["data"]["topic"] == "Pair programming"
    assert len(bot.telegram.albums(eve.chat_id)) == 1


def test_a_403_on_the_private_chat_turns_the_note_into_the_start_link(bot):
    ann = bot.user()
    bot.deliver(ann.message("/start"))
    bot.telegram.fail("sendChatAction", 403, description="Forbidden: bot was blocked by the user")
    query = ann.inline("Code review")
    bot.deliver(query)

    bot.deliver(ann.choose(query, GROUP_CHAT))

    note = bot.telegram.chat(GROUP_CHAT["id"], from_bot=False)[-1]
    assert "start @BibleVibeCoderBot first" in note.text and len(note.texts) == 2
    assert bot.events("carousel.generate.requested") == []


def test_inline_requests_keep_the_topic_rules_and_the_rate_limit(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_RATE_LIMIT_PER_HOUR="1") as bot:
        ann = bot.user()
        bot.deliver(ann.message("/start"))
        empty = ann.inline("🚀🔥")
        bot.deliver(empty)
        assert bot.telegram.inline_answers[empty["inline_query"]["id"]]["results"] == []

        for topic in ("TDD", "Clean Architecture"):
            query = ann.inline(topic)
            bot.deliver(query)
            bot.deliver(ann.choose(query, GROUP_CHAT))

        assert len(bot.events("carousel.generate.requested")) == 1
        assert "this hour" in bot.telegram.chat(ann.chat_id)[-1].text
