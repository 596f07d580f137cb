"""Retrieval by topic picks the right notes, in the user's language."""

from __future__ import annotations

import pytest

from ai_content.logic import ContentSettings, generate_content, knowledge_index
from ai_content.text import detect_language, fit_text, shorten, stem, tokens
from ai_content.topic import NotCovered, content_from_topic
from vibecoder.content import TEXT_BUDGETS, SlideType
from vibecoder.events.models import AiContentRequested

INDEX = knowledge_index(ContentSettings())


def topic(query: str, *, slides_count: int, language: str | None = None):
    return content_from_topic(query, language=language, slides_count=slides_count, index=INDEX,
                              budget=TEXT_BUDGETS["4:5"])


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
    [("Функциональное программирование", "ru"), ("Clean code", "en"), ("TDD на практике", "ru"), ("", "en"), ("123", "en"),
     ("Як писати хороші коміти", "uk"), ("Testgetriebene Entwicklung mit Python", "de"),
     ("Cómo hacer una buena revisión de código", "es"), ("La programmation fonctionnelle pour les débutants", "fr"),
     ("Docker multi-stage builds", "en"), ("日本語のテキスト", "ja"), ("Git rebase oder merge", "de")],
)
def test_language_detection(text, lang):
    assert detect_language(text) == lang


def test_user_choice_beats_detection():
    request = AiContentRequested(request_id="r", user_id="u", topic="Функциональное программирование", language="en")
    result = generate_content(request, settings=ContentSettings())
    assert result.content.language == "en"
    assert all(not any("а" <= ch <= "я" for ch in s.title.lower()) for s in result.content.slides)


def test_stemming_meets_word_forms():
    assert stem("тесты") == stem("тестов") == stem("тестами")
    assert stem("testing") == stem("tests") == stem("tested") == "test"
    assert "функц" in "".join(tokens("функции"))


def test_shorten_cuts_on_word_boundaries():
    text = "The quick brown fox jumps over the lazy dog"
    out = shorten(text, 20)
    assert out.endswith("…") and len(out) <= 20 and text.startswith(out[:-1])
    assert shorten("short", 20) == "short"


@pytest.mark.parametrize(("limit", "expected"), [
    (200, "First sentence here. Second one, with a clause; and more."),
    (40, "First sentence here."),
    (12, "First…"),
])
def test_fit_text_keeps_whole_sentences_then_clauses_and_marks_a_word_cut(limit, expected):
    assert fit_text("First sentence here. Second one, with a clause; and more.", limit) == expected
    assert fit_text("One very long opening clause of many words, then another clause after it.", 50) == \
        "One very long opening clause of many words."


def test_topic_content_is_structured_from_the_notes():
    content = topic("Functional programming with TypeScript", slides_count=8)
    assert content.title == "Functional programming with TypeScript"
    assert content.language == "en" and content.format == "principles"
    kinds = {s.type for s in content.slides}
    assert {SlideType.PRINCIPLE, SlideType.CONCEPT, SlideType.SUMMARY} <= kinds
    assert len(content.slides) == 8 - 1  # six content slides and the closing one
    assert content.caption.startswith(content.title) and len(content.caption) <= 1024
    assert content.hashtags and all(h.startswith("#") and " " not in h for h in content.hashtags)
    assert "#typescript" in [h.lower() for h in content.hashtags]


@pytest.mark.parametrize(("query", "first"), [
    ("Git rebase vs merge", "rebase"),
    ("Domain-driven design aggregates", "aggregate"),
    ("TDD in Python with pytest", "pytest"),
])
def test_the_items_come_ranked_by_what_was_asked(query, first):
    lead = topic(query, slides_count=5).slides[0]
    assert first in f"{lead.title} {lead.content}".lower()


def test_a_subject_asked_by_its_name_keeps_its_notes_order():
    titles = [s.title for s in topic("Test-Driven Development", slides_count=5).slides]
    assert titles[0].startswith("Red") and titles[1].startswith("Green")


@pytest.mark.parametrize("query", [
    "How to price a freelance design project", "Docker multi-stage builds", "Kubernetes for beginners",
    "Психология выгорания у программистов", "Дизайн логотипа для стартапа", "Sourdough bread baking",
])
def test_a_topic_the_notes_do_not_cover_gets_an_honest_no(query):
    answer = topic(query, slides_count=5)
    assert isinstance(answer, NotCovered) and answer.reason == "topic_not_covered"
    assert len(answer.subjects) >= 15  # what the notes do cover, for the user, in the topic's language
    russian = detect_language(query) == "ru"
    assert ("Чистая архитектура" if russian else "Clean Architecture") in answer.subjects


def test_one_weak_shared_word_is_not_coverage():
    ddd = next(n for n in INDEX.notes if n.id == "ddd-en")
    assert INDEX.coverage("How to price a freelance design project", ddd) < 0.3
    assert INDEX.coverage("Domain-driven design aggregates", ddd) > 0.8
    assert INDEX.covering("Clean architecture for serverless apps", language="en")[0].note.topic == "clean-architecture"


def test_a_topic_in_a_language_the_notes_are_not_in_is_not_covered_unless_lang_is_chosen():
    answer = topic("Git rebase oder merge im Team", slides_count=5)
    assert isinstance(answer, NotCovered) and "not written in de" in answer.reason
    chosen = topic("Git rebase oder merge im Team", slides_count=5, language="en")
    assert chosen.language == "en" and "rebase" in chosen.slides[0].content.lower() + chosen.slides[0].title.lower()


def test_generate_content_reports_not_covered_without_content():
    result = generate_content(AiContentRequested(request_id="r", user_id="u", topic="Sourdough bread baking",
                                                 slides_count=5), settings=ContentSettings())
    assert result.content is None and result.provider == "offline"
    assert result.failure == "topic_not_covered" and result.covered_subjects
