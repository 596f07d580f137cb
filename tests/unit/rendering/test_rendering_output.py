"""Given slides, when rendered, then real JPEG/PNG images come out with counters and hints."""

import io

import pytest
from PIL import Image, ImageChops, ImageFont

from image_renderer.rendering import DEFAULT_THEME, list_themes, render_carousel, render_images
from image_renderer.rendering.fonts import loaded_layout_engines
from image_renderer.rendering.layout import language_of, layout_slide
from image_renderer.rendering.themes import get_theme


@pytest.fixture(scope="module")
def rendered(samples):
    return render_carousel(samples.carousel())


def test_default_theme_is_glass_and_listed():
    assert DEFAULT_THEME == "glass"
    assert list_themes()[0] == "glass"


def test_output_decodes_as_jpeg_1080x1350(rendered):
    assert [r.index for r in rendered] == list(range(1, len(rendered) + 1))
    for r in rendered:
        assert (r.content_type, r.extension, r.width, r.height) == ("image/jpeg", "jpg", 1080, 1350)
        img = Image.open(io.BytesIO(r.data))
        assert img.format == "JPEG" and img.size == (1080, 1350) and img.mode == "RGB"
        img.load()
        # Not a blank image: the slide has real contrast (text on a background).
        lo, hi = img.convert("L").getextrema()
        assert hi - lo > 150


def test_png_output(samples):
    [r] = render_carousel(samples.carousel()[:1], image_format="png")
    img = Image.open(io.BytesIO(r.data))
    assert (img.format, r.content_type, r.extension, img.size) == ("PNG", "image/png", "png", (1080, 1350))


def test_unknown_theme_lists_valid_ones(samples):
    with pytest.raises(ValueError) as err:
        render_carousel(samples.carousel(), theme="no-such-theme")
    assert "no-such-theme" in str(err.value)
    for name in list_themes():
        assert name in str(err.value)


def test_unknown_format_rejected(samples):
    with pytest.raises(ValueError, match="format"):
        render_carousel(samples.carousel()[:1], image_format="gif")


def test_every_font_uses_the_raqm_layout_engine(rendered):
    # HarfBuzz shaping and FriBiDi for every run: the engine the Lambda asset ships (see test_engine).
    assert loaded_layout_engines() == {ImageFont.Layout.RAQM}


def test_counter_swipe_hint_and_brand_on_every_slide(samples):
    slides = samples.carousel()
    theme = get_theme(DEFAULT_THEME)
    lang = language_of(slides)
    for i, s in enumerate(slides, 1):
        lay = layout_slide(s, i, len(slides), theme, (1080, 1350), "@BibleVibeCoderBot", lang)
        counter = lay.block("counter")
        assert "".join(p.text for p in counter.lines[0].pieces) == f"{i}/{len(slides)}"
        assert "".join(p.text for p in lay.block("brand").lines[0].pieces) == "@BibleVibeCoderBot"
        swipe = lay.block("swipe")
        assert (swipe is None) == (i == len(slides))


def test_swipe_hint_follows_the_carousel_language(samples):
    theme = get_theme(DEFAULT_THEME)
    ru = [
        s.model_copy(update={"title": "Заголовок", "content": "Текст на русском языке"}) for s in samples.carousel()[:2]
    ]
    en = [s.model_copy(update={"title": "Title", "content": "Text in English"}) for s in samples.carousel()[:2]]
    text = lambda slides: "".join(  # noqa: E731
        p.text
        for p in layout_slide(slides[0], 1, 2, theme, (1080, 1350), "", language_of(slides))
        .block("swipe")
        .lines[0]
        .pieces
    )
    assert text(ru) == theme.swipe_text["ru"] and text(en) == theme.swipe_text["en"]


def test_colour_emoji_is_drawn_in_colour(samples):
    slides = samples.carousel()[:1]  # 🚀: red, blue and grey
    img = render_images(slides)[0]
    lay = layout_slide(slides[0], 1, 1, get_theme(DEFAULT_THEME), (1080, 1350), "@BibleVibeCoderBot", "en")
    region = img.crop(lay.block("emoji").box)
    r, g, b = region.split()
    # Strongly red pixels exist (the rocket's fins); the background has none.
    red = ImageChops.subtract(r, ImageChops.lighter(g, b))
    assert red.getextrema()[1] > 120


def test_other_sizes(samples):
    for size in ((1080, 1080), (1080, 1920)):
        [r] = render_carousel(samples.carousel()[:1], size=size)
        assert Image.open(io.BytesIO(r.data)).size == size
