"""Counting every AWS API call the handlers make, by function, with what billing needs (sizes, units).

``record_calls()`` wraps ``botocore.client.BaseClient._make_api_call``, so every client is seen
(boto3 clients, DynamoDB resources and the ones Powertools Idempotency creates in its own session).
Each call is attributed to the function whose handler is running on that thread (``current``).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

current = threading.local()  # .function: the function whose handler runs on this thread

TYPE_KEYS = {"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"}


def _number_size(text: str) -> int:
    digits = len(text.strip("-").replace(".", "").lstrip("0")) or 1
    return math.ceil(digits / 2) + 1


def value_size(value: Any) -> int:
    """DynamoDB's item size rules (approximate), for plain Python values or the AttributeValue format."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TYPE_KEYS:
        kind, inner = next(iter(value.items()))
        if kind == "S":
            return len(inner.encode())
        if kind == "N":
            return _number_size(str(inner))
        if kind == "B":
            return len(inner)
        if kind in ("BOOL", "NULL"):
            return 1
        if kind == "M":
            return 3 + sum(len(k.encode()) + value_size(v) + 1 for k, v in inner.items())
        if kind == "L":
            return 3 + sum(value_size(v) + 1 for v in inner)
        if kind in ("SS", "BS"):
            return sum(len(x.encode() if isinstance(x, str) else x) for x in inner)
        if kind == "NS":
            return sum(_number_size(str(x)) for x in inner)
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, str):
        return len(value.encode())
    if isinstance(value, (bytes, bytearray)):
        return len(value)
    if isinstance(value, (int, float)) or type(value).__name__ == "Decimal":
        return _number_size(str(value))
    if isinstance(value, dict):
        return 3 + sum(len(str(k).encode()) + value_size(v) + 1 for k, v in value.items())
    if isinstance(value, (list, tuple, set, frozenset)):
        return 3 + sum(value_size(v) + 1 for v in value)
    return len(str(value).encode())


def item_size(item: dict[str, Any] | None) -> int:
    if not item:
        return 0
    return sum(len(str(name).encode()) + value_size(v) for name, v in item.items())


@dataclass
class Call:
    function: str | None
    service: str
    operation: str
    table: str | None = None
    request_bytes: int = 0  # S3 PutObject body, PutEvents entry sizes, DynamoDB written item
    entries: list[int] = field(default_factory=list)  # PutEvents: the size of each entry
    read_bytes: int = 0  # DynamoDB: sizes of the items returned
    consistent: bool = False
    key: Any = None
    update_names: tuple[str, ...] = ()
    item_attributes: tuple[str, ...] = ()
    ms: float = 0.0
    error: str | None = None


def _entry_size(entry: dict[str, Any]) -> int:
    # EventBridge bills each 64 KB chunk of an entry: Source, DetailType, Detail, Resources and Time count.
    return sum(len(str(entry.get(k, "")).encode()) for k in ("Source", "DetailType", "Detail", "Resources", "Time"))


def describe(service: str, operation: str, params: dict[str, Any], response: Any) -> Call:
    call = Call(getattr(current, "function", None), service, operation)
    if service == "dynamodb":
        call.table = params.get("TableName")
        call.consistent = bool(params.get("ConsistentRead"))
        if operation == "PutItem":
            call.request_bytes = item_size(params.get("Item"))
            call.item_attributes = tuple(params.get("Item") or ())
        if operation in ("UpdateItem", "DeleteItem", "GetItem"):
            call.key = json.dumps(params.get("Key"), sort_keys=True, default=str)
        if operation == "UpdateItem":
            # The attributes the update expression names (not those only its condition reads): whether an
            # index's keys or projected attributes change decides whether the index is written.
            names = params.get("ExpressionAttributeNames") or {}
            tokens = re.findall(r"#?[A-Za-z_]\w*", params.get("UpdateExpression") or "")
            call.update_names = tuple(names.get(token, token) for token in tokens)
        if isinstance(response, dict):
            if "Item" in response:
                call.read_bytes = item_size(response["Item"])
            elif "Items" in response:
                call.read_bytes = sum(item_size(i) for i in response["Items"])
    elif service == "events" and operation == "PutEvents":
        call.entries = [_entry_size(e) for e in params.get("Entries", [])]
        call.request_bytes = sum(call.entries)
    elif service == "s3" and operation == "PutObject":
        body = params.get("Body")
        call.request_bytes = len(body) if isinstance(body, (bytes, bytearray)) else 0
    return call


class CallLog:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def since(self, start: int) -> list[Call]:
        with self._lock:
            return list(self.calls[start:])

    def __len__(self) -> int:
        return len(self.calls)


@contextlib.contextmanager
def record_calls() -> Iterator[CallLog]:
    from botocore.client import BaseClient

    log = CallLog()
    original = BaseClient._make_api_call

    def recording(self: Any, operation_name: str, api_params: dict[str, Any]) -> Any:
        started = time.perf_counter()
        service = self.meta.service_model.service_name
        params = dict(api_params)
        try:
            response = original(self, operation_name, api_params)
        except Exception as error:
            call = describe(service, operation_name, params, None)
            call.error, call.ms = type(error).__name__, (time.perf_counter() - started) * 1000
            log.add(call)
            raise
        call = describe(service, operation_name, params, response)
        call.ms = (time.perf_counter() - started) * 1000
        log.add(call)
        return response

    BaseClient._make_api_call = recording
    try:
        yield log
    finally:
        BaseClient._make_api_call = original


@contextlib.contextmanager
def attributed_to(function: str) -> Iterator[None]:
    previous = getattr(current, "function", None)
    current.function = function
    try:
        yield
    finally:
        current.function = previous


DYNAMODB_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


@contextlib.contextmanager
def record_runtime_calls(runtime: Any) -> Iterator[CallLog]:
    """``record_calls`` while a local runtime (``local.runtime.LocalRuntime``) runs: each call is attributed
    to the function whose handler made it (calls made outside a handler, e.g. by the CLI, to none)."""
    original_invoke, original_route = runtime.invoke, runtime.router.invoke

    def invoke(function: str, event: dict[str, Any]) -> Any:
        with attributed_to(function):
            return original_invoke(function, event)

    runtime.invoke = runtime.router.invoke = invoke
    try:
        with record_calls() as log:
            yield log
    finally:
        runtime.invoke, runtime.router.invoke = original_invoke, original_route


def dynamodb_writes(log: CallLog) -> dict[tuple[str, str | None, str], int]:
    """How many DynamoDB writes each (function, table, operation) made; "cli" for calls outside a handler."""
    counts: dict[tuple[str, str | None, str], int] = {}
    for call in log.since(0):
        if call.service == "dynamodb" and call.operation in DYNAMODB_WRITES:
            key = (call.function or "cli", call.table, call.operation)
            counts[key] = counts.get(key, 0) + 1
    return counts
