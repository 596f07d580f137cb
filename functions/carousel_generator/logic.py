"""The carousel saga's steps: request → content → slides → images → completed.

Each step reads the event, moves the carousel record forward and returns the follow-up events.
A carousel that is already completed or failed is never moved again (late or duplicate events).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from carousel_generator.slides import build_slides
from vibecoder.base import utc_now
from vibecoder.content import ContentProvenance
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    AiContentRequested,
    CarouselCompleted,
    CarouselContentAnalyzed,
    CarouselFailed,
    CarouselGenerateRequested,
    CarouselImagesRendered,
    CarouselSlidesGenerated,
    CompletedSlide,
    RenderedImage,
)
from vibecoder.repositories import CarouselRecord, CarouselRepository, CarouselStatus

SERVICE = "carousel-generator"


class CarouselNotFound(LookupError):
    pass


@dataclass
class GeneratorDeps:
    carousels: CarouselRepository


def handle(event: EventEnvelope, deps: GeneratorDeps) -> list[EventEnvelope]:
    return STEPS[event.type](event, deps)


def _elapsed_ms(record: CarouselRecord) -> float:
    return (utc_now() - datetime.fromisoformat(record.created_at)).total_seconds() * 1000


def _record(deps: GeneratorDeps, request_id: str) -> CarouselRecord:
    record = deps.carousels.get(request_id)
    if record is None:  # raise: the event is retried, then dead-lettered and swept as failed
        raise CarouselNotFound(f"carousel {request_id} is not recorded")
    return record


def on_requested(event: EventEnvelope, deps: GeneratorDeps) -> list[EventEnvelope]:
    request: CarouselGenerateRequested = event.data
    deps.carousels.create(request)  # the API may have recorded it already; both are fine
    record = _record(deps, request.request_id)
    if not deps.carousels.update(request.request_id, status=CarouselStatus.GENERATING, timing="requested",
                                 elapsed_ms=_elapsed_ms(record)):
        return []
    ask = AiContentRequested(
        **request.ref(),
        topic=request.topic,
        source_text=request.source_text,
        slides_count=request.slides_count,
        style=request.style,
        language=request.language,
    )
    return [CATALOG.follow_up(event, "ai.content.requested", ask, source=SERVICE)]


def on_content(event: EventEnvelope, deps: GeneratorDeps) -> list[EventEnvelope]:
    analyzed: CarouselContentAnalyzed = event.data
    record = _record(deps, analyzed.request_id)
    provenance = ContentProvenance(provider=analyzed.provider, model=analyzed.model,
                                   fallback_reason=analyzed.fallback_reason).to_wire()
    content = analyzed.content
    if content is None:  # the request cannot be served (a topic the offline notes do not cover)
        return _fail_content(event, analyzed, record, provenance, deps)
    slides = build_slides(content, analyzed.slides_count)
    caption = content.caption or content.title
    if not deps.carousels.update(
        analyzed.request_id,
        status=CarouselStatus.RENDERING,
        timing="content",
        elapsed_ms=_elapsed_ms(record),
        title=content.title,
        caption=caption,
        language=content.language,
        provider=analyzed.provider,
        content=provenance,
        slides=[s.to_wire() for s in slides],
    ):
        return []
    generated = CarouselSlidesGenerated(
        **analyzed.ref(),
        title=content.title,
        caption=caption,
        style=analyzed.style,
        language=content.language,
        slides=slides,
    )
    return [CATALOG.follow_up(event, "carousel.slides.generated", generated, source=SERVICE)]


def _fail_content(event: EventEnvelope, analyzed: CarouselContentAnalyzed, record: CarouselRecord, provenance: dict,
                  deps: GeneratorDeps) -> list[EventEnvelope]:
    reason = analyzed.failure or "no_content"
    if not deps.carousels.update(analyzed.request_id, status=CarouselStatus.FAILED, timing="failed",
                                 elapsed_ms=_elapsed_ms(record), failure=reason, provider=analyzed.provider,
                                 content=provenance):
        return []
    language = analyzed.language or (record.language if record.language in ("ru", "en") else None) or "en"
    failed = CarouselFailed(**analyzed.ref(), stage="content", reason=reason, language=language,
                            covered_subjects=analyzed.covered_subjects, fallback_reason=analyzed.fallback_reason)
    return [CATALOG.follow_up(event, "carousel.failed", failed, source=SERVICE)]


class ImagesDoNotMatchSlides(ValueError):
    pass


def completed_slides(slides: list[dict], images: list[RenderedImage]) -> list[CompletedSlide]:
    """Each slide with its images, in order: the renderer may split a slide into several images, and
    every image says which slide it was cut from."""
    keys: dict[int, list[str]] = {}
    for image in sorted(images, key=lambda image: image.index):
        keys.setdefault(image.slide, []).append(image.key)
    if set(keys) != set(range(1, len(slides) + 1)):  # raise: retried, then dead-lettered and swept as failed
        raise ImagesDoNotMatchSlides(f"images came for slides {sorted(keys)}, the carousel has {len(slides)}")
    return [CompletedSlide.model_validate(slide | {"imageKeys": keys[number]})
            for number, slide in enumerate(slides, start=1)]


def on_images(event: EventEnvelope, deps: GeneratorDeps) -> list[EventEnvelope]:
    rendered: CarouselImagesRendered = event.data
    record = _record(deps, rendered.request_id)
    slides = completed_slides(record.slides, rendered.images)
    elapsed = _elapsed_ms(record)
    timings = dict(record.timings, images=round(elapsed, 1), render=round(rendered.render_ms, 1))
    if not deps.carousels.update(
        rendered.request_id,
        status=CarouselStatus.COMPLETED,
        timing="completed",
        elapsed_ms=elapsed,
        slides=[s.to_wire() for s in slides],
        style=rendered.style,
    ):
        return []
    completed = CarouselCompleted(
        **rendered.ref(),
        title=record.title or record.topic or "",
        caption=record.caption or "",
        style=rendered.style,
        language=record.language or "en",
        slides=slides,
        timings=dict(timings, completed=round(elapsed, 1)),
    )
    return [CATALOG.follow_up(event, "carousel.completed", completed, source=SERVICE)]


def on_failed(event: EventEnvelope, deps: GeneratorDeps) -> list[EventEnvelope]:
    """Another step gave up for good (the renderer: a character no font has): record the outcome, so
    the orchestrator's sweep does not fail the request a second time."""
    failed: CarouselFailed = event.data
    record = _record(deps, failed.request_id)
    deps.carousels.update(failed.request_id, status=CarouselStatus.FAILED, failure=failed.reason,
                          timing="failed", elapsed_ms=_elapsed_ms(record))  # refused once terminal
    return []


STEPS = {
    "carousel.generate.requested": on_requested,
    "carousel.content.analyzed": on_content,
    "carousel.images.rendered": on_images,
    "carousel.failed": on_failed,
}
