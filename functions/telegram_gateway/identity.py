"""The bot's own @username, for telling "/cmd@this_bot" from "/cmd@other_bot" and for t.me links.

Learnt from ``getMe`` the first time an update needs it (a command addressed with ``@``, a deep link),
then kept for the container's life: one call per container, none for the many updates that never
name a bot. ``BOT_HANDLE`` is only the fallback while getMe fails (it is not cached then, so the next
update that needs the name asks again).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from vibecoder.telegram import BotApi, TelegramError

logger = logging.getLogger(__name__)
_learnt: dict[str, str] = {}  # a fingerprint of (token, Bot API URL) → the bot's username, per container


def bot_fingerprint(token: str | None, api_url: str | None) -> str:
    """Which bot a client talks as (a digest: the token itself is never kept as a key)."""
    return hashlib.sha256(f"{token or ''}|{api_url or ''}".encode()).hexdigest()[:16]


@dataclass
class BotIdentity:
    bot: BotApi
    cache_key: str  # bot_fingerprint(): one container talks as one bot, a test process as several
    fallback: str | None = None  # BOT_HANDLE without the "@"

    def username(self) -> str | None:
        known = _learnt.get(self.cache_key)
        if known:
            return known
        try:
            me = self.bot.call("getMe", {})
        except TelegramError as error:
            logger.warning("getMe failed, using BOT_HANDLE: %s", error)
            return self.fallback
        name = me.get("username") if isinstance(me, dict) else None
        if not name:
            return self.fallback
        _learnt[self.cache_key] = name
        return name


def forget_learnt_usernames() -> None:
    """Tests: start over as a fresh container would."""
    _learnt.clear()
