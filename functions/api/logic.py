"""The HTTP API's logic: accept carousel requests, show their state, health and statistics."""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator
from pydantic.json_schema import SkipJsonSchema

from vibecoder.base import CamelModel, new_id, utc_now
from vibecoder.brand import BrandSummary, operator_brand
from vibecoder.content import (
    DEFAULT_SIZE,
    DEFAULT_SLIDES,
    DEFAULT_STYLE,
    MAX_SLIDES,
    MIN_SLIDES,
    NOT_BLANK,
    SOURCE_TEXT_MAX_CHARS,
    TOPIC_MAX_CHARS,
    ContentProvenance,
    Language,
    Slide,
    SlideSize,
    require_topic_or_text,
)
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import AnalyticsUserInteractionTracked, CarouselGenerateRequested
from vibecoder.health import check_dependencies, configuration_checks, overall_status
from vibecoder.repositories import (
    CarouselRecord,
    CarouselRepository,
    DeliveryLog,
    DeliveryState,
    EventStore,
    RecordedSlide,
    SlideRepository,
)
from vibecoder.settings import Settings
from vibecoder.workflow import CarouselStatus

SERVICE = "api"
SERVICE_NAME = "bible-vibecoder"


class CarouselRequestBody(CamelModel):
    """``POST /carousels`` (and the seed's ``POST /test-carousel``): a topic, or a text, or both."""

    # The schema says what the validator checks: a non-blank topic or sourceText must be present.
    model_config = CamelModel.model_config | {
        "json_schema_extra": {"anyOf": [{"required": ["topic"]}, {"required": ["sourceText"]}]}}

    topic: Annotated[str, Field(min_length=1, max_length=TOPIC_MAX_CHARS, pattern=NOT_BLANK)] | SkipJsonSchema[None] = None
    source_text: Annotated[str, Field(min_length=1, max_length=SOURCE_TEXT_MAX_CHARS, pattern=NOT_BLANK)] | SkipJsonSchema[
        None] = None
    slides_count: int = Field(default=DEFAULT_SLIDES, ge=MIN_SLIDES, le=MAX_SLIDES)
    user_id: str = Field(default="api-user", min_length=1, max_length=64)
    style: str = Field(default=DEFAULT_STYLE, pattern=r"^[a-z][a-z0-9_-]{0,31}$")
    language: Language | None = None
    size: SlideSize | None = None  # 4:5 (the default), 1:1 or 9:16

    @field_validator("topic", "source_text", mode="before")
    @classmethod
    def _given_means_a_string(cls, value: Any) -> Any:
        if value is None:  # as the schema says: leave it out rather than send null
            raise ValueError("must be a non-empty string when given")
        return value

    @field_validator("slides_count", mode="before")
    @classmethod
    def _a_json_integer(cls, value: Any) -> Any:
        # JSON Schema's integer: 6 and 6.0, not true or "6" (which pydantic would coerce).
        if isinstance(value, bool | str):
            raise ValueError("must be an integer")
        return value

    @model_validator(mode="after")
    def _needs_topic_or_text(self) -> CarouselRequestBody:
        require_topic_or_text(self.topic, self.source_text)
        return self


class ErrorResponse(CamelModel):
    error: str
    details: list[str] = Field(default_factory=list)


class AcceptedResponse(CamelModel):
    request_id: str
    status: str = CarouselStatus.REQUESTED.value


class SlideView(Slide):
    version: int = 1  # 1 as generated; each edit of the slide adds one
    image_url: str | None = None  # presigned, short-lived: the slide's (first) image
    image_urls: list[str] = Field(default_factory=list)  # all its images, in order (a split slide has several)


class CarouselView(CamelModel):
    request_id: str
    status: str
    topic: str | None = None
    title: str | None = None
    caption: str | None = None
    style: str
    language: str | None = None
    slides_count: int
    created_at: str
    updated_at: str | None = None
    timings: dict[str, float]
    slides: list[SlideView]
    failure: str | None = None  # begins with "topic_not_covered" when the offline notes do not cover the topic
    delivery: DeliveryState | None = None  # Telegram requests: pending until the album or an apology reached the chat
    content: ContentProvenance | None = None  # who wrote the content: openai, offline (the notes) or text
    brand: BrandSummary  # the kit the slides carry (the operator's handle for a request without one)
    size: str = DEFAULT_SIZE
    revision: int = 0  # edits applied


@dataclass
class ApiDeps:
    settings: Settings
    carousels: CarouselRepository
    deliveries: DeliveryLog
    events: EventStore
    slides: SlideRepository
    sqs: Any


def reject_unreadable_body(event: dict[str, Any]) -> dict[str, Any] | None:
    """415 for a body that is not JSON, 400 for one that is not UTF-8 (the request validator would
    fail on those, e.g. on a multipart body without a boundary); None when the request may go on."""
    body = event.get("body")
    if event.get("httpMethod") not in ("POST", "PUT", "PATCH") or not body:
        return None
    headers = {k.lower(): v for k, v in (event.get("headers") or {}).items()}
    content_type = headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type != "application/json" and not content_type.endswith("+json"):
        return _error(415, "unsupported media type", f"send application/json, not {content_type}")
    try:
        (base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()).decode("utf-8")
    except (ValueError, UnicodeError):
        return _error(400, "invalid request", "body: not UTF-8 text")
    return None


def _error(status: int, error: str, detail: str) -> dict[str, Any]:
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(ErrorResponse(error=error, details=[detail]).to_wire()), "isBase64Encoded": False}


