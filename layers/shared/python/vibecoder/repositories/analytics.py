"""Analytics counters: per day and event type, per user and event type (atomic ADDs)."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.conditions import Key

from vibecoder.repositories._dynamo import TableRepository, expires_at, from_item, to_item

COUNTER_RETENTION_DAYS = 400

class AnalyticsRepository(TableRepository):
    def increment(self, partition: str, counter: str, by: int = 1) -> None:
        self._table.update_item(
            Key={"pk": partition, "sk": counter},
            UpdateExpression="ADD #count :by SET expiresAt = if_not_exists(expiresAt, :ttl)",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":by": by, ":ttl": expires_at(COUNTER_RETENTION_DAYS)},
        )

    def counters(self, partition: str) -> dict[str, int]:
        response = self._table.query(KeyConditionExpression=Key("pk").eq(partition))
        return {item["sk"]: from_item(item["count"]) for item in response["Items"]}

    def claim(self, partition: str, key: str) -> bool:
        """Record a one-off marker (e.g. "alerted this hour"); False when it was already there."""
        return self._conditional(
            self._table.put_item,
            Item={"pk": partition, "sk": key, "expiresAt": expires_at(COUNTER_RETENTION_DAYS)},
            ConditionExpression="attribute_not_exists(pk)"
        )

    def put_value(self, partition: str, key: str, value: dict[str, Any]) -> None:

        self._table.put_item(Item=to_item({"pk": partition, "sk": key, **value}))

    def get_value(self, partition: str, key: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": partition, "sk": key}).get("Item")
        return from_item(item) if item else None

    def increment_within(self, partition: str, counter: str, limit: int, ttl_seconds: int) -> bool:
        """Count one more unless the counter already reached ``limit`` (atomic); False when refused.

        A fixed-window rate limit: one counter per window, kept ``ttl_seconds``.
        """
        return self._conditional(
            self._table.update_item,
            Key={"pk": partition, "sk": counter},
            UpdateExpression="ADD #count :one SET expiresAt = if_not_exists(expiresAt, :ttl)",
            ConditionExpression="attribute_not_exists(#count) OR #count < :limit",
            ExpressionAttributeNames={"#count": "count"},
            ExpressionAttributeValues={":one": 1, ":limit": limit, ":ttl": int(time.time()) + ttl_seconds},
        )
