"""What the bot does with an update: commands, topics, pasted texts and button taps.

The gateway answers fast: it validates, records, emits and sends at most one short reply (the
status message of a new carousel, whose id travels with the request so the sender can turn it into
a progress bar). Everything slow happens after the event.

Commands: /start, /help, /carousel [N] <topic>, a plain message (a topic, or a pasted text of
several paragraphs), /style (an inline keyboard), /lang ru|en, /history (tap to get one again),
/brand and /size (``brand``), /edit, /move, /drop and a reply to a slide (``editing``). A caption reads as a message's text; a post forwarded from a channel is a pasted text credited in
the album caption. How a leading number and a request phrase are read: ``topics``.
Buttons (callback_data ``action:argument``, at most 64 bytes): ``style:<theme>``, ``lang:<code>``,
``resend:<request>``, ``orig:<request>``, ``pdf:<request>``, ``restyle:<request>``, ``edit:<request>``,
``undo:<request>``, ``brand:profile|off|on|nologo``, ``size:<4:5|1:1|9:16>``, ``pick:<key>:n|t`` (a leading number read as the count or as part of the topic; the topic waits in
the analytics table under ``pending-choice#<user>``/<key> for an hour).

Groups: the bot hears commands only. The buttons under an album serve its owner anywhere and anyone
in the chat where it was posted (Another style by another member: a restyle for that chat on the
tapper's rate limit); from any other chat they say whose carousel it is. /history asked in a group
is sent to the user's private chat (the group hears so), or, for a user who never started the bot
(403), the group gets a t.me deep link that opens /start history.
"""

from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from telegram_gateway import brand, editing, paste, topics
from telegram_gateway.conversation import (  # noqa: F401 - the gateway's deps and outcome, as before
    SERVICE,
    Conversation,
    GatewayDeps,
    Outcome,
    _answer,
    _quietly,
)
from telegram_gateway.deep_link import topic_from_payload
from vibecoder.base import new_id, utc_now
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
from vibecoder.telegram import MAX_MESSAGE, TelegramError, inline_keyboard
from vibecoder.telegram_updates import CallbackQuery, Message, Update
from vibecoder.texts import clip, escape_html, progress_text, text, theme_label
from vibecoder.workflow import CarouselStatus, Stage

COMMAND = re.compile(r"^/(?P<name>[a-zA-Z0-9_]+)(?:@(?P<bot>\w+))?(?:\s+(?P<args>.*))?$", re.DOTALL)
PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")
RATE_WINDOW_SECONDS = 3600
PENDING_CHOICE, PENDING_CHOICE_SECONDS = "pending-choice", 3600  # a question's topic, kept an hour
HISTORY_SHOWN = 5

logger = logging.getLogger(__name__)


def handle_update(update: Update, deps: GatewayDeps) -> Outcome:
    if update.callback_query is not None:
        return _handle_callback(update, update.callback_query, deps)
    message = update.message
    if message is None or message.sender is None or message.sender.is_bot:
        return Outcome("ignored")  # kinds the bot does not act on are acknowledged and dropped
    said = message.text if message.text is not None else message.caption  # a photo's caption reads as text
    command = COMMAND.match(said.strip()) if said else None
    if command and command["bot"] and not _addressed_to_us(command["bot"], deps):
        return Outcome("ignored")  # /cmd@another_bot in a group
    replies_to_bot = message.reply_to_message is not None and message.reply_to_message.sender is not None \
        and message.reply_to_message.sender.is_bot
    if not message.chat.private and command is None and not replies_to_bot:
        return Outcome("ignored")  # group chatter: only commands (and replies to the bot's slides) are for the bot
    talk = Conversation(update, message.sender, message.chat.id, message.chat.private,
                        deps.users.get(str(message.sender.id)), deps,
                        thread_id=message.topic_id, reply_to=message.message_id)
    if brand.is_logo_upload(message):
        return _finish(talk, message, brand.logo_upload(talk, message), kind="photo")
    edited = editing.reply_edit(talk, message) if replies_to_bot and command is None else None
    if edited is not None:
        return _finish(talk, message, edited, kind="reply")
    if not message.chat.private and command is None:
        return Outcome("ignored")  # a reply to some other message of the bot's
    if said is None:
        talk.say(text("unsupported_message", talk.language))
        return _finish(talk, message, Outcome("unsupported"), kind=message.content_kind)
    if command is None and (forwarded := forwarded_channel(message)) is not None:
        return _finish(talk, message, _forwarded_post(talk, said, forwarded), kind="forward")
    if command is None and paste.may_be_part(talk, message, said) and \
            (part := paste.receive_part(talk, message, said, admit=_within_rate_limit,
                                        show_status=_status_message)) is not None:  # a split paste's part
        return _finish(talk, message, part, kind="paste")
    name, args = (command["name"].lower(), (command["args"] or "").strip()) if command else ("text", said)
    handlers = {"start": _start, "help": _help, "carousel": _carousel, "text": _carousel, "style": _style,
                "lang": _lang, "language": _lang, "history": _history, "brand": brand.brand_command,
                "size": brand.size_command, "edit": editing.edit_command, "move": editing.move_command,
                "drop": editing.move_command}
    talk.from_caption = message.text is None
    outcome = handlers.get(name, _unknown)(talk, args, name)
    return _finish(talk, message, outcome, kind=("command" if command else "text") if message.text is not None
                   else "caption")


