"""Carousels: one item per request, its status, slides, S3 keys and timings.

Only the carousel-generator writes it (one typed patch per workflow stage); everyone else reads.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from boto3.dynamodb.conditions import Key
from pydantic import Field

from vibecoder.base import CamelModel, utc_now
from vibecoder.brand import BrandKit
from vibecoder.content import ContentProvenance, Slide, SlideSize
from vibecoder.repositories._dynamo import TableRepository, expires_at, from_item, to_item
from vibecoder.workflow import CarouselStatus, Stage

RETENTION_DAYS = 90
UNDO_DEPTH = 10  # edits Undo can step back through
EDIT_STALE_SECONDS = 120  # an edit that never finished rendering no longer blocks the next one


class RecordedSlide(Slide):
    image_keys: list[str] = Field(default_factory=list)  # its images, in order, once rendered
    version: int = 1  # 1 as generated; each edit of the slide adds one


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
    slides: list[RecordedSlide] = Field(default_factory=list)
    timings: dict[str, float] = Field(default_factory=dict)
    provider: str | None = None
    content: ContentProvenance | None = None  # who wrote the content (and why it fell back)
    failure: str | None = None
    restyle_of: str | None = None  # the carousel whose slides this one re-renders in another style
    status_message_id: int | None = None  # the Telegram progress message, for whoever ends the request
    reply_language: str | None = None  # the language the bot talks to the user in
    size: SlideSize | None = None
    brand: BrandKit | None = None  # the kit the slides were drawn with (None: the operator's handle)
    revision: int = 0  # edits applied so far; each edit's images are stored under its revision
    undo: list[list[RecordedSlide]] = Field(default_factory=list)  # the slides before each edit, oldest first
    pending_edit: PendingEdit | None = None  # an edit whose images are being drawn
    source_credit: str | None = None  # a forwarded post's source, put into the caption with the content
    message_thread_id: int | None = None  # the forum topic it was asked in (a re-driven answer goes there too)
    reply_to_message_id: int | None = None  # the message that asked
    created_at: str = Field(default_factory=lambda: utc_now().isoformat())
    updated_at: str | None = None


class PendingEdit(CamelModel):
    """An edit in flight: the slides it makes, waiting for their new images (at most one at a time)."""

    edit_id: str
    operation: str
    revision: int  # the carousel's revision once it is applied
    slides: list[RecordedSlide]  # the carousel after the edit; the changed slides' image keys are the old ones
    changed: list[int]  # the slides (1-based, in ``slides``) to render
    slide: int | None = None  # the slide the edit is about
    started_at: str = Field(default_factory=lambda: utc_now().isoformat())


class StagePatch(CamelModel):
    """What one workflow stage changes on the record besides its status and timing (None: unchanged)."""

    title: str | None = None
    caption: str | None = None
    language: str | None = None
    style: str | None = None
    provider: str | None = None
    content: ContentProvenance | None = None
    slides: list[RecordedSlide] | None = None
    failure: str | None = None
    brand: BrandKit | None = None  # the kit as drawn (an image the renderer could not read is not in it)


# A record written before edits existed has no revision: it is at revision 0.
_AT_REVISION = "(#revision = :revision OR (:revision = :zero AND attribute_not_exists(#revision)))"


class CarouselRepository(TableRepository):
    def start(self, record: CarouselRecord) -> bool:
        """Record a new carousel as it is (one write); False when it exists already (a redelivery)."""
        record = record.model_copy(update={"updated_at": record.updated_at or record.created_at})
        item = to_item(record.to_wire()) | {"expiresAt": expires_at(RETENTION_DAYS)}
        return self._conditional(self._table.put_item, Item=item, ConditionExpression="attribute_not_exists(requestId)")

    def get(self, request_id: str) -> CarouselRecord | None:
        item = self._table.get_item(Key={"requestId": request_id}).get("Item")
        return CarouselRecord.model_validate(from_item(item)) if item else None

    def advance(self, request_id: str, stage: Stage, elapsed_ms: float | None, patch: StagePatch | None = None,
                *, unmoved_since: str | None = None) -> bool:
        """Move the carousel to ``stage``: its status, its timing (when ``elapsed_ms`` is given) and the patch,
        in one write. A terminal carousel is never moved again, and with ``unmoved_since`` (an
        ``updatedAt``) neither is one that moved since: False when the write was refused."""
        values: dict[str, Any] = (patch.to_wire() if patch else {}) | {"status": stage.status.value,
                                                                        "updatedAt": utc_now().isoformat()}
        names = {f"#f{i}": name for i, name in enumerate(values)} | {"#status": "status"}
        expression = ", ".join(f"#f{i} = :v{i}" for i in range(len(values)))
        attribute_values = {f":v{i}": to_item(v) for i, v in enumerate(values.values())}
        if elapsed_ms is not None:
            names["#timings"], names["#timing"] = "timings", stage.timing
            expression += ", #timings.#timing = :elapsed"
            attribute_values[":elapsed"] = to_item(round(elapsed_ms, 1))
        attribute_values[":completed"], attribute_values[":failed"] = "completed", "failed"
        condition = "attribute_exists(requestId) AND NOT #status IN (:completed, :failed)"
        if unmoved_since is not None:
            names["#updated"], attribute_values[":since"] = "updatedAt", unmoved_since
            condition += " AND #updated = :since"
        return self._conditional(
            self._table.update_item,
            Key={"requestId": request_id},
            UpdateExpression="SET " + expression,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=attribute_values,
        )

    # --- edits of a completed carousel: optimistic on its revision, one in flight at a time ---------

    def begin_edit(self, request_id: str, expected_revision: int, pending: PendingEdit) -> bool:
        """Hold ``pending`` on a completed carousel still at ``expected_revision`` with no other edit in
        flight (or only a stale one); False when refused."""
        stale = (utc_now() - timedelta(seconds=EDIT_STALE_SECONDS)).isoformat()
        return self._conditional(
            self._table.update_item, Key={"requestId": request_id},
            UpdateExpression="SET pendingEdit = :pending, updatedAt = :now",
            ConditionExpression="#status = :completed AND " + _AT_REVISION
                                + " AND (attribute_not_exists(pendingEdit) OR pendingEdit.startedAt < :stale)",
            ExpressionAttributeNames={"#status": "status", "#revision": "revision"},
            ExpressionAttributeValues={":pending": to_item(pending.to_wire()), ":now": utc_now().isoformat(),
                                       ":completed": "completed", ":revision": expected_revision, ":zero": 0,
                                       ":stale": stale})

    def update_pending(self, request_id: str, pending: PendingEdit) -> bool:
        """Replace the edit in flight by a later form of itself (a rewritten slide's text)."""
        return self._conditional(
            self._table.update_item, Key={"requestId": request_id},
            UpdateExpression="SET pendingEdit = :pending", ConditionExpression="pendingEdit.editId = :edit",
            ExpressionAttributeValues={":pending": to_item(pending.to_wire()), ":edit": pending.edit_id})

    def abandon_edit(self, request_id: str, edit_id: str) -> bool:
        return self._conditional(
            self._table.update_item, Key={"requestId": request_id}, UpdateExpression="REMOVE pendingEdit",
            ConditionExpression="pendingEdit.editId = :edit", ExpressionAttributeValues={":edit": edit_id})

    def revise(self, request_id: str, expected_revision: int, slides: list[RecordedSlide],
               undo: list[list[RecordedSlide]], *, edit_id: str | None = None) -> bool:
        """Apply an edit: the new slides, the undo stack and the next revision, in one write. With
        ``edit_id`` it finishes that edit in flight; without (Undo) there must be none in flight."""
        pending = "pendingEdit.editId = :edit" if edit_id else "attribute_not_exists(pendingEdit)"
        values: dict[str, Any] = {":slides": to_item([s.to_wire() for s in slides]),
                                  ":undo": to_item([[s.to_wire() for s in step] for step in undo[-UNDO_DEPTH:]]),
                                  ":next": expected_revision + 1, ":now": utc_now().isoformat(),
                                  ":completed": "completed", ":revision": expected_revision, ":zero": 0}
        if edit_id:
            values[":edit"] = edit_id
        return self._conditional(
            self._table.update_item, Key={"requestId": request_id},
            UpdateExpression="SET slides = :slides, #undo = :undo, #revision = :next, updatedAt = :now "
                             "REMOVE pendingEdit",
            ConditionExpression=f"#status = :completed AND {_AT_REVISION} AND {pending}",
            ExpressionAttributeNames={"#status": "status", "#revision": "revision", "#undo": "undo"},
            ExpressionAttributeValues=values)

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

