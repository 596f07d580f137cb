"""The EventBridge router: the catalog's rules live in (moto's) EventBridge, one SQS queue per function.

EventBridge does the matching (the same patterns CDK deploys); this router only drains each
function's queue and invokes its handler the way Lambda's asynchronous invocation would: a failed
attempt is retried twice, one minute and then two minutes later, then the event goes to the
function's dead-letter queue (as deployed). Locally that schedule runs compressed by
``LOCAL_TIME_COMPRESSION`` (default 5: retries 12 s and 24 s later, the orchestrator's 5-minute
schedule every 60 s). A retry waits in the router's own schedule, never in the dispatch loop, so
other events keep flowing while it waits.

An event type with a delivery delay in the catalog (deployed: its rule targets an SQS delay queue) is held
on the router's clock for that long, uncompressed (it waits for a person: the next part of a long paste),
then delivered. ``drain`` settles what is due and does not jump the clock to a held event: time passes for
it when the caller's clock moves (``bot.wait`` in the tests, real time when serving).
"""

from __future__ import annotations

import heapq
import itertools
import json
import logging
import os
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LOCAL_ACCOUNT = "123456789012"
logger = logging.getLogger(__name__)
# Lambda's asynchronous invocation: after a function error it waits one minute before the first retry
# and two minutes before the second (docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html);
# cdk/functions.py keeps those two retries (retry_attempts=2), then the function's DLQ.
LAMBDA_RETRY_DELAYS = (60.0, 120.0)
MAX_ATTEMPTS = 1 + len(LAMBDA_RETRY_DELAYS)
SCHEDULE_SECONDS = 300.0  # the orchestrator's schedule rule: rate(5 minutes) in cdk/eventing.py
TIME_COMPRESSION_ENV = "LOCAL_TIME_COMPRESSION"
DEFAULT_TIME_COMPRESSION = 5.0


def time_compression(environ: dict[str, str] | None = None) -> float:
    """How many times faster than deployed the local schedule runs (``LOCAL_TIME_COMPRESSION``)."""
    raw = (os.environ if environ is None else environ).get(TIME_COMPRESSION_ENV) or str(DEFAULT_TIME_COMPRESSION)
    try:
        factor = float(raw)
    except ValueError:
        factor = 0.0
    if not factor > 0:
        raise ValueError(f"{TIME_COMPRESSION_ENV} must be a number above 0, not {raw!r}")
    return factor


@dataclass(frozen=True)
class FunctionQueues:
    queue_url: str
    dead_letter_url: str


@dataclass
class Delivery:
    """One handler invocation for one event: the trace's unit."""

    function: str
    event_id: str
    event_type: str
    correlation_id: str | None
    causation_id: str | None
    attempt: int
    duration_ms: float
    ok: bool
    error: str | None = None
    started_at: float = 0.0  # the router's clock, for ordering the trace


@dataclass
class DeadLetter:
    function: str
    event: dict[str, Any]
    error: str
    attempts: int

    def summary(self) -> dict[str, Any]:
        detail = self.event.get("detail", {})
        return {"function": self.function, "eventType": self.event.get("detail-type"), "eventId": detail.get("id"),
                "correlationId": detail.get("correlationId"), "error": self.error, "attempts": self.attempts}


@dataclass(order=True)
class _Retry:
    """A failed invocation waiting for its next attempt (Lambda's async event queue)."""

    due: float
    order: int
    function: str = field(compare=False)
    event: dict[str, Any] = field(compare=False)
    attempt: int = field(compare=False)  # the attempt it will be


