"""The carousel renderer: Pillow only, no browser.

    from image_renderer.rendering import render_carousel, render_pdf, list_themes, DEFAULT_THEME
    slides = render_carousel(slides, theme="glass", size=(1080, 1350), image_format="jpeg")

Layout engine: every font is loaded with Pillow's BASIC layout, never raqm. Pillow's wheels
carry raqm but need the system's FriBiDi, which AWS Lambda lacks, so raqm would make the deployed
layout differ from the tested one. BASIC handles Cyrillic and Latin fully; the only shaping we
need, colour emoji sequences (flags, skin tones, keycaps, ZWJ such as 👩‍💻), is done by reading
Noto Color Emoji's own GSUB ligatures and CBDT bitmaps (``otf.py``, ``emoji.py``). The tests
assert the BASIC engine is what renders, so tests and Lambda draw the same pixels.

Modules: ``otf`` (OpenType tables), ``fonts`` (bundled fonts), ``emoji`` (colour emoji),
``text`` (runs, line breaking), ``themes`` + ``themes.json`` (themes as data), ``background``
(cached gradients, glass cards, shadows), ``layout`` (geometry, auto-fit, splitting), ``code``
(Pygments), ``render`` (drawing and encoding).
"""

from __future__ import annotations

from .layout import SlideLayout, fit_slides, layout_slide
from .render import SIZES, RenderedSlide, render_carousel, render_images, render_pdf
from .themes import DEFAULT_THEME, get_theme, list_themes

__all__ = [
    "DEFAULT_THEME",
    "SIZES",
    "RenderedSlide",
    "SlideLayout",
    "fit_slides",
    "get_theme",
    "layout_slide",
    "list_themes",
    "render_carousel",
    "render_images",
    "render_pdf",
]