def _addressed_to_us(named: str, deps: GatewayDeps) -> bool:
    """``/cmd@named``: ours unless the bot's own username (getMe, else BOT_HANDLE) is known and differs."""
    own = deps.own_username()
    return not own or named.lower() == own.lower()


def forwarded_channel(message: Message) -> dict | None:
    """The channel a message was forwarded from (Bot API 7's ``forward_origin`` of type "channel")."""
    origin = (message.model_extra or {}).get("forward_origin")
    if isinstance(origin, dict) and origin.get("type") == "channel" and isinstance(origin.get("chat"), dict):
        return origin["chat"]
    return None


def channel_credit(channel: dict, language: str) -> str:
    """ "Source: Channel title (@username)", as the album's caption credits a forwarded post."""
    title, username = str(channel.get("title") or "").strip(), channel.get("username")
    name = " ".join(part for part in (title, f"(@{username})" if username and title else
                                      f"@{username}" if username else "") if part)
    return text("source_credit", language, source=clip(name or str(channel.get("id", "")), 120))


def _forwarded_post(talk: Conversation, post: str, channel: dict) -> Outcome:
    """A post forwarded from a channel: a carousel of that post as a pasted text, crediting the channel."""
    return _start_carousel(talk, post.strip(), _default_count(talk.deps), from_text=True,
                           credit=channel_credit(channel, talk.language))


def _finish(talk: Conversation, message: Message, outcome: Outcome, *, kind: str) -> Outcome:
    sender = talk.user
    received = talk.event("telegram.user.message.received", TelegramUserMessageReceived(
        update_id=talk.update.update_id, user_id=talk.user_id, chat_id=talk.chat_id, kind=kind,
        text=message.text or message.caption or "", username=sender.username, first_name=sender.first_name,
        language_code=sender.language_code))
    tracked = talk.event("analytics.user.interaction.tracked", AnalyticsUserInteractionTracked(
        user_id=talk.user_id, action=f"telegram.{outcome.action}", properties={"kind": kind}))
    outcome.events = [received, *outcome.events, tracked]
    return outcome


# --- commands -----------------------------------------------------------------------------------


def _start(talk: Conversation, args: str, name: str) -> Outcome:
    if args.strip() == "history":  # the deep link /history sends to a user who had not started the bot
        return _history(talk, "", "history")
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
    """A pasted text: several paragraphs (or lines), or one paragraph over TOPIC_MAX_CHARS that reads like
    text (at least topics.TEXT_MIN_WORDS words); the same rule after /carousel and for a bare message."""
    if len([p for p in PARAGRAPH_BREAK.split(body) if p.strip()]) >= 2:
        return True
    return len(body) > TOPIC_MAX_CHARS and len(topics.WORD.findall(body)) >= topics.TEXT_MIN_WORDS


def _default_count(deps: GatewayDeps) -> int:
    return min(DEFAULT_SLIDES, deps.max_slides)


def _carousel(talk: Conversation, args: str, name: str) -> Outcome:
    body, language, deps = args.strip(), talk.language, talk.deps
    if not body or (name == "carousel" and body.isdigit()):  # "/carousel 7": a count, no topic
        talk.say(text("topic_missing", language))
        return Outcome("topic_missing")
    if not is_source_text(body):  # "Сделай карусель про эту схему: микросервисы" → "микросервисы"
        body = topics.without_request_phrase(body)
    count, announce = _default_count(deps), False
    number = topics.leading_number(body) if name == "carousel" else None
    if number:
        in_range = MIN_SLIDES <= number.number <= deps.max_slides
        if number.counted and in_range:  # "10 дней кода": ten slides, or a title with a number? Ask.
            return _ask_count(talk, number, count)
        if not number.counted and not in_range:
            talk.say(text("slides_out_of_range", language, min=MIN_SLIDES, max=deps.max_slides,
                          topic=escape_html(clip(number.rest, 60))))
            return Outcome("slides_out_of_range")
        if not number.counted:  # "7 TDD": the count
            count, body = number.number, number.rest
        announce = True  # the status message says which reading it took
    return _start_carousel(talk, body, count, announce=announce)


