"""What people really send (issue 15, the input side): numbers that start a topic, captions, channel posts
forwarded, the bot's own @username, and groups (buttons tapped by another member, /history in private).

Through the real webhook (the local API Gateway emulator) against the fake Bot API, in English and Russian.
"""

from __future__ import annotations

import pytest

from tests.fakes.telegram_api import MAX_CALLBACK_DATA
from tests.fakes.telegram_harness import bot_under_test


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def replies(bot, chat_id: int) -> list[str]:
    return [m.text for m in bot.telegram.chat(chat_id)]


def requests_made(bot) -> list[dict]:
    return [e["data"] for e in bot.events("carousel.generate.requested")]


def album_buttons(bot, chat_id: int):
    """The message under a finished album: Originals, PDF, Another style."""
    return next(m for m in reversed(bot.telegram.chat(chat_id)) if any(b["callback_data"].startswith("restyle:")
                                                                    for b in m.buttons))


# --- topics that start with a number ---------------------------------------------------------------


@pytest.mark.parametrize("language, message, topic, announced", [
    ("en", "/carousel 12 rules for life", "12 rules for life", "5 slides about «12 rules for life»"),
    ("ru", "/carousel 15 привычек успешных людей", "15 привычек успешных людей",
     "5 слайдов на тему «15 привычек успешных людей»"),
])
def test_a_number_outside_the_range_followed_by_a_counted_noun_is_part_of_the_topic(bot, language, message, topic,
                                                                                   announced):
    ann = bot.user(language_code=language)
    bot.deliver(ann.message(message))

    (request,) = requests_made(bot)
    assert (request["topic"], request["slidesCount"]) == (topic, 5)
    status = bot.telegram.chat(ann.chat_id)[0]
    assert announced in status.texts[0]  # the status says which reading it took: nothing silent


@pytest.mark.parametrize("language, announced", [("en", "7 slides about «TDD»"), ("ru", "7 слайдов на тему «TDD»")])
def test_the_help_example_still_makes_that_many_slides_and_says_so(bot, language, announced):
    ann = bot.user(language_code=language)
    bot.deliver(ann.message("/carousel 7 TDD"))

    (request,) = requests_made(bot)
    assert (request["topic"], request["slidesCount"]) == ("TDD", 7)
    assert announced in bot.telegram.chat(ann.chat_id)[0].texts[0]
    assert len(bot.telegram.albums(ann.chat_id)[0]) == 7


@pytest.mark.parametrize("language, question, as_count, as_topic", [
    ("ru", "10 — это число слайдов или часть темы?", "10 слайдов на тему «дней кода»", "«10 дней кода», 5 слайдов"),
    ("en", "Is 10 the number of slides, or part of the topic?", "10 slides about «дней кода»",
     "«10 дней кода», 5 slides"),
])
def test_a_number_in_range_before_a_counted_noun_is_asked_with_two_buttons(bot, language, question, as_count,
                                                                          as_topic):
    ann = bot.user(language_code=language)
    bot.deliver(ann.message("/carousel 10 дней кода"))

    asked = bot.telegram.chat(ann.chat_id)[-1]
    assert asked.text == question and requests_made(bot) == []
    assert [b["text"] for b in asked.buttons] == [as_count, as_topic]
    assert all(len(b["callback_data"].encode()) <= MAX_CALLBACK_DATA for b in asked.buttons)

    bot.deliver(ann.press(asked, as_count))

    (request,) = requests_made(bot)
    assert (request["topic"], request["slidesCount"]) == ("дней кода", 10)
    status = bot.telegram.message(ann.chat_id, asked.id)  # the question became the status message
    assert as_count in status.texts[1] and status.buttons == []
    assert request["statusMessageId"] == asked.id


def test_the_other_reading_keeps_the_number_in_the_topic_and_a_second_tap_does_nothing(bot):
    ann = bot.user(language_code="ru")
    bot.deliver(ann.message("/carousel 7 habits of highly effective people"))
    asked = bot.telegram.chat(ann.chat_id)[-1]
    as_count, as_topic = [b["callback_data"] for b in asked.buttons]

    bot.deliver(ann.tap(asked, as_topic))
    late = ann.tap(asked, as_count)  # the other button, tapped before the keyboard disappeared on the phone
    bot.deliver(late)

    (request,) = requests_made(bot)
    assert (request["topic"], request["slidesCount"]) == ("7 habits of highly effective people", 5)
    assert bot.telegram.callback_answers[late["callback_query"]["id"]]["text"] == "Эта кнопка больше не работает."


@pytest.mark.parametrize("message", ["/carousel " + "word " * 60, "word " * 60])
def test_a_long_paragraph_is_a_pasted_text_the_same_after_carousel_and_alone(bot, message):
    ann = bot.user()
    bot.deliver(ann.message(message))
    (request,) = requests_made(bot)
    assert request["sourceText"] == ("word " * 60).strip() and "topic" not in request


