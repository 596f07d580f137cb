"""What the bot does with an update: commands, topics, pasted texts and button taps.

The gateway answers fast: it validates, records, emits and sends at most one short reply (the
status message of a new carousel, whose id travels with the request so the sender can turn it into
a progress bar). Everything slow happens after the event.

Commands: /start, /help, /carousel [N] <topic>, a plain message (a topic, or a pasted text of
several paragraphs), /style (an inline keyboard), /lang ru|en, /history (tap to get one again),
/brand and /size (brand.py), /edit, /move, /drop and a reply to a slide (editing.py).
Buttons (callback_data ``action:argument``, at most 64 bytes): ``style:<theme>``, ``lang:<code>``,
``resend:<request>``, ``orig:<request>``, ``pdf:<request>``, ``restyle:<request>``, ``edit:<request>``,
``undo:<request>``, ``brand:profile|off|on|nologo``, ``size:<4:5|1:1|9:16>``.
"""

from __future__ import annotations

import logging
import math
import re
import time
from datetime import datetime
from typing import Any

from telegram_gateway import brand, editing
from telegram_gateway.conversation import (  # noqa: F401 - the gateway's deps and outcome, as before
    SERVICE,
    Conversation,
    GatewayDeps,
    Outcome,
    _answer,
    _quietly,
)
from vibecoder.base import utc_now
from vibecoder.content import (
    DEFAULT_SLIDES,
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
    CarouselRecord,
    UserPreferences,
)
from vibecoder.telegram import TelegramError, inline_keyboard
from vibecoder.telegram_updates import CallbackQuery, Message, Update
from vibecoder.texts import clip, escape_html, progress_text, text, theme_label
from vibecoder.workflow import CarouselStatus, Stage

COMMAND = re.compile(r"^/(?P<name>[a-zA-Z0-9_]+)(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.DOTALL)
SLIDE_COUNT_PREFIX = re.compile(r"^(?P<count>\d{1,3})\s+(?P<topic>.+)$", re.DOTALL)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
RATE_WINDOW_SECONDS = 3600
HISTORY_SHOWN = 5

logger = logging.getLogger(__name__)


def handle_update(update: Update, deps: GatewayDeps) -> Outcome:
    if update.callback_query is not None:
        return _handle_callback(update, update.callback_query, deps)
    message = update.message
    if message is None or message.sender is None or message.sender.is_bot:
        return Outcome("ignored")  # kinds the bot does not act on are acknowledged and dropped
    command = COMMAND.match(message.text.strip()) if message.text else None
    if command and command["bot"] and deps.bot_username and command["bot"].lower() != deps.bot_username.lower():
        return Outcome("ignored")  # /cmd@another_bot in a group
    replies_to_bot = message.reply_to_message is not None and message.reply_to_message.sender is not None \
        and message.reply_to_message.sender.is_bot
    if not message.chat.private and command is None and not replies_to_bot and not brand.is_logo_upload(message):
        return Outcome("ignored")  # group chatter: only commands (and replies to the bot's slides) are for the bot
    talk = Conversation(update, message.sender, message.chat.id, message.chat.private,
                        deps.users.get(str(message.sender.id)), deps)
    if brand.is_logo_upload(message):
        return _finish(talk, message, brand.logo_upload(talk, message), kind="photo")
    edited = editing.reply_edit(talk, message) if replies_to_bot and command is None else None
    if edited is not None:
        return _finish(talk, message, edited, kind="reply")
    if not message.chat.private and command is None:
        return Outcome("ignored")  # a reply to some other message of the bot's
    if message.text is None:
        talk.say(text("unsupported_message", talk.language))
        return _finish(talk, message, Outcome("unsupported"), kind=message.content_kind)
    name, args = (command["name"].lower(), (command["args"] or "").strip()) if command else ("text", message.text)
    handlers = {"start": _start, "help": _help, "carousel": _carousel, "text": _carousel, "style": _style,
                "lang": _lang, "language": _lang, "history": _history, "brand": brand.brand_command,
                "size": brand.size_command, "edit": editing.edit_command, "move": editing.move_command,
                "drop": editing.move_command}
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
    kit, seeding = brand.ensure_kit(talk)
    request = CarouselGenerateRequested(
        request_id=request_id, requested_at=utc_now(), user_id=talk.user_id, chat_id=talk.chat_id,
        channel="telegram", status_message_id=status_id, reply_language=talk.language,
        topic=None if from_text else body, source_text=body if from_text else None,
        slides_count=count, language=talk.chosen_language, style=talk.style, size=brand.current_size(talk),
        brand=kit,
    )
    return Outcome("carousel_text" if from_text else "carousel",
                   [*seeding, talk.event("carousel.generate.requested", request)])


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
    _quietly(talk.deps.bot, "sendChatAction", {"chat_id": talk.chat_id, "action": "upload_photo"})
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
    rows = [[(f"{i}. {clip(r.title or r.topic or '…', 40)} · {len(r.slides)} 🖼", f"resend:{r.request_id}")]
            for i, r in enumerate(done, start=1)]
    talk.say(text("history_title", talk.language), inline_keyboard(rows))
    return Outcome("history")


# --- buttons ------------------------------------------------------------------------------------


def _handle_callback(update: Update, query: CallbackQuery, deps: GatewayDeps) -> Outcome:
    chat_id = query.message.chat.id if query.message else query.sender.id
    private = query.message.chat.private if query.message else True
    talk = Conversation(update, query.sender, chat_id, private, deps.users.get(str(query.sender.id)), deps)
    action, _, argument = (query.data or "").partition(":")
    handlers = {"style": _tap_style, "lang": _tap_lang, "resend": _tap_delivery, "orig": _tap_delivery,
                "pdf": _tap_delivery, "restyle": _tap_restyle, "brand": brand.tap_brand, "size": brand.tap_size,
                "edit": editing.tap_edit, "undo": editing.tap_edit}
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
                                     channel="telegram", action=kind, language=talk.language)
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
    kit, seeding = brand.ensure_kit(talk)
    _answer(talk, query, text("cb_restyle", talk.language, style=theme_label(theme, talk.language)))
    status_id = _status_message(talk, progress_text(talk.language, Stage.SLIDES, count=len(original.slides),
                                                    title=original.title, style=theme_label(theme, talk.language)))
    restyle = CarouselRestyleRequested(request_id=talk.correlation_id, requested_at=utc_now(), user_id=talk.user_id,
                                       chat_id=talk.chat_id, channel="telegram", status_message_id=status_id,
                                       reply_language=talk.language, brand=kit,
                                       original_request_id=original.request_id, style=theme)
    return Outcome("restyle", [*seeding, talk.event("carousel.restyle.requested", restyle)])
