"""The archive keeps events exactly as long as consumers remember them, and the stack names it."""

from __future__ import annotations

import aws_cdk as cdk
import pytest

from cdk.eventing import EventBus
from vibecoder.tables import REPLAY_WINDOW_DAYS


def test_the_archive_keeps_events_as_long_as_idempotency_records_live(synth):
    (archive,) = synth.resources("AWS::Events::Archive").values()
    assert archive["Properties"]["RetentionDays"] == REPLAY_WINDOW_DAYS


def test_the_stack_outputs_the_archive_for_the_replay_command(synth):
    outputs = synth.data["Outputs"]
    assert outputs["EventArchiveName"]["Value"] == {"Ref": synth.logical_id(synth.stack.events.archive)}
    assert "EventBusName" in outputs


@pytest.mark.parametrize("days", [REPLAY_WINDOW_DAYS + 1, 0])
def test_an_archive_longer_than_the_replay_window_is_refused_at_synthesis(days):
    with pytest.raises(ValueError, match="archiveRetentionDays"):
        EventBus(cdk.Stack(cdk.App(), "S"), "Events", bus_name="b", archive_days=days)
