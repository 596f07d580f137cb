"""What every other module builds on, and nothing else: the wire model base, ids and the clock.

Dependency-free within the project (pydantic and the standard library only), so the Telegram client,
the repositories and the event models can share it without depending on each other.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """Base for every model on the wire: camelCase JSON, snake_case Python."""

    # defer_build: validators are built on first use, not at import (a cold start pays only for the
    # models its function touches).
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", defer_build=True)

    def to_wire(self) -> dict:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def new_id() -> str:
    return str(uuid.uuid4())


def derived_id(*parts: str) -> str:
    """The same id for the same parts, every time (a re-run emits the ids its consumers already dropped)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "vibecoder:" + "/".join(parts)))


def utc_now() -> datetime:
    return datetime.now(UTC)
