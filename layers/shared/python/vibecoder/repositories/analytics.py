"""Analytics counters: per day and event type, per user and event type (atomic ADDs)."""

from __future__ import annotations

from typing import Any

from boto3.dynamodb.conditions import Key

from vibecoder.aws import table
from vibecoder.repositories._dynamo import expires_at, from_item, to_item

COUNTER_RETENTION_DAYS = 400

class AnalyticsRepository:
    def __init__(self, table_name: str):
        self.table_name = table_name

    @property
    def _table(self) -> Any:
        return table(self.table_name)

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

    def put_value(self, partition: str, key: str, value: dict[str, Any]) -> None:

        self._table.put_item(Item=to_item({"pk": partition, "sk": key, **value}))

    def get_value(self, partition: str, key: str) -> dict[str, Any] | None:
        item = self._table.get_item(Key={"pk": partition, "sk": key}).get("Item")
        return from_item(item) if item else None
