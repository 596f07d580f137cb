"""Offline quality over many topics (ru and en): on topic, no repeats, within budget, the right count."""

from __future__ import annotations

import re

import pytest

from ai_content.finishing import topic_title
from ai_content.logic import ContentSettings, generate_content, knowledge_index
from ai_content.text import tokens
from carousel_generator.slides import build_slides
from vibecoder.content import TEXT_BUDGETS, TITLE_MAX_CHARS, SlideType, cover_body_budget
from vibecoder.events.models import AiContentRequested

INDEX = knowledge_index(ContentSettings())

# (topic, expected language, expected subject of the main note, slides)
TOPICS = [
    ("Functional Programming with TypeScript", "en", "typescript-fp", 7),
    ("Vibe coding: how to build apps with AI", "en", "vibe-coding", 5),
    ("TDD in Python with pytest", "en", "tdd", 6),
    ("Clean architecture for serverless apps", "en", "clean-architecture", 8),
    ("AWS Lambda best practices", "en", "serverless", 10),
    ("Event sourcing and event-driven design", "en", "event-driven-architecture", 6),
    ("How to refactor legacy code", "en", "refactoring", 5),
    ("How to do code reviews", "en", "code-review", 7),
    ("Domain-driven design aggregates", "en", "ddd", 5),
    ("Unit vs integration tests", "en", "testing-pyramid", 6),
    ("SOLID principles", "en", "solid", 7),
    ("Prompt engineering for developers", "en", "prompt-engineering", 5),
    ("CI/CD with GitHub Actions", "en", "ci-cd", 6),
    ("Pure functions and immutability", "en", "functional-programming", 9),
    ("AI-assisted development: Copilot and agents", "en", "ai-assisted-development", 5),
    ("Technical debt", "en", "refactoring", 4),
    ("Kafka and message queues", "en", "event-driven-architecture", 5),
    ("Logging, metrics and tracing", "en", "observability", 6),
    ("Microservices vs monolith", "en", "microservices", 6),
    ("Git branching and commit messages", "en", "git-workflow", 5),
    ("Функциональное программирование на TypeScript", "ru", "typescript-fp", 7),
    ("Вайб-кодинг с Cursor", "ru", "vibe-coding", 5),
    ("Разработка через тестирование", "ru", "tdd", 6),
    ("Чистая архитектура", "ru", "clean-architecture", 5),
    ("Бессерверные приложения на AWS Lambda", "ru", "serverless", 8),
    ("Событийная архитектура", "ru", "event-driven-architecture", 6),
    ("Чистый код и рефакторинг", "ru", "refactoring", 5),
    ("Как проводить код-ревью", "ru", "code-review", 7),
    ("Предметно-ориентированное проектирование", "ru", "ddd", 5),
    ("Пирамида тестирования", "ru", "testing-pyramid", 6),
    ("Принципы SOLID в Python", "ru", "solid", 5),
    ("Как писать промпты для нейросетей", "ru", "prompt-engineering", 6),
    ("Непрерывная интеграция и деплой", "ru", "ci-cd", 5),
    ("ИИ-ассистенты в разработке", "ru", "ai-assisted-development", 10),
    ("Чистые функции и неизменяемость", "ru", "functional-programming", 5),
    ("Как выучить новый язык программирования", "ru", "learning-new-tech", 5),
    ("Мониторинг и логирование", "ru", "observability", 6),
    ("Микросервисы или монолит", "ru", "microservices", 7),
    ("Как писать хорошие коммиты в Git", "ru", "git-workflow", 5),
]
CONTENT_TYPES = {SlideType.PRINCIPLE, SlideType.CONCEPT, SlideType.CODE, SlideType.QUOTE}
BUDGET = TEXT_BUDGETS["4:5"]


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _vocabulary(topic: str, subject: str, language: str) -> set[str]:
    """Terms that make a slide "on topic": the topic's own and its subject's title, tags and hook."""
    terms = set(tokens(topic))
    for note in INDEX.notes:
        if note.topic == subject:
            terms |= set(tokens(" ".join([note.title, *note.tags, *note.keywords, note.intro])))
    return terms


