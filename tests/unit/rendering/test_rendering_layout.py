"""Geometry: safe margins, auto-fit, splitting instead of clipping."""

import pytest
from PIL import ImageChops

from image_renderer.rendering import DEFAULT_THEME, fit_slides, render_carousel, render_images
from image_renderer.rendering.background import base_image
from image_renderer.rendering.layout import language_of, layout_slide, slide_fits
from image_renderer.rendering.themes import get_theme
from vibecoder.content import Slide, SlideType

SIZES = [(1080, 1350), (1080, 1080), (1080, 1920)]


def _inside(box, outer):
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


def _layouts(slides, theme, size):
    lang = language_of(slides)
    return [layout_slide(s, i, len(slides), theme, size, "@BibleVibeCoderBot", lang) for i, s in enumerate(slides, 1)]


@pytest.mark.parametrize("size", SIZES)
def test_every_box_stays_inside_the_safe_margins(size, samples):
    theme = get_theme(DEFAULT_THEME)
    slides = fit_slides(samples.carousel(), theme, size)
    for lay in _layouts(slides, theme, size):
        assert lay.fits
        m = theme.sizes.margin * size[0] // 1080
        x0, y0, x1, y1 = lay.safe
        assert (x0, size[0] - x1) == (m, m) and y0 == size[1] - y1 >= m
        if size[1] > size[0] * 1.25:  # stories: clear of the app's overlays
            assert y0 >= 0.09 * size[1]
        for block in lay.blocks:
            assert _inside(block.box, lay.safe), (block.role, block.box, lay.safe)
        if lay.card:
            pad = theme.card.padding
            inner = (lay.card[0] + pad, lay.card[1] + pad, lay.card[2] - pad, lay.card[3] - pad)
            for block in lay.blocks:
                if block.role not in ("brand", "counter", "swipe", "progress"):
                    assert _inside(block.box, inner), (block.role, block.box, inner)


def test_nothing_is_drawn_outside_the_safe_area(samples):
    theme = get_theme(DEFAULT_THEME)
    slides = samples.carousel()
    images = render_images(slides)
    for img, lay in zip(images, _layouts(slides, theme, (1080, 1350))):
        diff = ImageChops.difference(img, base_image(theme, (1080, 1350), lay.card))
        x0, y0, x1, y1 = lay.safe
        w, h = img.size
        for strip in ((0, 0, w, y0), (0, y1, w, h), (0, 0, x0, h), (x1, 0, w, h)):
            assert diff.crop(strip).getbbox() is None
        assert diff.crop(lay.safe).getbbox() is not None  # and text was drawn inside


def test_auto_fit_shrinks_long_content(samples):
    theme = get_theme(DEFAULT_THEME)
    short = Slide(type=SlideType.PRINCIPLE, title="Pure functions", content=samples.EN)
    long = short.model_copy(update={"content": " ".join([samples.RU] * 3)})
    a = layout_slide(short, 1, 2, theme)
    b = layout_slide(long, 1, 2, theme)
    assert a.fits and b.fits
    assert b.body_size < a.body_size
    assert b.body_size >= theme.sizes.body[1]
    assert a.body_size == theme.sizes.body[0]


def test_content_too_long_for_one_slide_is_split_not_clipped(samples):
    theme = get_theme(DEFAULT_THEME)
    text = "\n".join([samples.RU, samples.EN] * 5)
    slide = Slide(type=SlideType.PRINCIPLE, title="Много текста", content=text, emoji="📚")
    assert not slide_fits(slide, theme, (1080, 1350))
    parts = fit_slides([slide], theme)
    assert len(parts) > 1
    assert all(slide_fits(p, theme, (1080, 1350)) for p in parts)
    assert " ".join(" ".join(p.content.split()) for p in parts) == " ".join(text.split())
    assert {p.title for p in parts} == {"Много текста"}
    rendered = render_carousel([Slide(type=SlideType.COVER, title="Hi"), slide])
    assert len(rendered) == 1 + len(parts)
    # Each image says which slide it was cut from.
    assert [(r.index, r.source) for r in rendered] == [(1, 1), *((2 + i, 2) for i in range(len(parts)))]


def test_split_code_keeps_lines_and_indentation():
    theme = get_theme(DEFAULT_THEME)
    code = "\n".join(f"def f{i}(x):\n    return x + {i}" for i in range(30))
    parts = fit_slides([Slide(type=SlideType.CODE, title="Code", content=code)], theme)
    assert len(parts) > 1
    assert "\n".join(p.content for p in parts) == code


def test_titles_shrink_rather_than_break_inside_a_word():
    theme = get_theme(DEFAULT_THEME)
    title = "Функциональное программирование"
    lay = layout_slide(Slide(type=SlideType.COVER, title=title, content="x"), 1, 2, theme)
    block = lay.block("title")
    lines = ["".join(p.text for p in ln.pieces) for ln in block.lines]
    assert lines == title.split()
    assert block.size < theme.sizes.cover_title[0]


