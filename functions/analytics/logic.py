"""Counters per day, in total and per user, for every event type analytics subscribes to."""

from __future__ import annotations

from dataclasses import dataclass

from vibecoder.events.envelope import EventEnvelope
from vibecoder.repositories import AnalyticsRepository

SERVICE = "analytics"
TOTAL = "total"


def day_partition(event: EventEnvelope) -> str:
    return f"day#{event.timestamp.date().isoformat()}"


def user_of(event: EventEnvelope) -> str | None:
    return getattr(event.data, "user_id", None) or event.metadata.user_id


@dataclass
class AnalyticsDeps:
    counters: AnalyticsRepository


def count(event: EventEnvelope, deps: AnalyticsDeps) -> list[str]:
    """Count the event everywhere it belongs; returns the partitions touched."""
    partitions = [TOTAL, day_partition(event)]
    user_id = user_of(event)
    if user_id:
        partitions.append(f"user#{user_id}")
    for partition in partitions:
        deps.counters.increment(partition, f"type#{event.type}")
    return partitions


def totals(deps: AnalyticsDeps, partition: str = TOTAL) -> dict[str, int]:
    """Event counts by type for a partition (the whole history by default)."""
    return {key.removeprefix("type#"): value for key, value in deps.counters.counters(partition).items()
            if key.startswith("type#")}
