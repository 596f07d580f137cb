"""The delivery log paces the status message's edits: a step shown too soon after the last one is not
shown (and not recorded), in one conditional write (moto)."""

from __future__ import annotations

from vibecoder.repositories import DeliveryLog, DeliveryState

CHAT = -100200


def test_a_step_too_soon_after_the_last_one_is_not_shown_a_later_one_is(runtime):
    deliveries = DeliveryLog(runtime.settings.deliveries_table)

    assert deliveries.advance_progress("r-1", CHAT, 2, at=1_000.0, quiet_seconds=1.5) is True
    assert deliveries.advance_progress("r-1", CHAT, 3, at=1_001.0, quiet_seconds=1.5) is False  # 1 s later
    assert deliveries.get("r-1").progress == 2 and deliveries.get("r-1").progress_at == 1_000.0
    assert deliveries.advance_progress("r-1", CHAT, 3, at=1_001.0, quiet_seconds=0.5) is True
    assert deliveries.advance_progress("r-1", CHAT, 2, at=1_100.0, quiet_seconds=1.5) is False  # never backwards

    record = deliveries.get("r-1")
    assert record.progress == 3 and record.progress_at == 1_001.0 and record.state is DeliveryState.PENDING
