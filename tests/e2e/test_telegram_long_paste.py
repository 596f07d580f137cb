"""Long pastes (issue 15): Telegram splits a text over 4096 characters into consecutive messages, a second or so
apart. The parts become one text and one carousel, after a short wait (3 s after the last part: the event
waits in the router, as deployed in an SQS delay queue, not in a sleeping handler).

Through the real webhook (the local API Gateway emulator) against the fake Bot API; time passes on the
harness's fake clock (``bot.wait``).
"""

from __future__ import annotations

import pytest

from tests.fakes.telegram_harness import bot_under_test
from vibecoder.content import SOURCE_TEXT_MAX_CHARS
from vibecoder.events.catalog import PASTE_JOIN_SECONDS

HEADING = "Why small teams ship faster"
PARAGRAPHS = [
    "Small teams talk less and decide more. Every extra person adds paths for messages to travel, and each "
    "path is a place where context is lost or delayed.",
    "Ownership is clear in a small team. When three people own a service, each of them knows who answers for "
    "a failure, and nobody waits for a meeting to fix it.",
    "Code review stays quick because the reviewer already knows the code. A change is read in minutes, not "
    "days, and the author still remembers why every line is there.",
    "Deployments are routine rather than events. A small team ships several times a day, so each release is "
    "small, easy to reason about and easy to roll back.",
    "Planning fits on one page. The team sees the whole plan at once and can change it on Monday without "
    "asking five other teams for permission.",
    "Mistakes are cheaper. A wrong turn is noticed within a day, because everyone sees the same dashboards and "
    "the same customer messages.",
]


def long_text(length: int) -> str:
    """A text of about ``length`` characters: a heading, then paragraphs (numbered so each is unique)."""
    parts, i = [HEADING], 0
    while len("\n\n".join(parts)) < length:
        parts.append(f"{i + 1}. {PARAGRAPHS[i % len(PARAGRAPHS)]}")
        i += 1
    return "\n\n".join(parts)[:length].rstrip()


def split_like_telegram(body: str, limit: int = 4096) -> list[str]:
    """Telegram's client cuts a long text at the last line break (else space) before the limit, and drops it."""
    parts = []
    while len(body) > limit:
        cut = body.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else body.rfind(" ", 0, limit)
        parts.append(body[:cut])
        body = body[cut + 1:]
    return parts + [body]


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def requests_made(bot) -> list[dict]:
    return [e["data"] for e in bot.events("carousel.generate.requested")]


def words(body: str) -> list[str]:
    return body.split()


def one_carousel_delivered(bot, chat_id: int) -> dict:
    """The one carousel the chat got: every photo sent is one of its slides (a long text may make more than
    ten slides, sent as two albums of one carousel)."""
    (completed,) = bot.events("carousel.completed")
    photos = [photo for album in bot.telegram.albums(chat_id) for photo in album]
    assert len(photos) == len(completed["data"]["slides"])
    return completed["data"]


def test_a_paste_split_in_two_messages_becomes_one_carousel_of_the_whole_text(bot):
    ann = bot.user(language_code="en")
    body = long_text(7000)
    first, second = split_like_telegram(body)
    assert 3500 <= len(first) <= 4096 and len(second) > 2500

    bot.deliver(ann.message(first))
    assert requests_made(bot) == []  # the first part waits for the rest
    (status,) = bot.telegram.chat(ann.chat_id)
    assert status.text.startswith("📥 Receiving a long text")
    bot.wait(1)
    bot.deliver(ann.message(second))
    assert requests_made(bot) == []
    bot.wait(PASTE_JOIN_SECONDS)

    (request,) = requests_made(bot)
    assert request.get("topic") is None and words(request["sourceText"]) == words(body)  # both parts, in order
    assert request["statusMessageId"] == status.id
    completed = one_carousel_delivered(bot, ann.chat_id)
    assert completed["title"] == HEADING  # from the text's start, not from the second part's fragment
    first_album = bot.telegram.albums(ann.chat_id)[0]
    assert HEADING in first_album[0].text  # the album's caption
    status_messages = [m for m in bot.telegram.chat(ann.chat_id) if not m.get("photo")
                       and any(t.startswith("📥") for t in m.texts)]
    assert status_messages == [bot.telegram.message(ann.chat_id, status.id)]  # one status message
    assert "2 parts joined into one text" in " ".join(status_messages[0].texts)
    # The first part took the hour's rate-limit slot, the second took none: one request, one slot.
    assert len(bot.events("telegram.paste.part.received")) == 2


