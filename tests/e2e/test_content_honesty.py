"""Honest content, end to end: an uncovered topic ends in a plain "no" (and costs no rate-limit slot), a
fallback is said in one line, and GET /carousels/{id} says who wrote the slides.

The bot runs as Telegram meets it (the local runtime behind its webhook, the fake Bot API in front);
the API through the local API Gateway emulator; OpenAI, when it is configured, is the local fake server.
"""

from __future__ import annotations

import json

import pytest
import requests

from tests.fakes.telegram_harness import bot_under_test
from tests.unit.content.fake_openai_server import FakeOpenAI, error


def replies(bot, chat_id: int) -> list[str]:
    return [m.text for m in bot.telegram.chat(chat_id)]


def record(bot, request_id: str) -> dict:
    response = requests.get(bot.webhook_url.replace("/telegram/webhook", f"/carousels/{request_id}"), timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def requested_ids(bot, user) -> list[str]:
    return [e["data"]["requestId"] for e in bot.events("carousel.generate.requested")
            if e["data"]["userId"] == str(user.user_id)]


def test_an_uncovered_topic_is_a_plain_no_that_uses_no_rate_limit_slot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_RATE_LIMIT_PER_HOUR="2") as bot:
        ann = bot.user()
        for topic in ("Sourdough bread baking at home", "Negotiating a salary raise", "Marathon training plan"):
            bot.deliver(ann.message(f"/carousel 3 {topic}"))
        no = [r for r in replies(bot, ann.chat_id) if r.startswith("🤔")]
        assert len(no) == 3 and not bot.telegram.albums(ann.chat_id)
        assert "my built-in notes don't cover it" in no[0] and "Test-Driven Development" in no[0]
        assert "paste" in no[0] and "OPENAI_API_KEY" in no[0]
        for request_id in requested_ids(bot, ann):
            carousel = record(bot, request_id)
            assert carousel["status"] == "failed" and carousel["failure"].startswith("topic_not_covered")
            assert carousel["content"] == {"provider": "offline"}
        # The limit is 2 an hour, and three requests were answered "no": two carousels are still allowed.
        for topic in ("TDD", "SOLID"):  # "3 SOLID principles" would ask whether 3 is the count
            bot.deliver(ann.message(f"/carousel 3 {topic}"))
        assert len(bot.telegram.albums(ann.chat_id)) == 2
        assert not any(r.startswith("⏳") for r in replies(bot, ann.chat_id))
        bot.deliver(ann.message("/carousel 3 Clean architecture"))  # the third real one is over the limit
        assert replies(bot, ann.chat_id)[-1].startswith("⏳ That's 2 carousels this hour")


def test_a_fallback_is_said_in_one_line_under_the_album(tmp_path, monkeypatch):
    with FakeOpenAI(error(503, "overloaded")) as fake, bot_under_test(
            tmp_path, monkeypatch, OPENAI_API_KEY="sk-test-not-a-real-key-0000", OPENAI_BASE_URL=fake.base_url,
            OPENAI_MAX_RETRIES="0") as bot:
        ann = bot.user()
        bot.deliver(ann.message("/carousel 4 TDD"))
        assert len(bot.telegram.albums(ann.chat_id)) == 1
        notes = [r for r in replies(bot, ann.chat_id) if "The AI model was unavailable" in r]
        assert len(notes) == 1 and "server_error_503" in notes[0] and "my built-in notes" in notes[0]
        (request_id,) = requested_ids(bot, ann)
        assert record(bot, request_id)["content"] == {"provider": "offline", "fallbackReason": "server_error_503"}

        bot.deliver(ann.message("/carousel 3 Sourdough bread baking at home"))
        (no,) = [r for r in replies(bot, ann.chat_id) if r.startswith("🤔")]
        assert "the AI model is unavailable right now" in no


def test_without_a_fallback_there_is_no_note(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as bot:
        ann = bot.user()
        bot.deliver(ann.message("/carousel 4 TDD"))
        assert not any("AI model" in r for r in replies(bot, ann.chat_id))
        (request_id,) = requested_ids(bot, ann)
        assert record(bot, request_id)["content"] == {"provider": "offline"}


def test_a_pasted_text_is_provider_text_in_its_own_language(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as bot:
        ann = bot.user()
        bot.deliver(ann.message("/lang en"))
        bot.deliver(ann.message("Ретро спринта\n\nЧто получилось:\n- ревью за день\n- сборка за шесть минут\n\n"
                                "Что улучшить:\n- нестабильные тесты\n- диск на стенде"))
        (request_id,) = requested_ids(bot, ann)
        carousel = record(bot, request_id)
        assert carousel["content"] == {"provider": "text"} and carousel["language"] == "ru"
        assert [s["title"] for s in carousel["slides"]][:3] == ["Ретро спринта", "Что получилось", "Что улучшить"]


@pytest.mark.parametrize("kind", ["title", "practice"])
def test_the_seeds_slide_types_render_from_an_event(tmp_path, monkeypatch, kind):
    with bot_under_test(tmp_path, monkeypatch) as bot:
        from vibecoder.bus import default_publisher
        from vibecoder.events.catalog import CATALOG
        from vibecoder.events.models import CarouselSlidesGenerated

        slides = [{"type": "title", "title": "Seed cover"}, {"type": kind, "title": "A seed slide", "content": "Try it."}]
        data = CarouselSlidesGenerated.model_validate({"requestId": "seed-1", "userId": "u", "title": "Seed",
                                                       "slides": slides})
        envelope = CATALOG.new_event("carousel.slides.generated", data, correlation_id="seed-1", source="carousel-generator")
        default_publisher().publish([envelope])
        bot.drain()
        (rendered,) = bot.events("carousel.images.rendered")
        assert len(rendered["data"]["images"]) == 2
        assert json.loads(envelope.model_dump_json(by_alias=True))["data"]["slides"][0]["type"] == "cover"
