"""Render a carousel's slides and store them in S3 under the request's prefix.

A slide with a character that no bundled font can draw cannot be rendered, now or on a retry: that
request ends at once with ``carousel.failed`` (reason ``missing_glyph: <the characters>``), which the
carousel-generator records and the sender answers with a short message naming them.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from vibecoder.brand import BrandKit, operator_brand
from vibecoder.content import SIZE_PIXELS
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
logger = logging.getLogger(__name__)


@dataclass
class RendererDeps:
    slides: SlideRepository
    bot_handle: str  # the brand of a request without a kit of its own (the HTTP API, the CLI)

    def image(self, key: str | None) -> bytes | None:
        """A brand image, or None when it cannot be read: the slides are drawn without it."""
        if not key:
            return None
        try:
            return self.slides.read(key)
        except Exception as error:  # noqa: BLE001 - a missing avatar never fails a carousel
            logger.warning("brand image %s not read: %s", key, error)
            return None


def slide_brand(kit: BrandKit | None, deps: RendererDeps):
    """What the renderer draws for the request's kit (the operator's handle when it has none), and the kit
    as drawn: without the images that could not be read."""
    from image_renderer.rendering import SlideBrand

    kit = (kit or operator_brand(deps.bot_handle)).drawn
    avatar, logo = deps.image(kit.avatar_key), deps.image(kit.logo_key)
    drawn = kit.model_copy(update={"avatar_key": kit.avatar_key if avatar else None,
                                   "logo_key": kit.logo_key if logo else None})
    return SlideBrand(handle=kit.handle or "", name=kit.name or "", accent=kit.color, avatar=avatar, logo=logo), drawn


def handle(event: EventEnvelope, deps: RendererDeps) -> list[FollowUp]:
    rendered = render_and_store(event.data, deps)
    if isinstance(rendered, CarouselFailed):  # a character no font has: retrying cannot help
        return [FollowUp("carousel.failed", rendered)]
    return [FollowUp("carousel.images.rendered", rendered)]


def render_and_store(request: CarouselSlidesGenerated, deps: RendererDeps) -> CarouselImagesRendered | CarouselFailed:
    from image_renderer.rendering import DEFAULT_THEME, MissingGlyphError, fit_slides, list_themes, render_carousel

    theme = request.style if request.style in list_themes() else DEFAULT_THEME
    size = SIZE_PIXELS[request.size or "4:5"]
    edit = request.edit
    started = time.perf_counter()
    try:
        brand, drawn = slide_brand(request.brand, deps)
        # An edit draws only the slides it changed, unless the carousel's image count changed (every counter).
        # Counted with the brand it is drawn with: a taller header can split a slide differently.
        image_count = len(fit_slides(request.slides, theme, size, brand)) if edit else None
        only = set(edit.slides) if edit and edit.image_count == image_count else None
        rendered = render_carousel(request.slides, theme=theme, size=size, brand=brand, only=only)
    except MissingGlyphError as err:
        characters = " ".join(dict.fromkeys(err.characters))
        return CarouselFailed(**request.ref(), stage="rendering", reason=failure_reason(MISSING_GLYPH, characters),
                              language=request.language)
    render_ms = (time.perf_counter() - started) * 1000
    images = []
    for slide in rendered:
        key = deps.slides.store(request.request_id, slide.index, slide.extension, slide.data, slide.content_type,
                                revision=edit.revision if edit else 0)
        images.append(RenderedImage(index=slide.index, slide=slide.source, key=key, width=slide.width,
                                    height=slide.height, content_type=slide.content_type, size_bytes=len(slide.data)))
    ref = request.ref()
    return CarouselImagesRendered(**ref, images=images, render_ms=render_ms, style=theme, edit=edit,
                                  image_count=image_count, brand=drawn if request.brand else None)
