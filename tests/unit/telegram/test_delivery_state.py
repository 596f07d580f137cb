"""The carousel record as the sender's memory: albums sent, the furthest progress shown, the delivery's
state and its lease (moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vibecoder.events.models import CarouselGenerateRequested
from vibecoder.repositories import CarouselRepository, CarouselStatus, Claim, DeliveryState


def new_carousel(runtime, request_id: str = "r-1") -> CarouselRepository:
    carousels = CarouselRepository(runtime.settings.carousels_table)
    carousels.create(CarouselGenerateRequested(request_id=request_id, user_id="u", chat_id=1, channel="telegram",
                                               topic="TDD", status_message_id=9))
    return carousels


def test_progress_only_moves_forward_and_stops_when_the_carousel_ends(runtime):
    carousels = new_carousel(runtime)
    assert carousels.advance_progress("r-1", 3) is True
    assert carousels.advance_progress("r-1", 2) is False  # a late "content" after "rendering"
    assert carousels.advance_progress("r-1", 3) is False  # the same event again
    carousels.update("r-1", status=CarouselStatus.COMPLETED)
    assert carousels.advance_progress("r-1", 4) is False
    assert carousels.advance_progress("missing", 1) is False
    assert carousels.get("r-1").progress == 3


def test_delivery_steps_are_remembered_even_on_a_finished_carousel(runtime):
    carousels = new_carousel(runtime)
    carousels.update("r-1", status=CarouselStatus.COMPLETED)
    carousels.record_delivery("r-1", "album-1", [11, 12, 13])
    carousels.record_delivery("r-1", "buttons", [14])
    assert carousels.get("r-1").delivery_steps == {"album-1": [11, 12, 13], "buttons": [14]}


def test_a_telegram_request_starts_pending_and_an_api_request_has_no_delivery(runtime):
    carousels = new_carousel(runtime)
    carousels.create(CarouselGenerateRequested(request_id="r-api", user_id="u", topic="TDD"))

    assert carousels.get("r-1").delivery is DeliveryState.PENDING
    assert carousels.get("r-api").delivery is None
    assert [r.request_id for r in carousels.list_undelivered()] == ["r-1"]


def test_one_attempt_at_a_time_holds_the_delivery_until_it_settles_or_its_lease_expires(runtime):
    carousels = new_carousel(runtime)
    now = datetime.now(UTC)

    claim, record = carousels.claim_delivery("r-1", lease_seconds=120, now=now)
    assert claim is Claim.CLAIMED and record.delivery_attempts == 1
    assert carousels.claim_delivery("r-1", lease_seconds=120, now=now + timedelta(seconds=60))[0] is Claim.BUSY
    # An attempt that died without releasing: its lease runs out.
    claim, record = carousels.claim_delivery("r-1", lease_seconds=120, now=now + timedelta(seconds=121))
    assert claim is Claim.CLAIMED and record.delivery_attempts == 2
    carousels.release_delivery("r-1")  # a failed attempt gives the lease back at once
    assert carousels.claim_delivery("r-1", lease_seconds=120, now=now + timedelta(seconds=122))[0] is Claim.CLAIMED

    carousels.settle_delivery("r-1", DeliveryState.DELIVERED, "buttons", [20])
    record = carousels.get("r-1")
    assert record.delivery is DeliveryState.DELIVERED and record.delivery_steps == {"buttons": [20]}
    assert carousels.claim_delivery("r-1", lease_seconds=120)[0] is Claim.SETTLED
    assert carousels.list_undelivered() == []
    assert carousels.claim_delivery("unknown", lease_seconds=120) == (Claim.UNRECORDED, None)
