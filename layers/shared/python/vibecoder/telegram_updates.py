"""Telegram update models: only the fields the bot reads; unknown fields and update kinds are accepted."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _TelegramModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class User(_TelegramModel):
    id: int
    is_bot: bool = False
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None


class Chat(_TelegramModel):
    id: int
    type: str = "private"


class Message(_TelegramModel):
    message_id: int
    date: int = 0
    chat: Chat
    sender: User | None = Field(default=None, alias="from")
    text: str | None = None


class CallbackQuery(_TelegramModel):
    id: str
    sender: User = Field(alias="from")
    message: Message | None = None
    data: str | None = None


class Update(_TelegramModel):
    update_id: int
    message: Message | None = None
    edited_message: Message | None = None
    channel_post: Message | None = None
    callback_query: CallbackQuery | None = None

    @property
    def kind(self) -> str:
        known = ("message", "edited_message", "channel_post", "callback_query")
        present = [name for name in known if getattr(self, name) is not None]
        extra = list(self.model_extra or {})
        return (present or extra or ["unknown"])[0]
