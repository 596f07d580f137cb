"""Retrieval by topic picks the right notes, in the user's language."""

from __future__ import annotations

import pytest

from ai_content.logic import ContentSettings, generate_content, knowledge_index
from ai_content.offline import content_from_topic
from ai_content.text import detect_language, shorten, stem, tokens
from vibecoder.events.models import AiContentRequested

INDEX = knowledge_index(ContentSettings())


@pytest.mark.parametrize(
    ("topic", "language", "expected_topic"),
    [
        ("Functional Programming with TypeScript", "en", "typescript-fp"),
        ("Функциональное программирование на TypeScript", "ru", "typescript-fp"),
        ("pure functions and immutability", "en", "functional-programming"),
        ("чистые функции и неизменяемость", "ru", "functional-programming"),
        ("Test-driven development", "en", "tdd"),
        ("Разработка через тестирование", "ru", "tdd"),
        ("red green refactor", "en", "tdd"),
        ("Clean Architecture", "en", "clean-architecture"),
        ("чистая архитектура и порты", "ru", "clean-architecture"),
        ("AWS Lambda cold starts", "en", "serverless"),
        ("Бессерверная архитектура на AWS Lambda", "ru", "serverless"),
        ("vibe coding", "en", "vibe-coding"),
        ("вайб-кодинг", "ru", "vibe-coding"),
    ],
)
def test_best_note_matches_the_topic(topic, language, expected_topic):
    hits = INDEX.search(topic, language=language)
    assert hits, topic
    assert hits[0].note.topic == expected_topic, [(h.note.id, round(h.score, 2)) for h in hits]
    assert hits[0].note.language == language


def test_language_preference_uses_the_other_language_only_when_needed():
    hits = INDEX.search("TDD", language="ru")
    assert hits[0].note.id.endswith("-ru")


@pytest.mark.parametrize(
    ("text", "lang"),
    [("Функциональное программирование", "ru"), ("Clean code", "en"), ("TDD на практике", "ru"), ("", "en"), ("123", "en")],
)
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_user_choice_beats_detection():
    request = AiContentRequested(request_id="r", user_id="u", topic="Функциональное программирование", language="en")
    result = generate_content(request, settings=ContentSettings())
    assert result.content.language == "en"
    assert all(not any("а" <= ch <= "я" for ch in p.title.lower()) for p in result.content.principles)


def test_stemming_meets_word_forms():
    assert stem("тесты") == stem("тестов") == stem("тестами")
    assert stem("testing") == stem("tests") == stem("tested") == "test"
    assert "функц" in "".join(tokens("функции"))


def test_shorten_cuts_on_word_boundaries():
    text = "The quick brown fox jumps over the lazy dog"
    out = shorten(text, 20)
    assert out.endswith("…") and len(out) <= 20 and text.startswith(out[:-1])
    assert shorten("short", 20) == "short"


def test_topic_content_is_structured_from_the_notes():
    content = content_from_topic("Functional programming with TypeScript", language=None, slides_count=8, index=INDEX)
    assert content.title == "Functional programming with TypeScript"
    assert content.language == "en"
    assert len(content.principles) >= 5 and content.concepts and content.quotes
    assert content.caption.startswith(content.title) and len(content.caption) <= 1024
    assert content.hashtags and all(h.startswith("#") and " " not in h for h in content.hashtags)
    assert "#typescript" in [h.lower() for h in content.hashtags]


def test_long_requests_blend_several_notes():
    content = content_from_topic("Functional programming with TypeScript", language="en", slides_count=20, index=INDEX)
    items = len(content.principles) + len(content.concepts) + len(content.quotes)
    assert items >= 18  # more than one note holds


def test_unknown_topic_still_gives_content():
    result = generate_content(
        AiContentRequested(request_id="r", user_id="u", topic="Sourdough bread baking", slides_count=5),
        settings=ContentSettings(),
    )
    assert result.provider == "offline" and result.content.principles
    assert result.content.title == "Sourdough bread baking"