def accept_carousel(body: CarouselRequestBody, deps: ApiDeps) -> list[EventEnvelope]:
    """The events that start a request (the caller publishes them; the generator records it)."""
    request_id = new_id()
    request = CarouselGenerateRequested(
        request_id=request_id, requested_at=utc_now(), user_id=body.user_id, channel="api", topic=body.topic,
        source_text=body.source_text, slides_count=body.slides_count, style=body.style, language=body.language,
        size=body.size,
    )
    requested = CATALOG.new_event("carousel.generate.requested", request, correlation_id=request_id,
                                  source=SERVICE, user_id=body.user_id)
    tracked = CATALOG.new_event(
        "analytics.user.interaction.tracked",
        AnalyticsUserInteractionTracked(user_id=body.user_id, action="api.carousel.requested",
                                        properties={"slidesCount": body.slides_count, "style": body.style}),
        correlation_id=request_id, causation_id=requested.id, source=SERVICE, user_id=body.user_id,
    )
    return [requested, tracked]


def find_carousel(request_id: str, deps: ApiDeps) -> CarouselView | None:
    """The carousel as recorded, or a request accepted but not recorded yet (its request event is in the
    audit); None when neither exists."""
    record = deps.carousels.get(request_id)
    if record is None:
        requested = next((e for e in deps.events.list(request_id) if e["type"] == "carousel.generate.requested"),
                         None)
        if requested is None:
            return None
        record = CarouselRecord.model_validate(requested["data"] | {"createdAt": requested["timestamp"]})
    return carousel_view(record, deps)


def delivery_of(record: CarouselRecord, deps: ApiDeps) -> DeliveryState | None:
    """Telegram requests: what the chat has been answered (pending until the sender's log says otherwise)."""
    if record.chat_id is None:
        return None
    delivery = deps.deliveries.get(record.request_id)
    return delivery.state if delivery else DeliveryState.PENDING


def carousel_view(record: CarouselRecord, deps: ApiDeps) -> CarouselView:
    def view(slide: RecordedSlide) -> SlideView:
        urls = [deps.slides.presigned_url(key, deps.settings.presigned_url_seconds) for key in slide.image_keys]
        return SlideView.model_validate(slide.to_wire() | {"imageUrl": urls[0] if urls else None, "imageUrls": urls})

    slides = [view(s) for s in record.slides]
    return CarouselView(
        request_id=record.request_id, status=record.status.value, topic=record.topic, title=record.title,
        caption=record.caption, style=record.style, language=record.language, slides_count=record.slides_count,
        created_at=record.created_at, updated_at=record.updated_at, timings=record.timings, slides=slides,
        failure=record.failure, delivery=delivery_of(record, deps), content=record.content,
        brand=(record.brand or operator_brand(deps.settings.bot_handle)).summary(), size=record.size or DEFAULT_SIZE,
        revision=record.revision,
    )


def health(deps: ApiDeps) -> tuple[dict[str, Any], bool]:
    checks = check_dependencies(deps.settings) | configuration_checks(deps.settings)
    status = overall_status(checks)
    body = {
        "status": status,
        "service": SERVICE_NAME,
        "services": services_state(deps),
        "dependencies": checks,
        "eventBus": {"name": deps.settings.event_bus_name, "status": checks.get("bus:events", "unknown"),
                     "eventTypes": len(CATALOG.event_types)},
        "timestamp": utc_now().isoformat(),
    }
    return body, status == "healthy"


def services_state(deps: ApiDeps) -> dict[str, dict[str, str | None]]:
    """Each service with the last time it put an event on the bus (its newest event in the audit)."""
    seen = deps.events.services_seen({name: spec.producers for name, spec in CATALOG.event_types.items()})
    return {name: seen.get(name, {"lastSeenAt": None, "lastEventType": None}) for name in CATALOG.services}


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None without data."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def dead_letters(deps: ApiDeps) -> int:
    total = 0
    for url in deps.settings.dead_letter_queue_urls:
        attributes = deps.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        total += int(attributes["Attributes"]["ApproximateNumberOfMessages"])
    return total


def stats(deps: ApiDeps) -> dict[str, Any]:
    counts = {name: n for name in CATALOG.event_types if (n := deps.events.count_by_type(name))}
    records = {status: deps.carousels.list_by_status(status, limit=1000) for status in CarouselStatus}
    by_status = {status.value: len(found) for status, found in records.items()}
    latencies = [r.timings["completed"] for r in records[CarouselStatus.COMPLETED] if "completed" in r.timings]
    errors = [{"at": e["timestamp"], "service": e["data"]["service"], "errorType": e["data"]["errorType"],
               "message": e["data"]["message"], "requestId": e["data"].get("requestId")}
              for e in deps.events.latest_of_type("system.error.occurred", limit=10)]
    return {
        "service": SERVICE_NAME,
        "totalCarousels": sum(by_status.values()),
        "carouselsByStatus": by_status,
        "latencyMs": {"p50": percentile(latencies, 0.5), "p95": percentile(latencies, 0.95),
                      "samples": len(latencies)},
        "recentErrors": errors,
        "eventBus": {
            "name": deps.settings.event_bus_name,
            "totalEventsProcessed": sum(counts.values()),
            "eventCountsByType": counts,
            "deadLetters": dead_letters(deps),
        },
        "timestamp": utc_now().isoformat(),
    }
