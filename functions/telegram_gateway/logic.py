"""What the bot does with an update: commands, topics, pasted texts and button taps.

The gateway answers fast: it validates, records, emits and sends at most one short reply (the
status message of a new carousel, whose id travels with the request so the sender can turn it into
a progress bar). Everything slow happens after the event.

Commands: /start, /help, /carousel [N] <topic>, a plain message (a topic, or a pasted text of
several paragraphs), /style (an inline keyboard), /lang ru|en, /history (tap to get one again).
Buttons (callback_data ``action:argument``, at most 64 bytes): ``style:<theme>``, ``lang:<code>``,
``resend:<request>``, ``orig:<request>``, ``pdf:<request>``, ``restyle:<request>``.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram_gateway.deep_link import topic_from_payload
from vibecoder.base import new_id, utc_now
from vibecoder.bus import EventPublisher
from vibecoder.content import (
    DEFAULT_SLIDES,
    DEFAULT_STYLE,
    MIN_SLIDES,
    SOURCE_TEXT_MAX_CHARS,
    THEMES,
    TOPIC_MAX_CHARS,
    has_words,
)
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    TOPIC_NOT_COVERED,
    AnalyticsUserInteractionTracked,
    CarouselGenerateRequested,
    CarouselRestyleRequested,
    TelegramDeliveryRequested,
    TelegramUserMessageReceived,
    is_failure,
)
from vibecoder.repositories import (
    AnalyticsRepository,
    CarouselRecord,
    CarouselRepository,
    UserPreferences,
    UserRecord,
    UserRepository,
)
from vibecoder.telegram import BotApi, TelegramError, answer_placement, inline_keyboard
from vibecoder.telegram_updates import CallbackQuery, Message, Update, User
from vibecoder.texts import clip, escape_html, language_of, progress_text, text, theme_label
from vibecoder.workflow import CarouselStatus, Stage

SERVICE = "telegram-gateway"
COMMAND = re.compile(r"^/(?P<name>[a-zA-Z0-9_]+)(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.DOTALL)
SLIDE_COUNT_PREFIX = re.compile(r"^(?P<count>\d{1,3})\s+(?P<topic>.+)$", re.DOTALL)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
RATE_WINDOW_SECONDS = 3600
HISTORY_SHOWN = 5

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


def handle_update(update: Update, deps: GatewayDeps) -> Outcome:
    if update.callback_query is not None:
        return _handle_callback(update, update.callback_query, deps)
    message = update.message
    if message is None or message.sender is None or message.sender.is_bot:
        return Outcome("ignored")  # kinds the bot does not act on are acknowledged and dropped
    command = COMMAND.match(message.text.strip()) if message.text else None
    if command and command["bot"] and deps.bot_username and command["bot"].lower() != deps.bot_username.lower():
        return Outcome("ignored")  # /cmd@another_bot in a group
    if not message.chat.private and command is None:
        return Outcome("ignored")  # group chatter: only commands are for the bot
    talk = Conversation(update, message.sender, message.chat.id, message.chat.private,
                        deps.users.get(str(message.sender.id)), deps,
                        thread_id=message.topic_id, reply_to=message.message_id)
    if message.text is None:
        talk.say(text("unsupported_message", talk.language))
        return _finish(talk, message, Outcome("unsupported"), kind=message.content_kind)
    name, args = (command["name"].lower(), (command["args"] or "").strip()) if command else ("text", message.text)
    handlers = {"start": _start, "help": _help, "carousel": _carousel, "text": _carousel, "style": _style,
                "lang": _lang, "language": _lang, "history": _history}
    outcome = handlers.get(name, _unknown)(talk, args, name)
    return _finish(talk, message, outcome, kind="command" if command else "text")


def _finish(talk: Conversation, message: Message, outcome: Outcome, *, kind: str) -> Outcome:
    sender = talk.user
    received = talk.event("telegram.user.message.received", TelegramUserMessageReceived(
        update_id=talk.update.update_id, user_id=talk.user_id, chat_id=talk.chat_id, kind=kind,
        text=message.text or "", username=sender.username, first_name=sender.first_name,
        language_code=sender.language_code))
    tracked = talk.event("analytics.user.interaction.tracked", AnalyticsUserInteractionTracked(
        user_id=talk.user_id, action=f"telegram.{outcome.action}", properties={"kind": kind}))
    outcome.events = [received, *outcome.events, tracked]
    return outcome


# --- commands -----------------------------------------------------------------------------------


def _start(talk: Conversation, args: str, name: str) -> Outcome:
    first = talk.user.first_name.strip()
    talk.say(text("start", talk.language, name=f", {escape_html(first)}" if first else ""))
    topic = topic_from_payload(args) if args else None  # a deep link's (t.me/<bot>?start=…), from inline mode
    if topic is not None:
        return _carousel(talk, topic, "carousel")
    return Outcome("start")


def _help(talk: Conversation, args: str, name: str) -> Outcome:
    talk.say(text("help", talk.language, min=MIN_SLIDES, max=talk.deps.max_slides, topic_limit=TOPIC_MAX_CHARS,
                  rate=talk.deps.rate_limit_per_hour or "∞"))
    return Outcome("help")


def _unknown(talk: Conversation, args: str, name: str) -> Outcome:
    talk.say(text("unknown_command", talk.language))
    return Outcome("unknown_command")


def is_source_text(body: str) -> bool:
    """A pasted text: several paragraphs (or lines)."""
    return len([p for p in PARAGRAPH_BREAK.split(body) if p.strip()]) >= 2


def _carousel(talk: Conversation, args: str, name: str) -> Outcome:
    body, language, deps = args.strip(), talk.language, talk.deps
    if not body or (name == "carousel" and body.isdigit()):  # "/carousel 7": a count, no topic
        talk.say(text("topic_missing", language))
        return Outcome("topic_missing")
    count = min(DEFAULT_SLIDES, deps.max_slides)
    prefixed = SLIDE_COUNT_PREFIX.match(body) if name == "carousel" else None
    if prefixed:
        count, body = int(prefixed["count"]), prefixed["topic"].strip()
        if not MIN_SLIDES <= count <= deps.max_slides:
            talk.say(text("slides_out_of_range", language, min=MIN_SLIDES, max=deps.max_slides,
                          topic=escape_html(clip(body, 60))))
            return Outcome("slides_out_of_range")
    if not has_words(body):  # "!!!", "🚀🔥", "…": nothing to write about, and no rate-limit slot for it
        talk.say(text("nothing_to_write_about", language))
        return Outcome("nothing_to_write_about")
    from_text = is_source_text(body) or (name == "text" and len(body) > TOPIC_MAX_CHARS)
    if from_text and len(body) > SOURCE_TEXT_MAX_CHARS:
        talk.say(text("text_too_long", language, length=len(body), limit=SOURCE_TEXT_MAX_CHARS))
        return Outcome("text_too_long")
    if not from_text and len(body) > TOPIC_MAX_CHARS:
        talk.say(text("topic_too_long", language, length=len(body), limit=TOPIC_MAX_CHARS))
        return Outcome("topic_too_long")
    if not _within_rate_limit(talk):
        return Outcome("rate_limited")
    request_id = talk.correlation_id
    title = None if from_text else body
    status_id = _status_message(talk, progress_text(language, Stage.REQUESTED, count=count, title=title,
                                                    from_text=from_text))
    request = CarouselGenerateRequested(
        request_id=request_id, requested_at=utc_now(), user_id=talk.user_id, chat_id=talk.chat_id,
        channel="telegram", status_message_id=status_id, reply_language=talk.language,
        topic=None if from_text else body, source_text=body if from_text else None,
        slides_count=count, language=talk.chosen_language, style=talk.style, **talk.answer_ref,
    )
    return Outcome("carousel_text" if from_text else "carousel",
                   [talk.event("carousel.generate.requested", request)])


def _within_rate_limit(talk: Conversation) -> bool:
    limit = talk.deps.rate_limit_per_hour
    if not limit:
        return True
    now = time.time()
    window = int(now // RATE_WINDOW_SECONDS)
    counter = (f"ratelimit#{talk.user_id}", f"carousels#{window}")
    # Once per update: Telegram redelivers an update whose webhook failed, and that is not a new request.
    once_per = str(talk.update.update_id)
    if talk.deps.limits.increment_within(*counter, limit, ttl_seconds=2 * RATE_WINDOW_SECONDS, once_per=once_per):
        return True
    # A request that ended topic_not_covered made no carousel: it used no slot, so the window's limit
    # grows by those (read only when the limit is reached; the count stays atomic).
    not_covered = _not_covered_in_window(talk, window, limit)
    if not_covered and talk.deps.limits.increment_within(*counter, limit + not_covered,
                                                         ttl_seconds=2 * RATE_WINDOW_SECONDS, once_per=once_per):
        return True
    minutes = max(1, math.ceil(((window + 1) * RATE_WINDOW_SECONDS - now) / 60))
    talk.say(text("rate_limited", talk.language, limit=limit, minutes=minutes))
    return False


def _not_covered_in_window(talk: Conversation, window: int, limit: int) -> int:
    """The user's requests of this rate-limit window that ended topic_not_covered (the latest few)."""
    recent = talk.deps.carousels.list_by_user(talk.user_id, limit=2 * limit + 10)
    return sum(1 for r in recent if is_failure(r.failure, TOPIC_NOT_COVERED)
               and int(datetime.fromisoformat(r.created_at).timestamp() // RATE_WINDOW_SECONDS) == window)


def _status_message(talk: Conversation, status: str) -> int | None:
    """The chat's progress bar, then the "sending a photo…" chat action; best effort beyond retries."""
    try:
        sent = talk.say(status)
    except TelegramError as error:
        if error.retryable:
            raise  # the webhook answers 5xx and Telegram delivers the update again
        logger.warning("could not send the status message: %s", error)
        return None
    _quietly(talk.deps.bot, "sendChatAction", {"chat_id": talk.chat_id, "action": "upload_photo"} | talk.in_topic)
    return sent.get("message_id") if sent else None


def _style(talk: Conversation, args: str, name: str) -> Outcome:
    choice = args.strip().lower()
    if choice in THEMES:
        talk.deps.users.set_preferences(talk.user_id, UserPreferences(style=choice))
        talk.say(text("style_saved_message", talk.language, style=theme_label(choice, talk.language)))
        return Outcome("style")
    talk.say(text("style_choose", talk.language, style=theme_label(talk.style, talk.language)),
             style_keyboard(talk.style, talk.language))
    return Outcome("style_menu")


def style_keyboard(current: str, language: str) -> dict:
    buttons = [(("✓ " if name == current else "") + theme_label(name, language), f"style:{name}")
               for name in THEMES]
    return inline_keyboard([buttons[i:i + 2] for i in range(0, len(buttons), 2)])


def _lang(talk: Conversation, args: str, name: str) -> Outcome:
    choice = args.strip().lower()
    if choice not in ("ru", "en"):
        talk.say(text("lang_choose", talk.language),
                 inline_keyboard([[("🇷🇺 Русский", "lang:ru"), ("🇬🇧 English", "lang:en")]]))
        return Outcome("lang_menu")
    talk.deps.users.set_preferences(talk.user_id, UserPreferences(language=choice))
    talk.say(text("lang_saved", choice))
    return Outcome("lang")


def _history(talk: Conversation, args: str, name: str) -> Outcome:
    done = [r for r in talk.deps.carousels.list_by_user(talk.user_id, limit=20)
            if r.status is CarouselStatus.COMPLETED][:HISTORY_SHOWN]
    if not done:
        talk.say(text("history_empty", talk.language))
        return Outcome("history_empty")
    numbers = {r.request_id: i for i, r in enumerate(done, start=1)}
    rows = [[(history_label(i, r, numbers, talk.language), f"resend:{r.request_id}")]
            for i, r in enumerate(done, start=1)]
    talk.say(text("history_title", talk.language), inline_keyboard(rows))
    return Outcome("history")


def history_label(number: int, record: CarouselRecord, numbers: dict[str, int], language: str) -> str:
    """One /history button: the title, the theme (what tells copies apart), the slides, and for a restyle
    which entry it restyles ("↻ 2"), or that it is one when its original is not listed."""
    label = (f"{number}. {clip(record.title or record.topic or '…', 32)} · {theme_label(record.style, language)}"
             f" · {len(record.slides)} 🖼")
    if record.restyle_of is None:
        return label
    original = numbers.get(record.restyle_of)
    mark = text("history_restyle_of", language, number=original) if original else text("history_restyled",
                                                                                          language)
    return f"{label} · {mark}"


# --- buttons ------------------------------------------------------------------------------------


def _handle_callback(update: Update, query: CallbackQuery, deps: GatewayDeps) -> Outcome:
    chat_id = query.message.chat.id if query.message else query.sender.id
    private = query.message.chat.private if query.message else True
    talk = Conversation(update, query.sender, chat_id, private, deps.users.get(str(query.sender.id)), deps,
                        thread_id=query.message.topic_id if query.message else None,
                        reply_to=query.message.message_id if query.message else None)
    action, _, argument = (query.data or "").partition(":")
    handlers = {"style": _tap_style, "lang": _tap_lang, "resend": _tap_delivery, "orig": _tap_delivery,
                "pdf": _tap_delivery, "restyle": _tap_restyle}
    handler = handlers.get(action)
    if handler is None:
        _answer(talk, query, text("cb_unknown", talk.language))
        return Outcome("callback_unknown")
    outcome = handler(talk, query, action, argument)
    tracked = talk.event("analytics.user.interaction.tracked", AnalyticsUserInteractionTracked(
        user_id=talk.user_id, action=f"telegram.{outcome.action}", properties={"kind": "callback"}))
    received = talk.event("telegram.user.message.received", TelegramUserMessageReceived(
        update_id=update.update_id, user_id=talk.user_id, chat_id=chat_id, kind="callback",
        text=query.data or "", username=query.sender.username, first_name=query.sender.first_name,
        language_code=query.sender.language_code))
    outcome.events = [received, *outcome.events, tracked]
    return outcome


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


def _tap_style(talk: Conversation, query: CallbackQuery, action: str, choice: str) -> Outcome:
    if choice not in THEMES:
        _answer(talk, query, text("cb_unknown", talk.language))
        return Outcome("callback_unknown")
    talk.deps.users.set_preferences(talk.user_id, UserPreferences(style=choice))
    _answer(talk, query, text("style_saved", talk.language, style=theme_label(choice, talk.language)))
    if query.message:
        _quietly(talk.deps.bot, "editMessageText", {
            "chat_id": talk.chat_id, "message_id": query.message.message_id, "parse_mode": "HTML",
            "text": text("style_choose", talk.language, style=theme_label(choice, talk.language)),
            "reply_markup": style_keyboard(choice, talk.language)})
    return Outcome("style")


def _tap_lang(talk: Conversation, query: CallbackQuery, action: str, choice: str) -> Outcome:
    if choice not in ("ru", "en"):
        _answer(talk, query, text("cb_unknown", talk.language))
        return Outcome("callback_unknown")
    talk.deps.users.set_preferences(talk.user_id, UserPreferences(language=choice))
    _answer(talk, query, text("lang_saved", choice))
    if query.message:
        _quietly(talk.deps.bot, "editMessageText", {"chat_id": talk.chat_id, "message_id": query.message.message_id,
                                                    "text": text("lang_saved", choice)})
    return Outcome("lang")


def _owned_carousel(talk: Conversation, query: CallbackQuery, request_id: str) -> CarouselRecord | None:
    record = talk.deps.carousels.get(request_id) if request_id else None
    if record is None or record.user_id != talk.user_id or record.status is not CarouselStatus.COMPLETED \
            or not record.slides:
        _answer(talk, query, text("cb_unavailable", talk.language), alert=True)
        return None
    return record


def _tap_delivery(talk: Conversation, query: CallbackQuery, action: str, request_id: str) -> Outcome:
    record = _owned_carousel(talk, query, request_id)
    if record is None:
        return Outcome("callback_unavailable")
    kind = {"resend": "album", "orig": "originals", "pdf": "pdf"}[action]
    _answer(talk, query, text("cb_sending", talk.language))
    data = TelegramDeliveryRequested(request_id=record.request_id, user_id=talk.user_id, chat_id=talk.chat_id,
                                     channel="telegram", action=kind, language=talk.language, **talk.answer_ref)
    return Outcome(f"delivery_{kind}", [_follow_up(talk, record, "telegram.delivery.requested", data)])


def _follow_up(talk: Conversation, record: CarouselRecord, event_type: str, data: Any) -> EventEnvelope:
    """An event about an existing carousel: traced under that carousel's request."""
    return CATALOG.new_event(event_type, data, correlation_id=record.request_id, source=SERVICE,
                             user_id=talk.user_id)


def next_theme(current: str) -> str:
    return THEMES[(THEMES.index(current) + 1) % len(THEMES)] if current in THEMES else THEMES[0]


def _tap_restyle(talk: Conversation, query: CallbackQuery, action: str, request_id: str) -> Outcome:
    """Re-render the same slides in the next theme: no new content, no AI; a new request of its own."""
    original = _owned_carousel(talk, query, request_id)
    if original is None:
        return Outcome("callback_unavailable")
    if not _within_rate_limit(talk):
        _answer(talk, query)
        return Outcome("rate_limited")
    theme = next_theme(original.style)
    _answer(talk, query, text("cb_restyle", talk.language, style=theme_label(theme, talk.language)))
    status_id = _status_message(talk, progress_text(talk.language, Stage.SLIDES, count=len(original.slides),
                                                    title=original.title, style=theme_label(theme, talk.language)))
    restyle = CarouselRestyleRequested(request_id=talk.correlation_id, requested_at=utc_now(), user_id=talk.user_id,
                                       chat_id=talk.chat_id, channel="telegram", status_message_id=status_id,
                                       reply_language=talk.language,
                                       original_request_id=original.request_id, style=theme, **talk.answer_ref)
    return Outcome("restyle", [talk.event("carousel.restyle.requested", restyle)])
