"""The event store: every event of a request, in order, kept for 30 days (the seed's event history)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from vibecoder.repositories._dynamo import TableRepository, expires_at, to_item

SERVICES_PARTITION = "#services"  # not a correlation id: the last-seen record of each service


class EventStore(TableRepository):
    def __init__(self, table_name: str, ttl_days: int = 30):
        super().__init__(table_name)
        self.ttl_days = ttl_days

    def append(self, event: dict[str, Any]) -> None:
        """Store one envelope (wire form). Idempotent: the same event id overwrites itself."""
        item = {
            "correlationId": event["correlationId"],
            "sk": f"{event['timestamp']}#{event['id']}",
            "id": event["id"],
            "type": event["type"],
            "source": event.get("metadata", {}).get("source", ""),
            "causationId": event.get("causationId"),
            "timestamp": event["timestamp"],
            "envelope": json.dumps(event, ensure_ascii=False),  # exact, nulls included
            "expiresAt": expires_at(self.ttl_days),
        }
        self._table.put_item(Item=to_item(item))

    def mark_service_seen(self, service: str, event_type: str, timestamp: str) -> None:
        """Remember when each service last produced an event (``GET /health`` shows it)."""
        self._table.put_item(Item={"correlationId": SERVICES_PARTITION, "sk": service, "lastSeenAt": timestamp,
                                   "lastEventType": event_type})

    def services_seen(self) -> dict[str, dict[str, str]]:
        response = self._table.query(KeyConditionExpression=Key("correlationId").eq(SERVICES_PARTITION))
        return {i["sk"]: {"lastSeenAt": i["lastSeenAt"], "lastEventType": i["lastEventType"]}
                for i in response["Items"]}

    def latest_of_type(self, event_type: str, limit: int = 10) -> list[dict[str, Any]]:
        """The newest events of one type, newest first (e.g. recent errors)."""
        response = self._table.query(IndexName="byType", KeyConditionExpression=Key("type").eq(event_type),
                                     ScanIndexForward=False, Limit=limit)
        return [json.loads(i["envelope"]) for i in response["Items"]]

    def list(self, correlation_id: str) -> list[dict[str, Any]]:
        """The request's envelopes, oldest first."""
        items: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"KeyConditionExpression": Key("correlationId").eq(correlation_id)}
        while True:
            response = self._table.query(**kwargs)
            items += response["Items"]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        return [json.loads(i["envelope"]) for i in items]

    def count_by_type(self, event_type: str) -> int:
        """How many events of this type went through (within the retention window)."""
        total = 0
        kwargs: dict[str, Any] = {"IndexName": "byType", "KeyConditionExpression": Key("type").eq(event_type),
                                  "Select": "COUNT"}
        while True:
            response = self._table.query(**kwargs)
            total += response["Count"]
            if "LastEvaluatedKey" not in response:
                return total
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def of_type_between(self, event_type: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """The envelopes of one type audited between two times, oldest first (read from the table itself:
        the index need not hold them)."""
        second = "%Y-%m-%dT%H:%M:%S"  # sk begins with the timestamp; "~" sorts after any fraction or zone
        condition = Key("type").eq(event_type) & Key("sk").between(since.strftime(second), until.strftime(second) + "~")
        keys, kwargs = [], {"IndexName": "byType", "KeyConditionExpression": condition}
        while True:
            response = self._table.query(**kwargs)
            keys += [{"correlationId": i["correlationId"], "sk": i["sk"]} for i in response["Items"]]
            if "LastEvaluatedKey" not in response:
                break
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        items = (self._table.get_item(Key=key).get("Item") for key in keys)
        return [json.loads(item["envelope"]) for item in items if item]
