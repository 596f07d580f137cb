"""Counters in total for every event type analytics subscribes to, and per hour for outcomes (the alert).

Nothing else is counted in DynamoDB because nothing reads it: a user's carousels are in the carousels
table (byUser), and a day's figures are the EMF metrics' (CloudWatch keeps them per minute)."""

from __future__ import annotations

from dataclasses import dataclass

from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import AnalyticsAlertTriggered
from vibecoder.repositories import AnalyticsRepository

SERVICE = "analytics"
TOTAL = "total"


OUTCOMES = ("carousel.completed", "carousel.failed")


def hour_partition(event: EventEnvelope) -> str:
    """The alerting window."""
    return f"hour#{event.timestamp.strftime('%Y-%m-%dT%H')}"


@dataclass
class AnalyticsDeps:
    counters: AnalyticsRepository
    alert_failure_rate: float  # the share of failed outcomes in an hour that raises the alert…
    alert_min_outcomes: int  # …once at least this many requests ended in it


def handle(event: EventEnvelope, deps: AnalyticsDeps) -> list[FollowUp]:
    """Count the event; the failure-rate alert when this outcome crossed it."""
    count(event, deps)
    alert = failure_rate_alert(event, deps)
    return [] if alert is None else [FollowUp("analytics.alert.triggered", alert)]


def count(event: EventEnvelope, deps: AnalyticsDeps) -> list[str]:
    """Count the event everywhere it belongs; returns the partitions touched."""
    partitions = [TOTAL] + ([hour_partition(event)] if event.type in OUTCOMES else [])
    for partition in partitions:
        deps.counters.increment(partition, f"type#{event.type}")
    return partitions


def totals(deps: AnalyticsDeps, partition: str = TOTAL) -> dict[str, int]:
    """Event counts by type for a partition (the whole history by default)."""
    return {key.removeprefix("type#"): value for key, value in deps.counters.counters(partition).items()
            if key.startswith("type#")}


def failure_rate_alert(event: EventEnvelope, deps: AnalyticsDeps) -> AnalyticsAlertTriggered | None:
    """Once per hour at most: the share of failed requests in this hour crossed the threshold."""
    threshold, min_outcomes = deps.alert_failure_rate, deps.alert_min_outcomes
    if event.type not in OUTCOMES:
        return None
    window = hour_partition(event)
    counts = totals(deps, window)
    failed, ended = counts.get("carousel.failed", 0), sum(counts.get(t, 0) for t in OUTCOMES)
    if ended < min_outcomes or failed / ended < threshold:
        return None
    if not deps.counters.claim(window, "alert#failure-rate"):
        return None  # already raised for this window
    return AnalyticsAlertTriggered(
        alert="failure-rate",
        message=f"{failed} of the last {ended} requests failed in {window.removeprefix('hour#')}h",
        value=round(failed / ended, 3),
        threshold=threshold,
    )
