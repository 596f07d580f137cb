"""Edits of a finished carousel: a slide's new text, a slide rewritten on an instruction, a move, a drop, Undo.

An edit is held on the record while its images are drawn (``PendingEdit``, one at a time), then applied
in one write that also pushes the slides it replaced onto the undo stack and moves the revision on.
Only the slides an edit changes are drawn again (after a move or a drop, all of them: their counters
change), as images of the edit's revision, so the previous images stay for Undo, which draws nothing.
"""

from __future__ import annotations

from carousel_generator.slides import shorten
from vibecoder.content import BODY_MAX_CHARS, TITLE_MAX_CHARS, Slide
from vibecoder.events.catalog import FollowUp
from vibecoder.events.models import (
    CarouselEdited,
    CarouselEditFailed,
    CarouselEditRequested,
    CarouselImagesRendered,
    CarouselSlidesGenerated,
    CompletedSlide,
    RequestRef,
    SlideEdit,
    SlideRewriteRequested,
    SlideRewritten,
)
from vibecoder.repositories import CarouselRecord, CarouselRepository, PendingEdit, RecordedSlide
from vibecoder.workflow import CarouselStatus


def on_edit_requested(edit: CarouselEditRequested, record: CarouselRecord,
                      carousels: CarouselRepository) -> list[FollowUp]:
    refusal = refusal_of(edit, record)
    if refusal:
        return [edit_failed(edit, refusal)]
    if edit.operation == "undo":
        return _undo(edit, record, carousels)
    if record.pending_edit and record.pending_edit.edit_id == edit.edit_id:
        pending = record.pending_edit  # a redelivery after the edit was held: carry on with it
    else:
        slides, changed = edited_slides(record.slides, edit)
        pending = PendingEdit(edit_id=edit.edit_id, operation=edit.operation, revision=record.revision + 1,
                              slides=slides, changed=changed, slide=edit.slide)
        if not carousels.begin_edit(record.request_id, record.revision, pending):
            return [edit_failed(edit, "busy")]
    if edit.operation == "rewrite":
        current = pending.slides[edit.slide - 1]
        ask = SlideRewriteRequested(**edit.ref(), edit_id=edit.edit_id, slide=edit.slide,
                                    current=Slide.model_validate(current.model_dump(exclude={"image_keys", "version"})),
                                    instruction=edit.instruction or "", title=record.title or record.topic or "",
                                    language=record.language or "en", size=record.size)
        return [FollowUp("ai.slide.rewrite.requested", ask)]
    return [render_request(edit, record, pending)]


def refusal_of(edit: CarouselEditRequested, record: CarouselRecord) -> str | None:
    """Why the edit cannot be applied (the gateway checked the same, against an older read), or None."""
    if record.status is not CarouselStatus.COMPLETED or not record.slides:
        return "not_editable"
    if record.user_id != edit.user_id and record.chat_id != edit.chat_id:
        return "not_editable"
    if edit.operation == "undo":
        return None if record.undo else "nothing_to_undo"
    count = len(record.slides)
    if edit.slide > count or (edit.to is not None and edit.to > count):
        return "out_of_range"
    if edit.operation == "drop" and count == 1:
        return "last_slide"
    return None


def edited_slides(slides: list[RecordedSlide], edit: CarouselEditRequested) -> tuple[list[RecordedSlide], list[int]]:
    """The carousel after a replace, move or drop, and the slides (1-based, in it) to draw again."""
    slides = list(slides)
    index = edit.slide - 1
    if edit.operation == "replace":
        slide = slides[index]
        slides[index] = slide.model_copy(update={
            "title": shorten(edit.title or slide.title, TITLE_MAX_CHARS),
            "content": shorten(edit.content or "", BODY_MAX_CHARS), "version": slide.version + 1})
        return slides, [edit.slide]
    if edit.operation == "rewrite":
        return slides, [edit.slide]  # its text comes from the model first
    if edit.operation == "move":
        slides.insert(edit.to - 1, slides.pop(index))
    else:  # drop
        slides.pop(index)
    return slides, list(range(1, len(slides) + 1))  # every counter changes


