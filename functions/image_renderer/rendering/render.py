"""Drawing a laid-out slide onto its cached base image, and encoding it.

``brand`` everywhere is a :class:`~.brand.SlideBrand` (handle, name, accent, avatar, logo) or a str,
meaning a handle only; the default is the operator's handle. Its images are decoded once per
carousel (and cached by content across carousels), before the first slide is laid out.
"""

from __future__ import annotations

import io
from collections.abc import Collection, Iterator
from dataclasses import dataclass

from PIL import Image, ImageDraw

from vibecoder.content import Slide

from .background import base_image, rounded_mask
from .brand import DEFAULT_HANDLE, SlideBrand, drawable_brand, legible, luminance_range
from .emoji import glyph_image
from .layout import SlideLayout, fitted_parts, language_of, layout_slide
from .text import draw_line
from .themes import DEFAULT_THEME, get_theme

FORMATS = {
    "jpeg": ("image/jpeg", "jpg"),
    "jpg": ("image/jpeg", "jpg"),
    "png": ("image/png", "png"),
}
SIZES = ((1080, 1350), (1080, 1080), (1080, 1920))
# 4:4:4 (no chroma subsampling) keeps coloured text and thin strokes crisp; q90 is visually
# lossless for flat backgrounds and text at a fraction of PNG's size and encode time.
JPEG_OPTIONS = {"quality": 90, "subsampling": 0}
PNG_OPTIONS = {"compress_level": 3}
MIN_SIDE, MAX_SIDE = 320, 4096


@dataclass(frozen=True)
class RenderedSlide:
    index: int  # 1-based position in the carousel as rendered
    data: bytes
    width: int
    height: int
    content_type: str
    extension: str
    source: int  # 1-based number of the slide (as given) it was cut from: a split slide gives several


def _check_size(size: tuple[int, int]) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"size must be (width, height), got {size!r}") from None
    if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
        raise ValueError(f"size {size!r} out of range {MIN_SIDE}..{MAX_SIDE}")
    return w, h


