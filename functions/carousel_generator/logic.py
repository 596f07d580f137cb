"""The carousel saga, and the only writer of the carousel record.

request → content → slides → images → completed (or failed), plus the requests that change a
carousel: a restyle (the same slides in another style, a new request of its own) and the sweep's
timeout (a request that stopped moving ends as failed). Each step reads its event, moves the record
to the step's stage in one typed write and returns the follow-up events. A carousel that is already
completed or failed is never moved again (late or duplicate events).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from carousel_generator import editing
from carousel_generator.slides import build_slides
from vibecoder.base import utc_now
from vibecoder.content import MAX_SLIDES, MIN_SLIDES, ContentProvenance
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    AiContentRequested,
    CarouselCompleted,
    CarouselContentAnalyzed,
    CarouselEditRequested,
    CarouselFailed,
    CarouselGenerateRequested,
    CarouselImagesRendered,
    CarouselRestyleRequested,
    CarouselSlidesGenerated,
    CarouselTimedOut,
    CompletedSlide,
    RenderedImage,
    SlideRewritten,
)
from vibecoder.repositories import CarouselRecord, CarouselRepository, RecordedSlide, StagePatch
from vibecoder.workflow import CarouselStatus, Stage

SERVICE = "carousel-generator"


class CarouselNotFound(LookupError):
    pass


@dataclass
class GeneratorDeps:
    carousels: CarouselRepository
    remove_slides: Callable[[str], int]  # deletes a request's partial S3 objects, returns how many


def handle(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    return STEPS[event.type](event, deps)


def _elapsed_ms(record: CarouselRecord) -> float:
    return (utc_now() - datetime.fromisoformat(record.created_at)).total_seconds() * 1000


def _record(deps: GeneratorDeps, request_id: str) -> CarouselRecord:
    record = deps.carousels.get(request_id)
    if record is None:  # raise: the event is retried, then dead-lettered and swept as failed
        raise CarouselNotFound(f"carousel {request_id} is not recorded")
    return record


def _started(deps: GeneratorDeps, record: CarouselRecord, stage: Stage) -> bool:
    """Record a new carousel at ``stage``; a redelivered request goes on only while the carousel is still
    there (an attempt that recorded it and then failed to publish is retried; anything later is not)."""
    if deps.carousels.start(record):
        return True
    return _record(deps, record.request_id).status is stage.status


def on_requested(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    request: CarouselGenerateRequested = event.data
    requested_at = request.requested_at or event.timestamp
    waited_ms = max((utc_now() - requested_at).total_seconds() * 1000, 0.0)  # on the bus, before this step
    record = CarouselRecord(**request.model_dump(), status=Stage.REQUESTED.status,
                            created_at=requested_at.isoformat(), timings={Stage.REQUESTED.timing: round(waited_ms, 1)})
    if not _started(deps, record, Stage.REQUESTED):
        return []
    ask = AiContentRequested(**request.ref(), topic=request.topic, source_text=request.source_text,
                             slides_count=request.slides_count, style=request.style, language=request.language,
                             size=request.size)
    return [FollowUp("ai.content.requested", ask)]


def on_restyle(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    """The original's slides in another style: no new content, no AI; the new carousel starts at SLIDES."""
    restyle: CarouselRestyleRequested = event.data
    original = _record(deps, restyle.original_request_id)
    # Anyone in the chat where the album was posted may restyle it (issue 15: groups).
    if original.status is not CarouselStatus.COMPLETED or (original.user_id != restyle.user_id
                                                           and original.chat_id != restyle.chat_id):
        raise ValueError(f"carousel {original.request_id} cannot be restyled for {restyle.user_id}: "
                         f"{original.status.value}")  # the gateway checked both: a bug, dead-lettered
    slides = [RecordedSlide.model_validate(slide.model_dump(exclude={"image_keys"})) for slide in original.slides]
    record = CarouselRecord(
        **restyle.ref(), status=Stage.SLIDES.status, created_at=(restyle.requested_at or event.timestamp).isoformat(), topic=original.topic, source_text=original.source_text,
        slides_count=max(MIN_SLIDES, min(len(slides), MAX_SLIDES)), style=restyle.style, language=original.language,
        title=original.title, caption=original.caption, slides=slides, provider=original.provider,
        content=original.content, restyle_of=original.request_id, timings={Stage.SLIDES.timing: 0.0},
        size=original.size, brand=restyle.brand or original.brand,
    )
    if not _started(deps, record, Stage.SLIDES):
        return []
    generated = CarouselSlidesGenerated(
        **restyle.ref(), title=original.title or original.topic or "", caption=original.caption or "",
        style=restyle.style, language=original.language or "en", slides=slides, restyle_of=original.request_id,
        size=record.size, brand=record.brand,
    )
    return [FollowUp("carousel.slides.generated", generated)]


