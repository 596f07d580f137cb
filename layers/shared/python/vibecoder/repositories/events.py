"""The event store: every event of a request, in order, kept for 30 days (the seed's event history)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from boto3.dynamodb.conditions import Key

from vibecoder.repositories._dynamo import TableRepository, expires_at, to_item

SEEN_QUERIES_AT_ONCE = 8  # /health's byType queries run this many at a time


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

    def services_seen(self, producers: Mapping[str, tuple[str, ...]]) -> dict[str, dict[str, str]]:
        """Each service's newest audited event (``GET /health``), read from the byType index; ``producers``
        maps every event type to the services that may produce it (the catalog's).

        First the newest event of every type. A type one service produces is then answered; for a type
        several produce, each other producer is looked up among that type's events newer than its newest
        event known so far, so the index is read back only as far as the answer could still change."""
        with ThreadPoolExecutor(SEEN_QUERIES_AT_ONCE) as pool:
            newest = dict(zip(producers, pool.map(self._newest_of_type, producers)))
            seen: dict[str, tuple[str, str]] = {}  # service → (sk, type) of its newest event

            def credit(service: str, sk: str | None, event_type: str) -> None:
                if sk is not None and (service not in seen or sk > seen[service][0]):
                    seen[service] = (sk, event_type)

            for event_type, item in newest.items():
                if item:
                    credit(item["source"], item["sk"], event_type)
            lookups = [(service, event_type) for event_type, item in newest.items() if item
                       for service in producers[event_type] if service != item["source"]]
            after = {service: seen[service][0] if service in seen else None for service, _ in lookups}
            found = list(pool.map(lambda lookup: self._newest_sk(*lookup, after=after[lookup[0]]), lookups))
        for (service, event_type), sk in zip(lookups, found):
            credit(service, sk, event_type)
        return {service: {"lastSeenAt": sk.split("#", 1)[0], "lastEventType": event_type}
                for service, (sk, event_type) in seen.items()}

    def _newest_of_type(self, event_type: str) -> dict[str, str] | None:
        """The newest event of a type, as its index entry (``sk`` and ``source``)."""
        items = self._query_index(event_type, limit=1)["Items"]
        return {"sk": items[0]["sk"], "source": items[0].get("source", "")} if items else None

    def _newest_sk(self, source: str, event_type: str, after: str | None) -> str | None:
        """The sort key of the newest event of a type from one source, if it is newer than ``after``."""
        start = None
        while True:
            response = self._query_index(event_type, source=source, after=after, start=start)
            if response["Items"]:
                return response["Items"][0]["sk"]
            start = response.get("LastEvaluatedKey")
            if start is None:
                return None

    def _query_index(self, event_type: str, *, limit: int | None = None, source: str | None = None,
                     after: str | None = None, start: dict | None = None) -> dict[str, Any]:
        """One page of the byType index, newest first. Through the client with plain expressions: the
        resource's condition builder keeps state, so it is not safe across the threads above."""
        names, values = {"#type": "type"}, {":type": event_type}
        kwargs: dict[str, Any] = {"TableName": self.table_name, "IndexName": "byType", "ScanIndexForward": False,
                                  "KeyConditionExpression": "#type = :type"}
        if after is not None:
            kwargs["KeyConditionExpression"] += " AND sk > :after"
            values[":after"] = after
        if source is not None:
            kwargs["FilterExpression"], names["#source"], values[":source"] = "#source = :source", "source", source
        if limit is not None:
            kwargs["Limit"] = limit
        if start is not None:
            kwargs["ExclusiveStartKey"] = start
        return self._table.meta.client.query(ExpressionAttributeNames=names, ExpressionAttributeValues=values,
                                             **kwargs)

    def latest_of_type(self, event_type: str, limit: int = 10) -> list[dict[str, Any]]:
        """The newest events of one type, newest first (e.g. recent errors)."""
        response = self._table.query(IndexName="byType", KeyConditionExpression=Key("type").eq(event_type),
                                     ScanIndexForward=False, Limit=limit)
        return self._envelopes(response["Items"])

    def list(self, correlation_id: str) -> list[dict[str, Any]]:
        """The request's envelopes, oldest first."""
        pages = self._pages(KeyConditionExpression=Key("correlationId").eq(correlation_id))
        return [json.loads(item["envelope"]) for page in pages for item in page["Items"]]

    def count_by_type(self, event_type: str) -> int:
        """How many events of this type went through (within the retention window)."""
        pages = self._pages(IndexName="byType", KeyConditionExpression=Key("type").eq(event_type), Select="COUNT")
        return sum(page["Count"] for page in pages)

    def of_type_between(self, event_type: str, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """The envelopes of one type audited between two times, oldest first."""
        second = "%Y-%m-%dT%H:%M:%S"  # sk begins with the timestamp; "~" sorts after any fraction or zone
        condition = Key("type").eq(event_type) & Key("sk").between(since.strftime(second), until.strftime(second) + "~")
        pages = self._pages(IndexName="byType", KeyConditionExpression=condition)
        return self._envelopes([item for page in pages for item in page["Items"]])

    def _envelopes(self, listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The envelopes of what the byType index listed, in its order (it holds keys and source, not envelopes)."""
        stored = self._batch_get([{"correlationId": i["correlationId"], "sk": i["sk"]} for i in listed])
        return [json.loads(item["envelope"]) for item in stored]

    def _pages(self, **query: Any) -> Iterator[dict[str, Any]]:
        """Every page of one query, in order."""
        while True:
            response = self._table.query(**query)
            yield response
            if "LastEvaluatedKey" not in response:
                return
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