def _start_carousel(talk: Conversation, body: str, count: int, *, from_text: bool | None = None,
                    announce: bool = False, credit: str | None = None, status_in: int | None = None,
                    note: str | None = None, max_text: int = MAX_MESSAGE) -> Outcome:
    """Check the limits, take a rate-limit slot, show the status message, emit the request.

    ``from_text`` None: decided by :func:`is_source_text`; ``announce``: the status names the count and the
    topic; ``credit``: the album caption's source line; ``status_in``: a bot message to turn into the status
    (a question just answered) instead of a new one; ``note``: a line above the status (what was assumed);
    ``max_text``: the longest text (one message's; a joined paste's is SOURCE_TEXT_MAX_CHARS)."""
    language = talk.language
    if not has_words(body):  # "!!!", "🚀🔥", "…": nothing to write about, and no rate-limit slot for it
        talk.say(text("nothing_to_write_about", language))
        return Outcome("nothing_to_write_about")
    from_text = is_source_text(body) if from_text is None else from_text
    if from_text and len(body) > min(max_text, SOURCE_TEXT_MAX_CHARS):
        talk.say(text("text_too_long", language, length=len(body), limit=min(max_text, SOURCE_TEXT_MAX_CHARS)))
        return Outcome("text_too_long")
    if not from_text and len(body) > TOPIC_MAX_CHARS:
        talk.say(text("topic_too_long", language, length=len(body), limit=TOPIC_MAX_CHARS))
        return Outcome("topic_too_long")
    if not _within_rate_limit(talk):
        return Outcome("rate_limited")
    request_id = talk.correlation_id
    title = None if from_text else body
    status = progress_text(language, Stage.REQUESTED, count=count, title=title, from_text=from_text)
    notes = [note, text("slides_about", language, count=count, topic=escape_html(clip(body, 80))) if announce else None,
             text("caption_note", language) if talk.from_caption else None]
    if any(notes):  # above the progress bar, which the sender rewrites as the flow advances
        status = "\n".join(filter(None, notes)) + "\n\n" + status
    status_id = _status_message(talk, status, edit=status_in)
    kit, seeding = brand.ensure_kit(talk)
    request = CarouselGenerateRequested(
        request_id=request_id, requested_at=utc_now(), user_id=talk.user_id, chat_id=talk.chat_id,
        channel="telegram", status_message_id=status_id, reply_language=talk.language,
        topic=None if from_text else body, source_text=body if from_text else None,
        slides_count=count, language=talk.chosen_language, style=talk.style, source_credit=credit,
        size=brand.current_size(talk), brand=kit, **talk.answer_ref,
    )
    return Outcome("carousel_text" if from_text else "carousel",
                   [*seeding, talk.event("carousel.generate.requested", request)])


def start_joined_paste(talk: Conversation, body: str, status_id: int | None, note: str | None) -> Outcome:
    """A long paste's joined parts (telegram_gateway.paste): a pasted text up to SOURCE_TEXT_MAX_CHARS, its
    window's status message turned into the progress bar."""
    return _start_carousel(talk, body, _default_count(talk.deps), from_text=True, status_in=status_id, note=note,
                           max_text=SOURCE_TEXT_MAX_CHARS)


def _ask_count(talk: Conversation, number: topics.LeadingNumber, default: int) -> Outcome:
    """ "/carousel 10 дней кода": two buttons, "10 slides about «дней кода»" and "«10 дней кода», 5 slides".
    The topic waits server-side (callback data holds 64 bytes), for PENDING_CHOICE_SECONDS."""
    language, key = talk.language, new_id()[:12]
    talk.deps.limits.hold(f"{PENDING_CHOICE}#{talk.user_id}", key,
                          {"number": number.number, "rest": number.rest, "default": default},
                          ttl_seconds=PENDING_CHOICE_SECONDS)
    keyboard = inline_keyboard([
        [(text("slides_about", language, count=number.number, topic=clip(number.rest, 30)), f"pick:{key}:n")],
        [(text("topic_with_count", language, topic=clip(number.whole, 30), count=default), f"pick:{key}:t")],
    ])
    talk.say(text("count_question", language, number=number.number), keyboard)
    return Outcome("count_question")