def test_long_brand_shrinks_or_ellipsizes_before_the_counter():
    theme = get_theme(DEFAULT_THEME)
    brand = "@AVeryLongTelegramHandleThatGoesOnAndOnForeverAndEver_bot 🚀 and a tagline too"
    lay = layout_slide(Slide(title="T", content="x"), 3, 10, theme, (1080, 1350), brand)
    b, c = lay.block("brand"), lay.block("counter")
    assert b.box[2] < c.box[0]
    text = "".join(p.text for p in b.lines[0].pieces)
    assert text.endswith("…") and text.startswith("@AVeryLong")


def test_a_character_no_font_has_fails_the_render_and_names_it():
    from image_renderer.rendering.text import MissingGlyphError, missing_glyphs

    text = "abc \U000f0000 где"
    assert missing_glyphs(text, "inter") == ["\U000f0000"]
    slides = [Slide(title="Fine", content="x"), Slide(title="Broken", content=text)]
    with pytest.raises(MissingGlyphError, match="U\\+F0000") as err:
        render_carousel(slides)
    assert err.value.characters == ["\U000f0000"]


def test_explicit_language_picks_the_swipe_hint():
    from image_renderer.rendering import render_images

    slides = [Slide(title="Hello", content="English text"), Slide(title="Bye")]
    a = render_images(slides, lang="ru")[0]
    b = render_images(slides, lang="en")[0]
    assert ImageChops.difference(a, b).getbbox() is not None


@pytest.mark.parametrize("kind", list(SlideType), ids=lambda k: k.value)
def test_the_content_budget_fits_one_default_slide_in_every_theme(kind):
    """content.TITLE_MAX_CHARS / BODY_MAX_CHARS are what providers write to: at 1080x1350 such a
    slide must never need splitting (Telegram albums hold at most 10 photos)."""
    from image_renderer.rendering import list_themes
    from vibecoder.content import BODY_MAX_CHARS, TITLE_MAX_CHARS

    title = ("Функциональное программирование на практике: " * 3)[:TITLE_MAX_CHARS]
    bodies = [
        (
            "Неизменяемость данных означает, что после создания значение никогда не меняется; вместо изменения создаётся новая версия. "
            * 5
        )[:BODY_MAX_CHARS],
        (
            "Immutability means a value never changes after it is created; instead of mutating it, you build a new version. "
            * 5
        )[:BODY_MAX_CHARS],
    ]
    for name in list_themes():
        for body in bodies:
            slide = Slide(type=kind, title=title, content=body, emoji="🚀")
            assert slide_fits(slide, get_theme(name), (1080, 1350)), name


def test_split_fenced_code_keeps_the_fence_language_on_every_part():
    theme = get_theme(DEFAULT_THEME)
    body = "\n".join(f"const f{i} = (x) => x + {i};" for i in range(40))
    parts = fit_slides([Slide(type=SlideType.CODE, title="JS", content=f"```javascript\n{body}\n```")], theme)
    assert len(parts) > 1
    assert all(p.content.startswith("```javascript\n") and p.content.endswith("\n```") for p in parts)
    assert "\n".join(p.content[len("```javascript\n") : -len("\n```")] for p in parts) == body


def test_empty_input():
    from image_renderer.rendering import render_pdf

    assert render_carousel([]) == []
    with pytest.raises(ValueError):
        render_pdf([])


def test_a_title_starting_with_an_emoji_gets_no_second_emoji():
    theme = get_theme(DEFAULT_THEME)
    lay = layout_slide(Slide(type=SlideType.CONCEPT, title="🚀 Launch day", content="Body", emoji="✨"), 1, 2, theme)
    emoji_blocks = [b for b in lay.blocks if b.role == "emoji"]
    assert len(emoji_blocks) == 1
    from image_renderer.rendering.emoji import match

    assert emoji_blocks[0].gid == match("🚀", 0, frozenset())[1]  # the title's own emoji, drawn big
    assert "".join(p.text for ln in lay.block("title").lines for p in ln.pieces) == "Launch day"
    plain = layout_slide(Slide(type=SlideType.CONCEPT, title="Launch day", content="Body", emoji="✨"), 1, 2, theme)
    assert len([b for b in plain.blocks if b.role == "emoji"]) == 1


def test_stories_use_their_height():
    theme = get_theme(DEFAULT_THEME)
    slide = Slide(type=SlideType.PRINCIPLE, title="Pure functions", content="Same input, same output. " * 4)
    post = layout_slide(slide, 1, 2, theme, (1080, 1350))
    story = layout_slide(slide, 1, 2, theme, (1080, 1920))
    assert story.title_size > post.title_size and story.body_size > post.body_size
    share = lambda lay: (lay.card[3] - lay.card[1]) / (lay.safe[3] - lay.safe[1])  # noqa: E731
    assert share(story) >= 0.7 > 0.5 > share(post)  # no empty bands above and below the card


def test_code_is_readable_on_a_phone():
    theme = get_theme("dark")
    code = "def total(xs: list[int]) -> int:\n    # the sum of squares\n    return sum(x * x for x in xs)"
    lay = layout_slide(Slide(type=SlideType.CODE, title="In code", content=code), 1, 2, theme)
    assert lay.block("code").size >= 30  # px on a 1080 px slide (it was 22)
