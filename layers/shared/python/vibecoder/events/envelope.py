"""The event envelope every service puts on the bus as EventBridge ``detail``.

``{id, type, version, timestamp, correlationId, causationId, metadata, data}`` — the seed's envelope.
A follow-up event carries the request's correlationId and the causing event's id as causationId.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field

from vibecoder.content import CamelModel

DataT = TypeVar("DataT", bound=BaseModel)


def new_id() -> str:
    return str(uuid.uuid4())


def utc_now() -> datetime:
    return datetime.now(UTC)


class EventMetadata(CamelModel):
    """Where an event came from; extra keys (provider, fallbackReason, …) are kept."""

    model_config = CamelModel.model_config | {"extra": "allow"}

    source: str = ""  # the producing service, e.g. "carousel-generator"
    user_id: str | None = None
    trace_id: str | None = None


class EventEnvelope(CamelModel, Generic[DataT]):
    id: str = Field(default_factory=new_id)
    type: str
    version: str = "1.0"
    timestamp: datetime = Field(default_factory=utc_now)
    correlation_id: str
    causation_id: str | None = None
    metadata: EventMetadata = Field(default_factory=EventMetadata)
    data: DataT

    def to_wire(self) -> dict:
        wire = super().to_wire()
        wire.setdefault("causationId", None)  # part of the contract even on the first event
        return wire

    def follow_up(self, event_type: str, data: BaseModel, *, source: str, key: str = "",
                  **metadata: Any) -> EventEnvelope:
        """A new event caused by this one: same correlation id, causation id = this event's id.

        Its id is derived from (cause, source, type, key): processing the same cause again emits the
        same ids, which idempotent consumers drop. ``key`` tells apart several events of one type.
        """
        from vibecoder.events.catalog import CATALOG  # the catalog imports this module

        event = CATALOG.new_event(
            event_type,
            data,
            correlation_id=self.correlation_id,
            causation_id=self.id,
            source=source,
            user_id=self.metadata.user_id,
            **metadata,
        )
        event.id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"vibecoder:{self.id}/{source}/{event_type}/{key}"))
        return event
