"""build_slides honours the count and the budgets and never repeats a slide."""

from __future__ import annotations

import itertools
import re

import pytest

from ai_content.logic import ContentSettings, knowledge_index
from ai_content.offline import content_from_topic
from carousel_generator.slides import build_slides, shorten, shorten_code
from vibecoder.content import (
    BODY_MAX_CHARS,
    MAX_SLIDES,
    TITLE_MAX_CHARS,
    CarouselContent,
    Concept,
    Principle,
    Quote,
    SlideType,
)

INDEX = knowledge_index(ContentSettings())


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def assert_valid(slides, count):
    assert len(slides) == count
    assert slides[0].type is SlideType.COVER
    if count >= 3:
        assert slides[-1].type is SlideType.SUMMARY
    pairs = [(_key(s.title), _key(s.content)) for s in slides]
    assert len(pairs) == len(set(pairs)), pairs
    bodies = [b for _, b in pairs if b]
    assert len(bodies) == len(set(bodies)), bodies
    for s in slides:
        assert 0 < len(s.title) <= TITLE_MAX_CHARS
        assert len(s.content) <= BODY_MAX_CHARS


RICH = content_from_topic("Functional programming with TypeScript", language="en", slides_count=10, index=INDEX)
RICH_RU = content_from_topic("Чистая архитектура", language="ru", slides_count=10, index=INDEX)
EMPTY = CarouselContent(title="Nothing much")
TINY = CarouselContent(
    title="Tiny",
    language="ru",
    principles=[Principle(title="Одно", description="Единственный принцип.")],
    keywords=["один", "два"],
    summary="Коротко.",
)
LONGWINDED = CarouselContent(
    title="A title that goes on and on and on well past the seventy character budget of a slide",
    subtitle="word " * 100,
    principles=[Principle(title="P" * 10 + " " + "long " * 30, description="lorem ipsum " * 60)],
    quotes=[Quote(text="quoted words " * 50)],
    concepts=[Concept(term="Code", definition="x", code="\n".join(f"line_{i} = {i} * {i}" for i in range(40)))],
    summary="end " * 100,
)


@pytest.mark.parametrize("content", [RICH, RICH_RU, EMPTY, TINY, LONGWINDED], ids=["rich", "rich-ru", "empty", "tiny", "long"])
@pytest.mark.parametrize("count", range(1, MAX_SLIDES + 1))
def test_count_budgets_and_no_repeats(content, count):
    assert_valid(build_slides(content, count), count)


def test_rich_content_uses_principles_concepts_code_and_quotes():
    slides = build_slides(RICH, 8)
    types = [s.type for s in slides]
    assert types.count(SlideType.PRINCIPLE) >= 3
    assert SlideType.QUOTE in types
    assert SlideType.CODE in types or SlideType.CONCEPT in types
    quote = next(s for s in slides if s.type is SlideType.QUOTE)
    assert quote.title in {q.author for q in RICH.quotes}
    assert quote.content in {q.text for q in RICH.quotes}


def test_cover_and_summary():
    slides = build_slides(RICH, 5)
    assert slides[0].title == RICH.title and slides[0].content == RICH.subtitle and slides[0].emoji == RICH.emoji
    assert slides[-1].content == RICH.summary


def test_quote_without_author_gets_a_label():
    content = CarouselContent(title="T", language="ru", quotes=[Quote(text="Без автора.")])
    assert build_slides(content, 3)[1].title == "Цитата"


def test_code_slide_for_a_concept_with_code():
    content = CarouselContent(title="T", concepts=[Concept(term="Pure", definition="No effects.", code="f = lambda x: x")])
    slides = build_slides(content, 4)
    assert slides[1].type is SlideType.CODE and slides[1].content == "f = lambda x: x"
    assert any(s.type is SlideType.CONCEPT and s.content == "No effects." for s in slides)


def test_shorten_on_word_boundaries():
    out = shorten("alpha beta gamma delta epsilon", 17)
    assert out == "alpha beta gamma…" or out == "alpha beta…"
    assert len(out) <= 17
    for limit in range(5, 60):
        text = "Functional programming builds software from pure functions and immutable data."
        out = shorten(text, limit)
        assert len(out) <= limit
        assert text.startswith(out.rstrip("…"))
        if out != text:
            cut = out.rstrip("…")
            assert " " not in text[: limit // 3] or text[len(cut)] in " ,."


def test_shorten_code_keeps_whole_lines():
    code = "\n".join(f"value_{i} = {i}" for i in range(60))
    out = shorten_code(code, 120)
    assert len(out) <= 120 and out.endswith("\n…")
    assert all(line in code.splitlines() for line in out.splitlines()[:-1])


def test_two_quotes_by_the_same_author_are_both_kept():
    content = CarouselContent(title="T", quotes=[Quote(text="One.", author="Kent Beck"), Quote(text="Two.", author="Kent Beck")])
    slides = build_slides(content, 4)
    assert [s.content for s in slides if s.type is SlideType.QUOTE] == ["One.", "Two."]


def test_all_counts_all_notes_quick_sweep():
    for note, count in itertools.product(INDEX.notes, (3, 7, 12)):
        content = content_from_topic(note.title, language=note.language, slides_count=count, index=INDEX)
        assert_valid(build_slides(content, count), count)
