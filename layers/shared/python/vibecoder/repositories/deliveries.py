"""The sender's delivery log: what each Telegram chat has been answered, one item per request.

The carousel record says how the carousel was made (the generator writes it); this log says whether
its chat got the album or an apology (only the sender writes it). An attempt leases the pending
delivery first, so a bus retry, a duplicate event and the sweep's re-drive never send at the same
time; each album sent is recorded before the next one, so a retried attempt never sends it twice.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError
from pydantic import Field

from vibecoder.base import CamelModel, utc_now
from vibecoder.repositories._dynamo import TableRepository, expires_at, from_item, to_item

_DESERIALIZE = TypeDeserializer()
RETENTION_DAYS = 90  # as long as the carousel record: the history's buttons read both
ALBUM_STEP = "album-"  # "album-1": the message ids of the first album sent


class DeliveryState(StrEnum):
    """What the chat has been answered (Telegram requests only), apart from how the carousel was made."""

    PENDING = "pending"  # neither the album nor an apology has reached the chat yet
    DELIVERED = "delivered"  # the album is in the chat
    FAILED = "failed"  # no album will come: the chat got an apology (or could not be reached at all)


class Claim(StrEnum):
    """The answer to "may I deliver this carousel now?"."""

    CLAIMED = "claimed"  # yes: the delivery is pending and now leased to the caller
    SETTLED = "settled"  # no: it was delivered or apologised for already
    BUSY = "busy"  # no: another attempt holds the lease


class DeliveryRecord(CamelModel):
    request_id: str
    chat_id: int
    state: DeliveryState = DeliveryState.PENDING
    steps: dict[str, Any] = Field(default_factory=dict)  # step ("album-1", "buttons", …) → message ids
    attempts: int = 0
    attempted_at: str | None = None
    progress: int | None = None  # the furthest progress step shown in the status message
    progress_at: float | None = None  # when it was shown (epoch seconds, the sender's clock)
    created_at: str | None = None

    @property
    def album_message_ids(self) -> list[int]:
        """The album photos' message ids in the chat, in carousel order (album-1, album-2, …)."""
        albums = sorted((int(step.removeprefix(ALBUM_STEP)), ids) for step, ids in self.steps.items()
                        if step.startswith(ALBUM_STEP) and step.removeprefix(ALBUM_STEP).isdigit())
        return [int(message_id) for _, ids in albums for message_id in ids or []]