def test_a_single_long_message_still_becomes_one_carousel_after_the_wait(bot):
    ann = bot.user(language_code="ru")
    body = long_text(3800)
    bot.deliver(ann.message(body))
    assert requests_made(bot) == []
    assert bot.telegram.chat(ann.chat_id)[0].text.startswith("📥 Принимаю длинный текст")

    bot.wait(PASTE_JOIN_SECONDS)
    (request,) = requests_made(bot)
    assert request["sourceText"] == body.strip()
    assert one_carousel_delivered(bot, ann.chat_id)["title"] == HEADING


def test_a_short_message_is_handled_at_once(bot):
    ann = bot.user(language_code="en")
    bot.deliver(ann.message("Functional programming with TypeScript"))

    (request,) = requests_made(bot)  # no wait: the request was made while the update was handled
    assert request["topic"] == "Functional programming with TypeScript"
    assert bot.events("telegram.paste.part.received") == []
    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert not any(t.startswith("📥") for m in bot.telegram.chat(ann.chat_id) for t in m.texts)


def test_a_redelivered_part_is_joined_once(bot):
    ann = bot.user(language_code="en")
    first, second = split_like_telegram(long_text(7000))
    update = ann.message(first)
    bot.deliver(update)
    bot.deliver(update)  # Telegram retried the webhook: the same update_id
    bot.wait(1)
    bot.deliver(ann.message(second))
    bot.wait(PASTE_JOIN_SECONDS)

    (request,) = requests_made(bot)
    assert words(request["sourceText"]) == words(first + "\n" + second)  # the first part once
    assert len(bot.events("telegram.paste.part.received")) == 2
    one_carousel_delivered(bot, ann.chat_id)


def test_parts_beyond_the_limit_are_cut_at_a_paragraph_and_the_status_says_so(bot):
    ann = bot.user(language_code="en")
    body = long_text(SOURCE_TEXT_MAX_CHARS + 3000)
    parts = split_like_telegram(body)
    for part in parts:
        bot.deliver(ann.message(part))
        bot.wait(1)
    bot.wait(PASTE_JOIN_SECONDS)

    (request,) = requests_made(bot)
    source = request["sourceText"]
    assert len(source) <= SOURCE_TEXT_MAX_CHARS and words(body)[:len(words(source))] == words(source)
    assert any(source.endswith(paragraph) for paragraph in PARAGRAPHS)  # cut where a paragraph ends
    assert len(source) > SOURCE_TEXT_MAX_CHARS - 300  # the last whole paragraph before the limit
    status = bot.telegram.chat(ann.chat_id)[0]
    assert any(f"longer than {SOURCE_TEXT_MAX_CHARS} characters" in t for t in status.texts)
    one_carousel_delivered(bot, ann.chat_id)


def test_a_part_arriving_after_the_wait_starts_a_new_text(bot):
    ann = bot.user(language_code="en")
    bot.deliver(ann.message(long_text(3800)))
    bot.wait(PASTE_JOIN_SECONDS + 1)
    bot.deliver(ann.message(long_text(3900)))
    bot.wait(PASTE_JOIN_SECONDS)

    assert [len(r["sourceText"]) for r in requests_made(bot)] == [len(long_text(3800)), len(long_text(3900))]


def test_a_join_that_fails_puts_the_parts_back_and_its_retry_makes_the_carousel(bot):
    """Telegram refusing the status edit while the parts are joined (every attempt of one delivery) loses no
    paste: the parts go back into the window and the event's retry joins them."""
    ann = bot.user()
    parts = split_like_telegram(long_text(7000))
    for part in parts:
        bot.deliver(ann.message(part))
        bot.clock.sleep(1)
    bot.telegram.fail("editMessageText", 502, times=2)  # the webhook client's two attempts
    bot.wait(PASTE_JOIN_SECONDS)
    bot.wait(120)  # the router's retry of the failed delivery
    (request,) = requests_made(bot)
    assert words(request["sourceText"]) == words("\n".join(parts))
    assert one_carousel_delivered(bot, ann.chat_id)["title"] == HEADING
