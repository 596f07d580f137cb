"""Everything the user sees after the request: progress, the album, the buttons, apologies, follow-ups.

- ``carousel.content.analyzed`` / ``carousel.slides.generated``: the status message (sent by the
  gateway) is edited into the next stage of the progress bar, with the ``upload_photo`` chat action.
- ``carousel.completed``: the slides as one album (2-10 photos; 11-20 as two balanced albums; one
  slide via sendPhoto), uploaded as multipart from S3, the caption (title + hashtags, ≤ 1024) on the
  first photo. Albums cannot carry buttons and Telegram re-encodes their photos to at most 1280 px,
  so one message with buttons follows: Originals (the exact files, as documents), PDF, Another style.
- ``carousel.failed``: one clear apology with what to try.
- ``telegram.delivery.overdue``: the sweep found the chat still waiting (Telegram was down through
  every retry): the album now, or past the deadline, the apology.
- ``telegram.delivery.requested``: a button was tapped — the album again, the originals or the PDF.

Every request ends, in the chat, in exactly one album or one apology. The sender's own delivery log
(pending → delivered | failed; the carousel record is the generator's) says which; an attempt first
leases the pending delivery (so a bus retry, a duplicate and the sweep's re-drive never send at the
same time), records each album sent before the next one, and settles the delivery in the write that
records its last step. An album
Telegram refuses for good (a final 4xx) becomes the apology, never silence. Progress edits and the
buttons are best effort: they never make a delivered carousel fail.
"""

from __future__ import annotations

import logging
import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vibecoder.content import SIZE_PIXELS
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    MISSING_GLYPH,
    TOPIC_NOT_COVERED,
    CarouselCompleted,
    CarouselContentAnalyzed,
    CarouselEdited,
    CarouselEditFailed,
    CarouselFailed,
    CarouselSlidesGenerated,
    RequestRef,
    TelegramBotResponseSent,
    TelegramBrandImageRequested,
    TelegramDeliveryOverdue,
    TelegramDeliveryRequested,
    failure_detail,
    is_failure,
)
from vibecoder.repositories import (
    CarouselRecord,
    CarouselRepository,
    Claim,
    DeliveryLog,
    DeliveryRecord,
    DeliveryState,
    UserRepository,
)
from vibecoder.repositories.slides import SlideRepository
from vibecoder.telegram import (
    MAX_ALBUM,
    MAX_CAPTION,
    MAX_PHOTO_BYTES,
    BotApi,
    TelegramError,
    answer_placement,
    inline_keyboard,
    shorten,
    text_length,
)
from vibecoder.texts import TEXTS, clip, escape_html, language_of, progress_text, text, theme_label
from vibecoder.workflow import CarouselStatus, Stage

SERVICE = "telegram-sender"
LEASE_SECONDS = 120.0  # one delivery attempt at a time: longer than the sender may run (its timeout is 90 s)
ALBUM_REFUSED = "albumRefused"  # the delivery step that says Telegram refused the album for good
# A progress step shown sooner than this after the last change of the status message is not worth its
# edit: nobody reads it, and it costs an API call (the final "done"/"failed" edit always happens).
QUIET_SECONDS = 1.5
# In a group Telegram allows about 20 messages a minute, edits included: one intermediate edit per 3 s at
# most, so a carousel's progress never spends the group's budget faster than that.
GROUP_QUIET_SECONDS = 3.0

logger = logging.getLogger(__name__)


def wall_clock() -> float:
    """Seconds since the epoch: when a progress step is shown (tests with a fake clock replace it)."""
    return time.time()


@dataclass
class SenderDeps:
    bot: BotApi
    carousels: CarouselRepository  # read only: the generator writes it
    deliveries: DeliveryLog
    bucket: str
    users: UserRepository | None = None
    s3_client: Any = None  # created on first use: progress edits never touch S3

    def language(self, ref: RequestRef, fallback: str) -> str:
        """The language the user talks to the bot in (as the gateway chose it, carried by the request), else
        the content's."""
        if ref.reply_language:
            return ref.reply_language
        user = self.users.get(ref.user_id) if self.users else None
        if user is None:
            return fallback
        return user.preferences.language or (language_of(user.language_code) if user.language_code else fallback)

    @cached_property
    def slides(self) -> SlideRepository:
        return SlideRepository(self.bucket, self.s3_client)

    def read(self, key: str) -> bytes:
        return self.slides.read(key)


