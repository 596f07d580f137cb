"""/brand and /size: the user's own kit on their slides, and their slides' size.

The kit is seeded from Telegram the first time it is needed: the @username as the handle (none when the
user has no username: never the bot's), the first name, and the profile photo as the avatar. The photo
is fetched by telegram-sender (``telegram.brand.image.requested``), not here: the webhook keeps its
three-call budget, and the fetch runs while the content is written. The kit is stored whole on the
user's record; every request carries a copy, so a carousel is drawn with the kit it was asked with.
"""

from __future__ import annotations

from typing import Any

from telegram_gateway.conversation import Conversation, Outcome, _answer, _quietly
from vibecoder.brand import NAME_MAX_CHARS, BrandKit, normalized_color, normalized_handle
from vibecoder.content import SIZE_PIXELS
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import TelegramBrandImageRequested
from vibecoder.repositories import UserPreferences
from vibecoder.slides import brand_key
from vibecoder.telegram import inline_keyboard
from vibecoder.telegram_updates import CallbackQuery, Message
from vibecoder.texts import clip, escape_html, text

DEFAULT_SIZE = "4:5"


def profile_kit(talk: Conversation, keep: BrandKit | None = None) -> BrandKit:
    """The kit Telegram's profile gives (the user's colour and logo kept from ``keep``)."""
    user = talk.user
    return BrandKit(handle=normalized_handle(user.username or ""), name=clip(user.first_name, NAME_MAX_CHARS) or None,
                    color=keep.color if keep else None, logo_key=keep.logo_key if keep else None,
                    avatar_key=brand_key(talk.user_id, "avatar"), seeded=True)


def _fetch_image(talk: Conversation, kind: str, file_id: str | None = None) -> EventEnvelope:
    return talk.event("telegram.brand.image.requested", TelegramBrandImageRequested(
        user_id=talk.user_id, chat_id=talk.chat_id, kind=kind, file_id=file_id, language=talk.language,
        announce=kind == "logo"))


def ensure_kit(talk: Conversation) -> tuple[BrandKit, list[EventEnvelope]]:
    """The user's kit, seeded from their Telegram profile the first time (with the avatar's fetch)."""
    kit = talk.record.brand if talk.record else None
    if kit is not None:
        return kit, []
    kit = profile_kit(talk)
    talk.deps.users.set_brand(talk.user_id, kit)
    return kit, [_fetch_image(talk, "avatar")]


def _save(talk: Conversation, kit: BrandKit) -> None:
    talk.deps.users.set_brand(talk.user_id, kit)
    if talk.record:
        talk.record.brand = kit  # what the rest of this update reads


def kit_text(kit: BrandKit, language: str) -> str:
    none, yes = text("brand_none", language), text("brand_yes", language)
    return text("brand_show", language, off="" if kit.enabled else text("brand_is_off", language),
                handle=escape_html(kit.handle or none), name=escape_html(kit.name or none), color=kit.color or none,
                avatar=yes if kit.avatar_key else none, logo=yes if kit.logo_key else none)


def kit_keyboard(kit: BrandKit, language: str) -> dict[str, Any]:
    row = [(text("button_brand_profile", language), "brand:profile"),
           (text("button_brand_off" if kit.enabled else "button_brand_on", language),
            "brand:off" if kit.enabled else "brand:on")]
    rows = [row] + ([[(text("button_brand_no_logo", language), "brand:nologo")]] if kit.logo_key else [])
    return inline_keyboard(rows)


def changed_kit(kit: BrandKit, args: str) -> tuple[BrandKit | None, str]:
    """The kit ``/brand <args>`` makes, or None and the message that says why not."""
    word, _, rest = args.partition(" ")
    word, rest = word.lower(), rest.strip()
    if args.startswith("@") or word == "handle":
        handle = normalized_handle(rest if word == "handle" else args)
        return (kit.model_copy(update={"handle": handle}), "brand_saved") if handle else (None, "brand_bad_handle")
    if word == "name":
        if not rest or len(rest) > NAME_MAX_CHARS:
            return None, "brand_bad_name"
        return kit.model_copy(update={"name": rest}), "brand_saved"
    if word in ("color", "colour", "цвет"):
        color = normalized_color(rest)
        return (kit.model_copy(update={"color": color}), "brand_saved") if color else (None, "brand_bad_color")
    if word in ("off", "on"):
        return kit.model_copy(update={"enabled": word == "on"}), "brand_turned_off" if word == "off" else "brand_saved"
    return None, "brand_unknown"