def _tap_pick(talk: Conversation, query: CallbackQuery, action: str, argument: str) -> Outcome:
    """The answer to :func:`_ask_count`: the question becomes the status message; a second tap does nothing."""
    key, _, reading = argument.partition(":")
    pending = talk.deps.limits.take(f"{PENDING_CHOICE}#{talk.user_id}", key) if reading in ("n", "t") else None
    if pending is None:
        _answer(talk, query, text("cb_unknown", talk.language))
        return Outcome("callback_unknown")
    _answer(talk, query)
    number, rest = int(pending["number"]), str(pending["rest"])
    body, count = (rest, number) if reading == "n" else (f"{number} {rest}", int(pending["default"]))
    return _start_carousel(talk, body, count, announce=True,
                           status_in=query.message.message_id if query.message else None)


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


def _status_message(talk: Conversation, status: str, *, edit: int | None = None) -> int | None:
    """The chat's progress bar, then the "sending a photo…" chat action; best effort beyond retries.
    ``edit``: the bot message that becomes the progress bar (its buttons go)."""
    try:
        if edit is not None:
            talk.deps.bot.call("editMessageText", {"chat_id": talk.chat_id, "message_id": edit, "text": status,
                                                   "parse_mode": "HTML"})
            sent = {"message_id": edit}
        else:
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
    """The user's last carousels; asked in a group, they go to the user's private chat (a personal list),
    and the group hears where, or how to start that chat (a t.me deep link that opens /start history)."""
    done = [r for r in talk.deps.carousels.list_by_user(talk.user_id, limit=20)
            if r.status is CarouselStatus.COMPLETED][:HISTORY_SHOWN]
    private = talk if talk.private else replace(talk, chat_id=talk.user.id, private=True)
    try:
        if not done:
            private.say(text("history_empty", talk.language))
        else:
            numbers = {r.request_id: i for i, r in enumerate(done, start=1)}
            rows = [[(history_label(i, r, numbers, talk.language), f"resend:{r.request_id}")]
                    for i, r in enumerate(done, start=1)]
            private.say(text("history_title", talk.language), inline_keyboard(rows))
    except TelegramError as error:
        if talk.private or error.status != 403:
            raise
        username = talk.deps.own_username()
        link = f"https://t.me/{username}?start=history" if username else "/start"
        talk.say(text("history_start_private", talk.language, name=escape_html(talk.user.first_name or ""), link=link))
        return Outcome("history_start_private")
    if not talk.private:
        talk.say(text("history_sent_private", talk.language, name=escape_html(talk.user.first_name or "")))
    return Outcome("history" if done else "history_empty")


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
                "pdf": _tap_delivery, "restyle": _tap_restyle, "pick": _tap_pick, "brand": brand.tap_brand,
                "size": brand.tap_size, "edit": editing.tap_edit, "undo": editing.tap_edit}
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
    """The carousel a button is about, when this user may use it: its owner anywhere, and anyone in the chat
    where it was posted (a group: Originals, PDF and Another style serve whoever taps; a restyle counts on the
    tapper's rate limit). Anyone else is told whose it is."""
    record = talk.deps.carousels.get(request_id) if request_id else None
    # (Someone else in the owner's private chat: Telegram never sends that; answered as an unknown carousel.)
    forged = record is not None and record.user_id != talk.user_id and talk.private and record.chat_id == talk.chat_id
    if record is None or record.status is not CarouselStatus.COMPLETED or not record.slides or forged:
        _answer(talk, query, text("cb_unavailable", talk.language), alert=True)
        return None
    if record.user_id != talk.user_id and record.chat_id != talk.chat_id:
        owner = talk.deps.users.get(record.user_id)
        name = (owner.first_name or (owner.username and f"@{owner.username}")) if owner else None
        _answer(talk, query, text("cb_not_yours", talk.language, owner=name or text("someone", talk.language)),
                alert=True)
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
    kit, seeding = brand.ensure_kit(talk)
    _answer(talk, query, text("cb_restyle", talk.language, style=theme_label(theme, talk.language)))
    status_id = _status_message(talk, progress_text(talk.language, Stage.SLIDES, count=len(original.slides),
                                                    title=original.title, style=theme_label(theme, talk.language)))
    restyle = CarouselRestyleRequested(request_id=talk.correlation_id, requested_at=utc_now(), user_id=talk.user_id,
                                       chat_id=talk.chat_id, channel="telegram", status_message_id=status_id,
                                       reply_language=talk.language, brand=kit,
                                       original_request_id=original.request_id, style=theme, **talk.answer_ref)
    return Outcome("restyle", [*seeding, talk.event("carousel.restyle.requested", restyle)])
