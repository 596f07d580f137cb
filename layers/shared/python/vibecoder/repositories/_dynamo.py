"""Conversions between pydantic models and DynamoDB items (numbers are Decimals there)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from botocore.exceptions import ClientError

from vibecoder.aws import table

BATCH_GET_KEYS = 100  # BatchGetItem's most keys a call


def to_item(value: Any) -> Any:
    """JSON-able value → DynamoDB item value (floats become Decimals, None values dropped)."""
    cleaned = json.loads(json.dumps(value, default=str), parse_float=Decimal)
    return _drop_none(cleaned)


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def from_item(value: Any) -> Any:
    """DynamoDB item → plain JSON types (Decimals become int or float)."""
    if isinstance(value, dict):
        return {k: from_item(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_item(v) for v in value]
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def expires_at(days: int) -> int:
    """An epoch-seconds TTL value ``days`` from now."""
    return int(time.time()) + days * 86400


class TableRepository:
    """One DynamoDB table; the boto3 resource is created once per process, on first use."""

    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return table(self.table_name)

    def _conditional(self, operation: Callable[..., Any], **kwargs: Any) -> bool:
        """Run a conditional write; False when its condition did not hold."""
        try:
            operation(**kwargs)
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise

    def _batch_get(self, keys: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The items with these primary keys (e.g. listed by an index of keys), in the keys' order; an item
        gone meanwhile is left out. BatchGetItem takes 100 keys a call and hands back what it could not read
        in time (``UnprocessedKeys``): those are asked for again after a short, growing pause."""
        names = list(keys[0]) if keys else []

        def ident(key: dict[str, Any]) -> tuple:
            return tuple(key[name] for name in names)

        found: dict[tuple, dict[str, Any]] = {}
        for start in range(0, len(keys), BATCH_GET_KEYS):
            request = {self.table_name: {"Keys": keys[start:start + BATCH_GET_KEYS]}}
            for attempt in itertools.count():
                # The resource's client: plain Python values in and out, like the Table methods.
                response = self._table.meta.client.batch_get_item(RequestItems=request)
                found |= {ident(item): item for item in response["Responses"].get(self.table_name, [])}
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
                time.sleep(min(1.0, 0.05 * 2 ** attempt))
        return [found[ident(key)] for key in keys if ident(key) in found]