def nothing_to_do(envelope: EventEnvelope) -> bool:
    """Requested through the HTTP API: nobody to message."""
    return envelope.data.chat_id is None


def repeatable(envelope: EventEnvelope) -> bool:
    """A progress event: the bar moves forward only (a conditional write), so a duplicate changes nothing
    and sends nothing, and it answers with no event."""
    return isinstance(envelope.data, (CarouselContentAnalyzed, CarouselSlidesGenerated))


def handle(envelope: EventEnvelope, deps: SenderDeps) -> list[FollowUp]:
    sent = respond(envelope, deps)
    return [] if sent is None else [FollowUp("telegram.bot.response.sent", sent)]


def respond(envelope: EventEnvelope, deps: SenderDeps) -> TelegramBotResponseSent | None:
    data = envelope.data
    if nothing_to_do(envelope):
        return None
    if isinstance(data, CarouselCompleted):
        return answer(data, deps, lambda delivery: send_album(data, delivery, deps))
    if isinstance(data, CarouselFailed):
        return answer(data, deps, lambda delivery: send_failure(data, delivery, deps))
    if isinstance(data, TelegramDeliveryOverdue):
        return answer(data, deps, lambda delivery: send_overdue(data, delivery, deps))
    if isinstance(data, TelegramDeliveryRequested):
        return send_follow_up(data, deps)
    if isinstance(data, CarouselEdited):
        return follow_edit(data, deps)
    if isinstance(data, CarouselEditFailed):
        return say_edit_failed(data, deps)
    if isinstance(data, TelegramBrandImageRequested):
        return fetch_brand(data, deps)
    if isinstance(data, CarouselContentAnalyzed) and data.content is None:
        return None  # no content (a topic not covered): carousel.failed follows and says so
    if isinstance(data, (CarouselContentAnalyzed, CarouselSlidesGenerated)):
        show_progress(data, deps)
        return None
    raise ValueError(f"telegram-sender does not handle {envelope.type}")


# --- the answer a chat is owed --------------------------------------------------------------------


@dataclass
class Answer:
    """What one delivery attempt ended with: the response event (None: nothing was sent), the delivery's
    state, its last step."""

    sent: TelegramBotResponseSent | None
    state: DeliveryState
    step: str | None = None
    message_ids: list[int] | None = None


def answer(ref: RequestRef, deps: SenderDeps, send: Callable[[DeliveryRecord], Answer]
           ) -> TelegramBotResponseSent | None:
    """Deliver the chat's answer once: lease the pending delivery, send, settle it (a failed attempt gives
    the lease back and raises, so the bus retries and the sweep re-drives)."""
    claim, delivery = deps.deliveries.claim(ref.request_id, ref.chat_id, LEASE_SECONDS)
    if claim is not Claim.CLAIMED:
        logger.info("delivery of %s not attempted: %s", ref.request_id, claim.value)
        return None
    try:
        done = send(delivery)
    except Exception:
        _release(deps, ref.request_id)
        raise
    deps.deliveries.settle(ref.request_id, done.state, done.step, done.message_ids)
    return done.sent


def _release(deps: SenderDeps, request_id: str) -> None:
    try:
        deps.deliveries.release(request_id)
    except Exception:  # noqa: BLE001 - the lease expires by itself; the attempt's own error matters more
        logger.exception("could not release the delivery lease of %s", request_id)


# --- helpers ------------------------------------------------------------------------------------


def _quietly(bot: BotApi, method: str, params: dict[str, Any]) -> Any:
    """A call that must not fail the delivery: retried by the client, then only logged."""
    try:
        return bot.call(method, params)
    except TelegramError as error:
        if not error.not_modified:
            logger.warning("%s failed: %s", method, error)
        return None


def _placement(ref: RequestRef, *, link: bool = False) -> dict[str, Any]:
    """The request's topic (every message in answer goes there) and, with ``link``, the reply to the message
    that asked (in groups): the first album, an apology."""
    return answer_placement(ref.chat_id, ref.message_thread_id, ref.reply_to_message_id if link else None)


def _action(deps: SenderDeps, ref: RequestRef, action: str) -> None:
    """The "sending a photo…" line, shown in the request's topic."""
    _quietly(deps.bot, "sendChatAction", {"chat_id": ref.chat_id, "action": action} | _placement(ref))


