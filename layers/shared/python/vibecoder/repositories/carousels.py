"""Carousels: one item per request, its status, slides, S3 keys and timings, and its delivery."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Key
from botocore.exceptions import ClientError
from pydantic import Field

from vibecoder.base import CamelModel, utc_now
from vibecoder.content import ContentProvenance
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


class DeliveryState(StrEnum):
    """What the chat has been answered (Telegram requests only), apart from how the carousel was made."""

    PENDING = "pending"  # neither the album nor an apology has reached the chat yet
    DELIVERED = "delivered"  # the album is in the chat
    FAILED = "failed"  # no album will come: the chat got an apology (or could not be reached at all)


class Claim(StrEnum):
    """The answer to "may I deliver this carousel now?"."""

    CLAIMED = "claimed"  # yes: the delivery is pending and now leased to the caller
    SETTLED = "settled"  # no: it was delivered or apologised for already (or it has no chat)
    BUSY = "busy"  # no: another attempt holds the lease
    UNRECORDED = "unrecorded"  # there is no carousel record: deliver without keeping state


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
    content: ContentProvenance | None = None  # who wrote the content (and why it fell back)
    failure: str | None = None
    created_at: str = Field(default_factory=lambda: utc_now().isoformat())
    updated_at: str | None = None
    # Telegram requests: what the chat has been answered (the byDelivery index finds the pending ones),
    # each delivery step done (step → message ids, so a retried delivery never sends an album twice),
    # how many attempts claimed it and when the last one did.
    delivery: DeliveryState | None = None
    delivery_steps: dict[str, Any] = Field(default_factory=dict)
    delivery_attempts: int = 0
    delivery_attempted_at: str | None = None
    status_message_id: int | None = None  # the Telegram progress message, for whoever ends the request
    progress: int | None = None  # the furthest progress step shown in that message


class CarouselRepository(TableRepository):
    def create(self, request: CarouselGenerateRequested) -> bool:
        """Record a new request; False when it already exists (a redelivered request)."""
        record = CarouselRecord(**request.model_dump(exclude={"status_message_id"}),
                                delivery=DeliveryState.PENDING if request.chat_id is not None else None)
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
        """The user's newest carousels, newest first."""
        response = self._table.query(
            IndexName="byUser", KeyConditionExpression=Key("userId").eq(user_id), ScanIndexForward=False, Limit=limit
        )
        return self._records(response["Items"])

    def list_by_status(self, status: CarouselStatus, limit: int = 100) -> list[CarouselRecord]:
        """Carousels in one status, oldest first."""
        response = self._table.query(
            IndexName="byStatus", KeyConditionExpression=Key("status").eq(status.value), Limit=limit
        )
        found = self._records(response["Items"])
        return [record for record in found if record.status is status]  # the index lags the table a little

    def _records(self, listed: list[dict[str, Any]]) -> list[CarouselRecord]:
        """The whole records of what an index of keys listed, in its order."""
        items = self._batch_get([{"requestId": item["requestId"]} for item in listed])
        return [CarouselRecord.model_validate(from_item(item)) for item in items]

    def list_undelivered(self, limit: int = 100) -> list[CarouselRecord]:
        """Telegram requests whose chat has not been answered yet, oldest first."""
        response = self._table.query(IndexName="byDelivery", ScanIndexForward=True, Limit=limit,
                                     KeyConditionExpression=Key("delivery").eq(DeliveryState.PENDING.value))
        found = (self.get(item["requestId"]) for item in response["Items"])  # the index holds keys only
        return [record for record in found if record is not None and record.delivery is DeliveryState.PENDING]

    def claim_delivery(self, request_id: str, lease_seconds: float,
                       now: datetime | None = None) -> tuple[Claim, CarouselRecord | None]:
        """Lease a pending delivery to the caller for ``lease_seconds`` (one attempt at a time, whoever
        started it: a bus retry, a duplicate event or the sweep) and count the attempt. Returns the
        claim and, when claimed, the record as it is now."""
        now = now or utc_now()
        try:
            response = self._table.update_item(
                Key={"requestId": request_id},
                UpdateExpression="SET delivery = :pending, deliveryLeaseUntil = :until, deliveryAttemptedAt = :now, "
                                 "deliveryAttempts = if_not_exists(deliveryAttempts, :zero) + :one",
                ConditionExpression="attribute_exists(requestId) "
                                    "AND (attribute_not_exists(delivery) OR delivery = :pending) "
                                    "AND (attribute_not_exists(deliveryLeaseUntil) OR deliveryLeaseUntil < :now)",
                ExpressionAttributeValues={":pending": DeliveryState.PENDING.value, ":now": now.isoformat(),
                                           ":until": (now + timedelta(seconds=lease_seconds)).isoformat(),
                                           ":zero": 0, ":one": 1},
                ReturnValues="ALL_NEW",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            record = self.get(request_id)
            if record is None:
                return Claim.UNRECORDED, None
            return (Claim.BUSY if record.delivery is DeliveryState.PENDING else Claim.SETTLED), record
        return Claim.CLAIMED, CarouselRecord.model_validate(from_item(response["Attributes"]))

    def release_delivery(self, request_id: str) -> None:
        """Give the lease back after a failed attempt, so the next one need not wait for it to expire."""
        self._table.update_item(Key={"requestId": request_id}, UpdateExpression="REMOVE deliveryLeaseUntil")

    def settle_delivery(self, request_id: str, state: DeliveryState, step: str | None = None,
                        value: Any = None) -> None:
        """End the delivery (delivered or failed), recording its last step in the same write."""
        expression, names = "SET delivery = :state", {}
        values: dict[str, Any] = {":state": state.value}
        if step is not None:
            expression += ", deliverySteps.#step = :value"
            names["#step"], values[":value"] = step, to_item(value)
        self._table.update_item(Key={"requestId": request_id}, UpdateExpression=expression + " REMOVE deliveryLeaseUntil",
                                ExpressionAttributeValues=values, **({"ExpressionAttributeNames": names} if names else {}))

    def record_delivery(self, request_id: str, step: str, value: Any) -> None:
        """Remember that a delivery step (e.g. "album-1") was done; allowed on a terminal carousel."""
        self._table.update_item(
            Key={"requestId": request_id},
            UpdateExpression="SET deliverySteps.#step = :value",
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
