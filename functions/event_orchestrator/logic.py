"""Audit every event, follow each request's workflow, and fail the requests that got stuck.

A request is always answered: when a step never finishes (its function kept failing and the event
was dead-lettered, or it was lost), the scheduled sweep emits ``carousel.timed.out``; the generator
(the carousel record's only writer) fails it and emits ``carousel.failed``, which the sender turns
into exactly one apology. When the carousel is made but its chat was never
answered (Telegram was down through every retry of the sender), the sweep asks for the answer again
with ``telegram.delivery.overdue``: the album while the request is younger than the delivery deadline,
the apology after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from vibecoder.base import derived_id, utc_now
from vibecoder.events.catalog import CATALOG, FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import (
    AnalyticsHealthChecked,
    CarouselTimedOut,
    TelegramDeliveryOverdue,
    WorkflowStepChanged,
)
from vibecoder.repositories import CarouselRecord, CarouselRepository, DeliveryLog, EventStore
from vibecoder.workflow import IN_FLIGHT, CarouselStatus, Stage

SERVICE = "event-orchestrator"
# Past this, a chat that never took an answer (Telegram unreachable all along) is not tried again.
GIVE_UP_AFTER = timedelta(hours=24)
# How far back past the step timeout the sweep looks for requests the generator never recorded (a few
# sweeps' worth: each such request is seen by more than one sweep, and its timeout event is the same).
NEVER_RECORDED_LOOKBACK = timedelta(minutes=15)
WORKFLOW_PREFIX = "workflow."



@dataclass
class OrchestratorDeps:
    events: EventStore
    carousels: CarouselRepository  # read only: the generator writes it
    deliveries: DeliveryLog  # read only: the sender writes it


def on_event(event: EventEnvelope, deps: OrchestratorDeps) -> list[FollowUp]:
    """Audit the event (one write; ``GET /health`` reads each service's newest one back from the audit) and
    announce the workflow step it moves its request to.

    Our own ``workflow.*`` events are not audited: each restates one audited event (the step is the
    cause's type, the cause is its ``causationId``, its id derived from the cause's), nothing consumes
    them but the audit, and the bus archive keeps them like every event (REPLAY_WINDOW_DAYS)."""
    if event.metadata.source != SERVICE or not event.type.startswith(WORKFLOW_PREFIX):
        deps.events.append(event.model_dump(mode="json", by_alias=True))  # nulls included: as it was sent
    stage = Stage.of_event(event.type)
    if stage is None:
        return []
    since = event.data.requested_at  # carried along the flow: no read of the carousel record per step
    elapsed = (event.timestamp - since).total_seconds() * 1000 if since else 0.0
    changed = WorkflowStepChanged(request_id=event.data.request_id, step=stage, elapsed_ms=max(elapsed, 0.0))
    return [FollowUp("workflow.step.changed", changed)]


def sweep_stuck(deps: OrchestratorDeps, timeout_seconds: int, now: datetime | None = None) -> list[EventEnvelope]:
    """Ask the generator to end every request that has not moved for ``timeout_seconds``: the in-flight
    carousels, and the requests it never recorded at all (their request event is in the audit)."""
    now = now or utc_now()
    cutoff = now - timedelta(seconds=timeout_seconds)
    timed_out = []
    for status in IN_FLIGHT:
        for record in deps.carousels.list_by_status(status):
            last_move = record.updated_at or record.created_at
            if datetime.fromisoformat(last_move) > cutoff:
                continue
            data = CarouselTimedOut(request_id=record.request_id, user_id=record.user_id, chat_id=record.chat_id,
                                    channel=record.channel, status_message_id=record.status_message_id,
                                    requested_at=record.created_at, reply_language=record.reply_language,
                                    message_thread_id=record.message_thread_id,
                                    reply_to_message_id=record.reply_to_message_id,
                                    stage=status.value, unmoved_since=last_move, language=_language(record),
                                    reason=f"step '{status.value}' did not finish within {timeout_seconds}s")
            timed_out.append(_timeout_event(deps, data))
    for requested in deps.events.of_type_between("carousel.generate.requested", cutoff - NEVER_RECORDED_LOOKBACK,
                                                 cutoff):
        request = requested["data"]
        if deps.carousels.get(request["requestId"]) is not None:
            continue
        data = CarouselTimedOut.model_validate(request | {
            "stage": CarouselStatus.REQUESTED.value, "language": request.get("language") or "en",
            "reason": f"the request was never picked up within {timeout_seconds}s"})
        timed_out.append(_timeout_event(deps, data, cause=requested["id"]))
    return timed_out


def _timeout_event(deps: OrchestratorDeps, data: CarouselTimedOut, cause: str | None = None) -> EventEnvelope:
    """One id per (request, state seen): sweeps that see the same stuck request emit the same event."""
    event = _new_event(deps, data.request_id, data.user_id, "carousel.timed.out", data, cause)
    event.id = derived_id(data.request_id, "carousel.timed.out", data.unmoved_since or "never-recorded")
    return event


def sweep_undelivered(deps: OrchestratorDeps, *, quiet_seconds: int, deadline_seconds: int,
                      now: datetime | None = None) -> list[EventEnvelope]:
    """Ask again for every answer a chat is still owed, once no attempt has been made for ``quiet_seconds``
    (the bus's own retries are over): the album before ``deadline_seconds`` since the request, else the
    apology. Chats unreachable for ``GIVE_UP_AFTER`` are given up."""
    now = now or utc_now()
    overdue = []
    for delivery in deps.deliveries.list_pending():
        record = deps.carousels.get(delivery.request_id)
        if record is None or not record.status.terminal:
            continue  # still being made: sweep_stuck's business
        last_attempt = datetime.fromisoformat(delivery.attempted_at or record.updated_at or record.created_at)
        if now - last_attempt < timedelta(seconds=quiet_seconds):
            continue
        waited = now - datetime.fromisoformat(record.created_at)
        album = record.status is CarouselStatus.COMPLETED and waited < timedelta(seconds=deadline_seconds)
        answer = "give_up" if waited > GIVE_UP_AFTER else "album" if album else "apology"
        data = TelegramDeliveryOverdue(
            request_id=record.request_id, user_id=record.user_id, chat_id=delivery.chat_id, channel=record.channel,
            status_message_id=record.status_message_id, requested_at=record.created_at,
            reply_language=record.reply_language, message_thread_id=record.message_thread_id,
            reply_to_message_id=record.reply_to_message_id, answer=answer,
            reason=f"no answer reached the chat {waited.total_seconds():.0f}s after the request "
                   f"({delivery.attempts} attempts)",
            attempts=delivery.attempts, language=_language(record))
        overdue.append(_new_event(deps, record.request_id, record.user_id, "telegram.delivery.overdue", data))
    return overdue


def _language(record: CarouselRecord) -> str:
    return record.language if record.language in ("ru", "en") else "en"


def _new_event(deps: OrchestratorDeps, request_id: str, user_id: str, event_type: str, data,
               cause: str | None = None) -> EventEnvelope:
    """An event of the sweep's, caused by the request's latest event (or ``cause``)."""
    if cause is None:
        history = deps.events.list(request_id)
        cause = history[-1]["id"] if history else None
    return CATALOG.new_event(event_type, data, correlation_id=request_id, causation_id=cause, source=SERVICE,
                             user_id=user_id)


def health_event(checks: dict[str, str], status: str) -> EventEnvelope:
    data = AnalyticsHealthChecked(status=status, checks=checks)
    return CATALOG.new_event("analytics.health.checked", data, correlation_id=f"health-{utc_now().isoformat()}",
                             source=SERVICE)
