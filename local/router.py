"""The EventBridge router: the catalog's rules live in (moto's) EventBridge, one SQS queue per function.

EventBridge does the matching (the same patterns CDK deploys); this router only drains each
function's queue and invokes its handler the way Lambda's asynchronous invocation would: up to
two retries, then a dead-letter record (in the function's DLQ, as deployed).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

LOCAL_ACCOUNT = "123456789012"
MAX_ATTEMPTS = 3  # Lambda async invoke: the first attempt and two retries


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
    started_at: float = 0.0  # wall clock, for ordering the trace


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


class EventRouter:
    def __init__(self, sqs: Any, queues: dict[str, FunctionQueues],
                 invoke: Callable[[str, dict[str, Any]], Any], max_attempts: int = MAX_ATTEMPTS):
        self.sqs = sqs
        self.queues = queues
        self.invoke = invoke
        self.max_attempts = max_attempts
        # Fault injection (EventBridge promises neither exactly-once nor ordering): deliver every
        # event this many times, and shuffle each batch with this seed.
        self.deliveries_per_event = 1
        self.shuffle: random.Random | None = None
        self.deliveries: list[Delivery] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- dispatch ---------------------------------------------------------------------------

    def pump_once(self) -> int:
        """Deliver what is waiting in every function's queue once; returns how many events."""
        delivered = 0
        for function, queues in self.queues.items():
            messages = self.sqs.receive_message(QueueUrl=queues.queue_url, MaxNumberOfMessages=10,
                                                WaitTimeSeconds=0).get("Messages", [])
            if self.shuffle:
                self.shuffle.shuffle(messages)
            for message in messages:
                for _ in range(self.deliveries_per_event):
                    self._deliver(function, queues, json.loads(message["Body"]))
                self.sqs.delete_message(QueueUrl=queues.queue_url, ReceiptHandle=message["ReceiptHandle"])
                delivered += 1
        return delivered

    def drain(self, max_rounds: int = 1000) -> int:
        """Deliver until every queue is empty (the flow has settled)."""
        total = 0
        for _ in range(max_rounds):
            delivered = self.pump_once()
            if not delivered:
                return total
            total += delivered
        raise RuntimeError(f"the flow did not settle after {max_rounds} rounds (an event loop?)")

    def _deliver(self, function: str, queues: FunctionQueues, event: dict[str, Any]) -> None:
        event.setdefault("account", LOCAL_ACCOUNT)  # moto's SQS target drops it; EventBridge always sends it
        detail = event.get("detail") or {}
        error = ""
        for attempt in range(1, self.max_attempts + 1):
            started, started_at = time.perf_counter(), time.time()
            try:
                self.invoke(function, event)
                self._record(function, detail, event, attempt, started, started_at, None)
                return
            except Exception as exc:  # noqa: BLE001 - a handler's failure is data here
                error = f"{type(exc).__name__}: {exc}"
                self._record(function, detail, event, attempt, started, started_at, error)
        self.sqs.send_message(
            QueueUrl=queues.dead_letter_url,
            MessageBody=json.dumps(event),
            MessageAttributes={
                "ErrorMessage": {"DataType": "String", "StringValue": error[:1000]},
                "Attempts": {"DataType": "Number", "StringValue": str(self.max_attempts)},
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
                except Exception:  # noqa: BLE001 - keep routing; the error is in the handler's logs
                    busy = 0
                if not busy:
                    if on_idle:
                        on_idle()
                    self._wake.wait(idle_seconds)

        self._thread = threading.Thread(target=loop, name="event-router", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout=5)

