"""The user's brand kit: what their slides carry instead of the operator's handle.

Seeded from Telegram the first time the user asks for a carousel (their @username, first name and
profile photo) and changed with /brand. The gateway keeps it on the user's record and puts a copy on
each request, so every later step draws the kit the request was made with. Images live in the slides
bucket under ``BRAND_PREFIX/<user id>/`` (``vibecoder.slides.brand_key``), kept for as long as the user is.
"""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from vibecoder.base import CamelModel

HANDLE = re.compile(r"^@?(?P<name>[A-Za-z0-9_]{3,32})$")  # Telegram usernames (and Instagram's, mostly)
COLOR = re.compile(r"^#?(?P<hex>[0-9A-Fa-f]{6})$")
NAME_MAX_CHARS = 40


def normalized_handle(value: str) -> str | None:
    """``@name`` for a username-like handle, None for anything else."""
    found = HANDLE.match(value.strip())
    return f"@{found['name']}" if found else None


def normalized_color(value: str) -> str | None:
    """``#rrggbb`` for a six-digit hex colour, None for anything else."""
    found = COLOR.match(value.strip())
    return f"#{found['hex'].lower()}" if found else None


class BrandSummary(CamelModel):
    """The kit as the API shows it (``GET /carousels/{id}``): no storage keys."""

    handle: str | None = None
    name: str | None = None
    color: str | None = None
    has_avatar: bool = False
    has_logo: bool = False


class BrandKit(CamelModel):
    handle: str | None = None  # "@ann_dev"; None: no handle (never the bot's)
    name: str | None = Field(default=None, max_length=NAME_MAX_CHARS)
    color: str | None = None  # "#rrggbb": the accent, adjusted per theme to keep its contrast
    avatar_key: str | None = None  # the round picture beside the handle (slides bucket)
    logo_key: str | None = None
    enabled: bool = True  # /brand off: slides carry no brand at all
    seeded: bool = False  # taken from the Telegram profile once; never re-seeded over the user's own choices

    @field_validator("handle")
    @classmethod
    def _handle(cls, value: str | None) -> str | None:
        return None if value is None else normalized_handle(value)

    @field_validator("color")
    @classmethod
    def _color(cls, value: str | None) -> str | None:
        return None if value is None else normalized_color(value)

    @property
    def drawn(self) -> BrandKit:
        """What the slides carry: nothing when switched off."""
        return self if self.enabled else BrandKit(enabled=False, seeded=self.seeded)

    def summary(self) -> BrandSummary:
        kit = self.drawn
        return BrandSummary(handle=kit.handle, name=kit.name, color=kit.color, has_avatar=kit.avatar_key is not None,
                            has_logo=kit.logo_key is not None)


def operator_brand(bot_handle: str) -> BrandKit:
    """A request with no kit of its own (the HTTP API, the CLI): the operator's handle, as before."""
    return BrandKit(handle=bot_handle or None)
