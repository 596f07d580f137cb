"""Everything the user sees after the request: progress, the album, the buttons, apologies, follow-ups.

- ``carousel.content.analyzed`` / ``carousel.slides.generated``: the status message (sent by the
  gateway) is edited into the next stage of the progress bar, with the ``upload_photo`` chat action.
- ``carousel.completed``: the slides as one album (2-10 photos; 11-20 as two balanced albums; one
  slide via sendPhoto), uploaded as multipart from S3, the caption (title + hashtags, ≤ 1024) on the
  first photo. Albums cannot carry buttons and Telegram re-encodes their photos to at most 1280 px,
  so one message with buttons follows: Originals (the exact files, as documents), PDF, Another style.
- ``carousel.failed``: one clear apology with what to try.
- ``telegram.delivery.requested``: a button was tapped — the album again, the originals or the PDF.

Each album sent is recorded on the carousel (``delivery``) before anything else happens, so a
retried or redelivered ``carousel.completed`` never sends it again. Progress edits and the buttons
are best effort: they never make a delivered carousel fail.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    CarouselCompleted,
    CarouselContentAnalyzed,
    CarouselFailed,
    CarouselSlidesGenerated,
    TelegramBotResponseSent,
    TelegramDeliveryRequested,
)
from vibecoder.repositories import CarouselRecord, CarouselRepository, CarouselStatus, UserRepository
from vibecoder.telegram import (
    MAX_ALBUM,
    MAX_CAPTION,
    MAX_PHOTO_BYTES,
    BotApi,
    TelegramError,
    inline_keyboard,
    shorten,
    text_length,
)
from vibecoder.texts import PROGRESS_STAGES, clip, escape_html, language_of, progress_text, text, theme_label

SERVICE = "telegram-sender"
logger = logging.getLogger(__name__)


@dataclass
class SenderDeps:
    bot: BotApi
    carousels: CarouselRepository
    bucket: str
    users: UserRepository | None = None
    s3_client: Any = None  # created on first use: progress edits never touch S3

    def language(self, user_id: str, fallback: str) -> str:
        """The language the user talks to the bot in (as the gateway chose it), else the content's."""
        user = self.users.get(user_id) if self.users else None
        if user is None:
            return fallback
        return user.preferences.language or (language_of(user.language_code) if user.language_code else fallback)

    @cached_property
    def s3(self) -> Any:
        if self.s3_client is None:
            from vibecoder.aws import client

            self.s3_client = client("s3")
        return self.s3_client

    def read(self, key: str) -> bytes:
        return self.s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()


def handle(envelope: EventEnvelope, deps: SenderDeps) -> TelegramBotResponseSent | None:
    data = envelope.data
    if data.chat_id is None:  # requested through the HTTP API: nobody to message
        return None
    if isinstance(data, CarouselCompleted):
        return send_album(data, deps)
    if isinstance(data, CarouselFailed):
        return send_failure(data, deps)
    if isinstance(data, TelegramDeliveryRequested):
        return send_follow_up(data, deps)
    if isinstance(data, (CarouselContentAnalyzed, CarouselSlidesGenerated)):
        # A restyle's slides come from the gateway, which already set the status message itself.
        show_progress(data, deps, edit=envelope.metadata.source != "telegram-gateway")
        return None
    raise ValueError(f"telegram-sender does not handle {envelope.type}")


# --- helpers ------------------------------------------------------------------------------------


def _quietly(bot: BotApi, method: str, params: dict[str, Any]) -> Any:
    """A call that must not fail the delivery: retried by the client, then only logged."""
    try:
        return bot.call(method, params)
    except TelegramError as error:
        if not error.not_modified:
            logger.warning("%s failed: %s", method, error)
        return None


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


def show_progress(data: CarouselContentAnalyzed | CarouselSlidesGenerated, deps: SenderDeps,
                  edit: bool = True) -> None:
    """Move the progress bar forward only: events arrive in any order, and a late one (the carousel
    already ended, or a later stage already shown) changes nothing."""
    if data.status_message_id is None:
        return
    stage = "content" if isinstance(data, CarouselContentAnalyzed) else "rendering"
    if not deps.carousels.advance_progress(data.request_id, PROGRESS_STAGES[stage]):
        return
    if edit:
        if isinstance(data, CarouselContentAnalyzed):
            language = deps.language(data.user_id, data.content.language)
            status = progress_text(language, stage, count=data.slides_count, title=data.content.title)
        else:
            language = deps.language(data.user_id, data.language)
            status = progress_text(language, stage, count=len(data.slides), title=data.title)
        _edit_status(deps, data.chat_id, data.status_message_id, status)
    _quietly(deps.bot, "sendChatAction", {"chat_id": data.chat_id, "action": "upload_photo"})


# --- the album ----------------------------------------------------------------------------------


