"""Carousels: one item per request, its status, slides, S3 keys and timings."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from vibecoder.content import CamelModel
from vibecoder.events.envelope import utc_now
from vibecoder.events.models import CarouselGenerateRequested
from vibecoder.repositories._dynamo import TableRepository, expires_at, from_item, to_item

RETENTION_DAYS = 90


class CarouselStatus(StrEnum):
    REQUESTED = "requested"
    GENERATING = "generating"  # waiting for content
    RENDERING = "rendering"  # slides cut, waiting for images
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (CarouselStatus.COMPLETED, CarouselStatus.FAILED)


class CarouselRecord(CamelModel):
    request_id: str
    user_id: str
    chat_id: int | None = None
    channel: str = "api"
    status: CarouselStatus = CarouselStatus.REQUESTED
    topic: str | None = None
    source_text: str | None = None
    slides_count: int = 5
    style: str = "glass"
    language: str | None = None
    title: str | None = None
    caption: str | None = None
    slides: list[dict[str, Any]] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    provider: str | None = None
    failure: str | None = None
    created_at: str = Field(default_factory=lambda: utc_now().isoformat())
    updated_at: str | None = None
    # What telegram-sender already delivered for this carousel (step → message ids), so a retried
    # delivery never sends an album twice.
    delivery: dict[str, Any] = Field(default_factory=dict)
    status_message_id: int | None = None  # the Telegram progress message, for whoever ends the request
    progress: int | None = None  # the furthest progress step shown in that message


class CarouselRepository(TableRepository):
    def create(self, request: CarouselGenerateRequested) -> bool:
        """Record a new request; False when it already exists (a redelivered request)."""
        record = CarouselRecord(**request.model_dump(exclude={"status_message_id"}))
        item = to_item(record.to_wire()) | {"expiresAt": expires_at(RETENTION_DAYS)}
        return self._conditional(self._table.put_item, Item=item, ConditionExpression="attribute_not_exists(requestId)")

    def get(self, request_id: str) -> CarouselRecord | None:
        item = self._table.get_item(Key={"requestId": request_id}).get("Item")
        return CarouselRecord.model_validate(from_item(item)) if item else None

    def update(self, request_id: str, *, status: CarouselStatus | None = None, timing: str | None = None,
               elapsed_ms: float | None = None, **fields: Any) -> bool:
        """Set fields (camelCase names) and optionally the status and one timing.

        A terminal carousel is never moved again: returns False when the update was refused.
        """
        values: dict[str, Any] = dict(fields, updatedAt=utc_now().isoformat())
        if status is not None:
            values["status"] = status.value
        names = {f"#f{i}": name for i, name in enumerate(values)}
        expression = ", ".join(f"#f{i} = :v{i}" for i in range(len(values)))
        attribute_values = {f":v{i}": to_item(v) for i, v in enumerate(values.values())}
        if timing is not None:
            names["#timings"], names["#timing"] = "timings", timing
            expression += ", #timings.#timing = :elapsed"
            attribute_values[":elapsed"] = to_item(round(elapsed_ms or 0.0, 1))
        attribute_values[":completed"], attribute_values[":failed"] = "completed", "failed"
        names["#status"] = "status"
        return self._conditional(
            self._table.update_item,
            Key={"requestId": request_id},
            UpdateExpression="SET " + expression,
            ConditionExpression="attribute_exists(requestId) AND NOT #status IN (:completed, :failed)",
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=attribute_values,
        )

    def list_by_user(self, user_id: str, limit: int = 10) -> list[CarouselRecord]:
        response = self._table.query(
            IndexName="byUser", KeyConditionExpression=Key("userId").eq(user_id), ScanIndexForward=False, Limit=limit
        )
        return [CarouselRecord.model_validate(from_item(i)) for i in response["Items"]]

    def list_by_status(self, status: CarouselStatus, limit: int = 100) -> list[CarouselRecord]:
        response = self._table.query(
            IndexName="byStatus", KeyConditionExpression=Key("status").eq(status.value), Limit=limit
        )
        return [CarouselRecord.model_validate(from_item(i)) for i in response["Items"]]

    def record_delivery(self, request_id: str, step: str, value: Any) -> None:
        """Remember that a delivery step (e.g. "album-1") was done; allowed on a terminal carousel."""
        self._table.update_item(
            Key={"requestId": request_id},
            UpdateExpression="SET delivery = if_not_exists(delivery, :empty)",
            ExpressionAttributeValues={":empty": {}},
        )
        self._table.update_item(
            Key={"requestId": request_id},
            UpdateExpression="SET delivery.#step = :value",
            ExpressionAttributeNames={"#step": step},
            ExpressionAttributeValues={":value": to_item(value)},
        )

    def advance_progress(self, request_id: str, step: int) -> bool:
        """Move an unfinished carousel's shown progress forward to ``step``; False when it is already
        there or further (events arrive in any order), or the carousel has ended."""
        return self._conditional(
            self._table.update_item,
            Key={"requestId": request_id},
            UpdateExpression="SET progress = :step",
            ConditionExpression="attribute_exists(requestId) AND NOT #status IN (:completed, :failed) "
                                "AND (attribute_not_exists(progress) OR progress < :step)",
            ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues={":step": step, ":completed": "completed", ":failed": "failed"},
        )
