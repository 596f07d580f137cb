"""The publisher speaks EventBridge put_events: batches of 10, failed entries retried, then an error."""

import json

import pytest

from vibecoder.bus import EventBridgePublisher, EventPublishError
from vibecoder.events.catalog import CATALOG


def events(n):
    return [CATALOG.new_event("analytics.user.interaction.tracked", {"userId": f"u{i}", "action": "x"},
                              correlation_id=f"c{i}", source="api") for i in range(n)]


class FakeEventBridge:
    """Fails the entries whose position is listed, for the first ``failing_calls`` calls."""

    def __init__(self, failing_positions=(), failing_calls=0):
        self.calls = []
        self.failing_positions, self.failing_calls = set(failing_positions), failing_calls

    def put_events(self, Entries):  # noqa: N803 - boto3's parameter name
        self.calls.append(Entries)
        failing = self.failing_positions if len(self.calls) <= self.failing_calls else set()
        results = [{"ErrorCode": "InternalFailure", "ErrorMessage": "boom"} if i in failing else {"EventId": str(i)}
                   for i in range(len(Entries))]
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def test_batches_of_ten_with_source_detail_type_and_envelope():
    fake = FakeEventBridge()
    EventBridgePublisher("bus", client=fake).publish(events(23))

    assert [len(call) for call in fake.calls] == [10, 10, 3]
    entry = fake.calls[0][0]
    assert entry["Source"] == "vibecoder.api" and entry["EventBusName"] == "bus"
    assert entry["DetailType"] == "analytics.user.interaction.tracked"
    assert json.loads(entry["Detail"])["correlationId"] == "c0"


def test_only_failed_entries_are_retried():
    fake = FakeEventBridge(failing_positions={1, 3}, failing_calls=1)
    EventBridgePublisher("bus", client=fake, backoff_seconds=0).publish(events(5))

    assert len(fake.calls) == 2
    retried = [json.loads(e["Detail"])["correlationId"] for e in fake.calls[1]]
    assert retried == ["c1", "c3"]


def test_raises_when_entries_keep_failing():
    fake = FakeEventBridge(failing_positions={0}, failing_calls=99)
    with pytest.raises(EventPublishError, match="1 event"):
        EventBridgePublisher("bus", client=fake, max_attempts=3, backoff_seconds=0).publish(events(2))
    assert len(fake.calls) == 3


def test_forwards_the_xray_trace_header(monkeypatch):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-abc;Parent=def;Sampled=1")
    fake = FakeEventBridge()
    EventBridgePublisher("bus", client=fake).publish(events(1))
    assert fake.calls[0][0]["TraceHeader"] == "Root=1-abc;Parent=def;Sampled=1"
