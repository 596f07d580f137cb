"""Replaying a stored request from the event store.

By default the original request event is re-published as it was (same event id): every consumer is
idempotent, so a replay recovers whatever never happened and repeats nothing that did. ``as_new``
asks explicitly for a second run: a new request id, so the flow runs (and delivers) again.
"""

from __future__ import annotations

from vibecoder.base import new_id
from vibecoder.bus import EventPublisher
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.repositories import EventStore

REQUEST_EVENT = "carousel.generate.requested"


class NothingToReplay(LookupError):
    pass


def replay_request(correlation_id: str, events: EventStore, publisher: EventPublisher, *,
                   as_new: bool = False) -> EventEnvelope:
    stored = [e for e in events.list(correlation_id) if e["type"] == REQUEST_EVENT]
    if not stored:
        raise NothingToReplay(f"no {REQUEST_EVENT} stored for {correlation_id}")
    original = CATALOG.parse(stored[0])
    if not as_new:
        publisher.publish([original])
        return original
    request_id = new_id()
    request = original.data.model_copy(update={"request_id": request_id})
    again = CATALOG.new_event(REQUEST_EVENT, request, correlation_id=request_id, causation_id=original.id,
                              source=original.metadata.source, user_id=original.metadata.user_id,
                              replayOf=correlation_id)
    publisher.publish([again])
    return again
