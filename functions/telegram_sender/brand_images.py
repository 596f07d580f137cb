"""A user's avatar or logo, fetched from Telegram into their brand kit (``telegram.brand.image.requested``).

The avatar is the newest profile photo, at the smallest size that is still sharp as a 96 px circle; the
logo is the picture the user sent captioned ``/brand logo``. Either is checked to be a JPEG, PNG or WebP
(by its first bytes: the renderer decodes it and skips what it cannot) and stored in the slides bucket
under the user's brand prefix, and the kit records it. A user with no profile photo, or a refused file,
gets no avatar: never a failed carousel. Telegram being down is retried by the bus for a logo; the avatar is
left for later ("From my profile" under /brand fetches it again).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from vibecoder.events.models import TelegramBrandImageRequested
from vibecoder.repositories import UserRepository
from vibecoder.repositories.slides import SlideRepository
from vibecoder.telegram import BotApi, TelegramError, fetch_file
from vibecoder.texts import text

MAX_BYTES = 5 * 1024 * 1024
AVATAR_MIN_SIDE = 160  # px: sharp at the slide's avatar size, a few KB
SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
logger = logging.getLogger(__name__)


@dataclass
class BrandImageDeps:
    bot: BotApi
    slides: SlideRepository
    users: UserRepository


def image_type(data: bytes) -> str | None:
    """The picture's content type by its signature, or None for anything else."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in SIGNATURES.items() if data.startswith(signature)), None)


def _avatar_file_id(bot: BotApi, user_id: str) -> str | None:
    photos = bot.call("getUserProfilePhotos", {"user_id": int(user_id), "limit": 1})
    sizes = (photos or {}).get("photos", [[]])[0] if (photos or {}).get("photos") else []
    if not sizes:
        return None
    sharp = [s for s in sizes if min(s.get("width", 0), s.get("height", 0)) >= AVATAR_MIN_SIDE]
    chosen = min(sharp, key=lambda s: s.get("width", 0)) if sharp else max(sizes, key=lambda s: s.get("width", 0))
    return chosen.get("file_id")


def fetch_brand_image(request: TelegramBrandImageRequested, deps: BrandImageDeps) -> dict[str, Any]:
    """Fetch, check, store and record one brand image; what happened (for the response event)."""
    try:
        file_id = request.file_id if request.kind == "logo" else _avatar_file_id(deps.bot, request.user_id)
        data = fetch_file(deps.bot, file_id, MAX_BYTES) if file_id else None
    except TelegramError as error:
        if error.retryable and request.announce:
            raise  # a logo the user sent: the bus retries it
        # The avatar is best effort: an outage leaves the kit as it is (the slides go without the picture until
        # the user taps "From my profile"), instead of retrying into the dead-letter queue.
        logger.warning("the %s of %s could not be fetched: %s", request.kind, request.user_id, error)
        if error.retryable:
            return {"stored": False, "key": None}
        data = None
    content_type = image_type(data) if data else None
    key = deps.slides.store_brand_image(request.user_id, request.kind, data, content_type) if content_type else None
    if request.kind == "avatar" or key:  # a refused logo leaves the one before
        deps.users.set_brand_image(request.user_id, request.kind, key)
    if request.announce:
        deps.bot.call("sendMessage", {"chat_id": request.chat_id,
                                      "text": text("logo_saved" if key else "logo_not_image", request.language)})
    return {"stored": key is not None, "key": key}
