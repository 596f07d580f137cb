"""Inline mode: ``@<bot> topic`` in any chat offers "Make a carousel about …".

- ``inline_query``: one article result (answerInlineQuery). Choosing it posts a short note in the chat
  where it was asked (the article's message content); the album goes to the user's private chat with the
  bot. A user the bot has never met gets the note with a deep link instead, and the answer's ``button``
  ("Start the bot") carries the topic as its ``start_parameter``.
- ``chosen_inline_result`` (inline feedback on: ``/setinlinefeedback``): the carousel is made through the
  gateway's own request path (topic rules, the rate limit, the status message) in the private chat. When
  Telegram will not let the bot write there (403: the user never started it, or blocked it), the note is
  edited into the deep link.
- ``/start <payload>`` from that deep link makes the carousel the user asked for inline
  (:mod:`telegram_gateway.deep_link`).
"""

from __future__ import annotations

from typing import Any

from telegram_gateway.deep_link import topic_payload
from telegram_gateway.logic import (
    Conversation,
    GatewayDeps,
    Outcome,
    _carousel,
    _quietly,
)
from vibecoder.content import TOPIC_MAX_CHARS, has_words
from vibecoder.events.models import AnalyticsUserInteractionTracked
from vibecoder.telegram import TelegramError
from vibecoder.telegram_updates import ChosenInlineResult, InlineQuery, Update
from vibecoder.texts import clip, escape_html, text

RESULT_ID = "carousel"
CACHE_SECONDS = 10  # the answer depends on who asks (is_personal) and what they typed: cache briefly


def start_link(deps: GatewayDeps, topic: str) -> str:
    payload = topic_payload(topic)
    username = (deps.bot_username or "").lstrip("@")
    return f"https://t.me/{username}" + (f"?start={payload}" if payload else "")


def _conversation(update: Update, sender: Any, deps: GatewayDeps) -> Conversation:
    """The user's private chat with the bot: where an inline request is answered."""
    return Conversation(update, sender, sender.id, True, deps.users.get(str(sender.id)), deps)


def handle_update(update: Update, deps: GatewayDeps) -> Outcome:
    """An inline_query or chosen_inline_result update (the handler routes them here)."""
    if update.inline_query is not None:
        return answer_query(update, update.inline_query, deps)
    return chosen(update, update.chosen_inline_result, deps)


def answer_query(update: Update, query: InlineQuery, deps: GatewayDeps) -> Outcome:
    talk = _conversation(update, query.sender, deps)
    topic, language = " ".join(query.query.split()), talk.language
    params: dict[str, Any] = {"inline_query_id": query.id, "cache_time": CACHE_SECONDS, "is_personal": True,
                              "results": []}
    known = talk.record is not None
    if topic and has_words(topic) and len(topic) <= TOPIC_MAX_CHARS:
        link = start_link(deps, topic)
        bot = f"@{(deps.bot_username or '').lstrip('@')}"
        note = text("inline_note" if known else "inline_note_start", language, topic=escape_html(clip(topic, 200)),
                    name=escape_html(query.sender.first_name or ""), bot=bot, link=link)
        params["results"] = [{
            "type": "article", "id": RESULT_ID, "title": text("inline_title", language, topic=clip(topic, 60)),
            "description": text("inline_description", language, bot=bot),
            "input_message_content": {"message_text": note, "parse_mode": "HTML",
                                      "link_preview_options": {"is_disabled": True}},
            # A keyboard makes Telegram report the sent note's inline_message_id, so it can be edited later.
            "reply_markup": {"inline_keyboard": [[{"text": text("inline_open_bot", language, bot=bot),
                                                   "url": link}]]},
        }]
        payload = topic_payload(topic)
        if not known and payload:
            params["button"] = {"text": text("inline_start_button", language), "start_parameter": payload}
    _quietly(deps.bot, "answerInlineQuery", params)
    return _tracked(talk, Outcome("inline_query" if params["results"] else "inline_query_empty"), "inline_query")


def chosen(update: Update, result: ChosenInlineResult, deps: GatewayDeps) -> Outcome:
    """Make the carousel the user chose, in their private chat; or say how to start the bot."""
    talk = _conversation(update, result.sender, deps)
    topic = " ".join(result.query.split())
    if result.result_id != RESULT_ID or not topic:
        return _tracked(talk, Outcome("inline_unknown_result"), "inline_result")
    if talk.record is None or not _can_write(talk):
        _offer_start(talk, result, topic)
        return _tracked(talk, Outcome("inline_needs_start"), "inline_result")
    return _tracked(talk, _carousel(talk, topic, "carousel"), "inline_result")


def _can_write(talk: Conversation) -> bool:
    """Whether Telegram lets the bot write to the user (403: never started, or blocked): the chat action
    the status message would send first anyway."""
    try:
        talk.deps.bot.call("sendChatAction", {"chat_id": talk.chat_id, "action": "typing"})
    except TelegramError as error:
        if error.retryable:
            raise  # the webhook answers 5xx and Telegram delivers the update again
        return error.status != 403
    return True


def _offer_start(talk: Conversation, result: ChosenInlineResult, topic: str) -> None:
    """Turn the note in the chat where it was asked into the link that starts the bot with this topic."""
    if result.inline_message_id is None:
        return  # the note sent without a keyboard already says how to start the bot
    bot = f"@{(talk.deps.bot_username or '').lstrip('@')}"
    link = start_link(talk.deps, topic)
    _quietly(talk.deps.bot, "editMessageText", {
        "inline_message_id": result.inline_message_id, "parse_mode": "HTML",
        "link_preview_options": {"is_disabled": True},
        "text": text("inline_note_start", talk.language, topic=escape_html(clip(topic, 200)),
                     name=escape_html(result.sender.first_name or ""), bot=bot, link=link),
        "reply_markup": {"inline_keyboard": [[{"text": text("inline_start_button", talk.language), "url": link}]]}})


def _tracked(talk: Conversation, outcome: Outcome, kind: str) -> Outcome:
    """What the bot did, for analytics. No ``telegram.user.message.received``: typing ``@bot …`` is not
    talking to the bot, and its user record (which says the user has started the bot) must not appear."""
    outcome.events.append(talk.event("analytics.user.interaction.tracked", AnalyticsUserInteractionTracked(
        user_id=talk.user_id, action=f"telegram.{outcome.action}", properties={"kind": kind})))
    return outcome
