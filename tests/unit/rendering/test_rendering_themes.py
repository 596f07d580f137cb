"""Every theme x slide type x language: margins, contrast (WCAG AA), glyphs; plus PDF and sizes."""

import io
import re

import pytest
from PIL import Image, ImageChops

from image_renderer.rendering import SIZES, fit_slides, list_themes, render_carousel, render_images, render_pdf
from image_renderer.rendering.background import base_image
from image_renderer.rendering.layout import layout_slide
from image_renderer.rendering.render import draw_layout
from image_renderer.rendering.text import EMOJI, missing_glyphs
from image_renderer.rendering.themes import get_theme
from vibecoder.content import SlideType

THEMES = list_themes()
TYPES = list(SlideType)
LANGS = ["ru", "en", "emoji"]
TEXT_ROLES = {"title", "body", "quote", "author", "code", "brand", "counter", "swipe"}


def _lum(rgb):
    def ch(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb[:3]
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def contrast(a, b):
    la, lb = sorted((_lum(a), _lum(b)))
    return (lb + 0.05) / (la + 0.05)


def _inside(box, outer):
    return outer[0] <= box[0] and outer[1] <= box[1] and box[2] <= outer[2] and box[3] <= outer[3]


def worst_text_contrast(lay, base, roles) -> float:
    """The lowest WCAG contrast between any non-emoji piece of text of ``roles`` and the pixels under
    it in ``base`` (sampled in 12 x 8 px cells); every glyph has a font and stays in the safe area."""
    worst = 99.0
    for block in lay.blocks:
        if block.role not in roles:
            continue
        assert missing_glyphs("".join(p.text for ln in block.lines for p in ln.pieces), block.font) == []
        for line, x, baseline in zip(block.lines, block.xs, block.baselines):
            px = x
            for piece in line.pieces:
                if piece.font != EMOJI and piece.text.strip():
                    box = (
                        round(px),
                        round(baseline - block.size * 0.75),
                        round(px + piece.width),
                        round(baseline + block.size * 0.2),
                    )
                    assert _inside(box, lay.safe)
                    w, h = box[2] - box[0], box[3] - box[1]
                    under = base.crop(box).resize((max(1, w // 12), max(1, h // 8)), Image.Resampling.BOX)
                    color = piece.color or block.color
                    for pixel in set(under.get_flattened_data()):
                        worst = min(worst, contrast(color, pixel))
                px += piece.width
    return worst


def test_at_least_six_themes_including_the_seed_styles():
    assert len(THEMES) >= 6
    assert {"glass", "minimal", "vibrant", "professional", "dark", "gradient"} <= set(THEMES)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", TYPES, ids=lambda k: k.value)
@pytest.mark.parametrize("theme_name", THEMES)
def test_margins_contrast_and_glyphs(theme_name, kind, lang, samples):
    theme = get_theme(theme_name)
    size = (1080, 1350)
    slide = samples.slide(kind, lang)
    [fitted] = fit_slides([slide], theme, size)  # these samples fit on one slide
    lay = layout_slide(fitted, 2, 3, theme, size, "@BibleVibeCoderBot 📖", "ru" if lang == "ru" else "en")
    assert lay.fits
    base = draw_layout(lay, with_text=False)  # background, card, code panel: what is under the text
    for block in lay.blocks:
        assert _inside(block.box, lay.safe), (block.role, block.box)
    worst = worst_text_contrast(lay, base, TEXT_ROLES)
    assert worst >= 4.5, f"{theme_name}/{kind.value}/{lang}: contrast {worst:.2f} < 4.5"


@pytest.mark.parametrize("theme_name", THEMES)
def test_nothing_drawn_outside_safe_area_in_any_theme(theme_name, samples):
    theme = get_theme(theme_name)
    slides = samples.carousel()
    # Every theme in one size (rotating, so all sizes are covered across themes; glass is
    # checked in every size in test_rendering_layout).
    for size in (SIZES[THEMES.index(theme_name) % len(SIZES)],):
        images = render_images(slides, theme=theme_name, size=size)
        fitted = fit_slides(slides, theme, size)
        assert len(images) == len(fitted)
        for i, (img, s) in enumerate(zip(images, fitted), 1):
            lay = layout_slide(s, i, len(fitted), theme, size, "@BibleVibeCoderBot", "ru")
            diff = ImageChops.difference(img, base_image(theme, size, lay.card))
            x0, y0, x1, y1 = lay.safe
            w, h = size
            for strip in ((0, 0, w, y0), (0, y1, w, h), (0, 0, x0, h), (x1, 0, w, h)):
                assert diff.crop(strip).getbbox() is None, (theme_name, size, i)


def test_code_token_colours_meet_aa_on_the_code_panel():
    for name in THEMES:
        c = get_theme(name).colors
        for role, colour in {**c.code_tokens, "text": c.code_text}.items():
            assert contrast(colour, c.code_bg) >= 4.5, (name, role)


def test_code_slide_is_highlighted_in_the_mono_font(samples):
    theme = get_theme("glass")
    slide = samples.slide(SlideType.CODE, "en")
    lay = layout_slide(slide, 1, 2, theme)
    code = lay.block("code")
    assert code.font == theme.fonts.code
    colours = {p.color for ln in code.lines for p in ln.pieces if p.text.strip()}
    tokens = theme.colors.code_tokens
    assert {
        tokens["keyword"],
        tokens["function"],
        tokens["comment"],
        tokens["number"],
        theme.colors.code_text,
    } <= colours
    # Indentation survives: the body of `def` starts 4 columns in.
    texts = ["".join(p.text for p in ln.pieces) for ln in code.lines]
    assert any(t.startswith("    return") for t in texts)


def test_long_code_lines_wrap_inside_the_panel():
    from vibecoder.content import Slide

    theme = get_theme("glass")
    line = "result = compose(" + ", ".join(f"step_{i}" for i in range(40)) + ")"
    lay = layout_slide(Slide(type=SlideType.CODE, title="Wide", content=line), 1, 2, theme)
    code, panel = lay.block("code"), lay.block("code-panel")
    assert len(code.lines) > 1
    assert code.size >= theme.sizes.code[1]
    assert _inside(code.box, panel.box)


def test_pdf_has_one_page_per_slide(samples):
    slides = samples.carousel()
    pdf = render_pdf(slides, theme="minimal")
    assert pdf.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert pages == len(fit_slides(slides, get_theme("minimal")))
    assert pdf.count(b"/DCTDecode") >= pages


@pytest.mark.parametrize("size", SIZES)
def test_png_and_jpeg_in_every_size(size, samples):
    for fmt, kind in (("jpeg", "JPEG"), ("png", "PNG")):
        [r] = render_carousel(samples.carousel()[1:2], theme="dark", size=size, image_format=fmt)
        img = Image.open(io.BytesIO(r.data))
        assert (img.format, img.size, (r.width, r.height)) == (kind, size, size)
