"""A circuit breaker for the OpenAI provider, its state behind a small store interface.

After ``threshold`` consecutive failures the circuit opens for ``cooldown_s`` seconds: callers use
the offline provider without trying OpenAI. When the cool-down is over, calls go through again
(half-open): a success closes the circuit, a failure opens it for another cool-down.

State lives in a :class:`CircuitStore`: :class:`MemoryCircuitStore` (per process; the default and
the tests') or :class:`DynamoCircuitStore` (shared by every concurrent Lambda environment, one
item per circuit, atomic counters).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CircuitState:
    failures: int = 0
    open_until: float = 0.0  # epoch seconds; 0 when closed


class CircuitStore(Protocol):
    def get(self, name: str) -> CircuitState: ...

    def record_failure(self, name: str, *, threshold: int, cooldown_s: float, now: float) -> CircuitState:
        """Count one more consecutive failure; open the circuit when the count reaches *threshold*."""
        ...

    def record_success(self, name: str) -> None: ...


class MemoryCircuitStore:
    """Per-process state (a warm Lambda environment remembers it between invocations)."""

    def __init__(self) -> None:
        self._states: dict[str, CircuitState] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> CircuitState:
        return self._states.get(name, CircuitState())

    def record_failure(self, name: str, *, threshold: int, cooldown_s: float, now: float) -> CircuitState:
        with self._lock:
            failures = self.get(name).failures + 1
            state = CircuitState(failures, now + cooldown_s if failures >= threshold else 0.0)
            self._states[name] = state
            return state

    def record_success(self, name: str) -> None:
        with self._lock:
            self._states.pop(name, None)


class DynamoCircuitStore:
    """State in a DynamoDB item ``{pk: "circuit#<name>", sk: "state", failures, openUntil}``.

    The key attribute names default to ``pk``/``sk`` (the shape of a generic single-table design);
    pass ``sort_key=None`` for a table with a partition key only. Failures are counted with an
    atomic ``ADD``, so concurrent environments never lose a failure.
    """

    def __init__(self, table_name: str, *, client=None, partition_key: str = "pk", sort_key: str | None = "sk",
                 ttl_attribute: str | None = "expiresAt"):
        self.table_name = table_name
        self.partition_key = partition_key
        self.sort_key = sort_key
        self.ttl_attribute = ttl_attribute
        self._client = client

    @property
    def client(self):
        if self._client is None:
            import boto3  # noqa: PLC0415 - only when a shared breaker is configured

            self._client = boto3.client("dynamodb")
        return self._client

    def _key(self, name: str) -> dict:
        key = {self.partition_key: {"S": f"circuit#{name}"}}
        if self.sort_key:
            key[self.sort_key] = {"S": "state"}
        return key

    def get(self, name: str) -> CircuitState:
        item = self.client.get_item(TableName=self.table_name, Key=self._key(name), ConsistentRead=True).get("Item")
        if not item:
            return CircuitState()
        return CircuitState(int(item.get("failures", {}).get("N", "0")), float(item.get("openUntil", {}).get("N", "0")))

    def record_failure(self, name: str, *, threshold: int, cooldown_s: float, now: float) -> CircuitState:
        names = {"#f": "failures"}
        values = {":one": {"N": "1"}}
        expression = "ADD #f :one"
        if self.ttl_attribute:
            names["#t"] = self.ttl_attribute
            values[":ttl"] = {"N": str(int(now + max(cooldown_s, 3600) * 2))}
            expression += " SET #t = :ttl"
        updated = self.client.update_item(
            TableName=self.table_name, Key=self._key(name), UpdateExpression=expression,
            ExpressionAttributeNames=names, ExpressionAttributeValues=values, ReturnValues="ALL_NEW",
        )["Attributes"]
        failures = int(updated["failures"]["N"])
        open_until = float(updated.get("openUntil", {}).get("N", "0"))
        if failures >= threshold:
            open_until = now + cooldown_s
            self.client.update_item(
                TableName=self.table_name, Key=self._key(name), UpdateExpression="SET #o = :o",
                ExpressionAttributeNames={"#o": "openUntil"}, ExpressionAttributeValues={":o": {"N": repr(open_until)}},
            )
        return CircuitState(failures, open_until)

    def record_success(self, name: str) -> None:
        self.client.update_item(
            TableName=self.table_name, Key=self._key(name), UpdateExpression="SET #f = :zero, #o = :zero",
            ExpressionAttributeNames={"#f": "failures", "#o": "openUntil"},
            ExpressionAttributeValues={":zero": {"N": "0"}},
        )


class CircuitBreaker:
    def __init__(self, store: CircuitStore, name: str = "openai", *, threshold: int = 3, cooldown_s: float = 300.0,
                 clock: Callable[[], float] = time.time):
        self.store = store
        self.name = name
        self.threshold = threshold
        self.cooldown_s = cooldown_s
        self.clock = clock

    def allow(self) -> bool:
        """False while the circuit is open; True when closed or when the cool-down is over."""
        state = self.store.get(self.name)
        return not (state.failures >= self.threshold and self.clock() < state.open_until)

    def is_open(self) -> bool:
        return not self.allow()

    def record_success(self) -> None:
        if self.store.get(self.name).failures:
            self.store.record_success(self.name)

    def record_failure(self) -> CircuitState:
        return self.store.record_failure(self.name, threshold=self.threshold, cooldown_s=self.cooldown_s, now=self.clock())


_memory_store = MemoryCircuitStore()


def breaker_for(settings) -> CircuitBreaker:
    """The breaker *settings* describe: DynamoDB when ``circuit_table`` is set, else per process.

    A store that cannot be read (throttled table, missing permission) must never stop content
    generation: :class:`SafeStore` turns its errors into "closed" and logs them.
    """
    store: CircuitStore = (
        SafeStore(DynamoCircuitStore(settings.circuit_table)) if settings.circuit_table else _memory_store
    )
    return CircuitBreaker(store, f"openai:{settings.openai_model}", threshold=settings.circuit_failure_threshold,
                          cooldown_s=settings.circuit_cooldown_s)


class SafeStore:
    """Wraps a store so that its failures degrade to "closed circuit" instead of raising."""

    def __init__(self, inner: CircuitStore):
        self.inner = inner

    def get(self, name: str) -> CircuitState:
        try:
            return self.inner.get(name)
        except Exception:  # noqa: BLE001
            _log().exception("circuit store unavailable; treating the circuit as closed")
            return CircuitState()

    def record_failure(self, name: str, *, threshold: int, cooldown_s: float, now: float) -> CircuitState:
        try:
            return self.inner.record_failure(name, threshold=threshold, cooldown_s=cooldown_s, now=now)
        except Exception:  # noqa: BLE001
            _log().exception("circuit store unavailable; failure not recorded")
            return CircuitState()

    def record_success(self, name: str) -> None:
        try:
            self.inner.record_success(name)
        except Exception:  # noqa: BLE001
            _log().exception("circuit store unavailable; success not recorded")


def _log():
    import logging  # noqa: PLC0415

    return logging.getLogger(__name__)


def reset_memory_store() -> None:
    """Forget the per-process state (tests)."""
    _memory_store._states.clear()
