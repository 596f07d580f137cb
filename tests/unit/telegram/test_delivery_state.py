"""The sender's delivery log as its memory: albums sent, the furthest progress shown, the delivery's
state and its lease (moto)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from vibecoder.repositories import Claim, DeliveryLog, DeliveryState

CHAT = 1


def log(runtime) -> DeliveryLog:
    return DeliveryLog(runtime.settings.deliveries_table)


def test_progress_only_moves_forward_and_stops_when_the_chat_is_answered(runtime):
    deliveries = log(runtime)
    assert deliveries.advance_progress("r-1", CHAT, 3) is True  # the first write opens the log, pending
    assert deliveries.advance_progress("r-1", CHAT, 2) is False  # a late "content" after "rendering"
    assert deliveries.advance_progress("r-1", CHAT, 3) is False  # the same event again
    assert deliveries.claim("r-1", CHAT, lease_seconds=120)[0] is Claim.CLAIMED
    deliveries.settle("r-1", DeliveryState.DELIVERED, "buttons", [5])
    assert deliveries.advance_progress("r-1", CHAT, 4) is False
    record = deliveries.get("r-1")
    assert record.progress == 3 and record.state is DeliveryState.DELIVERED and record.chat_id == CHAT


def test_delivery_steps_are_remembered_in_order_of_sending(runtime):
    deliveries = log(runtime)
    deliveries.claim("r-1", CHAT, lease_seconds=120)
    deliveries.record_step("r-1", "album-1", [11, 12, 13])
    deliveries.record_step("r-1", "album-2", [14, 15])
    assert deliveries.get("r-1").steps == {"album-1": [11, 12, 13], "album-2": [14, 15]}


def test_a_delivery_starts_pending_with_its_first_write_and_only_pending_ones_are_listed(runtime):
    deliveries = log(runtime)
    deliveries.advance_progress("r-1", CHAT, 1)
    deliveries.claim("r-2", CHAT, lease_seconds=120)
    deliveries.settle("r-2", DeliveryState.FAILED, "apology", [7])

    assert deliveries.get("r-1").state is DeliveryState.PENDING
    assert deliveries.get("never") is None
    assert [r.request_id for r in deliveries.list_pending()] == ["r-1"]


def test_one_attempt_at_a_time_holds_the_delivery_until_it_settles_or_its_lease_expires(runtime):
    deliveries = log(runtime)
    now = datetime.now(UTC)

    claim, record = deliveries.claim("r-1", CHAT, lease_seconds=120, now=now)
    assert claim is Claim.CLAIMED and record.attempts == 1
    assert deliveries.claim("r-1", CHAT, lease_seconds=120, now=now + timedelta(seconds=60))[0] is Claim.BUSY
    # An attempt that died without releasing: its lease runs out.
    claim, record = deliveries.claim("r-1", CHAT, lease_seconds=120, now=now + timedelta(seconds=121))
    assert claim is Claim.CLAIMED and record.attempts == 2
    deliveries.release("r-1")  # a failed attempt gives the lease back at once
    assert deliveries.claim("r-1", CHAT, lease_seconds=120, now=now + timedelta(seconds=122))[0] is Claim.CLAIMED

    deliveries.settle("r-1", DeliveryState.DELIVERED, "buttons", [20])
    record = deliveries.get("r-1")
    assert record.state is DeliveryState.DELIVERED and record.steps == {"buttons": [20]}
    claim, settled = deliveries.claim("r-1", CHAT, lease_seconds=120)
    assert claim is Claim.SETTLED and settled.attempts == 3  # the refused claim counted nothing
    assert deliveries.list_pending() == []
