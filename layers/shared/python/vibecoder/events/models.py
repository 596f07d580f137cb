"""The ``data`` of every event type. One model per event; the catalog maps types to these models."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import Field, model_validator

from vibecoder.base import CamelModel
from vibecoder.brand import BrandKit
from vibecoder.content import (
    DEFAULT_SLIDES,
    DEFAULT_STYLE,
    MAX_SLIDES,
    MIN_SLIDES,
    SOURCE_TEXT_MAX_CHARS,
    TOPIC_MAX_CHARS,
    CarouselContent,
    ContentLanguage,
    Language,
    Slide,
    SlideSize,
    require_topic_or_text,
)
from vibecoder.workflow import Stage

RequestChannel = Literal["telegram", "api", "local"]


class RequestRef(CamelModel):
    """Who asked, and where to answer. Carried along the whole flow."""

    request_id: str
    user_id: str
    chat_id: int | None = None
    channel: RequestChannel = "api"
    status_message_id: int | None = None  # the Telegram message edited as the flow advances
    requested_at: datetime | None = None  # when the request was accepted (each step's elapsed time counts from it)
    reply_language: Language | None = None  # the language the bot talks to the user in (no user read per step)
    message_thread_id: int | None = None  # the forum topic the request was asked in: every answer goes there
    reply_to_message_id: int | None = None  # the message that asked: the answer links to it (in groups)

    def ref(self) -> dict:
        """Just the request's reference fields, to carry into the next event's data."""
        return {name: getattr(self, name) for name in RequestRef.model_fields}


# --- carousel.* -------------------------------------------------------------------------------


class CarouselGenerateRequested(RequestRef):
    topic: str | None = Field(default=None, max_length=TOPIC_MAX_CHARS)
    source_text: str | None = Field(default=None, max_length=SOURCE_TEXT_MAX_CHARS)
    slides_count: int = Field(default=DEFAULT_SLIDES, ge=MIN_SLIDES, le=MAX_SLIDES)
    style: str = DEFAULT_STYLE
    language: Language | None = None  # None: detect from the text
    size: SlideSize | None = None  # None: 4:5
    brand: BrandKit | None = None  # the user's kit (None: the operator's handle)
    # Who wrote a forwarded post ("Source: Channel (@channel)", in the user's language): the album caption says it.
    source_credit: str | None = Field(default=None, max_length=200)

    @model_validator(mode="after")
    def _needs_topic_or_text(self) -> CarouselGenerateRequested:
        require_topic_or_text(self.topic, self.source_text)
        return self


class CarouselContentAnalyzed(RequestRef):
    """The content for a request, or (``failure``, no content) why there is none."""

    content: CarouselContent | None = None
    slides_count: int = Field(ge=MIN_SLIDES, le=MAX_SLIDES)
    style: str = DEFAULT_STYLE
    provider: str
    model: str | None = None
    fallback_reason: str | None = None  # why the configured model was not used
    failure: str | None = None  # "topic_not_covered…": the request cannot be served
    covered_subjects: list[str] = Field(default_factory=list)  # what the offline notes can write about
    language: Language | None = None  # the request's (for a failure's message)

    @model_validator(mode="after")
    def _content_or_failure(self) -> CarouselContentAnalyzed:
        if self.content is None and not self.failure:
            raise ValueError("content is required unless the request failed (failure)")
        return self


class SlideEdit(CamelModel):
    """An edit being rendered: only the slides it changed are drawn again, as images of its revision."""

    edit_id: str
    revision: int = Field(ge=1)
    slides: list[int] = Field(min_length=1)  # the slides (1-based) to render; all of them after a move or a drop
    image_count: int | None = None  # the images the carousel had: drawn whole again when the edit changes it


class CarouselSlidesGenerated(RequestRef):
    title: str
    caption: str = ""
    style: str = DEFAULT_STYLE
    language: ContentLanguage = "en"
    slides: list[Slide] = Field(min_length=1)
    restyle_of: str | None = None  # the carousel whose slides these are, re-rendered in another style
    size: SlideSize | None = None
    brand: BrandKit | None = None
    edit: SlideEdit | None = None  # an edit of a finished carousel (not a new one)


class CarouselRestyleRequested(RequestRef):
    """A finished carousel's slides again, in another style: a new request of its own (no new content)."""

    original_request_id: str
    style: str
    brand: BrandKit | None = None  # the user's kit now (None: the original's)


class CarouselTimedOut(RequestRef):
    """The sweep found a request that has not moved for the step timeout: the generator ends it."""

    stage: str  # the status it was stuck in ("requested" when no carousel was ever recorded)
    unmoved_since: str | None = None  # the record's updatedAt the sweep saw (None: no record)
    reason: str
    language: Language = "en"


