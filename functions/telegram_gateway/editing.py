"""Editing a delivered carousel: a reply to one of its slides, /edit N, /move A B, /drop N, Edit and Undo.

A reply of the form ``Title | body`` (or ``/edit N Title | body``) replaces that slide's text; any other
reply is an instruction for a model ("shorter", "add an example"). The gateway finds the slide a reply
answers in the sender's delivery log (which album message is which image), checks the carousel is the
user's and finished, says it is on it, and emits ``carousel.edit.requested``; the generator applies the
edit and the sender replaces the photo in place. /move, /drop and a bare /edit act on the user's newest
carousel in the chat (or the one whose album is replied to).
"""

from __future__ import annotations

import re

from telegram_gateway.conversation import Conversation, Outcome, _answer
from vibecoder.base import new_id, utc_now
from vibecoder.events.catalog import CATALOG
from vibecoder.events.models import CarouselEditRequested
from vibecoder.repositories import CarouselRecord
from vibecoder.telegram_updates import CallbackQuery, Message
from vibecoder.texts import clip, escape_html, text
from vibecoder.workflow import CarouselStatus

RECENT = 10  # carousels a reply is looked up in
REPLACEMENT = re.compile(r"^(?P<title>[^|\n]*\S[^|\n]*?)\s*\|\s*(?P<body>.*)$", re.DOTALL)
EDIT_ARGS = re.compile(r"^(?P<slide>\d{1,2})\s+(?P<rest>.+)$", re.DOTALL)
NUMBERS = re.compile(r"^(?P<a>\d{1,2})(?:\s+(?P<b>\d{1,2}))?$")


def _editable(talk: Conversation) -> list[CarouselRecord]:
    """The user's finished carousels in this chat, newest first."""
    recent = talk.deps.carousels.list_by_user(talk.user_id, limit=2 * RECENT)
    return [r for r in recent if r.status is CarouselStatus.COMPLETED and r.slides
            and r.chat_id == talk.chat_id][:RECENT]


def slide_of_reply(talk: Conversation, replied: Message) -> tuple[CarouselRecord, int] | None:
    """The carousel and slide (1-based) whose album photo ``replied`` is, or None."""
    if talk.deps.deliveries is None or replied.sender is None or not replied.sender.is_bot:
        return None
    records = _editable(talk)
    for delivery in talk.deps.deliveries.get_many([r.request_id for r in records]):
        ids = delivery.album_message_ids
        if replied.message_id in ids:
            record = next(r for r in records if r.request_id == delivery.request_id)
            return record, _slide_at(record, ids.index(replied.message_id))
    return None


def _slide_at(record: CarouselRecord, image_index: int) -> int:
    """The slide (1-based) the carousel's ``image_index``-th image (0-based) was cut from."""
    seen = 0
    for number, slide in enumerate(record.slides, start=1):
        seen += len(slide.image_keys)
        if image_index < seen:
            return number
    return len(record.slides)


def reply_edit(talk: Conversation, message: Message) -> Outcome | None:
    """A reply to a slide of an album: that slide's new text, or an instruction for it; None when the
    reply is not to a slide (it is then handled as any other message)."""
    found = slide_of_reply(talk, message.reply_to_message) if message.reply_to_message else None
    if found is None or not (message.text or "").strip():
        return None
    record, slide = found
    return _slide_edit(talk, record, slide, message.text.strip())


def _slide_edit(talk: Conversation, record: CarouselRecord, slide: int, body: str) -> Outcome:
    replaced = REPLACEMENT.match(body)
    if replaced:
        return request_edit(talk, record, "replace", text("edit_working", talk.language, slide=slide), slide=slide,
                            title=replaced["title"].strip(), content=replaced["body"].strip())
    return request_edit(talk, record, "rewrite", text("edit_working", talk.language, slide=slide), slide=slide,
                        instruction=clip(body, 200))


def _target(talk: Conversation, message: Message | None) -> CarouselRecord | None:
    replied = message.reply_to_message if message else None
    found = slide_of_reply(talk, replied) if replied else None
    if found:
        return found[0]
    editable = _editable(talk)
    return editable[0] if editable else None


def _usage(talk: Conversation, record: CarouselRecord) -> Outcome:
    talk.say(text("edit_usage", talk.language, count=len(record.slides)))
    return Outcome("edit_usage")


def edit_command(talk: Conversation, args: str, name: str) -> Outcome:
    message = talk.update.message
    record = _target(talk, message)
    if record is None:
        talk.say(text("edit_no_carousel", talk.language))
        return Outcome("edit_no_carousel")
    numbered = EDIT_ARGS.match(args.strip())
    if not args.strip():
        return edit_help(talk, record)
    if numbered is None or not 1 <= int(numbered["slide"]) <= len(record.slides):
        return _usage(talk, record)
    return _slide_edit(talk, record, int(numbered["slide"]), numbered["rest"].strip())


def move_command(talk: Conversation, args: str, name: str) -> Outcome:
    record = _target(talk, talk.update.message)
    if record is None:
        talk.say(text("edit_no_carousel", talk.language))
        return Outcome("edit_no_carousel")
    numbers = NUMBERS.match(args.strip())
    count = len(record.slides)
    if name == "move":
        if not numbers or not numbers["b"] or not (1 <= int(numbers["a"]) <= count and 1 <= int(numbers["b"]) <= count):
            return _usage(talk, record)
        slide, to = int(numbers["a"]), int(numbers["b"])
        return request_edit(talk, record, "move", text("edit_moving", talk.language, slide=slide, to=to),
                            slide=slide, to=to)
    if not numbers or numbers["b"] or not 1 <= int(numbers["a"]) <= count:
        return _usage(talk, record)
    slide = int(numbers["a"])
    return request_edit(talk, record, "drop", text("edit_dropping", talk.language, slide=slide), slide=slide)


def edit_help(talk: Conversation, record: CarouselRecord) -> Outcome:
    talk.say(text("edit_help", talk.language, title=escape_html(clip(record.title or record.topic or "…", 80)),
                  count=len(record.slides), ai=text("edit_help_ai", talk.language)))
    return Outcome("edit_help")


def request_edit(talk: Conversation, record: CarouselRecord, operation: str, status: str, **fields) -> Outcome:
    """Say the edit is under way (the sender turns that message into the result) and ask the generator."""
    sent = talk.say(status)
    edit = CarouselEditRequested(
        request_id=record.request_id, requested_at=utc_now(), user_id=talk.user_id, chat_id=talk.chat_id,
        channel="telegram", status_message_id=sent.get("message_id") if sent else None,
        reply_language=talk.language, edit_id=new_id(), operation=operation, **talk.answer_ref, **fields)
    event = CATALOG.new_event("carousel.edit.requested", edit, correlation_id=record.request_id,
                              source="telegram-gateway", user_id=talk.user_id)
    return Outcome(f"edit_{operation}", [event])


def _owned(talk: Conversation, query: CallbackQuery, request_id: str) -> CarouselRecord | None:
    record = talk.deps.carousels.get(request_id) if request_id else None
    if record is None or record.user_id != talk.user_id or record.status is not CarouselStatus.COMPLETED:
        _answer(talk, query, text("edit_failed_not_editable", talk.language), alert=True)
        return None
    return record


def tap_edit(talk: Conversation, query: CallbackQuery, action: str, request_id: str) -> Outcome:
    record = _owned(talk, query, request_id)
    if record is None:
        return Outcome("callback_unavailable")
    _answer(talk, query)
    if action == "undo":
        return request_edit(talk, record, "undo", text("edit_undoing", talk.language))
    return edit_help(talk, record)