def _message_ids(result: Any) -> list[int]:
    items = result if isinstance(result, list) else [result]
    return [item["message_id"] for item in items if isinstance(item, dict) and "message_id" in item]


def _recorded_at(result: Any) -> str | None:
    first = result[0] if isinstance(result, list) and result else result
    return first.get("recorded_at") if isinstance(first, dict) else None


def album_chunks(count: int, size: int = MAX_ALBUM) -> list[range]:
    """Split ``count`` items into as few albums as possible, balanced (11 → 6 + 5, never a lone photo)."""
    if count <= 0:
        return []
    albums = math.ceil(count / size)
    base, extra = divmod(count, albums)
    chunks, start = [], 0
    for i in range(albums):
        length = base + (1 if i < extra else 0)
        chunks.append(range(start, start + length))
        start += length
    return chunks


def caption_for(completed: CarouselCompleted) -> str:
    """Title and hashtags within Telegram's 1024 characters; the hashtags survive a cut."""
    title = completed.title.strip()
    caption = completed.caption.strip() or title
    if title and not caption.startswith(title):
        caption = f"{title}\n\n{caption}"
    if text_length(caption) <= MAX_CAPTION:
        return caption
    head, _, tail = caption.rpartition("\n\n")
    if head and tail.lstrip().startswith("#") and text_length(tail) <= MAX_CAPTION // 2:
        return shorten(head, MAX_CAPTION - text_length(tail) - 2) + "\n\n" + tail
    return shorten(caption, MAX_CAPTION)


def _edit_status(deps: SenderDeps, chat_id: int, message_id: int | None, status: str) -> None:
    if message_id is not None:
        _quietly(deps.bot, "editMessageText", {"chat_id": chat_id, "message_id": message_id, "text": status,
                                               "parse_mode": "HTML"})


def _file_name(key: str) -> str:
    return key.rsplit("/", 1)[-1]


def _slug(title: str) -> str:
    slug = re.sub(r"[^\w]+", "-", title.lower(), flags=re.UNICODE).strip("-")
    return (slug[:60].rstrip("-") or "carousel")


# --- progress -----------------------------------------------------------------------------------


def show_progress(data: CarouselContentAnalyzed | CarouselSlidesGenerated, deps: SenderDeps) -> None:
    """Move the progress bar forward only: events arrive in any order, and a late one (the chat already
    answered, or a later stage already shown) changes nothing. A step that follows the last change of the
    status message (its sending, or the last step shown) within ``QUIET_SECONDS`` (in a group
    ``GROUP_QUIET_SECONDS``) is not shown: the bar jumps to the next one seen, or to "done". A restyle's
    status message was sent at this stage by the gateway already."""
    if data.status_message_id is None:
        return
    stage = Stage.CONTENT if isinstance(data, CarouselContentAnalyzed) else Stage.SLIDES
    now, quiet = wall_clock(), GROUP_QUIET_SECONDS if data.chat_id < 0 else QUIET_SECONDS
    if data.requested_at is not None and now - data.requested_at.timestamp() < quiet:
        return  # the status message was sent a moment ago: this step passes unseen
    if not deps.deliveries.advance_progress(data.request_id, data.chat_id, stage.progress, at=now,
                                            quiet_seconds=quiet):
        return
    restyled = isinstance(data, CarouselSlidesGenerated) and data.restyle_of is not None
    if not restyled:
        if isinstance(data, CarouselContentAnalyzed):
            language = deps.language(data, data.content.language)
            status = progress_text(language, stage, count=data.slides_count, title=data.content.title)
        else:
            language = deps.language(data, data.language)
            status = progress_text(language, stage, count=len(data.slides), title=data.title)
        _edit_status(deps, data.chat_id, data.status_message_id, status)
    _action(deps, data, "upload_photo")


# --- the album ----------------------------------------------------------------------------------