class RenderedImage(CamelModel):
    index: int = Field(ge=1)  # position in the carousel as rendered
    slide: int = Field(ge=1)  # the slide (1-based, in carousel.slides.generated) it was cut from
    key: str  # S3 object key in the slides bucket
    width: int
    height: int
    content_type: str = "image/jpeg"
    size_bytes: int


class CarouselImagesRendered(RequestRef):
    images: list[RenderedImage] = Field(min_length=1)
    render_ms: float
    style: str = DEFAULT_STYLE
    edit: SlideEdit | None = None  # the edit these images are for (only its slides were drawn)
    image_count: int | None = None  # how many images the whole carousel has now
    brand: BrandKit | None = None  # the kit as drawn: an image that could not be read is not in it


# --- edits of a finished carousel ------------------------------------------------------------

EditOperation = Literal["replace", "rewrite", "move", "drop", "undo"]


class CarouselEditRequested(RequestRef):
    """A user changes a finished carousel (``request_id`` is the carousel's): one slide's text, an
    instruction for one slide (a model rewrites it), a slide moved or dropped, or the last edit undone."""

    edit_id: str
    operation: EditOperation
    slide: int | None = Field(default=None, ge=1)  # the slide edited, moved or dropped (1-based)
    to: int | None = Field(default=None, ge=1)  # move: where it goes
    title: str | None = None  # replace: the new title and body
    content: str | None = None
    instruction: str | None = Field(default=None, max_length=TOPIC_MAX_CHARS)  # rewrite: "shorter", …

    @model_validator(mode="after")
    def _operation_has_its_fields(self) -> CarouselEditRequested:
        needs = {"replace": ("slide", "title"), "rewrite": ("slide", "instruction"), "move": ("slide", "to"),
                 "drop": ("slide",), "undo": ()}[self.operation]
        missing = [name for name in needs if getattr(self, name) in (None, "")]
        if missing:
            raise ValueError(f"{self.operation} needs {', '.join(missing)}")
        return self


class SlideRewriteRequested(RequestRef):
    """One slide rewritten by the model on the user's instruction, within the carousel's text budget."""

    edit_id: str
    slide: int = Field(ge=1)
    current: Slide
    instruction: str
    title: str = ""  # the carousel's, for context
    language: ContentLanguage = "en"
    size: SlideSize | None = None


class SlideRewritten(RequestRef):
    edit_id: str
    slide: int = Field(ge=1)
    rewritten: Slide | None = None  # None: it could not be rewritten (``failure`` says why)
    instruction: str = ""
    provider: str = ""
    model: str | None = None
    failure: str | None = None  # "needs_ai": no model is configured; "ai_failed: …"


class CarouselEdited(RequestRef):
    """An edit is applied (record, images): the chat's album follows it."""

    edit_id: str
    operation: EditOperation
    revision: int = Field(ge=0)
    title: str
    caption: str = ""
    style: str = DEFAULT_STYLE
    language: ContentLanguage = "en"
    slides: list[CompletedSlide]
    changed_images: list[int] = Field(default_factory=list)  # images (1-based) whose file changed
    previous_image_count: int = Field(ge=0)
    slide: int | None = None  # the slide the edit was about (for the message)


class CarouselEditFailed(RequestRef):
    edit_id: str
    operation: EditOperation
    reason: str  # "needs_ai", "ai_failed: …", "busy", "nothing_to_undo", "not_editable", "out_of_range"
    language: Language = "en"


class CompletedSlide(Slide):
    image_keys: list[str] = Field(min_length=1)  # its images in order: the renderer splits a slide that does not fit
    version: int = 1  # 1 as generated; each edit of the slide adds one


class CarouselCompleted(RequestRef):
    title: str
    caption: str = ""
    style: str = DEFAULT_STYLE
    language: ContentLanguage = "en"
    slides: list[CompletedSlide]
    timings: dict[str, float] = Field(default_factory=dict)  # step → ms since the request
    size: SlideSize | None = None  # None: 4:5

    @property
    def image_keys(self) -> list[str]:
        """Every image of the carousel in order (the album, the originals, the PDF)."""
        return [key for slide in self.slides for key in slide.image_keys]


# Failure reasons a consumer acts on begin with one of these kinds ("kind" or "kind: detail").
TOPIC_NOT_COVERED = "topic_not_covered"  # the offline notes do not cover the topic
MISSING_GLYPH = "missing_glyph"  # the renderer met characters no bundled font has; the detail names them


def failure_reason(kind: str, detail: str | None = None) -> str:
    return f"{kind}: {detail}" if detail else kind


def is_failure(reason: str | None, kind: str) -> bool:
    """*reason* is ``kind`` or ``kind: detail`` (what :func:`failure_reason` writes)."""
    return reason == kind or (reason or "").startswith(kind + ":")


