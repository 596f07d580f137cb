"""Render a carousel's slides and store them in S3 under the request's prefix.

A slide with a character that no bundled font can draw cannot be rendered, now or on a retry: that
request ends at once with ``carousel.failed`` (reason ``missing_glyph: <the characters>``), which the
carousel-generator records and the sender answers with a short message naming them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    MISSING_GLYPH,
    CarouselFailed,
    CarouselImagesRendered,
    CarouselSlidesGenerated,
    RenderedImage,
    failure_reason,
)
from vibecoder.repositories import SlideRepository

SERVICE = "image-renderer"


@dataclass
class RendererDeps:
    slides: SlideRepository
    brand: str


def handle(event: EventEnvelope, deps: RendererDeps) -> list[FollowUp]:
    rendered = render_and_store(event.data, deps)
    if isinstance(rendered, CarouselFailed):  # a character no font has: retrying cannot help
        return [FollowUp("carousel.failed", rendered)]
    return [FollowUp("carousel.images.rendered", rendered)]


def render_and_store(request: CarouselSlidesGenerated, deps: RendererDeps) -> CarouselImagesRendered | CarouselFailed:
    from image_renderer.rendering import DEFAULT_THEME, MissingGlyphError, list_themes, render_carousel

    theme = request.style if request.style in list_themes() else DEFAULT_THEME
    started = time.perf_counter()
    try:
        rendered = render_carousel(request.slides, theme=theme, brand=deps.brand)
    except MissingGlyphError as err:
        characters = " ".join(dict.fromkeys(err.characters))
        return CarouselFailed(**request.ref(), stage="rendering", reason=failure_reason(MISSING_GLYPH, characters),
                              language=request.language)
    render_ms = (time.perf_counter() - started) * 1000
    images = []
    for slide in rendered:
        key = deps.slides.store(request.request_id, slide.index, slide.extension, slide.data, slide.content_type)
        images.append(RenderedImage(index=slide.index, slide=slide.source, key=key, width=slide.width,
                                    height=slide.height, content_type=slide.content_type, size_bytes=len(slide.data)))
    ref = request.ref()
    return CarouselImagesRendered(**ref, images=images, render_ms=render_ms, style=theme)
