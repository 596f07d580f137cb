"""The carousel's content model: what ai-content produces and carousel-generator turns into slides.

These models travel inside events, so they are part of the event contract (see ``events.catalog``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

Language = Literal["ru", "en"]

MIN_SLIDES = 1
MAX_SLIDES = 20
DEFAULT_SLIDES = 5
DEFAULT_STYLE = "glass"
# The renderer's theme names (image_renderer.rendering.list_themes(), default first), for functions that
# do not ship the renderer (the gateway's /style keyboard); a test keeps the two in step.
THEMES = ("glass", "dark", "gradient", "minimal", "professional", "scripture", "vibrant")
TOPIC_MAX_CHARS = 200
SOURCE_TEXT_MAX_CHARS = 4096

# What one slide can hold at the renderer's minimum font size; content providers write to this budget.
TITLE_MAX_CHARS = 70
BODY_MAX_CHARS = 320


# "Blank" is spelled out, the same in the API's JSON Schema pattern (NOT_BLANK), in pydantic's regex
# engine and here: the regex engines disagree on which Unicode characters \s covers.
BLANK_CHARS = " \t\n\r\f\v"
NOT_BLANK = r"[^ \t\n\r\f\v]"


def require_topic_or_text(topic: str | None, source_text: str | None) -> None:
    """A request needs something to make slides from."""
    if not (topic and topic.strip(BLANK_CHARS)) and not (source_text and source_text.strip(BLANK_CHARS)):
        raise ValueError("either topic or sourceText is required")


def has_words(text: str | None) -> bool:
    """Something to write about: at least one letter or digit, in any script. Punctuation, emoji and
    blanks alone are not (slides made from them have no title and say nothing)."""
    return any(char.isalnum() for char in text or "")


class CamelModel(BaseModel):
    """Base for every model on the wire: camelCase JSON, snake_case Python."""

    # defer_build: validators are built on first use, not at import (a cold start pays only for the
    # models its function touches).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True)

    def to_wire(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


class SlideType(StrEnum):
    COVER = "cover"
    PRINCIPLE = "principle"
    QUOTE = "quote"
    CONCEPT = "concept"
    CODE = "code"
    SUMMARY = "summary"


class Slide(CamelModel):
    type: SlideType = SlideType.PRINCIPLE
    title: str = Field(min_length=1)
    content: str = ""
    emoji: str | None = None


class Principle(CamelModel):
    title: str
    description: str
    emoji: str | None = None


class Quote(CamelModel):
    text: str
    author: str | None = None


class Concept(CamelModel):
    term: str
    definition: str
    code: str | None = None  # an optional short snippet that illustrates the concept


class CarouselContent(CamelModel):
    """Structured content for one carousel, before it is cut into slides."""

    title: str
    subtitle: str = ""
    emoji: str | None = None
    language: Language = "en"
    principles: list[Principle] = Field(default_factory=list)
    quotes: list[Quote] = Field(default_factory=list)
    concepts: list[Concept] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    summary: str = ""
    caption: str = ""
    hashtags: list[str] = Field(default_factory=list)