def _send_media(deps: SenderDeps, chat_id: int, keys: list[str], *, as_documents: bool,
                caption: str | None, caption_last: bool = False, placement: dict[str, Any] | None = None) -> Any:
    """One album (2-10 files) or one photo/document, uploaded as multipart; ``placement``: its topic and
    the message it answers (:func:`_placement`)."""
    files = {}
    for i, key in enumerate(keys):
        data = deps.read(key)
        files[f"file{i}"] = (_file_name(key), data, "image/jpeg")
    kind = "document" if as_documents or any(len(f[1]) > MAX_PHOTO_BYTES for f in files.values()) else "photo"
    if len(keys) == 1:
        method = "sendDocument" if kind == "document" else "sendPhoto"
        params = {"chat_id": chat_id} | ({"caption": caption} if caption else {}) | (placement or {})
        return method, deps.bot.call(method, params, {kind: files["file0"]})
    media = []
    for i, name in enumerate(files):
        item = {"type": kind, "media": f"attach://{name}"}
        if caption and i == (len(files) - 1 if caption_last else 0):
            item["caption"] = caption
        media.append(item)
    return "sendMediaGroup", deps.bot.call("sendMediaGroup", {"chat_id": chat_id, "media": media} | (placement or {}),
                                           files)


def send_album(completed: CarouselCompleted, delivery: DeliveryRecord, deps: SenderDeps) -> Answer:
    """The album(s), each recorded as it is sent, then the buttons and the finished progress bar; an album
    Telegram refuses for good becomes the apology."""
    done = dict(delivery.steps)
    keys = completed.image_keys
    language = deps.language(completed, completed.language)
    if ALBUM_REFUSED in done:  # an earlier attempt was refused; only its apology is still owed
        return apologise(completed, deps, language, "failed_delivery", refused=done[ALBUM_REFUSED])
    message_ids: list[int] = []
    method, result = "sendMediaGroup", None
    try:
        for number, chunk in enumerate(album_chunks(len(keys)), start=1):
            step = f"album-{number}"
            if step in done:  # sent by an earlier attempt
                message_ids += done[step]
                continue
            _action(deps, completed, "upload_photo")
            chunk_keys, caption = [keys[i] for i in chunk], caption_for(completed) if number == 1 else None
            placement = _placement(completed, link=number == 1)  # the first album answers the asking message
            try:
                method, result = _send_media(deps, completed.chat_id, chunk_keys, as_documents=False, caption=caption,
                                             placement=placement)
            except TelegramError as error:
                if not _photo_refused(error):
                    raise
                # Telegram would not take them as photos (size, dimensions): the files still arrive, as documents.
                method, result = _send_media(deps, completed.chat_id, chunk_keys, as_documents=True, caption=caption,
                                             placement=placement)
            ids = _message_ids(result)
            deps.deliveries.record_step(completed.request_id, step, ids)
            message_ids += ids
    except TelegramError as error:
        if error.retryable:
            raise  # the bus retries; the albums already sent are recorded and not sent again
        refused = f"{error.method} ({error.status}): {error.description}"[:300]
        deps.deliveries.record_step(completed.request_id, ALBUM_REFUSED, refused)
        return apologise(completed, deps, language, "failed_delivery", refused=refused)
    buttons = _send_buttons(completed, deps, language, deps.carousels.get(completed.request_id))
    _edit_status(deps, completed.chat_id, completed.status_message_id,
                 progress_text(language, Stage.COMPLETED, count=len(keys), title=completed.title))
    sent = TelegramBotResponseSent(request_id=completed.request_id, chat_id=completed.chat_id, method=method,
                                   delivered=True, message_ids=message_ids, recorded_at=_recorded_at(result))
    return Answer(sent, DeliveryState.DELIVERED, "buttons" if buttons is not None else None,
                  _message_ids(buttons) if buttons is not None else None)


def _send_buttons(completed: CarouselCompleted, deps: SenderDeps, language: str, record: CarouselRecord | None,
                  where: RequestRef | None = None) -> Any:
    """The message after an album (albums cannot carry buttons): what it is, and Originals, PDF, Another
    style; in the topic of ``where`` (default: the request's). Best effort."""
    width, height = SIZE_PIXELS[completed.size or "4:5"]
    ready = text("ready", language, title=escape_html(clip(completed.title, 120)), count=len(completed.image_keys),
                 style=theme_label(completed.style, language), width=width, height=height)
    note = fallback_note(record, language)
    return _quietly(deps.bot, "sendMessage", {
        "chat_id": completed.chat_id, "parse_mode": "HTML", "text": f"{ready}\n\n{note}" if note else ready,
        "reply_markup": follow_up_keyboard(completed.request_id, language)} | _placement(where or completed))


def fallback_note(record: CarouselRecord | None, language: str) -> str | None:
    """One line saying the content did not come from the configured AI model, and why; None when it did."""
    content = record.content if record else None
    if content is None or not content.fallback_reason or content.provider == "openai":
        return None
    source = text("source_text" if content.provider == "text" else "source_offline", language)
    return text("fallback_note", language, reason=escape_html(clip(content.fallback_reason, 60)), source=source)


