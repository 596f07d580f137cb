"""The event envelope every service puts on the bus as EventBridge ``detail``.

``{id, type, version, timestamp, correlationId, causationId, metadata, data}`` — the seed's envelope.
A follow-up event carries the request's correlationId and the causing event's id as causationId.
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel, Field

from vibecoder.base import CamelModel, new_id, utc_now

DataT = TypeVar("DataT", bound=BaseModel)


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