def brand_command(talk: Conversation, args: str, name: str) -> Outcome:
    kit, events = ensure_kit(talk)
    args = args.strip()
    if not args:
        talk.say(kit_text(kit, talk.language), kit_keyboard(kit, talk.language))
        return Outcome("brand_menu", events)
    changed, reply = changed_kit(kit, args)
    if changed is None:
        talk.say(text(reply, talk.language, limit=NAME_MAX_CHARS))
        return Outcome("brand_invalid", events)
    _save(talk, changed)
    talk.say(text(reply, talk.language) + "\n\n" + kit_text(changed, talk.language), kit_keyboard(changed, talk.language))
    return Outcome("brand", events)


def is_logo_upload(message: Message) -> bool:
    """A picture (a photo, or an image file) captioned ``/brand logo``."""
    caption = " ".join((message.caption or "").lower().split())
    return caption.startswith("/brand logo") and image_file_id(message) is not None


def image_file_id(message: Message) -> str | None:
    extra = message.model_extra or {}
    photos = extra.get("photo") or []
    if photos:  # sizes, smallest first: the largest keeps a logo sharp (the sender caps the download)
        return max(photos, key=lambda size: size.get("width", 0) * size.get("height", 0)).get("file_id")
    document = extra.get("document") or {}
    return document.get("file_id") if str(document.get("mime_type", "")).startswith("image/") else None


def logo_upload(talk: Conversation, message: Message) -> Outcome:
    _, events = ensure_kit(talk)
    talk.say(text("logo_saving", talk.language))
    return Outcome("brand_logo", [*events, _fetch_image(talk, "logo", image_file_id(message))])


def tap_brand(talk: Conversation, query: CallbackQuery, action: str, choice: str) -> Outcome:
    kit, events = ensure_kit(talk)
    if choice == "profile":
        changed, notice = profile_kit(talk, keep=kit), "brand_from_profile"
        events = events or [_fetch_image(talk, "avatar")]
    elif choice in ("off", "on"):
        changed, notice = kit.model_copy(update={"enabled": choice == "on"}), "brand_saved"
    elif choice == "nologo":
        changed, notice = kit.model_copy(update={"logo_key": None}), "logo_removed"
    else:
        _answer(talk, query, text("cb_unknown", talk.language))
        return Outcome("callback_unknown")
    _save(talk, changed)
    _answer(talk, query, text(notice, talk.language))
    if query.message:
        _quietly(talk.deps.bot, "editMessageText", {
            "chat_id": talk.chat_id, "message_id": query.message.message_id, "parse_mode": "HTML",
            "text": kit_text(changed, talk.language), "reply_markup": kit_keyboard(changed, talk.language)})
    return Outcome("brand", events)


def current_size(talk: Conversation) -> str:
    chosen = talk.record.preferences.size if talk.record else None
    return chosen if chosen in SIZE_PIXELS else DEFAULT_SIZE


def size_keyboard(current: str) -> dict[str, Any]:
    return inline_keyboard([[(("✓ " if size == current else "") + size, f"size:{size}") for size in SIZE_PIXELS]])


def size_command(talk: Conversation, args: str, name: str) -> Outcome:
    choice = args.strip()
    if choice in SIZE_PIXELS:
        talk.deps.users.set_preferences(talk.user_id, UserPreferences(size=choice))
        talk.say(text("size_saved", talk.language, size=choice))
        return Outcome("size")
    talk.say(text("size_choose", talk.language, size=current_size(talk)), size_keyboard(current_size(talk)))
    return Outcome("size_menu")


def tap_size(talk: Conversation, query: CallbackQuery, action: str, choice: str) -> Outcome:
    if choice not in SIZE_PIXELS:
        _answer(talk, query, text("cb_unknown", talk.language))
        return Outcome("callback_unknown")
    talk.deps.users.set_preferences(talk.user_id, UserPreferences(size=choice))
    _answer(talk, query, f"✅ {choice}")
    if query.message:
        _quietly(talk.deps.bot, "editMessageText", {
            "chat_id": talk.chat_id, "message_id": query.message.message_id, "parse_mode": "HTML",
            "text": text("size_saved", talk.language, size=choice), "reply_markup": size_keyboard(choice)})
    return Outcome("size")
