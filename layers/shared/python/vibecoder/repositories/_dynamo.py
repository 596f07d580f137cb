"""Conversions between pydantic models and DynamoDB items (numbers are Decimals there)."""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any


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
