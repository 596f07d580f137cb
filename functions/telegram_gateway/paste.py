"""Long pastes: Telegram splits a text over 4096 characters into consecutive messages (same user, same chat,
about a second apart). They become one text, and one carousel.

A private message of at least ``PART_MIN_CHARS`` characters (close to Telegram's limit: it may be a part) opens
or extends the user's join window in the analytics table (``paste#<user>#<chat>``, UpdateItem only, an hour's
TTL) and emits ``telegram.paste.part.received``, which the catalog delivers ``PASTE_JOIN_SECONDS`` later
(deployed: an SQS delay queue read by this same function; no Lambda sleeps). The window's first part takes
the rate-limit slot and sends the status message. When a part's event arrives, the window is joined only if
that part is still its latest (else a newer part's event does it): its parts in message-id order, cut at a
paragraph boundary beyond ``SOURCE_TEXT_MAX_CHARS``, become one ``carousel.generate.requested`` (a pasted
text) whose status is the window's status message. A lone long message is joined alone, after the same wait.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from telegram_gateway.conversation import Conversation, GatewayDeps, Outcome
from vibecoder.content import SOURCE_TEXT_MAX_CHARS
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import TelegramPastePartReceived
from vibecoder.telegram import MAX_MESSAGE
from vibecoder.telegram_updates import Message, Update, User
from vibecoder.texts import text

PART_MIN_CHARS = 3500  # Telegram cuts at 4096; a part is close to that (a shorter message is handled at once)
WINDOW_TTL_SECONDS = 3600
STALE_SECONDS = 60  # a window whose last part is older than this never got joined: a new paste starts afresh
SENTENCE_END = re.compile(r"[.!?…:;»\"')\]]\s*$")
PARAGRAPH_END = re.compile(r"\n")


def may_be_part(talk: Conversation, message: Message, said: str) -> bool:
    """A private text message that may be part of a split paste: one long enough opens a window, any other
    extends one that is open (Telegram's last part is the rest, often short)."""
    return talk.private and message.text is not None and len(said) <= MAX_MESSAGE


def window_key(user_id: str, chat_id: int) -> str:
    return f"paste#{user_id}#{chat_id}"


# The gateway's own request path (telegram_gateway.logic passes them: it imports this module, not the reverse).
Admit = Callable[[Conversation], bool]  # takes the rate-limit slot, or says why not
ShowStatus = Callable[[Conversation, str], "int | None"]  # sends the status message, its id
StartCarousel = Callable[[Conversation, str, "int | None", "str | None"], Outcome]  # (talk, text, status id, note)


def receive_part(talk: Conversation, message: Message, said: str, *, admit: Admit,
                 show_status: ShowStatus) -> Outcome | None:
    """Store the part and emit its (delayed) event; None: not a part (short, and no window open), to be
    handled at once. The window's first part takes the rate-limit slot and sends the status message."""
    deps, key = talk.deps, window_key(talk.user_id, talk.chat_id)
    before = deps.limits.add_paste_part(
        key, {"messageId": message.message_id, "text": said}, message_id=message.message_id,
        update_id=talk.update.update_id, opens=len(said) >= PART_MIN_CHARS,
        stale_before=int(time.time()) - STALE_SECONDS, max_chars=SOURCE_TEXT_MAX_CHARS + MAX_MESSAGE,
        ttl_seconds=WINDOW_TTL_SECONDS)
    if before is None:
        return None
    if "parts" not in before:  # this part opens the window
        if not admit(talk):
            deps.limits.take_paste(key, message.message_id)  # no carousel: the window closes again
            return Outcome("rate_limited")
        status_id = show_status(talk, text("paste_receiving", talk.language))
        if status_id is not None:
            deps.limits.set_paste_status(key, status_id)
    sender = talk.user
    part = TelegramPastePartReceived(
        user_id=talk.user_id, chat_id=talk.chat_id, message_id=message.message_id, update_id=talk.update.update_id,
        text=said, first_name=sender.first_name, username=sender.username, language_code=sender.language_code,
        message_thread_id=talk.thread_id)
    return Outcome("paste_part", [talk.event("telegram.paste.part.received", part)])


def join_parts(texts: list[str]) -> str:
    """The parts as one text. Telegram cuts at a line break or a space and drops it: a part that ends a
    sentence continues on a new line, one cut mid-sentence with a space."""
    joined = ""
    for part in texts:
        if joined:
            joined += "\n" if SENTENCE_END.search(joined) else " "
        joined += part.strip()
    return joined


def cut_at_paragraph(body: str, limit: int = SOURCE_TEXT_MAX_CHARS) -> str:
    """``body`` up to ``limit`` characters, ending at the last line break before it (else the last space)."""
    if len(body) <= limit:
        return body
    head = body[:limit]
    breaks = [m.start() for m in PARAGRAPH_END.finditer(head)]
    end = breaks[-1] if breaks and breaks[-1] > limit // 2 else head.rfind(" ")
    return head[:end if end > 0 else limit].rstrip()


def join(event: EventEnvelope, deps: GatewayDeps, start: StartCarousel) -> list[FollowUp]:
    """A part's delayed event: join the window if this part is still its latest, and request the carousel."""
    part: TelegramPastePartReceived = event.data
    window = deps.limits.take_paste(window_key(part.user_id, part.chat_id), part.message_id)
    if window is None:
        return []  # a newer part arrived since: its event joins the window (or it was joined already)
    by_id = {int(p["messageId"]): str(p["text"]) for p in window.get("parts", [])}  # a repeated part counts once
    whole = join_parts([by_id[i] for i in sorted(by_id)])
    body = cut_at_paragraph(whole)
    user = User(id=int(part.user_id), first_name=part.first_name, username=part.username,
                language_code=part.language_code)
    # The first part's update: its rate-limit slot is the one this request uses (counted once per update).
    talk = Conversation(Update(update_id=int(window.get("firstUpdate", part.update_id))), user, part.chat_id, True,
                        deps.users.get(part.user_id), deps, correlation_id=event.correlation_id,
                        thread_id=part.message_thread_id, reply_to=min(by_id))
    notes = [text("paste_joined", talk.language, parts=len(by_id), length=len(whole))] if len(by_id) > 1 else []
    if body != whole:
        notes.append(text("paste_cut", talk.language, limit=SOURCE_TEXT_MAX_CHARS, length=len(body)))
    status = window.get("statusMessageId")
    try:
        outcome = start(talk, body, int(status) if status is not None else None, "\n".join(notes) or None)
    except Exception:
        # Telegram down while the status is turned into the progress bar, say: the parts go back, and the
        # retry of this event joins them again (a paste is never lost to a failed step).
        deps.limits.restore_paste(window_key(part.user_id, part.chat_id), window, part.message_id, WINDOW_TTL_SECONDS)
        raise
    return [FollowUp(e.type, e.data, key=f"{e.type}#{i}") for i, e in enumerate(outcome.events)]