def render_request(edit: RequestRef, record: CarouselRecord, pending: PendingEdit) -> FollowUp:
    image_count = sum(len(slide.image_keys) for slide in record.slides)
    generated = CarouselSlidesGenerated(
        **edit.ref(), title=record.title or record.topic or "", caption=record.caption or "", style=record.style,
        language=record.language or "en", size=record.size, brand=record.brand,
        slides=[Slide.model_validate(s.model_dump(exclude={"image_keys", "version"})) for s in pending.slides],
        edit=SlideEdit(edit_id=pending.edit_id, revision=pending.revision, slides=pending.changed,
                       image_count=image_count))
    return FollowUp("carousel.slides.generated", generated, key=pending.edit_id)


def on_rewritten(rewritten: SlideRewritten, record: CarouselRecord, carousels: CarouselRepository) -> list[FollowUp]:
    pending = record.pending_edit
    if pending is None or pending.edit_id != rewritten.edit_id:
        return []  # finished or given up meanwhile
    if rewritten.rewritten is None:
        carousels.abandon_edit(record.request_id, pending.edit_id)
        return [edit_failed(rewritten, rewritten.failure or "ai_failed", operation="rewrite")]
    slides = list(pending.slides)
    before = slides[rewritten.slide - 1]
    new = rewritten.rewritten
    slides[rewritten.slide - 1] = before.model_copy(update={
        "title": shorten(new.title, TITLE_MAX_CHARS), "content": shorten(new.content, BODY_MAX_CHARS),
        "version": before.version + 1})
    pending = pending.model_copy(update={"slides": slides})
    if not carousels.update_pending(record.request_id, pending):
        return []
    return [render_request(rewritten, record, pending)]


def on_edit_rendered(rendered: CarouselImagesRendered, record: CarouselRecord,
                     carousels: CarouselRepository) -> list[FollowUp]:
    """The edit's images are in S3: apply it, and tell the chat's album to follow."""
    pending = record.pending_edit
    if pending is None or pending.edit_id != rendered.edit.edit_id:
        return []  # applied already (a redelivery) or given up
    keys: dict[int, list[str]] = {}
    for image in sorted(rendered.images, key=lambda image: image.index):
        keys.setdefault(image.slide, []).append(image.key)
    slides = [slide.model_copy(update={"image_keys": keys[number]}) if number in keys else slide
              for number, slide in enumerate(pending.slides, start=1)]
    if not carousels.revise(record.request_id, record.revision, slides, [*record.undo, record.slides],
                            edit_id=pending.edit_id):
        return []
    return [edited(rendered, record, pending.edit_id, pending.operation, slides, pending.revision, pending.slide)]


def _undo(edit: CarouselEditRequested, record: CarouselRecord, carousels: CarouselRepository) -> list[FollowUp]:
    previous = record.undo[-1]
    if not carousels.revise(record.request_id, record.revision, previous, record.undo[:-1]):
        return [edit_failed(edit, "busy")]
    return [edited(edit, record, edit.edit_id, "undo", previous, record.revision + 1, None)]


def image_keys(slides: list[RecordedSlide]) -> list[str]:
    return [key for slide in slides for key in slide.image_keys]


def edited(ref: RequestRef, record: CarouselRecord, edit_id: str, operation: str, slides: list[RecordedSlide],
           revision: int, slide: int | None) -> FollowUp:
    before, after = image_keys(record.slides), image_keys(slides)
    changed = [i for i, key in enumerate(after, start=1) if i > len(before) or before[i - 1] != key]
    data = CarouselEdited(
        **ref.ref(), edit_id=edit_id, operation=operation, revision=revision, title=record.title or record.topic or "",
        caption=record.caption or "", style=record.style, language=record.language or "en",
        slides=[CompletedSlide.model_validate(s.model_dump()) for s in slides], changed_images=changed,
        previous_image_count=len(before), slide=slide)
    return FollowUp("carousel.edited", data, key=edit_id)


def edit_failed(ref: RequestRef, reason: str, *, operation: str | None = None, edit_id: str | None = None) -> FollowUp:
    data = CarouselEditFailed(**ref.ref(), edit_id=edit_id or getattr(ref, "edit_id", ""),
                              operation=operation or getattr(ref, "operation", "replace"), reason=reason,
                              language=ref.reply_language or "en")
    return FollowUp("carousel.edit.failed", data, key=reason)