class DeliveryLog(TableRepository):
    def get(self, request_id: str) -> DeliveryRecord | None:
        item = self._table.get_item(Key={"requestId": request_id}).get("Item")
        return DeliveryRecord.model_validate(from_item(item)) if item else None

    def get_many(self, request_ids: list[str]) -> list[DeliveryRecord]:
        """The deliveries of these requests that exist (one BatchGetItem per 100)."""
        items = self._batch_get([{"requestId": request_id} for request_id in request_ids])
        return [DeliveryRecord.model_validate(from_item(item)) for item in items]

    def _opened(self, chat_id: int, now: datetime) -> tuple[str, dict[str, Any]]:
        """The SET clauses that create the record on its first write (UpdateItem creates missing items)."""
        return ("chatId = :chat, createdAt = if_not_exists(createdAt, :now), #state = if_not_exists(#state, :pending), "
                "steps = if_not_exists(steps, :empty), expiresAt = if_not_exists(expiresAt, :expires)",
                {":chat": chat_id, ":now": now.isoformat(), ":pending": DeliveryState.PENDING.value, ":empty": {},
                 ":expires": expires_at(RETENTION_DAYS)})

    def claim(self, request_id: str, chat_id: int, lease_seconds: float,
              now: datetime | None = None) -> tuple[Claim, DeliveryRecord | None]:
        """Lease a pending delivery to the caller for ``lease_seconds`` and count the attempt (the record
        is created by the first claim). Returns the claim and the record as it is now."""
        now = now or utc_now()
        opened, values = self._opened(chat_id, now)
        try:
            response = self._table.update_item(
                Key={"requestId": request_id},
                UpdateExpression=f"SET {opened}, leaseUntil = :until, attemptedAt = :now, "
                                 "attempts = if_not_exists(attempts, :zero) + :one",
                ConditionExpression="(attribute_not_exists(#state) OR #state = :pending) "
                                    "AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)",
                ExpressionAttributeNames={"#state": "state"},
                ExpressionAttributeValues=values | {":until": (now + timedelta(seconds=lease_seconds)).isoformat(),
                                                    ":zero": 0, ":one": 1},
                ReturnValues="ALL_NEW",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            item = error.response.get("Item")  # the item as it was, in DynamoDB's own JSON
            record = DeliveryRecord.model_validate(from_item({k: _DESERIALIZE.deserialize(v) for k, v in item.items()})) \
                if item else self.get(request_id)
            return (Claim.BUSY if record and record.state is DeliveryState.PENDING else Claim.SETTLED), record
        return Claim.CLAIMED, DeliveryRecord.model_validate(from_item(response["Attributes"]))

    def release(self, request_id: str) -> None:
        """Give the lease back after a failed attempt, so the next one need not wait for it to expire."""
        self._table.update_item(Key={"requestId": request_id}, UpdateExpression="REMOVE leaseUntil",
                                ConditionExpression="attribute_exists(requestId)")

    def settle(self, request_id: str, state: DeliveryState, step: str | None = None, value: Any = None) -> None:
        """End a claimed delivery (delivered or failed), recording its last step in the same write."""
        expression, names = "SET #state = :final", {"#state": "state"}
        values: dict[str, Any] = {":final": state.value}
        if step is not None:
            expression += ", steps.#step = :value"
            names["#step"], values[":value"] = step, to_item(value)
        self._table.update_item(Key={"requestId": request_id}, UpdateExpression=expression + " REMOVE leaseUntil",
                                ConditionExpression="attribute_exists(requestId)",
                                ExpressionAttributeNames=names, ExpressionAttributeValues=values)

    def record_step(self, request_id: str, step: str, value: Any) -> None:
        """Remember that a delivery step (e.g. "album-1") was done."""
        self._table.update_item(
            Key={"requestId": request_id},
            UpdateExpression="SET steps.#step = :value",
            ExpressionAttributeNames={"#step": step},
            ExpressionAttributeValues={":value": to_item(value)},
        )

    def advance_progress(self, request_id: str, chat_id: int, step: int, *, at: float | None = None,
                         quiet_seconds: float = 0.0) -> bool:
        """Move the shown progress forward to ``step``, shown ``at`` (epoch seconds, default now); False when
        it is already there or further (events arrive in any order), the chat has been answered already,
        or the last step was shown less than ``quiet_seconds`` before (an edit nobody would see)."""
        at = time.time() if at is None else at
        opened, values = self._opened(chat_id, utc_now())
        return self._conditional(
            self._table.update_item,
            Key={"requestId": request_id},
            UpdateExpression=f"SET {opened}, progress = :step, progressAt = :at",
            ConditionExpression="(attribute_not_exists(#state) OR #state = :pending) "
                                "AND (attribute_not_exists(progress) OR progress < :step) "
                                "AND (attribute_not_exists(progressAt) OR progressAt <= :quiet_since)",
            ExpressionAttributeNames={"#state": "state"},
            ExpressionAttributeValues=values | {":step": step, ":at": to_item(at),
                                                ":quiet_since": to_item(at - quiet_seconds)},
        )

    def list_pending(self, limit: int = 100) -> list[DeliveryRecord]:
        """Chats still waiting for their answer, oldest first."""
        response = self._table.query(IndexName="byState", ScanIndexForward=True, Limit=limit,
                                     KeyConditionExpression=Key("state").eq(DeliveryState.PENDING.value))
        items = self._batch_get([{"requestId": item["requestId"]} for item in response["Items"]])  # keys only
        found = (DeliveryRecord.model_validate(from_item(item)) for item in items)
        return [record for record in found if record.state is DeliveryState.PENDING]  # the index lags a little
