"""Analytics counters: per day and event type, per user and event type (atomic ADDs)."""

from __future__ import annotations

import time
from typing import Any

from boto3.dynamodb.conditions import Key
from boto3.dynamodb.types import TypeDeserializer
from botocore.exceptions import ClientError

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

    def increment_within(self, partition: str, counter: str, limit: int, ttl_seconds: int,
                         once_per: str | None = None) -> bool:
        """Count one more unless the counter already reached ``limit`` (atomic); False when refused.

        A fixed-window rate limit: one counter per window, kept ``ttl_seconds``. With ``once_per`` (e.g.
        an update id), the same key counts once: a redelivery of what was already counted is allowed
        again without taking another slot.
        """
        names = {"#count": "count"}
        values: dict = {":one": 1, ":limit": limit, ":ttl": int(time.time()) + ttl_seconds}
        update, condition = "ADD #count :one", "(attribute_not_exists(#count) OR #count < :limit)"
        if once_per is not None:
            names["#counted"] = "counted"
            values |= {":key": {once_per}, ":keyvalue": once_per}
            update += ", #counted :key"
            condition += " AND NOT contains(#counted, :keyvalue)"
        try:
            self._table.update_item(Key={"pk": partition, "sk": counter},
                                    UpdateExpression=f"{update} SET expiresAt = if_not_exists(expiresAt, :ttl)",
                                    ConditionExpression=condition, ExpressionAttributeNames=names,
                                    ExpressionAttributeValues=values, ReturnValuesOnConditionCheckFailure="ALL_OLD")
            return True
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            counted = error.response.get("Item", {}).get("counted", {}).get("SS", [])  # the item as it was
            return once_per is not None and once_per in counted  # counted before: its slot is already taken

    def hold(self, partition: str, key: str, value: dict[str, Any], ttl_seconds: int) -> None:
        """Keep a short-lived value (e.g. a question's pending answer) for ``ttl_seconds`` (an update: the
        callers hold no PutItem)."""
        fields = to_item(value) | {"expiresAt": int(time.time()) + ttl_seconds}
        self._table.update_item(
            Key={"pk": partition, "sk": key},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))) + " REMOVE taken",
            ExpressionAttributeNames={f"#f{i}": name for i, name in enumerate(fields)},
            ExpressionAttributeValues={f":v{i}": v for i, v in enumerate(fields.values())},
        )

    def take(self, partition: str, key: str) -> dict[str, Any] | None:
        """A held value, once: the first caller gets it, later ones (a second tap) and expired ones None."""
        try:
            item = self._table.update_item(
                Key={"pk": partition, "sk": key}, UpdateExpression="SET taken = :now",
                ConditionExpression="attribute_exists(pk) AND attribute_not_exists(taken) AND expiresAt > :now",
                ExpressionAttributeValues={":now": int(time.time())}, ReturnValues="ALL_NEW")["Attributes"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return None
        return {k: v for k, v in from_item(item).items() if k not in ("pk", "sk", "expiresAt", "taken")}

    # --- a long paste's parts (telegram_gateway.paste): one window per user and chat, UpdateItem only ----------

    PASTE_FIELDS = ("parts", "chars", "statusMessageId", "firstUpdate")

    def add_paste_part(self, partition: str, part: dict[str, Any], *, message_id: int, update_id: int, opens: bool,
                       stale_before: int, max_chars: int, ttl_seconds: int) -> dict[str, Any] | None:
        """Append one part (``{"messageId", "text"}``) to the window and make it the latest; returns the window
        as it was (no ``parts``: this part opened it), or None when ``opens`` is False and no window is open.
        A window whose last part came before ``stale_before`` (epoch seconds: its join never ran) is not open;
        one already holding ``max_chars`` only moves its latest id on (the joined text is cut there anyway,
        and the item stays small)."""
        now = int(time.time())
        moved = {":mid": message_id, ":now": now, ":ttl": now + ttl_seconds}
        appended = {**moved, ":part": [part], ":empty": [], ":n": len(part["text"]), ":update": update_id,
                    ":stale": stale_before, ":cap": max_chars}
        key = {"pk": partition, "sk": "window"}
        is_open = "attribute_exists(parts) AND lastAt >= :stale AND chars < :cap"
        try:
            old = self._table.update_item(
                Key=key, ReturnValues="ALL_OLD", ReturnValuesOnConditionCheckFailure="ALL_OLD",
                UpdateExpression="SET parts = list_append(if_not_exists(parts, :empty), :part), latest = :mid, "
                                 "lastAt = :now, expiresAt = :ttl, firstUpdate = if_not_exists(firstUpdate, :update) "
                                 "ADD chars :n",
                ConditionExpression=f"attribute_not_exists(parts) OR ({is_open})" if opens else is_open,
                ExpressionAttributeValues=appended).get("Attributes", {})
            return self._paste(old)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            raw = error.response.get("Item", {})  # the low-level item, as the client returns it
            old = from_item({k: TypeDeserializer().deserialize(v) for k, v in raw.items()})
        if "parts" in old and int(old.get("lastAt", 0)) >= stale_before:  # full: only the latest id moves on
            self._table.update_item(Key=key, UpdateExpression="SET latest = :mid, lastAt = :now, expiresAt = :ttl",
                                    ExpressionAttributeValues=moved)
            return self._paste(old)
        if not opens:
            return None
        self._table.update_item(  # stale: this part opens a new window
            Key=key, UpdateExpression="SET parts = :part, latest = :mid, lastAt = :now, expiresAt = :ttl, chars = :n, "
                                      "firstUpdate = :update REMOVE statusMessageId",
            ExpressionAttributeValues={k: appended[k] for k in (":part", ":mid", ":now", ":ttl", ":n", ":update")})
        return {}

    def set_paste_status(self, partition: str, status_message_id: int) -> None:
        """The window's status message (sent for its first part): the join turns it into the progress bar."""
        self._table.update_item(Key={"pk": partition, "sk": "window"}, UpdateExpression="SET statusMessageId = :s",
                                ExpressionAttributeValues={":s": status_message_id})

    def take_paste(self, partition: str, latest: int) -> dict[str, Any] | None:
        """The window's parts, once, if ``latest`` is still its latest part (else None: a newer part's event
        joins them); the window is emptied in the same write."""
        try:
            old = self._table.update_item(
                Key={"pk": partition, "sk": "window"}, ReturnValues="ALL_OLD",
                UpdateExpression="REMOVE parts, latest, chars, statusMessageId, firstUpdate",
                ConditionExpression="attribute_exists(parts) AND latest = :mid",
                ExpressionAttributeValues={":mid": latest})["Attributes"]
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConditionalCheckFailedException":
                raise
            return None
        return self._paste(old)

    def restore_paste(self, partition: str, window: dict[str, Any], latest: int, ttl_seconds: int) -> bool:
        """Put a taken window back (its join failed: the retry joins it again), unless a new one opened since."""
        values = {f":{name}": window[name] for name in self.PASTE_FIELDS if name in window}
        now = int(time.time())
        return self._conditional(
            self._table.update_item, Key={"pk": partition, "sk": "window"},
            UpdateExpression="SET " + ", ".join(f"{name[1:]} = {name}" for name in values)
                             + ", latest = :mid, lastAt = :now, expiresAt = :ttl",
            ConditionExpression="attribute_not_exists(parts)",
            ExpressionAttributeValues=values | {":mid": latest, ":now": now, ":ttl": now + ttl_seconds})

    def _paste(self, item: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in from_item(item).items() if k in self.PASTE_FIELDS}