def draw_layout(layout: SlideLayout, *, with_text: bool = True) -> Image.Image:
    """Draw the layout on a copy of its cached base (``with_text=False``: panels and bars only,
    i.e. exactly what lies under the text, which is what the contrast tests measure against)."""
    base = base_image(layout.theme, layout.size, layout.card)
    img = base.copy()
    draw = ImageDraw.Draw(img)
    for block in layout.blocks:
        x0, y0, x1, y1 = block.box
        fill = block.fill
        if block.contrast and fill is not None:  # the user's accent, made legible on what is under it
            fill = legible(fill, luminance_range(base, block.box), block.contrast)
        if block.art is not None:  # avatar, logo
            img.paste(block.art, (x0, y0), block.art)
        elif block.role == "emoji":
            glyph = glyph_image(block.gid, block.size)
            if glyph is not None:
                img.paste(glyph[0], (x0, y0), glyph[0])
        elif block.role in ("code-panel", "accent-bar"):
            radius = min((x1 - x0) // 2, round(22 * layout.size[0] / 1080))
            img.paste(fill, block.box, rounded_mask(x1 - x0, y1 - y0, radius))
        elif block.role == "progress":
            h = y1 - y0
            track = rounded_mask(x1 - x0, h, h // 2).point(lambda v: v * 35 // 100)
            img.paste(block.color, block.box, track)
            fw = max(h, round((x1 - x0) * block.value))
            fx = x1 - fw if block.rtl else x0  # a right-to-left carousel advances from the right
            img.paste(fill, (fx, y0, fx + fw, y1), rounded_mask(fw, h, h // 2))
        if not with_text:
            continue
        for line, x, baseline in zip(block.lines, block.xs, block.baselines):
            draw_line(img, draw, line, x, baseline, block.size, block.color)
    return img


def iter_images(
    slides: list[Slide],
    *,
    theme: str = DEFAULT_THEME,
    size: tuple[int, int] = (1080, 1350),
    brand: SlideBrand | str = DEFAULT_HANDLE,
    lang: str | None = None,
) -> Iterator[Image.Image]:
    """The carousel as PIL images (after auto-fit and splitting), one at a time."""
    for _, _, image in _iter_sourced_images(slides, theme=theme, size=size, brand=brand, lang=lang):
        yield image


def _iter_sourced_images(
    slides: list[Slide],
    *,
    theme: str,
    size: tuple[int, int],
    brand: SlideBrand | str,
    lang: str | None,
    only: Collection[int] | None = None,
) -> Iterator[tuple[int, int, Image.Image]]:
    """(index, 1-based number of the slide it was cut from, image) for each image, or only for the
    images cut from the slides numbered in ``only``: every slide is still fitted and split, so
    indexes, counters and progress bars are those of the whole carousel."""
    th = get_theme(theme)
    size = _check_size(size)
    kit = SlideBrand.of(brand)
    drawable_brand(kit)  # decode the avatar and logo once, before the first slide
    fitted = fitted_parts(list(slides), th, size, kit)  # raises MissingGlyphError before drawing anything
    lang = lang or language_of([part for _, part in fitted])
    total = len(fitted)
    for i, (source, part) in enumerate(fitted, 1):
        if only is None or source in only:
            yield i, source, draw_layout(layout_slide(part, i, total, th, size, kit, lang))


def render_images(
    slides: list[Slide],
    *,
    theme: str = DEFAULT_THEME,
    size: tuple[int, int] = (1080, 1350),
    brand: SlideBrand | str = DEFAULT_HANDLE,
    lang: str | None = None,
) -> list[Image.Image]:
    """The carousel as PIL images (after auto-fit and splitting)."""
    return list(iter_images(slides, theme=theme, size=size, brand=brand, lang=lang))


def encode(img: Image.Image, image_format: str) -> bytes:
    fmt = image_format.lower()
    buf = io.BytesIO()
    if fmt in ("jpeg", "jpg"):
        img.save(buf, "JPEG", **JPEG_OPTIONS)
    elif fmt == "png":
        img.save(buf, "PNG", **PNG_OPTIONS)
    else:
        raise ValueError(f"unknown image format {image_format!r}; valid: jpeg, png")
    return buf.getvalue()


def render_carousel(
    slides: list[Slide],
    *,
    theme: str = DEFAULT_THEME,
    size: tuple[int, int] = (1080, 1350),
    image_format: str = "jpeg",
    brand: SlideBrand | str = DEFAULT_HANDLE,
    lang: str | None = None,
    only: Collection[int] | None = None,
) -> list[RenderedSlide]:
    """Render the carousel. A slide whose text does not fit even at the theme's minimum font
    sizes is split into several slides, so the result can be longer than ``slides``.
    ``lang`` ("ru"/"en") picks the swipe hint's language; by default the slides' script decides.
    ``only``: 1-based numbers of the given slides to draw (an edit): the whole carousel is still
    laid out, and just the images cut from those slides come back, with their true index and
    source, pixel-identical to the same images of a full render. None: all of them."""
    fmt = image_format.lower()
    if fmt not in FORMATS:
        raise ValueError(f"unknown image format {image_format!r}; valid: jpeg, png")
    content_type, ext = FORMATS[fmt]
    out = []
    sourced = _iter_sourced_images(slides, theme=theme, size=size, brand=brand, lang=lang, only=only)
    for i, source, img in sourced:  # encode as we go
        out.append(RenderedSlide(i, encode(img, fmt), img.width, img.height, content_type, ext, source))
    return out


def render_pdf(
    slides: list[Slide],
    *,
    theme: str = DEFAULT_THEME,
    size: tuple[int, int] = (1080, 1350),
    brand: SlideBrand | str = DEFAULT_HANDLE,
    lang: str | None = None,
) -> bytes:
    """One PDF of the whole carousel, a page per slide (JPEG-compressed pages, 4:4:4)."""
    images = render_images(slides, theme=theme, size=size, brand=brand, lang=lang)
    if not images:
        raise ValueError("render_pdf needs at least one slide")
    buf = io.BytesIO()
    images[0].save(
        buf, "PDF", save_all=True, append_images=images[1:], resolution=144.0, title="Carousel", **JPEG_OPTIONS
    )
    return buf.getvalue()
