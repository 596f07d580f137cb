"""build_slides keeps the provider's order, never pads, never repeats, and holds the hard limits."""

from __future__ import annotations

import pytest

from carousel_generator.slides import build_slides, shorten, shorten_code
from vibecoder.content import BODY_MAX_CHARS, MAX_SLIDES, TITLE_MAX_CHARS, CarouselContent, Slide, SlideType


def point(title: str, body: str = "A body.", kind: SlideType = SlideType.PRINCIPLE) -> Slide:
    return Slide(type=kind, title=title, content=body)


def content(*slides: Slide, closing: bool = True) -> CarouselContent:
    body = [*slides, *([Slide(type=SlideType.SUMMARY, title="Key takeaways", content="All of it, briefly.")] if closing else [])]
    return CarouselContent(title="Seven habits", subtitle="A hook.", emoji="✨", slides=body)


FIVE = [point(f"Habit {n}", f"What habit {n} means.") for n in range(1, 6)]


def test_the_cover_then_the_providers_slides_in_order_then_the_closing_slide():
    slides = build_slides(content(*FIVE), 7)
    assert [s.type for s in slides] == [SlideType.COVER, *[SlideType.PRINCIPLE] * 5, SlideType.SUMMARY]
    assert (slides[0].title, slides[0].content, slides[0].emoji) == ("Seven habits", "A hook.", "✨")
    assert [s.title for s in slides[1:-1]] == [f"Habit {n}" for n in range(1, 6)]


def test_a_short_answer_gives_a_shorter_carousel_never_a_padded_one():
    slides = build_slides(content(*FIVE[:2]), 8)
    assert [s.title for s in slides] == ["Seven habits", "Habit 1", "Habit 2", "Key takeaways"]


@pytest.mark.parametrize(("count", "titles"), [(1, ["Seven habits"]), (2, ["Seven habits", "Habit 1"])])
def test_one_or_two_slides(count, titles):
    assert [s.title for s in build_slides(content(*FIVE), count)] == titles


def test_two_slides_of_content_with_only_a_closing_slide_keep_it():
    assert [s.title for s in build_slides(content(), 2)] == ["Seven habits", "Key takeaways"]


def test_repeats_are_dropped_and_a_body_that_only_repeats_its_title_goes():
    slides = build_slides(content(point("Same", "Body."), point("Same", "Body."), point("Other", "Body."),
                                  point("Echo", "Echo")), 10)
    assert [(s.title, s.content) for s in slides[1:-1]] == [("Same", "Body."), ("Echo", "")]


def test_the_hard_limits_hold_whatever_the_provider_sent():
    long = content(point("word " * 40, "lorem ipsum " * 60),
                   Slide(type=SlideType.CODE, title="Code", content="\n".join(f"line_{i} = {i} * {i}" for i in range(60))))
    for s in build_slides(long, 5):
        assert len(s.title) <= TITLE_MAX_CHARS and len(s.content) <= BODY_MAX_CHARS
    code = build_slides(long, 5)[2].content
    assert code.endswith("…") and all(line.startswith("line_") for line in code.splitlines()[:-1])


def test_never_more_than_the_maximum():
    many = content(*[point(f"P{n}", f"Body {n}.") for n in range(40)])
    slides = build_slides(many, MAX_SLIDES)
    assert len(slides) == MAX_SLIDES and slides[-1].type is SlideType.SUMMARY


def test_the_seeds_slide_types_are_read():
    assert Slide.model_validate({"type": "title", "title": "Cover"}).type is SlideType.COVER
    practice = Slide.model_validate({"type": "practice", "title": "Try it", "content": "Write one test."})
    assert practice.type is SlideType.PRACTICE
    assert build_slides(content(practice), 3)[1].type is SlideType.PRACTICE


def test_a_slides_json_with_the_seeds_types_is_read_for_local_render():
    from local.render import SlidesFile

    spec = SlidesFile.model_validate({"slides": [{"type": "title", "title": "Cover"},
                                                 {"type": "practice", "title": "Try", "content": "Now."}]})
    assert [s.type for s in spec.slides] == [SlideType.COVER, SlideType.PRACTICE]


def test_shorten_helpers():
    text = "The quick brown fox jumps over the lazy dog"
    cut = shorten(text, 20)
    assert cut.endswith("…") and len(cut) <= 20 and text.startswith(cut[:-1]) and text[len(cut) - 1] == " "
    assert shorten("short", 20) == "short"
    assert shorten_code("a = 1\nb = 2", 100) == "a = 1\nb = 2"
