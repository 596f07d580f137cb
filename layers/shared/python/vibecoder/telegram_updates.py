"""Telegram update models: the fields the bot reads, typed; everything else accepted as it comes.

An ``Update`` carries exactly one of many optional kinds (message, edited_message, channel_post,
callback_query, my_chat_member, poll, message_reaction, …, and kinds added to the Bot API after
this was written). Every model allows unknown fields, and the kinds the bot does not act on are
kept as plain dicts, so a valid update never fails to parse because of what it carries.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

# Every Update field of the Bot API (9.x) besides update_id, in the documented order.
UPDATE_KINDS = (
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query", "shipping_query",
    "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer", "my_chat_member", "chat_member",
    "chat_join_request", "chat_boost", "removed_chat_boost",
)

# Message content fields besides text: what a message carries when it is not plain text.
MESSAGE_CONTENT_KINDS = (
    "animation", "audio", "document", "paid_media", "photo", "sticker", "story", "video", "video_note",
    "voice", "contact", "dice", "game", "poll", "venue", "location", "invoice", "checklist",
    "new_chat_members", "left_chat_member", "new_chat_title", "new_chat_photo", "pinned_message",
)


class _TelegramModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class User(_TelegramModel):
    id: int
    is_bot: bool = False
    first_name: str = ""
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class Chat(_TelegramModel):
    id: int
    type: str = "private"  # private, group, supergroup, channel
    title: str | None = None
    username: str | None = None
    is_forum: bool = False  # a supergroup with topics

    @property
    def private(self) -> bool:
        return self.type == "private"


class Message(_TelegramModel):
    message_id: int
    date: int = 0
    chat: Chat
    sender: User | None = Field(default=None, alias="from")  # absent in channels
    text: str | None = None
    caption: str | None = None
    media_group_id: str | None = None
    reply_markup: dict[str, Any] | None = None
    reply_to_message: Message | None = None  # the message this one answers (a slide of an album, to edit it)
    message_thread_id: int | None = None  # a forum topic's id, or (in any supergroup) the thread of a reply
    is_topic_message: bool = False  # sent in a forum topic

    @property
    def topic_id(self) -> int | None:
        """The forum topic the message is in, where answers must go too (None: General, or no forum). A
        reply in an ordinary supergroup has a message_thread_id as well, but no topic to send to."""
        return self.message_thread_id if self.is_topic_message else None

    @property
    def content_kind(self) -> str:
        """``text`` or what else the message carries (photo, sticker, voice, …)."""
        if self.text is not None:
            return "text"
        extra = self.model_extra or {}
        return next((kind for kind in MESSAGE_CONTENT_KINDS if kind in extra), "other")


class CallbackQuery(_TelegramModel):
    id: str
    sender: User = Field(alias="from")
    # The message the button was on; an InaccessibleMessage (date 0) still has chat and message_id.
    message: Message | None = None
    inline_message_id: str | None = None
    chat_instance: str = ""
    data: str | None = None


class InlineQuery(_TelegramModel):
    """``@bot text`` typed in any chat: the bot answers with results to choose from."""

    id: str
    sender: User = Field(alias="from")
    query: str = ""
    offset: str = ""
    chat_type: str | None = None  # sender, private, group, supergroup, channel (absent: unknown)


class ChosenInlineResult(_TelegramModel):
    """The result a user chose (sent only with inline feedback on, /setinlinefeedback)."""

    result_id: str
    sender: User = Field(alias="from")
    query: str = ""
    inline_message_id: str | None = None  # only when the result carried an inline keyboard


class Update(_TelegramModel):
    update_id: int
    message: Message | None = None
    edited_message: dict[str, Any] | None = None
    channel_post: dict[str, Any] | None = None
    callback_query: CallbackQuery | None = None
    inline_query: InlineQuery | None = None
    chosen_inline_result: ChosenInlineResult | None = None

    @property
    def kind(self) -> str:
        """The update's kind: the first known kind it carries, else an unknown field's name."""
        present = [name for name in UPDATE_KINDS if getattr(self, name, None) is not None
                   or name in (self.model_extra or {})]
        extra = [name for name in (self.model_extra or {}) if name not in UPDATE_KINDS]
        return (present or extra or ["unknown"])[0]
