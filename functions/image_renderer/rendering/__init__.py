"""The carousel renderer: Pillow only, no browser.

    from image_renderer.rendering import render_carousel, render_pdf, list_themes, DEFAULT_THEME
    slides = render_carousel(slides, theme="glass", size=(1080, 1350), image_format="jpeg")

Layout engine: Pillow's raqm layout (HarfBuzz shaping, FriBiDi) for every font, with FriBiDi shipped
in the renderer's asset (``native/<machine>/``, Debian's build, pinned) and loaded before Pillow's
font module, because Lambda's image has no FriBiDi of its own (:mod:`.native`). Tests and Lambda
therefore run the same Pillow, raqm, HarfBuzz and FriBiDi, and the tests assert it. Text is cut into
clusters, font runs (the theme's font, then Noto per script) and bidi levels, broken into lines
(spaces, CJK, Thai) and drawn run by run in visual order (:mod:`.text`); a character no font has
fails the render with :class:`MissingGlyphError`. Colour emoji sequences come from Noto Color
Emoji's own ligatures and bitmaps (``otf.py``, ``emoji.py``).

Modules: ``native`` (FriBiDi), ``otf`` (OpenType tables), ``fonts`` (fonts and fallback stacks),
``emoji`` (colour emoji), ``text`` (clusters, runs, bidi, line breaking), ``themes`` + ``themes.json``
(themes as data), ``background`` (cached gradients, glass cards, shadows), ``blocks`` (the boxes the
layout hands to the renderer), ``layout`` (geometry, auto-fit, splitting, right-to-left mirroring),
``code`` (Pygments), ``brand`` (the user's kit: handle, name, accent, avatar, logo), ``render``
(drawing and encoding).
"""

from __future__ import annotations

from . import native

native.load()  # first of all: Pillow's font module must find the bundled FriBiDi when it loads

from .brand import SlideBrand  # noqa: E402
from .layout import SlideLayout, fit_slides, layout_slide  # noqa: E402
from .render import SIZES, RenderedSlide, render_carousel, render_images, render_pdf  # noqa: E402
from .text import MissingGlyphError  # noqa: E402
from .themes import DEFAULT_THEME, get_theme, list_themes  # noqa: E402

__all__ = [
    "DEFAULT_THEME",
    "SIZES",
    "MissingGlyphError",
    "RenderedSlide",
    "SlideBrand",
    "SlideLayout",
    "fit_slides",
    "get_theme",
    "layout_slide",
    "list_themes",
    "render_carousel",
    "render_images",
    "render_pdf",
]