def on_content(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    analyzed: CarouselContentAnalyzed = event.data
    record = _record(deps, analyzed.request_id)
    provenance = ContentProvenance(provider=analyzed.provider, model=analyzed.model,
                                   fallback_reason=analyzed.fallback_reason)
    content = analyzed.content
    if content is None:  # the request cannot be served (a topic the offline notes do not cover)
        reason = analyzed.failure or "no_content"
        patch = StagePatch(failure=reason, provider=analyzed.provider, content=provenance)
        language = analyzed.language or (record.language if record.language in ("ru", "en") else None) or "en"
        failed = CarouselFailed(**analyzed.ref(), stage="content", reason=reason, language=language,
                                covered_subjects=analyzed.covered_subjects, fallback_reason=analyzed.fallback_reason)
        return _fail(deps, record, patch, failed)
    slides = build_slides(content, analyzed.slides_count)
    caption = credited(content.caption or content.title, record.source_credit)
    patch = StagePatch(title=content.title, caption=caption, language=content.language, provider=analyzed.provider,
                       content=provenance, slides=[RecordedSlide.model_validate(s.model_dump()) for s in slides])
    if not deps.carousels.advance(analyzed.request_id, Stage.CONTENT, _elapsed_ms(record), patch):
        return []
    generated = CarouselSlidesGenerated(**analyzed.ref(), title=content.title, caption=caption, style=analyzed.style,
                                        language=content.language, slides=slides, size=record.size, brand=record.brand)
    return [FollowUp("carousel.slides.generated", generated)]


def credited(caption: str, credit: str | None) -> str:
    """The caption with a forwarded post's source first (the hashtags stay last, where a cut spares them)."""
    return f"{credit}\n\n{caption}" if credit else caption


class ImagesDoNotMatchSlides(ValueError):
    pass


def completed_slides(slides: list[RecordedSlide], images: list[RenderedImage]) -> list[CompletedSlide]:
    """Each slide with its images, in order: the renderer may split a slide into several images, and
    every image says which slide it was cut from."""
    keys: dict[int, list[str]] = {}
    for image in sorted(images, key=lambda image: image.index):
        keys.setdefault(image.slide, []).append(image.key)
    if set(keys) != set(range(1, len(slides) + 1)):  # raise: retried, then dead-lettered and swept as failed
        raise ImagesDoNotMatchSlides(f"images came for slides {sorted(keys)}, the carousel has {len(slides)}")
    return [CompletedSlide.model_validate(slide.model_dump() | {"image_keys": keys[number]})
            for number, slide in enumerate(slides, start=1)]


def on_images(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    rendered: CarouselImagesRendered = event.data
    record = _record(deps, rendered.request_id)
    if rendered.edit is not None:
        return editing.on_edit_rendered(rendered, record, deps.carousels)
    slides = completed_slides(record.slides, rendered.images)
    elapsed = _elapsed_ms(record)
    patch = StagePatch(style=rendered.style, slides=[RecordedSlide.model_validate(s.model_dump()) for s in slides],
                       brand=rendered.brand)
    if not deps.carousels.advance(rendered.request_id, Stage.COMPLETED, elapsed, patch):
        return []
    timings = dict(record.timings, images=round(elapsed, 1), render=round(rendered.render_ms, 1),
                   completed=round(elapsed, 1))
    completed = CarouselCompleted(**rendered.ref(), title=record.title or record.topic or "",
                                  caption=record.caption or "", style=rendered.style, language=record.language or "en",
                                  slides=slides, timings=timings, size=record.size)
    return [FollowUp("carousel.completed", completed)]


def on_failed(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    """Another step gave up for good (the renderer: a character no font has): record the outcome, so the
    orchestrator's sweep does not time the request out a second time."""
    failed: CarouselFailed = event.data
    record = _record(deps, failed.request_id)
    pending = record.pending_edit
    if record.status is CarouselStatus.COMPLETED and pending is not None:  # an edit's slide cannot be drawn
        deps.carousels.abandon_edit(record.request_id, pending.edit_id)
        return [editing.edit_failed(failed, failed.reason, operation=pending.operation, edit_id=pending.edit_id)]
    deps.carousels.advance(failed.request_id, Stage.FAILED, _elapsed_ms(record),
                           StagePatch(failure=failed.reason))  # refused once terminal
    return []


def on_timed_out(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    """The sweep saw the request stuck: fail it unless it moved since, remove its partial slides, and say so
    (``carousel.failed``: the chat gets its apology). A request never recorded is recorded as failed."""
    timed_out: CarouselTimedOut = event.data
    failed = CarouselFailed(**timed_out.ref(), stage=timed_out.stage, reason=timed_out.reason,
                            language=timed_out.language)
    record = deps.carousels.get(timed_out.request_id)
    if record is None:
        never_started = CarouselRecord(**timed_out.ref(), status=CarouselStatus.FAILED, failure=timed_out.reason)
        return [FollowUp("carousel.failed", failed)] if deps.carousels.start(never_started) else []
    if timed_out.unmoved_since is None or not deps.carousels.advance(
            record.request_id, Stage.FAILED, _elapsed_ms(record), StagePatch(failure=timed_out.reason),
            unmoved_since=timed_out.unmoved_since):
        return []  # it moved (or ended) since the sweep looked
    deps.remove_slides(record.request_id)  # compensation: no half-rendered carousel is kept
    return [FollowUp("carousel.failed", failed)]


def _fail(deps: GeneratorDeps, record: CarouselRecord, patch: StagePatch, failed: CarouselFailed) -> list[FollowUp]:
    if not deps.carousels.advance(record.request_id, Stage.FAILED, _elapsed_ms(record), patch):
        return []
    return [FollowUp("carousel.failed", failed)]


def on_edit(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    edit: CarouselEditRequested = event.data
    return editing.on_edit_requested(edit, _record(deps, edit.request_id), deps.carousels)


def on_rewritten(event: EventEnvelope, deps: GeneratorDeps) -> list[FollowUp]:
    rewritten: SlideRewritten = event.data
    return editing.on_rewritten(rewritten, _record(deps, rewritten.request_id), deps.carousels)


def nothing_to_do(event: EventEnvelope) -> bool:
    """Its own ``carousel.failed`` comes back from the bus: recorded when it was emitted."""
    return event.type == "carousel.failed" and event.metadata.source == SERVICE


STEPS = {
    "carousel.generate.requested": on_requested,
    "carousel.restyle.requested": on_restyle,
    "carousel.content.analyzed": on_content,
    "carousel.images.rendered": on_images,
    "carousel.failed": on_failed,
    "carousel.timed.out": on_timed_out,
    "carousel.edit.requested": on_edit,
    "carousel.slide.rewritten": on_rewritten,
}