def _photo_refused(error: TelegramError) -> bool:
    description = error.description.upper()
    return error.status == 400 and any(reason in description for reason in (
        "PHOTO_INVALID_DIMENSIONS", "PHOTO_SAVE_FILE_INVALID", "IMAGE_PROCESS_FAILED", "PHOTO_EXT_INVALID"))


def follow_up_keyboard(request_id: str, language: str) -> dict:
    return inline_keyboard([
        [(text("button_originals", language), f"orig:{request_id}"), (text("button_pdf", language), f"pdf:{request_id}")],
        [(text("button_restyle", language), f"restyle:{request_id}"), (text("button_edit", language), f"edit:{request_id}")],
    ])


# --- failures -----------------------------------------------------------------------------------




def apologise(ref: RequestRef, deps: SenderDeps, language: str, reason: str | None,
              refused: str | None = None, message: str | None = None) -> Answer:
    """The one apology (or *message*, the answer a request that cannot be served gets), with what to
    try; the progress bar ends in "failed". A chat Telegram will not let us write to (the bot was
    blocked, the chat is gone) ends the delivery too: nothing more can reach it."""
    try:
        result = deps.bot.call("sendMessage", {"chat_id": ref.chat_id, "parse_mode": "HTML", "text": message or
                                               text("failed", language, reason=text(reason, language)
                                                    if reason else "")} | _placement(ref, link=True))
    except TelegramError as error:
        if error.retryable:
            raise
        logger.warning("the apology for %s could not be sent: %s", ref.request_id, error)
        sent = TelegramBotResponseSent(request_id=ref.request_id, chat_id=ref.chat_id, method="sendMessage",
                                       delivered=False, error=refused or str(error))
        return Answer(sent, DeliveryState.FAILED)
    status_id = ref.status_message_id
    if status_id is None:  # the orchestrator's sweep does not always carry it; the carousel record does
        record = deps.carousels.get(ref.request_id)
        status_id = record.status_message_id if record else None
    _edit_status(deps, ref.chat_id, status_id, progress_text(language, Stage.FAILED, count=None))
    ids = _message_ids(result)
    sent = TelegramBotResponseSent(request_id=ref.request_id, chat_id=ref.chat_id, method="sendMessage",
                                   delivered=refused is None, message_ids=ids, recorded_at=_recorded_at(result),
                                   error=refused)
    return Answer(sent, DeliveryState.FAILED, "apology", ids)


def _reason_of(failure: str | None) -> str | None:
    return "failed_timeout" if failure and "did not finish" in failure else None


def not_covered_text(language: str, subjects: list[str], *, reason: str, fallback_reason: str | None) -> str:
    """The answer to a topic the offline notes do not cover: no carousel, and what the bot can do instead."""
    listed = text("covered_subjects", language, subjects=clip(", ".join(escape_html(s) for s in subjects), 700)) \
        if subjects else ""
    because = text("because_ai_unavailable", language) if fallback_reason else ""
    other = text("not_covered_language", language) if "not written in" in reason else ""
    return text("topic_not_covered", language, subjects=listed, because=because, other_language=other)


def failure_text(language: str, failure: str | None, *, subjects: list[str],
                 fallback_reason: str | None) -> str | None:
    """The answer a failure of a known kind gets instead of the plain apology (None: the apology)."""
    if is_failure(failure, TOPIC_NOT_COVERED):
        return not_covered_text(language, subjects, reason=failure, fallback_reason=fallback_reason)
    if is_failure(failure, MISSING_GLYPH):
        characters = escape_html(failure_detail(failure, MISSING_GLYPH))
        return text("failed_missing_glyph", language, characters=characters)
    return None


def send_failure(failed: CarouselFailed, delivery: DeliveryRecord, deps: SenderDeps) -> Answer:
    language = deps.language(failed, failed.language)
    message = failure_text(language, failed.reason, subjects=failed.covered_subjects,
                           fallback_reason=failed.fallback_reason)
    return apologise(failed, deps, language, _reason_of(failed.reason), message=message)