@pytest.mark.parametrize("message", ["/carousel " + "x" * 201, "x" * 201])
def test_a_long_topic_that_is_not_a_text_is_too_long_the_same_after_carousel_and_alone(bot, message):
    ann = bot.user()
    bot.deliver(ann.message(message))
    assert replies(bot, ann.chat_id)[0].startswith("That topic is too long (201 characters, at most 200)")
    assert requests_made(bot) == []


def test_help_says_where_a_topic_ends_and_a_text_begins(bot):
    ann = bot.user()
    bot.deliver(ann.message("/help"))
    assert "over 200 characters" in replies(bot, ann.chat_id)[0]


# --- captions and forwards -----------------------------------------------------------------------

PHOTO = [{"file_id": "p", "file_unique_id": "q", "width": 90, "height": 90}]


@pytest.mark.parametrize("language, caption, topic, note", [
    ("ru", "Сделай карусель про эту схему: микросервисы", "микросервисы", "Картинки я не разбираю"),
    ("en", "make a carousel about event sourcing", "event sourcing", "I don't look at pictures"),
    ("en", "Clean Architecture", "Clean Architecture", "I don't look at pictures"),
])
def test_a_photos_caption_is_the_request_and_the_bot_says_it_does_not_read_the_picture(bot, language, caption,
                                                                                       topic, note):
    ann = bot.user(language_code=language)
    bot.deliver(ann.message(photo=PHOTO, caption=caption))

    (request,) = requests_made(bot)
    assert request["topic"] == topic
    assert note in bot.telegram.chat(ann.chat_id)[0].texts[0]
    assert len(bot.telegram.albums(ann.chat_id)) == 1
    received = bot.events("telegram.user.message.received")[0]["data"]
    assert (received["kind"], received["text"]) == ("caption", caption)


def test_a_document_with_a_carousel_command_in_its_caption_works_in_a_group(bot):
    group = bot.user(chat_id=-1002, chat_type="supergroup")
    document = {"file_id": "d", "file_unique_id": "e", "file_name": "notes.pdf"}
    bot.deliver(group.message(document=document, caption="/carousel 3 TDD"))
    assert [(r["topic"], r["slidesCount"]) for r in requests_made(bot)] == [("TDD", 3)]


POST = ("Serverless is not about servers disappearing. It is about who runs them and how you pay: per request, "
        "not per hour. The trade-off is cold starts and limits you have to design around.")


@pytest.mark.parametrize("language, credit", [("en", "Source: Serverless Notes (@serverless_notes)"),
                                              ("ru", "Источник: Serverless Notes (@serverless_notes)")])
def test_a_post_forwarded_from_a_channel_is_a_pasted_text_credited_in_the_album_caption(bot, language, credit):
    ann = bot.user(language_code=language)
    origin = {"type": "channel", "date": 1_700_000_000, "message_id": 42,
              "chat": {"id": -1001234, "type": "channel", "title": "Serverless Notes", "username": "serverless_notes"}}
    bot.deliver(ann.message(POST, forward_origin=origin))

    (request,) = requests_made(bot)
    assert request["sourceText"] == POST and request["sourceCredit"] == credit
    (album,) = bot.telegram.albums(ann.chat_id)
    assert credit in album[0].text  # the first photo carries the album's caption


def test_a_short_forwarded_post_with_a_photo_uses_its_caption_as_the_text(bot):
    ann = bot.user()
    origin = {"type": "channel", "date": 1, "message_id": 7, "chat": {"id": -1009, "type": "channel", "title": "Daily"}}
    bot.deliver(ann.message(photo=PHOTO, caption="Idempotency keys make retries safe.", forward_origin=origin))
    (request,) = requests_made(bot)
    assert request["sourceText"] == "Idempotency keys make retries safe." and request["sourceCredit"] == "Source: Daily"


# --- the bot's own username (getMe) ----------------------------------------------------------------


def test_commands_addressed_to_the_real_username_work_whatever_bot_handle_says(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, BOT_HANDLE="@SomeOldName") as bot:
        group = bot.user(chat_id=-1003, chat_type="supergroup")
        bot.deliver(group.message("/help@BibleVibeCoderBot"))
        bot.deliver(group.message("/help@SomeOldName"))  # not the bot's name any more
        bot.deliver(group.message("/carousel@bibleVIBEcoderbot 2 TDD"))

        assert len([m for m in bot.telegram.chat(-1003) if m.text.startswith("<b>What") or "What I can do" in m.text]) == 1
        assert [r["topic"] for r in requests_made(bot)] == ["TDD"]
        assert len(bot.telegram.calls_of("getMe")) == 1  # once per container


def test_bot_handle_is_the_fallback_while_getme_fails(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, BOT_HANDLE="@FallbackBot") as bot:
        bot.telegram.fail("getMe", 400, times=2)
        group = bot.user(chat_id=-1004, chat_type="supergroup")
        bot.deliver(group.message("/help@FallbackBot"))
        bot.deliver(group.message("/help@BibleVibeCoderBot"))  # not known yet: getMe still failing, so not ours
        assert len(replies(bot, -1004)) == 1
        bot.deliver(group.message("/help@BibleVibeCoderBot"))  # getMe answers now
        assert len(replies(bot, -1004)) == 2