def _send_media(deps: SenderDeps, chat_id: int, keys: list[str], *, as_documents: bool,
                caption: str | None, caption_last: bool = False) -> Any:
    """One album (2-10 files) or one photo/document, uploaded as multipart."""
    files = {}
    for i, key in enumerate(keys):
        data = deps.read(key)
        files[f"file{i}"] = (_file_name(key), data, "image/jpeg")
    kind = "document" if as_documents or any(len(f[1]) > MAX_PHOTO_BYTES for f in files.values()) else "photo"
    if len(keys) == 1:
        method = "sendDocument" if kind == "document" else "sendPhoto"
        params = {"chat_id": chat_id} | ({"caption": caption} if caption else {})
        return method, deps.bot.call(method, params, {kind: files["file0"]})
    media = []
    for i, name in enumerate(files):
        item = {"type": kind, "media": f"attach://{name}"}
        if caption and i == (len(files) - 1 if caption_last else 0):
            item["caption"] = caption
        media.append(item)
    return "sendMediaGroup", deps.bot.call("sendMediaGroup", {"chat_id": chat_id, "media": media}, files)


def send_album(completed: CarouselCompleted, deps: SenderDeps) -> TelegramBotResponseSent:
    """The album(s), recorded step by step, then the buttons and the finished progress bar."""
    record = deps.carousels.get(completed.request_id)
    done = dict(record.delivery) if record else {}
    keys = [slide.image_key for slide in completed.slides]
    language = deps.language(completed.user_id, completed.language)
    message_ids: list[int] = []
    method, result = "sendMediaGroup", None
    try:
        for number, chunk in enumerate(album_chunks(len(keys)), start=1):
            step = f"album-{number}"
            if step in done:  # sent by an earlier attempt
                message_ids += done[step]
                continue
            _quietly(deps.bot, "sendChatAction", {"chat_id": completed.chat_id, "action": "upload_photo"})
            chunk_keys, caption = [keys[i] for i in chunk], caption_for(completed) if number == 1 else None
            try:
                method, result = _send_media(deps, completed.chat_id, chunk_keys, as_documents=False, caption=caption)
            except TelegramError as error:
                if not _photo_refused(error):
                    raise
                # Telegram would not take them as photos (size, dimensions): the files still arrive, as documents.
                method, result = _send_media(deps, completed.chat_id, chunk_keys, as_documents=True, caption=caption)
            ids = _message_ids(result)
            if record is not None:
                deps.carousels.record_delivery(completed.request_id, step, ids)
            message_ids += ids
    except TelegramError as error:
        if error.retryable:
            raise  # the bus retries; the albums already sent are recorded and not sent again
        _edit_status(deps, completed.chat_id, completed.status_message_id,
                     progress_text(language, "failed", count=len(keys), title=completed.title))
        return TelegramBotResponseSent(request_id=completed.request_id, chat_id=completed.chat_id,
                                       method=error.method, delivered=False, error=str(error))
    if "buttons" not in done:
        buttons = _quietly(deps.bot, "sendMessage", {
            "chat_id": completed.chat_id, "parse_mode": "HTML",
            "text": text("ready", language, title=escape_html(clip(completed.title, 120)),
                         count=len(keys), style=theme_label(completed.style, language)),
            "reply_markup": follow_up_keyboard(completed.request_id, language)})
        if buttons is not None and record is not None:
            deps.carousels.record_delivery(completed.request_id, "buttons", _message_ids(buttons))
    _edit_status(deps, completed.chat_id, completed.status_message_id,
                 progress_text(language, "done", count=len(keys), title=completed.title))
    return TelegramBotResponseSent(request_id=completed.request_id, chat_id=completed.chat_id, method=method,
                                   delivered=True, message_ids=message_ids, recorded_at=_recorded_at(result))


def _photo_refused(error: TelegramError) -> bool:
    description = error.description.upper()
    return error.status == 400 and any(reason in description for reason in (
        "PHOTO_INVALID_DIMENSIONS", "PHOTO_SAVE_FILE_INVALID", "IMAGE_PROCESS_FAILED", "PHOTO_EXT_INVALID"))


def follow_up_keyboard(request_id: str, language: str) -> dict:
    return inline_keyboard([
        [(text("button_originals", language), f"orig:{request_id}"), (text("button_pdf", language), f"pdf:{request_id}")],
        [(text("button_restyle", language), f"restyle:{request_id}")],
    ])


# --- failures -----------------------------------------------------------------------------------


