"""Users: profile, preferences (style, language, size) and brand kit."""

from __future__ import annotations

from typing import Any

from vibecoder.base import CamelModel, utc_now
from vibecoder.brand import BrandKit
from vibecoder.content import SlideSize
from vibecoder.repositories._dynamo import TableRepository, from_item, to_item


class UserPreferences(CamelModel):
    style: str | None = None
    language: str | None = None
    size: SlideSize | None = None


class HistoryEntry(CamelModel):
    request_id: str
    title: str
    status: str
    slides: int = 0
    at: str


class UserRecord(CamelModel):
    user_id: str
    username: str | None = None
    first_name: str | None = None
    language_code: str | None = None
    preferences: UserPreferences = UserPreferences()
    carousels_requested: int = 0
    history: list[HistoryEntry] = []  # newest first, at most HISTORY_LENGTH
    brand: BrandKit | None = None  # None: not seeded from Telegram yet
    created_at: str
    last_seen_at: str | None = None


HISTORY_LENGTH = 20


class UserRepository(TableRepository):
    def get(self, user_id: str) -> UserRecord | None:
        item = self._table.get_item(Key={"userId": user_id}).get("Item")
        return UserRecord.model_validate(from_item(item)) if item else None

    def touch(self, user_id: str, **profile: Any) -> tuple[UserRecord, bool]:
        """Create the user if new, refresh the profile and last-seen time; returns (user, created)."""
        now = utc_now().isoformat()
        record = UserRecord(user_id=user_id, created_at=now, last_seen_at=now, **profile)
        if self._conditional(self._table.put_item, Item=to_item(record.to_wire()),
                             ConditionExpression="attribute_not_exists(userId)"):
            return record, True
        values = {k: v for k, v in profile.items() if v is not None} | {"last_seen_at": now}
        names = {f"#f{i}": UserRecord.model_fields[k].alias or k for i, k in enumerate(values)}
        self._table.update_item(
            Key={"userId": user_id},
            UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(values))),
            ExpressionAttributeNames=names,
            ExpressionAttributeValues={f":v{i}": to_item(v) for i, v in enumerate(values.values())},
        )
        return self.get(user_id), False  # type: ignore[return-value]

    def set_preferences(self, user_id: str, preferences: UserPreferences) -> None:
        current = self.get(user_id)
        merged = (current.preferences if current else UserPreferences()).model_copy(
            update=preferences.model_dump(exclude_none=True)
        )
        self._table.update_item(
            Key={"userId": user_id},
            UpdateExpression="SET preferences = :p, createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":p": to_item(merged.to_wire()), ":now": utc_now().isoformat()},
        )

    def set_brand(self, user_id: str, brand: BrandKit) -> None:
        """Store the user's kit whole (the gateway changes one field at a time, from the kit it read)."""
        self._table.update_item(
            Key={"userId": user_id},
            UpdateExpression="SET brand = :b, createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":b": to_item(brand.to_wire()), ":now": utc_now().isoformat()},
        )

    def set_brand_image(self, user_id: str, kind: str, key: str | None) -> bool:
        """Record (or, with None, forget) the user's avatar or logo in the kit the gateway seeded; False when
        the user has no kit."""
        field = {"avatar": "avatarKey", "logo": "logoKey"}[kind]
        change = {"UpdateExpression": f"REMOVE brand.{field}"} if key is None else \
            {"UpdateExpression": f"SET brand.{field} = :key", "ExpressionAttributeValues": {":key": key}}
        return self._conditional(self._table.update_item, Key={"userId": user_id},
                                 ConditionExpression="attribute_exists(brand)", **change)

    def count_request(self, user_id: str) -> None:
        self._table.update_item(
            Key={"userId": user_id},
            UpdateExpression="ADD carouselsRequested :one SET createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":one": 1, ":now": utc_now().isoformat()},
        )

    def add_history(self, user_id: str, entry: HistoryEntry) -> None:
        """Prepend to the user's history, keeping the newest HISTORY_LENGTH entries."""
        response = self._table.update_item(
            Key={"userId": user_id},
            UpdateExpression="SET history = list_append(:entry, if_not_exists(history, :empty)), "
            "createdAt = if_not_exists(createdAt, :now)",
            ExpressionAttributeValues={":entry": [to_item(entry.to_wire())], ":empty": [], ":now": entry.at},
            ReturnValues="UPDATED_NEW",
        )
        length = len(response["Attributes"]["history"])
        if length > HISTORY_LENGTH:
            self._table.update_item(
                Key={"userId": user_id},
                UpdateExpression="REMOVE " + ", ".join(f"history[{i}]" for i in range(HISTORY_LENGTH, length)),
            )