def send_overdue(overdue: TelegramDeliveryOverdue, delivery: DeliveryRecord, deps: SenderDeps) -> Answer:
    """The sweep's re-drive: the album from the carousel record, or the apology it asks for; after too
    long unreachable, nothing more (the delivery ends as failed)."""
    if overdue.answer == "give_up":
        return Answer(None, DeliveryState.FAILED, "unreachable", delivery.attempts)
    record = deps.carousels.get(overdue.request_id)
    language = deps.language(overdue, overdue.language)
    if record is None or record.status is not CarouselStatus.COMPLETED:
        failure = record.failure if record else overdue.reason
        message = failure_text(language, failure, subjects=[], fallback_reason=record.content.fallback_reason
                               if record and record.content else None)
        return apologise(overdue, deps, language, _reason_of(failure), message=message)
    if overdue.answer == "apology":
        return apologise(overdue, deps, language, "failed_delivery", refused=delivery.steps.get(ALBUM_REFUSED))
    return send_album(completed_from_record(record, overdue.chat_id), delivery, deps)


def completed_from_record(record: CarouselRecord, chat_id: int) -> CarouselCompleted:
    """The carousel as ``carousel.completed`` carried it, rebuilt from its record."""
    return CarouselCompleted(request_id=record.request_id, user_id=record.user_id, chat_id=chat_id,
                             channel=record.channel, status_message_id=record.status_message_id,
                             title=record.title or record.topic or "", caption=record.caption or "",
                             style=record.style, language=record.language or "en",
                             message_thread_id=record.message_thread_id, reply_to_message_id=record.reply_to_message_id,
                             slides=[slide.model_dump() for slide in record.slides], timings=record.timings,
                             size=record.size)


# --- follow-ups (buttons) -----------------------------------------------------------------------


def send_follow_up(request: TelegramDeliveryRequested, deps: SenderDeps) -> TelegramBotResponseSent:
    """A button's answer, in the topic of the tapped message (the first file links to it in a group)."""
    record = deps.carousels.get(request.request_id)
    if record is None or record.status is not CarouselStatus.COMPLETED or not record.slides:
        result = deps.bot.call("sendMessage", {"chat_id": request.chat_id,
                                               "text": text("cb_unavailable", request.language)}
                               | _placement(request, link=True))
        return TelegramBotResponseSent(request_id=request.request_id, chat_id=request.chat_id, method="sendMessage",
                                       delivered=False, message_ids=_message_ids(result), error="unavailable")
    completed = completed_from_record(record, request.chat_id)
    keys = completed.image_keys
    try:
        if request.action == "album":
            method, ids = _resend_album(completed, deps, request)
            _send_buttons(completed, deps, request.language, record, where=request)  # as under the first album
        elif request.action == "originals":
            method, ids = _send_originals(record, keys, deps, request)
        else:
            method, ids = _send_pdf(record, keys, deps, request)
    except TelegramError as error:
        if error.retryable:
            raise
        _quietly(deps.bot, "sendMessage", {"chat_id": request.chat_id, "text": text("delivery_failed",
                                                                                     request.language)}
                 | _placement(request, link=True))
        return TelegramBotResponseSent(request_id=request.request_id, chat_id=request.chat_id,
                                       method=error.method, delivered=False, error=str(error))
    return TelegramBotResponseSent(request_id=request.request_id, chat_id=request.chat_id, method=method,
                                   delivered=True, message_ids=ids)


def _resend_album(completed: CarouselCompleted, deps: SenderDeps, where: RequestRef) -> tuple[str, list[int]]:
    chat_id, keys = completed.chat_id, completed.image_keys
    ids, method = [], "sendMediaGroup"
    for number, chunk in enumerate(album_chunks(len(keys)), start=1):
        _action(deps, where, "upload_photo")
        method, result = _send_media(deps, chat_id, [keys[i] for i in chunk], as_documents=False,
                                     caption=caption_for(completed) if number == 1 else None,
                                     placement=_placement(where, link=number == 1))
        ids += _message_ids(result)
    return method, ids


def _send_originals(record: CarouselRecord, keys: list[str], deps: SenderDeps,
                    where: TelegramDeliveryRequested) -> tuple[str, list[int]]:
    """The exact rendered files as documents: Telegram does not touch documents."""
    ids, method = [], "sendMediaGroup"
    chunks = album_chunks(len(keys))
    for number, chunk in enumerate(chunks, start=1):
        _action(deps, where, "upload_document")
        caption = None
        if number == len(chunks):
            width, height = _dimensions(deps, keys[0])
            caption = text("originals_caption", where.language, count=len(keys), width=width, height=height)
        method, result = _send_media(deps, where.chat_id, [keys[i] for i in chunk], as_documents=True,
                                     caption=caption, caption_last=True, placement=_placement(where, link=number == 1))
        ids += _message_ids(result)
    alt = _quietly(deps.bot, "sendMessage", {"chat_id": where.chat_id, "text": alt_texts(record, where.language)}
                   | _placement(where))
    return method, ids + _message_ids(alt)


