"""One update as the gateway handles it: who, where, in which language, what it can reach, and how it answers.

Shared by every handler module (logic, brand, editing); it imports none of them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from telegram_gateway.identity import BotIdentity
from vibecoder.base import new_id
from vibecoder.bus import EventPublisher
from vibecoder.content import DEFAULT_STYLE, THEMES
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.repositories import (
    AnalyticsRepository,
    CarouselRepository,
    DeliveryLog,
    UserRepository,
)
from vibecoder.repositories.users import UserRecord
from vibecoder.telegram import BotApi, TelegramError, answer_placement
from vibecoder.telegram_updates import CallbackQuery, Update, User
from vibecoder.texts import clip, language_of

SERVICE = "telegram-gateway"
logger = logging.getLogger(__name__)


@dataclass
class GatewayDeps:
    users: UserRepository
    carousels: CarouselRepository
    limits: AnalyticsRepository
    bot: BotApi
    publisher: EventPublisher | None = None
    max_slides: int = 10
    rate_limit_per_hour: int = 10
    bot_username: str | None = None  # commands addressed to another bot (/cmd@other_bot) are not ours
    deliveries: DeliveryLog | None = None  # read only (the sender's): which album message is which slide
    identity: BotIdentity | None = None  # the username from getMe (bot_username is then its fallback)

    def own_username(self) -> str | None:
        return self.identity.username() if self.identity is not None else self.bot_username


@dataclass
class Outcome:
    action: str
    events: list[EventEnvelope] = field(default_factory=list)


@dataclass
class Conversation:
    """One update from one user in one chat: who, where, in which language, and the events so far."""

    update: Update
    user: User
    chat_id: int
    private: bool
    record: UserRecord | None
    deps: GatewayDeps
    correlation_id: str = field(default_factory=new_id)
    from_caption: bool = False  # the words came in a photo's (document's, video's) caption
    thread_id: int | None = None  # the forum topic it happens in: every answer goes there
    reply_to: int | None = None  # the message (or the tapped one) the answers link to

    @property
    def user_id(self) -> str:
        return str(self.user.id)

    @property
    def language(self) -> str:
        chosen = self.record.preferences.language if self.record else None
        return chosen or language_of(self.user.language_code)

    @property
    def chosen_language(self) -> str | None:
        return self.record.preferences.language if self.record else None

    @property
    def style(self) -> str:
        chosen = self.record.preferences.style if self.record else None
        return chosen if chosen in THEMES else DEFAULT_STYLE

    def say(self, reply: str, keyboard: dict | None = None) -> dict | None:
        params: dict[str, Any] = {"chat_id": self.chat_id, "text": reply, "parse_mode": "HTML",
                                  "link_preview_options": {"is_disabled": True}}
        if keyboard:
            params["reply_markup"] = keyboard
        params |= answer_placement(self.chat_id, self.thread_id, self.reply_to)
        result = self.deps.bot.call("sendMessage", params)
        return result if isinstance(result, dict) else None

    @property
    def answer_ref(self) -> dict[str, int | None]:
        """The request's fields saying where every later answer goes (the topic, the message it answers)."""
        return {"message_thread_id": self.thread_id, "reply_to_message_id": self.reply_to}

    @property
    def in_topic(self) -> dict[str, int]:
        """``message_thread_id`` for a call that only needs the topic (a chat action)."""
        return {"message_thread_id": self.thread_id} if self.thread_id is not None else {}

    def event(self, event_type: str, data: Any) -> EventEnvelope:
        return CATALOG.new_event(event_type, data, correlation_id=self.correlation_id, source=SERVICE,
                                 user_id=self.user_id)




def _answer(talk: Conversation, query: CallbackQuery, notice: str | None = None, alert: bool = False) -> None:
    """Every tap is answered once (the button's spinner stops); a late answer is not worth a retry."""
    params: dict[str, Any] = {"callback_query_id": query.id}
    if notice:
        params |= {"text": clip(notice, 200), "show_alert": alert}
    _quietly(talk.deps.bot, "answerCallbackQuery", params)


def _quietly(bot: BotApi, method: str, params: dict[str, Any]) -> Any:
    try:
        return bot.call(method, params)
    except TelegramError as error:
        logger.warning("%s failed: %s", method, error)
        return None


