"""Users and their carousel history: created on first contact, history kept per user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import CarouselCompleted, DataCarouselSaved, DataUserCreated
from vibecoder.repositories import HistoryEntry, UserRepository

SERVICE = "data-persistence"
UNTITLED = "—"


@dataclass
class PersistenceDeps:
    users: UserRepository


def handle(event: EventEnvelope, deps: PersistenceDeps) -> list[FollowUp]:
    if event.type == "telegram.user.message.received":
        message = event.data
        user, created = deps.users.touch(
            message.user_id, username=message.username, first_name=message.first_name,
            language_code=message.language_code,
        )
        if not created:
            return []
        created_at = datetime.fromisoformat(user.created_at)
        return [FollowUp("data.user.created", DataUserCreated(user_id=user.user_id, created_at=created_at))]
    carousel = event.data  # carousel.completed | carousel.failed
    if isinstance(carousel, CarouselCompleted):
        status, title, slides = "completed", carousel.title, len(carousel.slides)
    else:
        status, title, slides = "failed", carousel.reason, 0
    title = title.strip() or UNTITLED  # content without a title (e.g. made from punctuation) is still history
    deps.users.add_history(
        carousel.user_id,
        HistoryEntry(request_id=carousel.request_id, title=title, status=status, slides=slides,
                     at=event.timestamp.isoformat()),
    )
    saved = DataCarouselSaved(request_id=carousel.request_id, user_id=carousel.user_id, status=status)
    return [FollowUp("data.carousel.saved", saved)]