def failure_detail(reason: str | None, kind: str) -> str:
    """What follows ``kind:`` in *reason* ("" when there is none)."""
    return reason.removeprefix(kind + ":").strip() if reason and is_failure(reason, kind) else ""


class CarouselFailed(RequestRef):
    stage: str
    reason: str  # begins with a kind above when a consumer answers it specially
    language: Language = "en"
    covered_subjects: list[str] = Field(default_factory=list)  # for topic_not_covered: what they do cover
    fallback_reason: str | None = None  # why the configured AI model was not used, when it was not


# --- ai.* -------------------------------------------------------------------------------------


class AiContentRequested(RequestRef):
    topic: str | None = None
    source_text: str | None = None
    slides_count: int = Field(default=DEFAULT_SLIDES, ge=MIN_SLIDES, le=MAX_SLIDES)
    style: str = DEFAULT_STYLE
    language: Language | None = None
    size: SlideSize | None = None  # the slides' size: the text budget follows it


class AiAnalysisCompleted(RequestRef):
    provider: str
    model: str | None = None
    duration_ms: float
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 0  # OpenAI calls made, retries included
    circuit_open: bool = False  # OpenAI skipped: too many recent failures
    fallback_reason: str | None = None
    failure: str | None = None  # "topic_not_covered…": no content


# --- telegram.* -------------------------------------------------------------------------------


class TelegramUserMessageReceived(CamelModel):
    update_id: int
    user_id: str
    chat_id: int
    kind: str  # command, text, callback, …
    text: str = ""
    username: str | None = None
    first_name: str | None = None
    language_code: str | None = None


class TelegramBotResponseSent(CamelModel):
    request_id: str | None = None
    chat_id: int | None = None
    method: str
    delivered: bool
    message_ids: list[int] = Field(default_factory=list)
    recorded_at: str | None = None  # where the local runtime recorded it when no token is set
    error: str | None = None


class TelegramDeliveryRequested(RequestRef):
    """A user tapped a button under a finished carousel: send it again, as originals, or as a PDF."""

    action: Literal["album", "originals", "pdf"]
    language: Language = "en"


class TelegramBrandImageRequested(CamelModel):
    """Fetch a brand image from Telegram into the user's kit: their profile photo (the avatar, when the kit is
    seeded) or a picture they sent captioned ``/brand logo``."""

    user_id: str
    chat_id: int
    kind: Literal["avatar", "logo"]
    file_id: str | None = None  # the logo's; the avatar is the newest profile photo
    language: Language = "en"
    announce: bool = False  # say in the chat whether it worked (a logo; the avatar is quiet)


class TelegramPastePartReceived(CamelModel):
    """One part of a long paste (Telegram splits a text over 4096 characters into messages): delivered after
    the catalog's delay, it joins the stored parts if no newer part arrived since (telegram_gateway.paste)."""

    user_id: str
    chat_id: int
    message_id: int  # this part's: the window is joined by the event of its latest part only
    update_id: int
    text: str = Field(max_length=4096)
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None
    message_thread_id: int | None = None


class TelegramDeliveryOverdue(RequestRef):
    """The sweep found a chat still waiting for its answer: deliver it now (the album, or after the
    deadline, or for a failed carousel, the apology)."""

    answer: Literal["album", "apology", "give_up"]  # give_up: unreachable for too long, stop trying
    reason: str
    attempts: int = Field(default=0, ge=0)  # delivery attempts made so far
    language: Language = "en"


# --- analytics.* / system.* -------------------------------------------------------------------


class AnalyticsUserInteractionTracked(CamelModel):
    user_id: str
    action: str
    properties: dict[str, Any] = Field(default_factory=dict)


class AnalyticsMetricsCollected(CamelModel):
    day: str
    counts: dict[str, int]


class AnalyticsAlertTriggered(CamelModel):
    alert: str
    message: str
    value: float
    threshold: float


class AnalyticsHealthChecked(CamelModel):
    status: Literal["healthy", "degraded", "unhealthy"]
    checks: dict[str, str]


class SystemErrorOccurred(CamelModel):
    service: str
    error_type: str
    message: str
    request_id: str | None = None
    cause_event_id: str | None = None
    cause_event_type: str | None = None


# --- workflow.* -------------------------------------------------------------------------------




class WorkflowStepChanged(CamelModel):
    request_id: str
    step: Stage
    previous_step: Stage | None = None
    elapsed_ms: float = 0.0


# --- data.* -----------------------------------------------------------------------------------


class DataCarouselSaved(CamelModel):
    request_id: str
    user_id: str
    status: str


class DataUserCreated(CamelModel):
    user_id: str
    created_at: datetime
