"""The event catalog: the single source of truth for event types, their models and subscriptions.

CDK builds the EventBridge rules from it, the local runtime routes with it, ``events/schemas/`` is
generated from it and the README's diagram is drawn from it. Adding an event type = one model in
``events.models`` and one ``EventType`` below; adding a service = one ``Service`` below.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from vibecoder.base import derived_id
from vibecoder.events import models as m
from vibecoder.events.envelope import EventEnvelope, EventMetadata

SOURCE_PREFIX = "vibecoder."
# Telegram sends the parts of a split paste about a second apart: the join waits this long after the last one.
PASTE_JOIN_SECONDS = 3


@dataclass(frozen=True)
class Service:
    name: str
    description: str
    triggers: tuple[str, ...] = ()  # non-event triggers: HTTP routes, schedules

    @property
    def module(self) -> str:
        return self.name.replace("-", "_")

    @property
    def handler(self) -> str:
        """The handler string: the same in Lambda, the local runtime and the tests."""
        return f"{self.module}.handler.lambda_handler"

    @property
    def source(self) -> str:
        return f"{SOURCE_PREFIX}{self.name}"


@dataclass(frozen=True)
class EventType:
    name: str
    model: type[BaseModel]
    producers: tuple[str, ...]
    consumers: tuple[str, ...] = ()
    version: str = "1.0"
    description: str = ""
    # Delivered this long after it is emitted (deployed: the rule targets an SQS queue with this delivery delay,
    # the consumer reads it as an event source; locally: the router holds it on its clock). None: at once.
    delivery_delay_seconds: int | None = None

    @property
    def envelope_model(self) -> type[EventEnvelope]:
        return EventEnvelope[self.model]  # type: ignore[name-defined]


@dataclass(frozen=True)
class Subscription:
    """One EventBridge rule: which events a function receives."""

    function: str
    event_types: tuple[str, ...] = ()  # empty with every_event=True
    sources: tuple[str, ...] = ()
    every_event: bool = False
    delay_seconds: int | None = None  # the event type's delivery delay: the rule targets a delay queue

    @property
    def rule_name(self) -> str:
        """Unique per bus, at most 64 characters of [.-_A-Za-z0-9]."""
        return f"{self.function}-{'all-events' if self.every_event else '-'.join(self.event_types)}"[:64]

    def event_pattern(self) -> dict[str, Any]:
        if self.every_event:
            return {"source": [{"prefix": SOURCE_PREFIX}]}
        return {"source": list(self.sources), "detail-type": list(self.event_types)}


@dataclass(frozen=True)
class FollowUp:
    """An event a step emits, caused by the event it handled: the bus consumer builds its envelope
    (``EventCatalog.follow_up``: same correlation id, a derived id) and publishes it. ``key`` tells apart
    several events of one type."""

    type: str
    data: BaseModel
    key: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)


class UnknownEventType(ValueError):
    pass


@dataclass
class EventCatalog:
    services: dict[str, Service]
    event_types: dict[str, EventType]
    audit_service: str  # receives every event
    _envelopes: dict[str, type[EventEnvelope]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for event_type in self.event_types.values():
            unknown = set(event_type.producers + event_type.consumers) - set(self.services)
            if unknown:
                raise ValueError(f"{event_type.name} names unknown services: {sorted(unknown)}")
            self._envelopes[event_type.name] = event_type.envelope_model

    def get(self, name: str) -> EventType:
        try:
            return self.event_types[name]
        except KeyError:
            raise UnknownEventType(f"unknown event type {name!r}") from None

    def service(self, name: str) -> Service:
        return self.services[name]

    def new_event(
        self,
        event_type: str,
        data: BaseModel | dict,
        *,
        correlation_id: str,
        causation_id: str | None = None,
        source: str,
        **metadata: Any,
    ) -> EventEnvelope:
        """Build a validated envelope; ``source`` is the producing service (must be a declared producer)."""
        spec = self.get(event_type)
        if source not in spec.producers:
            raise ValueError(f"{source} is not a declared producer of {event_type}")
        if not isinstance(data, spec.model):  # a model of its own type was validated when it was built
            data = spec.model.model_validate(data.model_dump(by_alias=True) if isinstance(data, BaseModel) else data)
        return self._envelopes[event_type](
            type=event_type,
            version=spec.version,
            correlation_id=correlation_id,
            causation_id=causation_id,
            metadata=EventMetadata(source=source, **metadata),
            data=data,
        )

    def follow_up(self, cause: EventEnvelope, event_type: str, data: BaseModel | dict, *, source: str, key: str = "",
                  **metadata: Any) -> EventEnvelope:
        """A new event caused by ``cause``: same correlation id, causation id = the cause's id.

        Its id is derived from (cause, source, type, key): processing the same cause again emits the
        same ids, which idempotent consumers drop. ``key`` tells apart several events of one type.
        """
        event = self.new_event(event_type, data, correlation_id=cause.correlation_id, causation_id=cause.id,
                               source=source, user_id=cause.metadata.user_id, **metadata)
        event.id = derived_id(cause.id, source, event_type, key)
        return event

    def parse(self, detail: dict[str, Any]) -> EventEnvelope:
        """Validate an envelope (EventBridge ``detail``) into its typed model."""
        name = detail.get("type") if isinstance(detail, dict) else None
        if not isinstance(name, str):
            raise UnknownEventType("event has no type")
        return self._envelopes[self.get(name).name].model_validate(detail)

    def subscriptions(self) -> list[Subscription]:
        """One rule per (consumer, event type), matching only that type from its declared producers.

        (One rule per function with a list of sources and a list of types would also match a type
        sent by another type's producer: the lists match independently.)
        """
        subs = [Subscription(function=self.audit_service, every_event=True)]
        for event_type in sorted(self.event_types.values(), key=lambda e: e.name):
            sources = tuple(sorted(self.services[p].source for p in event_type.producers))
            for consumer in event_type.consumers:
                if consumer != self.audit_service:
                    subs.append(Subscription(function=consumer, event_types=(event_type.name,), sources=sources,
                                             delay_seconds=event_type.delivery_delay_seconds))
        return subs

    def delivery_delay(self, event_type: str) -> int | None:
        spec = self.event_types.get(event_type)
        return spec.delivery_delay_seconds if spec else None

    def consumers_of(self, event_type: str) -> list[str]:
        consumers = list(self.get(event_type).consumers)
        return consumers + [self.audit_service] if self.audit_service not in consumers else consumers

    def json_schemas(self) -> dict[str, dict[str, Any]]:
        """JSON Schema of each event's envelope, as published to the schema registry."""
        schemas = {}
        for name, spec in sorted(self.event_types.items()):
            schema = self._envelopes[name].model_json_schema(by_alias=True)
            schema["title"] = name
            schema["x-vibecoder"] = {
                "version": spec.version,
                "producers": list(spec.producers),
                "consumers": self.consumers_of(name),
                "description": spec.description,
            }
            schemas[name] = schema
        return schemas


GATEWAY, GENERATOR, AI, RENDERER, SENDER, PERSISTENCE, ANALYTICS, ORCHESTRATOR, API = (
    "telegram-gateway",
    "carousel-generator",
    "ai-content",
    "image-renderer",
    "telegram-sender",
    "data-persistence",
    "analytics",
    "event-orchestrator",
    "api",
)
EVERY_SERVICE = (GATEWAY, GENERATOR, AI, RENDERER, SENDER, PERSISTENCE, ANALYTICS, ORCHESTRATOR, API)

_SERVICES = [
    Service(GATEWAY, "Telegram webhook: verifies, parses updates, emits requests", ("POST /telegram/webhook",)),
    Service(GENERATOR, "Carousel saga: asks for content, cuts it into slides, completes the carousel"),
    Service(AI, "Content: OpenAI structured output or the offline knowledge base"),
    Service(RENDERER, "Renders slides with Pillow and stores them in S3"),
    Service(SENDER, "Delivers albums and failure messages to Telegram"),
    Service(PERSISTENCE, "Users, their history and saved carousels"),
    Service(ANALYTICS, "Counters, metrics and alerts"),
    Service(ORCHESTRATOR, "Audits every event, tracks workflows, sweeps stuck requests", ("schedule",)),
    Service(
        API,
        "HTTP API: health, stats, carousels",
        ("GET /health", "GET /stats", "POST /carousels", "POST /test-carousel", "GET /carousels/{id}"),
    ),
]

_EVENT_TYPES = [
    EventType("carousel.generate.requested", m.CarouselGenerateRequested, (GATEWAY, API), (GENERATOR, ANALYTICS),
              description="A user asked for a carousel"),
    EventType("ai.content.requested", m.AiContentRequested, (GENERATOR,), (AI,),
              description="Content is needed for a request"),
    EventType("carousel.content.analyzed", m.CarouselContentAnalyzed, (AI,), (GENERATOR, SENDER),
              description="Structured content is ready"),
    EventType("ai.analysis.completed", m.AiAnalysisCompleted, (AI,),
              description="Provider, duration and tokens of one content generation"),
    EventType("carousel.restyle.requested", m.CarouselRestyleRequested, (GATEWAY,), (GENERATOR,),
              description="A user asked for a finished carousel's slides in another style (a new request)"),
    EventType("carousel.timed.out", m.CarouselTimedOut, (ORCHESTRATOR,), (GENERATOR,),
              description="A request has not moved for the step timeout: the generator ends it"),
    EventType("carousel.slides.generated", m.CarouselSlidesGenerated, (GENERATOR,), (RENDERER, SENDER),
              description="Slides are cut (or a carousel's slides restyled) and ready to render"),
    EventType("carousel.images.rendered", m.CarouselImagesRendered, (RENDERER,), (GENERATOR,),
              description="Slide images are in S3"),
    EventType("carousel.completed", m.CarouselCompleted, (GENERATOR,), (SENDER, PERSISTENCE, ANALYTICS),
              description="The carousel is ready to deliver"),
    EventType("carousel.edit.requested", m.CarouselEditRequested, (GATEWAY,), (GENERATOR,),
              description="A user changes a finished carousel: a slide's text, an instruction, a move, a drop, Undo"),
    EventType("ai.slide.rewrite.requested", m.SlideRewriteRequested, (GENERATOR,), (AI,),
              description="One slide is to be rewritten by the model on the user's instruction"),
    EventType("carousel.slide.rewritten", m.SlideRewritten, (AI,), (GENERATOR,),
              description="A slide rewritten on an instruction (or why it could not be)"),
    EventType("carousel.edited", m.CarouselEdited, (GENERATOR,), (SENDER, ANALYTICS),
              description="An edit is applied to the record and the images: the album follows"),
    EventType("carousel.edit.failed", m.CarouselEditFailed, (GENERATOR,), (SENDER, ANALYTICS),
              description="An edit could not be applied; the carousel is unchanged"),
    EventType("carousel.failed", m.CarouselFailed, (GENERATOR, RENDERER),
              (GENERATOR, SENDER, PERSISTENCE, ANALYTICS),
              description="A request ended without a carousel (the generator records it as failed)"),
    EventType("telegram.user.message.received", m.TelegramUserMessageReceived, (GATEWAY,), (PERSISTENCE,),
              description="A Telegram update the bot acts on"),
    EventType("telegram.delivery.requested", m.TelegramDeliveryRequested, (GATEWAY,), (SENDER,),
              description="A user asked for a finished carousel again, as originals or as a PDF"),
    EventType("telegram.brand.image.requested", m.TelegramBrandImageRequested, (GATEWAY,), (SENDER,),
              description="A user's avatar or logo is to be fetched from Telegram into their brand kit"),
    EventType("telegram.paste.part.received", m.TelegramPastePartReceived, (GATEWAY,), (GATEWAY,),
              delivery_delay_seconds=PASTE_JOIN_SECONDS,
              description="A part of a long paste; after the wait the latest part joins them into one request"),
    EventType("telegram.delivery.overdue", m.TelegramDeliveryOverdue, (ORCHESTRATOR,), (SENDER,),
              description="A chat is still waiting for its album or apology: the sweep asks for it again"),
    EventType("telegram.bot.response.sent", m.TelegramBotResponseSent, (SENDER,),
              description="The bot answered in a chat"),
    EventType("analytics.user.interaction.tracked", m.AnalyticsUserInteractionTracked, (GATEWAY, API), (ANALYTICS,),
              description="A user did something worth counting"),
    EventType("analytics.metrics.collected", m.AnalyticsMetricsCollected, (ANALYTICS,),
              description="A day's counters"),
    EventType("analytics.alert.triggered", m.AnalyticsAlertTriggered, (ANALYTICS,),
              description="A threshold was crossed"),
    EventType("analytics.health.checked", m.AnalyticsHealthChecked, (ORCHESTRATOR,), (ANALYTICS,),
              description="The scheduled health check's result"),
    EventType("system.error.occurred", m.SystemErrorOccurred, EVERY_SERVICE, (ANALYTICS,),
              description="A step failed; carries the cause"),
    EventType("workflow.step.changed", m.WorkflowStepChanged, (ORCHESTRATOR,),
              description="A request's workflow moved to another step"),
    EventType("data.carousel.saved", m.DataCarouselSaved, (PERSISTENCE,),
              description="A carousel is in the user's history"),
    EventType("data.user.created", m.DataUserCreated, (PERSISTENCE,), (ANALYTICS,),
              description="A new user"),
]

CATALOG = EventCatalog(
    services={s.name: s for s in _SERVICES},
    event_types={e.name: e for e in _EVENT_TYPES},
    audit_service=ORCHESTRATOR,
)

__all__ = ["CATALOG", "EventCatalog", "EventType", "FollowUp", "Service", "Subscription", "UnknownEventType", "ValidationError"]