def alt_texts(record: CarouselRecord, language: str) -> str:
    """Each slide's alt text (Instagram's accessibility field), numbered by image: what the slide says, in
    plain words, within Instagram's limits and the message's 4096 characters."""
    lines, number = [text("alt_text_title", language)], 0
    budget = (4000 - len(lines[0])) // max(1, sum(len(slide.image_keys) or 1 for slide in record.slides))
    for slide in record.slides:
        for _ in slide.image_keys or [None]:
            number += 1
            said = f"{slide.title}. {slide.content}" if slide.content else slide.title
            lines.append(f"{number}. {clip(said, max(40, budget - 6))}")
    return "\n".join(lines)[:4096]


def _dimensions(deps: SenderDeps, key: str) -> tuple[int, int]:
    from telegram_sender.pdf import jpeg_info

    head = deps.slides.read_head(key)
    try:
        width, height, _ = jpeg_info(head)
    except ValueError:
        return 1080, 1350
    return width, height


def _send_pdf(record: CarouselRecord, keys: list[str], deps: SenderDeps,
              where: TelegramDeliveryRequested) -> tuple[str, list[int]]:
    from telegram_sender.pdf import jpegs_to_pdf

    _action(deps, where, "upload_document")
    title = record.title or record.topic or "Carousel"
    document = jpegs_to_pdf([deps.read(key) for key in keys], title=title)
    caption = text("pdf_caption", where.language, title=clip(title, 200))
    result = deps.bot.call("sendDocument", {"chat_id": where.chat_id, "caption": caption}
                           | _placement(where, link=True),
                           {"document": (f"{_slug(title)}.pdf", document, "application/pdf")})
    return "sendDocument", _message_ids(result)


# --- brand images -------------------------------------------------------------------------------


def fetch_brand(request: TelegramBrandImageRequested, deps: SenderDeps) -> TelegramBotResponseSent | None:
    """A brand image into the user's kit; a response event only when the chat was told (a logo)."""
    from telegram_sender.brand_images import BrandImageDeps, fetch_brand_image

    done = fetch_brand_image(request, BrandImageDeps(deps.bot, deps.slides, deps.users))
    if not request.announce:
        return None
    return TelegramBotResponseSent(chat_id=request.chat_id, method="sendMessage", delivered=done["stored"],
                                   error=None if done["stored"] else f"no {request.kind}")


# --- edits: the album follows the carousel --------------------------------------------------------


def follow_edit(edited: CarouselEdited, deps: SenderDeps) -> TelegramBotResponseSent:
    """Replace the changed photos of the album in place (editMessageMedia); when the album cannot follow
    (the number of images grew, or its messages are gone), send the carousel again as a new album. Then
    the edit's status message says what changed, with Undo."""
    language = edited.reply_language or "en"
    delivery = deps.deliveries.get(edited.request_id)
    album = delivery.album_message_ids if delivery else []
    chat_id = delivery.chat_id if delivery else edited.chat_id
    completed = CarouselCompleted(**edited.ref(), title=edited.title, caption=edited.caption, style=edited.style,
                                  language=edited.language, slides=edited.slides)
    keys = completed.image_keys
    method, ids = "editMessageMedia", list(album)
    in_place = bool(album) and len(album) == edited.previous_image_count and len(keys) <= len(album)
    try:
        if in_place:
            ids = _edit_in_place(completed, album, edited.changed_images, chat_id, deps)
        if not in_place or ids is None:
            method, ids = _replace_album(completed, album, chat_id, deps)
    except TelegramError as error:
        if error.retryable:
            raise
        _edit_status(deps, edited.chat_id, edited.status_message_id, text("delivery_failed", language))
        return TelegramBotResponseSent(request_id=edited.request_id, chat_id=chat_id, method=error.method,
                                       delivered=False, error=str(error))
    _record_album(deps, edited.request_id, ids, delivery)
    _edit_done(edited, language, deps)
    return TelegramBotResponseSent(request_id=edited.request_id, chat_id=chat_id, method=method, delivered=True,
                                   message_ids=ids)