# --- groups: buttons tapped by another member, /history --------------------------------------------


@pytest.fixture
def group_album(bot):
    ann = bot.user(chat_id=-1005, chat_type="supergroup", first_name="Ann")
    bob = bot.user(chat_id=-1005, chat_type="supergroup", first_name="Bob", username="bob")
    bot.deliver(ann.message("/carousel 2 TDD"))
    return ann, bob, album_buttons(bot, -1005)


def test_anyone_in_the_group_may_get_the_originals_and_the_pdf(bot, group_album):
    ann, bob, buttons = group_album
    for button in ("📎 Originals", "📄 PDF"):
        tap = bob.press(buttons, button)
        bot.deliver(tap)
        assert bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"] == "Sending…"
    assert len(bot.telegram.albums(-1005, "document")) == 1  # the originals
    assert any(m.get("document", {}).get("mime_type") == "application/pdf" for m in bot.telegram.chat(-1005))


def test_another_style_by_another_member_restyles_for_the_group_on_their_rate_limit(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_RATE_LIMIT_PER_HOUR="1") as bot:
        ann = bot.user(chat_id=-1006, chat_type="supergroup")
        bob = bot.user(chat_id=-1006, chat_type="supergroup", first_name="Bob")
        bot.deliver(ann.message("/carousel 2 TDD"))
        buttons = album_buttons(bot, -1006)

        bot.deliver(bob.press(buttons, "🎨 Another style"))
        bot.deliver(bob.press(buttons, "🎨 Another style"))  # Bob's one slot this hour is taken

        (restyle,) = [e["data"] for e in bot.events("carousel.restyle.requested")]
        assert restyle["userId"] == str(bob.user_id) and restyle["chatId"] == -1006
        assert len(bot.telegram.albums(-1006)) == 2
        assert replies(bot, -1006)[-1].startswith("⏳ That's 1 carousel this hour")
        assert bot.failed_deliveries() == [] and bot.runtime.router.dead_letters() == []


@pytest.mark.parametrize("language, expected", [
    ("en", "That carousel is Ann's and was posted in another chat"),
    ("ru", "Эту карусель сделал(а) Ann в другом чате"),
])
def test_a_button_from_another_chat_says_whose_carousel_it_is(bot, language, expected):
    ann = bot.user(first_name="Ann")
    bot.deliver(ann.message("/carousel 2 TDD"))
    bot.deliver(ann.message("/start"))  # data-persistence records Ann's profile
    buttons = album_buttons(bot, ann.chat_id)
    stranger = bot.user(chat_id=-1007, chat_type="supergroup", language_code=language)

    tap = stranger.tap(buttons, buttons.buttons[0]["callback_data"])
    tap["callback_query"]["message"] = dict(tap["callback_query"]["message"], chat=stranger.chat)
    bot.deliver(tap)

    answer = bot.telegram.callback_answers[tap["callback_query"]["id"]]
    assert answer["text"].startswith(expected) and answer["show_alert"] is True
    assert bot.events("telegram.delivery.requested") == []


@pytest.mark.parametrize("language, note", [("en", "📬 Ann, I sent your history to our private chat."),
                                            ("ru", "📬 Ann, я отправил вашу историю в личный чат со мной.")])
def test_history_in_a_group_goes_to_the_private_chat_and_the_group_hears_where(bot, language, note):
    ann = bot.user(chat_id=-1008, chat_type="supergroup", first_name="Ann", language_code=language)
    bot.deliver(ann.message("/carousel 2 TDD"))
    bot.deliver(ann.message("/history"))

    (listing,) = [m for m in bot.telegram.chat(ann.user_id) if m.buttons]
    assert all(b["callback_data"].startswith("resend:") for b in listing.buttons)
    assert replies(bot, -1008)[-1] == note
    assert not any(m.buttons and m.buttons[0]["callback_data"].startswith("resend:") for m in bot.telegram.chat(-1008))


def test_history_in_a_group_for_someone_who_never_started_the_bot_says_how(bot):
    ann = bot.user(chat_id=-1009, chat_type="supergroup", first_name="Ann")
    bot.telegram.fail("sendMessage", 403, description="Forbidden: bot can't initiate conversation with a user")
    bot.deliver(ann.message("/history"))

    (answer,) = replies(bot, -1009)
    assert answer.startswith("🔒 Ann, your history is personal")
    assert "https://t.me/BibleVibeCoderBot?start=history" in answer

    private = bot.user(user_id=ann.user_id, first_name="Ann")  # the deep link opens the private chat
    bot.deliver(private.message("/start history"))
    assert replies(bot, ann.user_id) == ["No carousels yet. Send a topic to make your first one!"]
