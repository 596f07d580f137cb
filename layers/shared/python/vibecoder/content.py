"""The carousel's content model: what ai-content produces and carousel-generator turns into slides.

These models travel inside events, so they are part of the event contract (see ``events.catalog``).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, NamedTuple

from pydantic import Field, field_validator

from vibecoder.base import CamelModel

Language = Literal["ru", "en"]  # the bot's own languages (/lang, its messages)
# The language slides are written in: any ISO 639-1 code (a provider writes in the user's language).
ContentLanguage = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]

MIN_SLIDES = 1
MAX_SLIDES = 20
DEFAULT_SLIDES = 5
DEFAULT_STYLE = "glass"
# The renderer's theme names (image_renderer.rendering.list_themes(), default first), for functions that
# do not ship the renderer (the gateway's /style keyboard); a test keeps the two in step.
THEMES = ("glass", "dark", "gradient", "minimal", "professional", "scripture", "vibrant")
TOPIC_MAX_CHARS = 200
SOURCE_TEXT_MAX_CHARS = 12_000  # a pasted text: up to three Telegram messages joined (telegram_gateway.paste)

# What one slide can hold at the renderer's minimum font size: a hard limit no slide ever exceeds.
TITLE_MAX_CHARS = 70
BODY_MAX_CHARS = 320


class TextBudget(NamedTuple):
    """What one slide holds at the themes' largest font sizes (the renderer does not shrink it).

    Content providers write to these budgets. Measured against the renderer's layout for every theme
    with English and Russian text (the longer words); tests/unit/content/test_budgets.py keeps each
    number true, and close to the largest that fits.
    """

    cover_title: int  # the hook, with a subtitle of ``cover_body``
    cover_body: int
    cover_short_title: int  # a shorter cover title (two lines instead of three) leaves room for a
    cover_long_body: int  # subtitle of this many characters
    title: int  # a content slide's title, with a body of ``body``
    body: int
    quote: int  # a quote (its author is the slide's title)
    code_lines: int  # lines of code of up to ``code_width`` characters
    code_width: int


# By slide size (aspect ratio); 4:5 (1080×1350) is the default.
TEXT_BUDGETS: dict[str, TextBudget] = {
    "4:5": TextBudget(cover_title=50, cover_body=60, cover_short_title=30, cover_long_body=135, title=45, body=180,
                      quote=200, code_lines=10, code_width=40),
    "1:1": TextBudget(cover_title=25, cover_body=70, cover_short_title=20, cover_long_body=80, title=30, body=110,
                      quote=110, code_lines=5, code_width=40),
    "9:16": TextBudget(cover_title=65, cover_body=140, cover_short_title=45, cover_long_body=220, title=65, body=260,
                       quote=290, code_lines=13, code_width=40),
}
DEFAULT_SIZE = "4:5"
SlideSize = Literal["4:5", "1:1", "9:16"]  # /size, and the API's "size"
SIZE_PIXELS: dict[str, tuple[int, int]] = {"4:5": (1080, 1350), "1:1": (1080, 1080), "9:16": (1080, 1920)}


def cover_body_budget(budget: TextBudget, title: str) -> int:
    """The subtitle a cover holds under *title*: more under a short title."""
    return budget.cover_long_body if len(title) <= budget.cover_short_title else budget.cover_body


def text_budget(size: str | None = None) -> TextBudget:
    return TEXT_BUDGETS.get(size or DEFAULT_SIZE, TEXT_BUDGETS[DEFAULT_SIZE])


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


class SlideType(StrEnum):
    COVER = "cover"
    PRINCIPLE = "principle"
    QUOTE = "quote"  # the quote in ``content``, its author as the title
    CONCEPT = "concept"
    CODE = "code"
    SUMMARY = "summary"  # the closing slide
    PRACTICE = "practice"  # the seed's: something to try (drawn like a principle)
    TITLE = "title"  # the seed's name for the cover: read as COVER


class Slide(CamelModel):
    type: SlideType = SlideType.PRINCIPLE
    title: str = Field(min_length=1)
    content: str = ""
    emoji: str | None = None

    @field_validator("type")
    @classmethod
    def _the_seeds_title_is_the_cover(cls, value: SlideType) -> SlideType:
        return SlideType.COVER if value is SlideType.TITLE else value


class CarouselFormat(StrEnum):
    """How a carousel is built; the content slides follow it, in order."""

    LIST = "list"  # "7 habits of …": one item a slide
    HOW_TO = "how_to"  # steps, in the order they are done
    MYTH_VS_FACT = "myth_vs_fact"  # a myth as the title, the fact as the body
    X_VS_Y = "x_vs_y"  # a comparison, one aspect a slide
    STORY = "story"  # problem → what happened → solution
    PRINCIPLES = "principles"  # the ideas of a subject (the offline knowledge base's format)
    TEXT = "text"  # a pasted text's own structure


class ContentProvenance(CamelModel):
    """Who wrote a carousel's content, and why not the configured model when it fell back."""

    provider: Literal["openai", "offline", "text"]  # a model; the knowledge notes; a pasted text, extractively
    model: str | None = None
    fallback_reason: str | None = None  # why the configured model was not used (timeout, rate_limited, …)


class CarouselContent(CamelModel):
    """Structured content for one carousel: the cover, the content slides in order, the closing slide.

    carousel-generator turns it into slides as it is (``build_slides``): the cover from ``title`` and
    ``subtitle``, then ``slides`` in their order, then the closing slide from ``summary`` and ``cta``.
    """

    title: str  # the cover's headline (a hook when a model wrote it)
    subtitle: str = ""
    emoji: str | None = None
    language: ContentLanguage = "en"
    format: CarouselFormat | None = None
    slides: list[Slide] = Field(default_factory=list)  # the content slides, one idea each
    summary: str = ""
    cta: str = ""  # the closing call to action; none for a pasted text (nothing is added to it)
    keywords: list[str] = Field(default_factory=list)
    caption: str = ""
    hashtags: list[str] = Field(default_factory=list)