def _edit_in_place(completed: CarouselCompleted, album: list[int], changed: list[int], chat_id: int,
                   deps: SenderDeps) -> list[int] | None:
    """The album with its changed photos replaced and the photos past its new end deleted; None when a photo
    cannot be edited any more (deleted by the user, say): then the album is sent again."""
    keys = completed.image_keys
    for position in changed:
        media = {"type": "photo", "media": "attach://file0"}
        if position == 1:
            media["caption"] = caption_for(completed)
        try:
            deps.bot.call("editMessageMedia", {"chat_id": chat_id, "message_id": album[position - 1], "media": media},
                          {"file0": (_file_name(keys[position - 1]), deps.read(keys[position - 1]), "image/jpeg")})
        except TelegramError as error:
            if error.retryable:
                raise
            if not error.not_modified:
                logger.warning("album photo %s not edited: %s", album[position - 1], error)
                return None
    for message_id in album[len(keys):]:
        _quietly(deps.bot, "deleteMessage", {"chat_id": chat_id, "message_id": message_id})
    return album[:len(keys)]


def _replace_album(completed: CarouselCompleted, album: list[int], chat_id: int,
                   deps: SenderDeps) -> tuple[str, list[int]]:
    """The carousel as a new album (Telegram cannot add a photo to a sent album), the old one deleted."""
    in_chat = completed.model_copy(update={"chat_id": chat_id})
    method, ids = _resend_album(in_chat, deps, in_chat)
    for message_id in album:
        _quietly(deps.bot, "deleteMessage", {"chat_id": chat_id, "message_id": message_id})
    return method, ids


def _record_album(deps: SenderDeps, request_id: str, ids: list[int], delivery: DeliveryRecord | None) -> None:
    """The album's message ids as they are now, in the delivery log's album steps (for the next reply)."""
    old_steps = [step for step in (delivery.steps if delivery else {}) if step.startswith("album-")]
    chunks = album_chunks(len(ids))
    for number, chunk in enumerate(chunks, start=1):
        deps.deliveries.record_step(request_id, f"album-{number}", [ids[i] for i in chunk])
    for step in old_steps:
        if int(step.removeprefix("album-") or 0) > len(chunks):
            deps.deliveries.record_step(request_id, step, [])


def _edit_done(edited: CarouselEdited, language: str, deps: SenderDeps) -> None:
    if edited.operation in ("replace", "rewrite"):
        version = edited.slides[edited.slide - 1].version if edited.slide and edited.slide <= len(edited.slides) else 1
        done = text("edit_done", language, slide=edited.slide, version=version)
    elif edited.operation == "drop":
        done = text("edit_dropped", language, count=len(edited.slides))
    else:
        done = text("edit_moved" if edited.operation == "move" else "edit_undone", language)
    keyboard = edit_keyboard(edited.request_id, language)
    if edited.status_message_id is None:
        _quietly(deps.bot, "sendMessage", {"chat_id": edited.chat_id, "text": done, "reply_markup": keyboard}
                 | _placement(edited))
        return
    _quietly(deps.bot, "editMessageText", {"chat_id": edited.chat_id, "message_id": edited.status_message_id,
                                           "text": done, "parse_mode": "HTML", "reply_markup": keyboard})


def edit_keyboard(request_id: str, language: str) -> dict:
    return inline_keyboard([[(text("button_undo", language), f"undo:{request_id}"),
                             (text("button_edit", language), f"edit:{request_id}")]])


def say_edit_failed(failed: CarouselEditFailed, deps: SenderDeps) -> TelegramBotResponseSent:
    """Why the edit was not applied (the carousel is unchanged), in the edit's status message."""
    kind = failed.reason.split(":", 1)[0].strip()
    known = f"edit_failed_{kind}"
    message = text(known, failed.language) if known in TEXTS else text("edit_failed_busy", failed.language)
    if failed.status_message_id is not None:
        _edit_status(deps, failed.chat_id, failed.status_message_id, message)
    else:
        _quietly(deps.bot, "sendMessage", {"chat_id": failed.chat_id, "text": message, "parse_mode": "HTML"}
                 | _placement(failed))
    return TelegramBotResponseSent(request_id=failed.request_id, chat_id=failed.chat_id, method="editMessageText",
                                   delivered=True, error=failed.reason)