def test_the_set_is_big_enough():
    assert len(TOPICS) >= 20
    assert {lang for _, lang, _, _ in TOPICS} == {"ru", "en"}


@pytest.mark.parametrize(("topic", "language", "subject", "count"), TOPICS, ids=[t[0][:40] for t in TOPICS])
def test_topic_carousel_quality(topic, language, subject, count):
    request = AiContentRequested(request_id="q", user_id="u", topic=topic, slides_count=count)
    result = generate_content(request, settings=ContentSettings())
    content = result.content
    assert result.provider == "offline" and content.language == language

    hits = INDEX.covering(topic, language=language)
    assert hits and hits[0].note.topic == subject, [(h.note.id, round(h.coverage, 2)) for h in hits[:3]]

    slides = build_slides(content, count)
    # The requested count (the notes hold enough), a cover first and a summary last.
    assert len(slides) == count
    assert slides[0].type is SlideType.COVER and slides[0].title == topic_title(topic, TITLE_MAX_CHARS)
    assert slides[-1].type is SlideType.SUMMARY
    # Within the renderer's text budget: drawn without shrinking.
    for s in slides[1:]:
        limit = BUDGET.quote if s.type is SlideType.QUOTE else BUDGET.body
        assert 0 < len(s.title) <= BUDGET.title or s.type is SlideType.QUOTE, s.title
        assert len(s.content) <= limit or s.type is SlideType.CODE, s
    assert len(slides[0].content) <= cover_body_budget(BUDGET, slides[0].title)
    # No two slides repeat: not the same title and body, not the same body, not the same title
    # (except quotes by one author, a concept's code after its definition, and a definition of the very
    # term on the cover).
    pairs = [(_key(s.title), _key(s.content)) for s in slides]
    assert len(set(pairs)) == count
    bodies = [b for _, b in pairs if b]
    assert len(set(bodies)) == len(bodies)
    titles = [_key(s.title) for s in slides[1:] if s.type not in (SlideType.QUOTE, SlideType.CODE)]
    assert len(set(titles)) == len(titles)
    # On topic: every content slide comes from a covering note, and most share terms with the topic
    # or its subject's title, tags and hook (a principle may say "one file at a time" without
    # naming the subject).
    middle = [s for s in slides if s.type in CONTENT_TYPES]
    assert len(middle) == count - 2
    matched = [n for n in INDEX.notes if n.topic in {h.note.topic for h in hits} and n.language == language]
    for s in middle:
        sources = {p.title: p.description for n in matched for p in n.principles}
        sources |= {c.term: c.definition for n in matched for c in n.concepts}
        sources |= {q.text: q.text for n in matched for q in n.quotes}
        assert s.title in sources or s.content in sources, s
    vocabulary = _vocabulary(topic, subject, language)
    on_topic = [s for s in middle if s.type is SlideType.QUOTE or set(tokens(f"{s.title} {s.content}")) & vocabulary]
    assert len(on_topic) > 0.5 * len(middle), [s.title for s in middle if s not in on_topic]
    # Written in the requested language (quotes' author names aside).
    for s in middle:
        text = f"{s.title} {s.content}" if s.type is not SlideType.CODE else s.title
        cyrillic = len(re.findall(r"[А-Яа-яЁё]", text))
        latin = len(re.findall(r"[A-Za-z]", text))
        if language == "ru" and s.type is not SlideType.CODE:
            assert cyrillic >= latin, s
        if language == "en":
            assert cyrillic == 0, s
    # A usable caption.
    assert content.caption.startswith(content.title) and len(content.caption) <= 1024
    assert content.hashtags and all(re.fullmatch(r"#\w+", h) for h in content.hashtags)
