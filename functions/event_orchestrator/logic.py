"""Audit every event, follow each request's workflow, and fail the requests that got stuck.

A request is always answered: when a step never finishes (its function kept failing and the event
was dead-lettered, or it was lost), the scheduled sweep marks it failed and emits ``carousel.failed``,
which the sender turns into exactly one apology. When the carousel is made but its chat was never
answered (Telegram was down through every retry of the sender), the sweep asks for the answer again
with ``telegram.delivery.overdue``: the album while the request is younger than the delivery deadline,
the apology after it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from vibecoder.base import utc_now
from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    AnalyticsHealthChecked,
    CarouselFailed,
    TelegramDeliveryOverdue,
    WorkflowStepChanged,
)
from vibecoder.repositories import CarouselRecord, CarouselRepository, CarouselStatus, DeliveryState, EventStore

SERVICE = "event-orchestrator"
# Past this, a chat that never took an answer (Telegram unreachable all along) is not tried again.
GIVE_UP_AFTER = timedelta(hours=24)

STEPS = {
    "carousel.generate.requested": "requested",
    "carousel.content.analyzed": "content",
    "carousel.slides.generated": "slides",
    "carousel.images.rendered": "images",
    "carousel.completed": "completed",
    "carousel.failed": "failed",
}
WORKFLOW_PREFIX = "workflow."
IN_FLIGHT = (CarouselStatus.REQUESTED, CarouselStatus.GENERATING, CarouselStatus.RENDERING)


@dataclass
class OrchestratorDeps:
    events: EventStore
    carousels: CarouselRepository
    remove_slides: Callable[[str], int]  # deletes a request's partial S3 objects, returns how many


def on_event(event: EventEnvelope, wire: dict, deps: OrchestratorDeps) -> list[EventEnvelope]:
    """Audit the event (one write; ``GET /health`` reads each service's newest one back from the audit) and
    announce the workflow step it moves its request to.

    Our own ``workflow.*`` events are not audited: each restates one audited event (the step is the
    cause's type, the cause is its ``causationId``, its id derived from the cause's), nothing consumes
    them but the audit, and the bus archive keeps them like every event (REPLAY_WINDOW_DAYS)."""
    if event.metadata.source != SERVICE or not event.type.startswith(WORKFLOW_PREFIX):
        deps.events.append(wire)
    step = STEPS.get(event.type)
    if step is None:
        return []
    record = deps.carousels.get(event.data.request_id)
    elapsed = (event.timestamp - datetime.fromisoformat(record.created_at)).total_seconds() * 1000 if record else 0.0
    changed = WorkflowStepChanged(request_id=event.data.request_id, step=step, elapsed_ms=max(elapsed, 0.0))
    return [CATALOG.follow_up(event, "workflow.step.changed", changed, source=SERVICE)]


def sweep_stuck(deps: OrchestratorDeps, timeout_seconds: int, now: datetime | None = None) -> list[EventEnvelope]:
    """Fail every in-flight request that has not moved for ``timeout_seconds``."""
    now = now or utc_now()
    cutoff = now - timedelta(seconds=timeout_seconds)
    failed = []
    for status in IN_FLIGHT:
        for record in deps.carousels.list_by_status(status):
            last_move = datetime.fromisoformat(record.updated_at or record.created_at)
            if last_move > cutoff:
                continue
            reason = f"step '{status.value}' did not finish within {timeout_seconds}s"
            if not deps.carousels.update(record.request_id, status=CarouselStatus.FAILED, failure=reason):
                continue  # it finished meanwhile
            deps.remove_slides(record.request_id)  # compensation: no half-rendered carousel is kept
            data = CarouselFailed(request_id=record.request_id, user_id=record.user_id, chat_id=record.chat_id,
                                  channel=record.channel, stage=status.value, reason=reason,
                                  language=_language(record))
            failed.append(_new_event(deps, record, "carousel.failed", data))
    return failed


def sweep_undelivered(deps: OrchestratorDeps, *, quiet_seconds: int, deadline_seconds: int,
                      now: datetime | None = None) -> list[EventEnvelope]:
    """Ask again for every answer a chat is still owed, once no attempt has been made for ``quiet_seconds``
    (the bus's own retries are over): the album before ``deadline_seconds`` since the request, else the
    apology. Chats unreachable for ``GIVE_UP_AFTER`` are given up."""
    now = now or utc_now()
    overdue = []
    for record in deps.carousels.list_undelivered():
        if not record.status.terminal:
            continue  # still being made: sweep_stuck's business
        last_attempt = datetime.fromisoformat(record.delivery_attempted_at or record.updated_at or record.created_at)
        if now - last_attempt < timedelta(seconds=quiet_seconds):
            continue
        waited = now - datetime.fromisoformat(record.created_at)
        if waited > GIVE_UP_AFTER:
            deps.carousels.settle_delivery(record.request_id, DeliveryState.FAILED, "unreachable",
                                           record.delivery_attempts)
            continue
        album = record.status is CarouselStatus.COMPLETED and waited < timedelta(seconds=deadline_seconds)
        data = TelegramDeliveryOverdue(
            request_id=record.request_id, user_id=record.user_id, chat_id=record.chat_id, channel=record.channel,
            status_message_id=record.status_message_id, answer="album" if album else "apology",
            reason=f"no answer reached the chat {waited.total_seconds():.0f}s after the request "
                   f"({record.delivery_attempts} attempts)",
            attempts=record.delivery_attempts, language=_language(record))
        overdue.append(_new_event(deps, record, "telegram.delivery.overdue", data))
    return overdue


def _language(record: CarouselRecord) -> str:
    return record.language if record.language in ("ru", "en") else "en"


def _new_event(deps: OrchestratorDeps, record: CarouselRecord, event_type: str, data) -> EventEnvelope:
    """An event of the sweep's, caused by the request's latest event."""
    history = deps.events.list(record.request_id)
    return CATALOG.new_event(event_type, data, correlation_id=record.request_id,
                             causation_id=history[-1]["id"] if history else None, source=SERVICE,
                             user_id=record.user_id)


def health_event(checks: dict[str, str], status: str) -> EventEnvelope:
    data = AnalyticsHealthChecked(status=status, checks=checks)
    return CATALOG.new_event("analytics.health.checked", data, correlation_id=f"health-{utc_now().isoformat()}",
                             source=SERVICE)
