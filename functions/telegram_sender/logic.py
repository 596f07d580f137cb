"""Deliver a finished carousel as one album (or a failure as one apology) to the user's chat."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vibecoder.events.models import CarouselCompleted, CarouselFailed, TelegramBotResponseSent
from vibecoder.telegram import MAX_ALBUM, MAX_CAPTION, BotApi, TelegramError
from vibecoder.texts import text


@dataclass
class SenderDeps:
    bot: BotApi
    s3: Any
    bucket: str


def caption_for(completed: CarouselCompleted) -> str:
    caption = completed.caption or completed.title
    return caption if len(caption) <= MAX_CAPTION else caption[: MAX_CAPTION - 1].rstrip() + "…"


def _message_ids(result: Any) -> list[int]:
    items = result if isinstance(result, list) else [result]
    return [item["message_id"] for item in items if isinstance(item, dict) and "message_id" in item]


def send_album(completed: CarouselCompleted, deps: SenderDeps) -> TelegramBotResponseSent:
    """Upload the slides from S3 as multipart (Telegram's own URL fetching is unreliable)."""
    message_ids: list[int] = []
    method = "sendMediaGroup"
    try:
        for start in range(0, len(completed.slides), MAX_ALBUM):
            chunk = completed.slides[start : start + MAX_ALBUM]
            files = {}
            for slide in chunk:
                body = deps.s3.get_object(Bucket=deps.bucket, Key=slide.image_key)["Body"].read()
                name = slide.image_key.rsplit("/", 1)[-1]
                files[name.replace(".", "_")] = (name, body, "image/jpeg")
            caption = caption_for(completed) if start == 0 else None
            if len(chunk) == 1:  # an album needs 2–10 items
                method = "sendPhoto"
                field, upload = next(iter(files.items()))
                params = {"chat_id": completed.chat_id, "photo": f"attach://{field}"} | (
                    {"caption": caption} if caption else {})
                result = deps.bot.call("sendPhoto", params, {field: upload})
            else:
                media = [{"type": "photo", "media": f"attach://{field}"} | (
                    {"caption": caption} if caption and i == 0 else {}) for i, field in enumerate(files)]
                result = deps.bot.call("sendMediaGroup", {"chat_id": completed.chat_id, "media": media}, files)
            message_ids += _message_ids(result)
    except TelegramError as error:
        if error.retryable:
            raise  # let the bus retry; idempotency keeps a finished delivery from repeating
        return TelegramBotResponseSent(request_id=completed.request_id, chat_id=completed.chat_id, method=method,
                                       delivered=False, error=str(error))
    recorded = _recorded_at(result)
    return TelegramBotResponseSent(request_id=completed.request_id, chat_id=completed.chat_id, method=method,
                                   delivered=True, message_ids=message_ids, recorded_at=recorded)


def send_failure(failed: CarouselFailed, deps: SenderDeps) -> TelegramBotResponseSent:
    result = deps.bot.call("sendMessage", {"chat_id": failed.chat_id, "text": text("failed", failed.language)})
    return TelegramBotResponseSent(request_id=failed.request_id, chat_id=failed.chat_id, method="sendMessage",
                                   delivered=True, message_ids=_message_ids(result), recorded_at=_recorded_at(result))


def _recorded_at(result: Any) -> str | None:
    first = result[0] if isinstance(result, list) and result else result
    return first.get("recorded_at") if isinstance(first, dict) else None