class EventRouter:
    def __init__(self, sqs: Any, queues: dict[str, FunctionQueues],
                 invoke: Callable[[str, dict[str, Any]], Any], *, compression: float = 1.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 delivery_delays: dict[str, float] | None = None):
        self.sqs = sqs
        self.queues = queues
        self.invoke = invoke
        self.compression = compression
        self.retry_delays = tuple(delay / compression for delay in LAMBDA_RETRY_DELAYS)
        self.schedule_seconds = SCHEDULE_SECONDS / compression
        # Time as the router sees it: tests pass a fake clock whose sleep only moves it forward.
        self.clock, self.sleep = clock, sleep
        # Fault injection (EventBridge promises neither exactly-once nor ordering): deliver every
        # event this many times, and shuffle each batch with this seed.
        self.deliveries_per_event = 1
        self.shuffle: random.Random | None = None
        self.deliveries: list[Delivery] = []
        self._retries: list[_Retry] = []
        # Seconds each delayed event type (detail-type) waits before delivery: the catalog's, or the template's.
        self.delivery_delays = dict(delivery_delays or {})
        self._held: list[_Retry] = []  # delayed deliveries (the catalog's delivery_delay_seconds), by due time
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def max_attempts(self) -> int:
        return 1 + len(self.retry_delays)

    # --- dispatch ---------------------------------------------------------------------------

    def pump_once(self) -> int:
        """Run the retries that are due, then deliver what is waiting in every function's queue once;
        returns how many invocations started."""
        delivered = 0
        for retry in self._due_retries():
            self._deliver(retry.function, retry.event, retry.attempt)
            delivered += 1
        for function, queues in self.queues.items():
            messages = self.sqs.receive_message(QueueUrl=queues.queue_url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=0).get("Messages", [])
            if self.shuffle:
                self.shuffle.shuffle(messages)
            for message in messages:
                event = json.loads(message["Body"])
                delay = self.delivery_delays.get(event.get("detail-type", ""))
                for _ in range(self.deliveries_per_event):
                    if delay:
                        with self._lock:
                            heapq.heappush(self._held, _Retry(self.clock() + delay, next(self._order), function,
                                                              json.loads(message["Body"]), 1))
                    else:
                        self._deliver(function, event)
                self.sqs.delete_message(QueueUrl=queues.queue_url, ReceiptHandle=message["ReceiptHandle"])
                delivered += 1
        return delivered

    def drain(self, max_rounds: int = 1000) -> int:
        """Deliver until every queue is empty and no retry is waiting (the flow has settled),
        sleeping on the router's clock until each waiting retry is due."""
        total = 0
        for _ in range(max_rounds):
            delivered = self.pump_once()
            total += delivered
            if delivered:
                continue
            due = self.next_retry_at()
            if due is None:
                return total
            self.sleep(max(0.0, due - self.clock()))
        raise RuntimeError(f"the flow did not settle after {max_rounds} rounds (an event loop?)")

    def next_retry_at(self) -> float | None:
        """When the earliest waiting retry is due (the router's clock), or None."""
        with self._lock:
            return self._retries[0].due if self._retries else None

    def next_held_at(self) -> float | None:
        """When the earliest delayed delivery is due (the router's clock), or None."""
        with self._lock:
            return self._held[0].due if self._held else None

    def _due_retries(self) -> list[_Retry]:
        now, due = self.clock(), []
        with self._lock:
            for waiting in (self._held, self._retries):
                while waiting and waiting[0].due <= now:
                    due.append(heapq.heappop(waiting))
        return sorted(due)

    def _deliver(self, function: str, event: dict[str, Any], attempt: int = 1) -> None:
        event.setdefault("account", LOCAL_ACCOUNT)  # moto's SQS target drops it; EventBridge always sends it
        detail = event.get("detail") or {}
        started, started_at = time.perf_counter(), self.clock()
        try:
            self.invoke(function, event)
        except Exception as exc:  # noqa: BLE001 - a handler's failure is data here
            error = f"{type(exc).__name__}: {exc}"
            self._record(function, detail, event, attempt, started, started_at, error)
            if attempt < self.max_attempts:
                with self._lock:
                    heapq.heappush(self._retries, _Retry(self.clock() + self.retry_delays[attempt - 1],
                                                         next(self._order), function, event, attempt + 1))
            else:
                self._dead_letter(function, event, error, attempt)
            return
        self._record(function, detail, event, attempt, started, started_at, None)

    def _dead_letter(self, function: str, event: dict[str, Any], error: str, attempts: int) -> None:
        self.sqs.send_message(
            QueueUrl=self.queues[function].dead_letter_url,
            MessageBody=json.dumps(event),
            MessageAttributes={
                "ErrorMessage": {"DataType": "String", "StringValue": error[:1000]},
                "Attempts": {"DataType": "Number", "StringValue": str(attempts)},
            },
        )

    def _record(self, function: str, detail: dict, event: dict, attempt: int, started: float, started_at: float,
                error: str | None) -> None:
        delivery = Delivery(
            function=function, event_id=detail.get("id", event.get("id", "")),
            event_type=detail.get("type", event.get("detail-type", "")),
            correlation_id=detail.get("correlationId"), causation_id=detail.get("causationId"),
            attempt=attempt, duration_ms=(time.perf_counter() - started) * 1000, ok=error is None, error=error,
            started_at=started_at,
        )
        with self._lock:
            self.deliveries.append(delivery)

    # --- what happened ----------------------------------------------------------------------

    def trace(self, correlation_id: str) -> list[Delivery]:
        """The request's deliveries in the order they started."""
        with self._lock:
            found = [d for d in self.deliveries if d.correlation_id == correlation_id]
        return sorted(found, key=lambda d: d.started_at)

    def dead_letters(self) -> list[DeadLetter]:
        """Read every DLQ without consuming it (messages become visible again at once)."""
        letters = []
        for function, queues in self.queues.items():
            response = self.sqs.receive_message(QueueUrl=queues.dead_letter_url, MaxNumberOfMessages=10,
                                                MessageAttributeNames=["All"], VisibilityTimeout=0)
            for message in response.get("Messages", []):
                attributes = message.get("MessageAttributes", {})
                letters.append(DeadLetter(
                    function=function, event=json.loads(message["Body"]),
                    error=attributes.get("ErrorMessage", {}).get("StringValue", ""),
                    attempts=int(attributes.get("Attempts", {}).get("StringValue", "0")),
                ))
        return letters

    # --- background mode (local serve) ------------------------------------------------------

    def wake(self, *_: Any, **__: Any) -> None:
        self._wake.set()

    def start(self, idle_seconds: float = 0.5, on_idle: Callable[[], None] | None = None) -> None:
        def loop() -> None:
            while not self._stop.is_set():
                self._wake.clear()
                try:
                    busy = self.pump_once()
                    if not busy and on_idle and not self._stop.is_set():
                        on_idle()
                except Exception:  # noqa: BLE001 - keep routing; the error is in the handler's logs
                    logger.exception("the event router's round failed; routing goes on")
                    busy = 0
                if not busy:
                    due = min((at for at in (self.next_retry_at(), self.next_held_at()) if at is not None),
                              default=None)
                    self._wake.wait(idle_seconds if due is None else min(idle_seconds, max(0.0, due - self.clock())))

        self._thread = threading.Thread(target=loop, name="event-router", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop routing once the invocation in hand has finished (a handler's own timeouts bound it)."""
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=60)