def send_failure(failed: CarouselFailed, deps: SenderDeps) -> TelegramBotResponseSent:
    language = deps.language(failed.user_id, failed.language)
    if failed.reason.startswith("missing_glyph:"):  # the renderer: characters no bundled font has
        characters = escape_html(failed.reason.removeprefix("missing_glyph:").strip())
        message = text("failed_missing_glyph", language, characters=characters)
    else:
        reason = text("failed_timeout", language) if "did not finish" in failed.reason else ""
        message = text("failed", language, reason=reason)
    result = deps.bot.call("sendMessage", {"chat_id": failed.chat_id, "parse_mode": "HTML", "text": message})
    status_id = failed.status_message_id
    if status_id is None:  # the orchestrator's sweep does not carry it; the carousel record does
        record = deps.carousels.get(failed.request_id)
        status_id = record.status_message_id if record else None
    _edit_status(deps, failed.chat_id, status_id, progress_text(language, "failed", count=None))
    return TelegramBotResponseSent(request_id=failed.request_id, chat_id=failed.chat_id, method="sendMessage",
                                   delivered=True, message_ids=_message_ids(result), recorded_at=_recorded_at(result))


# --- follow-ups (buttons) -----------------------------------------------------------------------


def send_follow_up(request: TelegramDeliveryRequested, deps: SenderDeps) -> TelegramBotResponseSent:
    record = deps.carousels.get(request.request_id)
    if record is None or record.status is not CarouselStatus.COMPLETED or not record.slides:
        result = deps.bot.call("sendMessage", {"chat_id": request.chat_id,
                                               "text": text("cb_unavailable", request.language)})
        return TelegramBotResponseSent(request_id=request.request_id, chat_id=request.chat_id, method="sendMessage",
                                       delivered=False, message_ids=_message_ids(result), error="unavailable")
    keys = [s["imageKey"] for s in record.slides if s.get("imageKey")]
    try:
        if request.action == "album":
            method, ids = _resend_album(record, keys, deps, request.chat_id)
        elif request.action == "originals":
            method, ids = _send_originals(record, keys, deps, request.chat_id, request.language)
        else:
            method, ids = _send_pdf(record, keys, deps, request.chat_id, request.language)
    except TelegramError as error:
        if error.retryable:
            raise
        _quietly(deps.bot, "sendMessage", {"chat_id": request.chat_id, "text": text("delivery_failed",
                                                                                     request.language)})
        return TelegramBotResponseSent(request_id=request.request_id, chat_id=request.chat_id,
                                       method=error.method, delivered=False, error=str(error))
    return TelegramBotResponseSent(request_id=request.request_id, chat_id=request.chat_id, method=method,
                                   delivered=True, message_ids=ids)


def _resend_album(record: CarouselRecord, keys: list[str], deps: SenderDeps, chat_id: int) -> tuple[str, list[int]]:
    completed = CarouselCompleted(request_id=record.request_id, user_id=record.user_id, chat_id=chat_id,
                                  title=record.title or record.topic or "", caption=record.caption or "",
                                  style=record.style, slides=record.slides)
    ids, method = [], "sendMediaGroup"
    for number, chunk in enumerate(album_chunks(len(keys)), start=1):
        _quietly(deps.bot, "sendChatAction", {"chat_id": chat_id, "action": "upload_photo"})
        method, result = _send_media(deps, chat_id, [keys[i] for i in chunk], as_documents=False,
                                     caption=caption_for(completed) if number == 1 else None)
        ids += _message_ids(result)
    return method, ids


def _send_originals(record: CarouselRecord, keys: list[str], deps: SenderDeps, chat_id: int,
                    language: str) -> tuple[str, list[int]]:
    """The exact rendered files as documents: Telegram does not touch documents."""
    ids, method = [], "sendMediaGroup"
    chunks = album_chunks(len(keys))
    for number, chunk in enumerate(chunks, start=1):
        _quietly(deps.bot, "sendChatAction", {"chat_id": chat_id, "action": "upload_document"})
        caption = None
        if number == len(chunks):
            width, height = _dimensions(deps, keys[0])
            caption = text("originals_caption", language, count=len(keys), width=width, height=height)
        method, result = _send_media(deps, chat_id, [keys[i] for i in chunk], as_documents=True, caption=caption,
                                     caption_last=True)
        ids += _message_ids(result)
    return method, ids


def _dimensions(deps: SenderDeps, key: str) -> tuple[int, int]:
    from telegram_sender.pdf import jpeg_info

    head = deps.s3.get_object(Bucket=deps.bucket, Key=key, Range="bytes=0-65535")["Body"].read()
    try:
        width, height, _ = jpeg_info(head)
    except ValueError:
        return 1080, 1350
    return width, height


def _send_pdf(record: CarouselRecord, keys: list[str], deps: SenderDeps, chat_id: int,
              language: str) -> tuple[str, list[int]]:
    from telegram_sender.pdf import jpegs_to_pdf

    _quietly(deps.bot, "sendChatAction", {"chat_id": chat_id, "action": "upload_document"})
    title = record.title or record.topic or "Carousel"
    document = jpegs_to_pdf([deps.read(key) for key in keys], title=title)
    caption = text("pdf_caption", language, title=clip(title, 200))
    result = deps.bot.call("sendDocument", {"chat_id": chat_id, "caption": caption},
                           {"document": (f"{_slug(title)}.pdf", document, "application/pdf")})
    return "sendDocument", _message_ids(result)
