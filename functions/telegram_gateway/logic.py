"""What the bot does with an update: commands, topics and pasted texts become requests and replies.

The gateway answers fast: it records, emits and sends one short reply; everything slow happens
after the event.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vibecoder.bus import EventPublisher
from vibecoder.content import DEFAULT_SLIDES, MAX_SLIDES, MIN_SLIDES, SOURCE_TEXT_MAX_CHARS, TOPIC_MAX_CHARS
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope, new_id
from vibecoder.events.models import (
    AnalyticsUserInteractionTracked,
    CarouselGenerateRequested,
    TelegramUserMessageReceived,
)
from vibecoder.repositories import CarouselRepository, UserPreferences, UserRepository
from vibecoder.telegram import BotApi
from vibecoder.telegram_updates import Message, Update
from vibecoder.texts import language_of, text

SERVICE = "telegram-gateway"
COMMAND = re.compile(r"^/(?P<name>[a-zA-Z_]+)(?:@\w+)?(?:\s+(?P<args>.*))?$", re.DOTALL)
SLIDE_COUNT_PREFIX = re.compile(r"^(?P<count>\d{1,2})\s+(?P<topic>.+)$", re.DOTALL)


@dataclass
class GatewayDeps:
    users: UserRepository
    carousels: CarouselRepository
    bot: BotApi
    publisher: EventPublisher


@dataclass
class Outcome:
    action: str
    events: list[EventEnvelope] = field(default_factory=list)


def handle_update(update: Update, deps: GatewayDeps) -> Outcome:
    message = update.message
    if message is None or message.sender is None or not message.text:
        return Outcome("ignored")  # kinds the bot does not act on are acknowledged and dropped
    user = deps.users.get(str(message.sender.id))
    language = (user.preferences.language if user and user.preferences.language else None) or language_of(
        message.sender.language_code)
    chosen_language = user.preferences.language if user else None  # else detected from the topic later
    style = user.preferences.style if user and user.preferences.style else None
    command = COMMAND.match(message.text.strip())
    name, args = (command["name"].lower(), (command["args"] or "").strip()) if command else ("text", message.text)
    received = _received(update, message, name)
    if name in ("start", "help"):
        _reply(deps, message, text(name, language))
        outcome = Outcome(name)
    elif name == "lang":
        outcome = _set_language(args, message, deps)
    elif name in ("carousel", "text"):
        outcome = _request_carousel(args, message, deps, language, chosen_language, style,
                                    is_command=name == "carousel")
    else:
        _reply(deps, message, text("unknown_command", language))
        outcome = Outcome("unknown_command")
    tracked = CATALOG.new_event(
        "analytics.user.interaction.tracked",
        AnalyticsUserInteractionTracked(user_id=str(message.sender.id), action=f"telegram.{outcome.action}"),
        correlation_id=received.correlation_id, causation_id=received.id, source=SERVICE,
        user_id=str(message.sender.id),
    )
    outcome.events = [received, *outcome.events, tracked]
    return outcome


def _received(update: Update, message: Message, name: str) -> EventEnvelope:
    sender = message.sender
    data = TelegramUserMessageReceived(
        update_id=update.update_id, user_id=str(sender.id), chat_id=message.chat.id,
        kind="command" if name != "text" else "text", text=message.text or "", username=sender.username,
        first_name=sender.first_name, language_code=sender.language_code,
    )
    return CATALOG.new_event("telegram.user.message.received", data, correlation_id=new_id(), source=SERVICE,
                             user_id=str(sender.id))


def _reply(deps: GatewayDeps, message: Message, reply: str) -> dict:
    return deps.bot.call("sendMessage", {"chat_id": message.chat.id, "text": reply})


def _set_language(args: str, message: Message, deps: GatewayDeps) -> Outcome:
    choice = args.lower()
    if choice not in ("ru", "en"):
        _reply(deps, message, "/lang ru | /lang en")
        return Outcome("lang_invalid")
    deps.users.set_preferences(str(message.sender.id), UserPreferences(language=choice))
    _reply(deps, message, "Язык: русский ✅" if choice == "ru" else "Language: English ✅")
    return Outcome("lang")


def _request_carousel(args: str, message: Message, deps: GatewayDeps, language: str, chosen_language: str | None,
                      style: str | None, *, is_command: bool) -> Outcome:
    body = args.strip()
    if not body:
        _reply(deps, message, text("topic_missing", language))
        return Outcome("topic_missing")
    count = DEFAULT_SLIDES
    prefixed = SLIDE_COUNT_PREFIX.match(body) if is_command else None
    if prefixed and MIN_SLIDES <= int(prefixed["count"]) <= MAX_SLIDES:
        count, body = int(prefixed["count"]), prefixed["topic"].strip()
    is_text = len(body) > TOPIC_MAX_CHARS or "\n\n" in body
    limit = SOURCE_TEXT_MAX_CHARS if is_text else TOPIC_MAX_CHARS
    if len(body) > limit:
        _reply(deps, message, text("topic_too_long", language, length=len(body), limit=limit))
        return Outcome("too_long")
    deps.bot.call("sendChatAction", {"chat_id": message.chat.id, "action": "upload_photo"})
    status = _reply(deps, message, text("generating", language, count=count))
    request_id = new_id()
    request = CarouselGenerateRequested(
        request_id=request_id, user_id=str(message.sender.id), chat_id=message.chat.id, channel="telegram",
        status_message_id=status.get("message_id") if isinstance(status, dict) else None,
        topic=None if is_text else body, source_text=body if is_text else None, slides_count=count,
        language=chosen_language, **({"style": style} if style else {}),
    )
    deps.carousels.create(request)
    requested = CATALOG.new_event("carousel.generate.requested", request, correlation_id=request_id,
                                  source=SERVICE, user_id=request.user_id)
    return Outcome("carousel", [requested])
