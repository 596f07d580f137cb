"""Replaying the bus archive repeats nothing: every consumer remembers an event (Powertools
Idempotency) as long as the archive keeps it (``REPLAY_WINDOW_DAYS``), and the operator command
replays only to the catalog's rules, found from the stack's outputs."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from local.flow import run_carousel
from tools.archive_replay import WindowTooOld, check_window, main, start_replay
from vibecoder.aws import client, table
from vibecoder.events.catalog import CATALOG
from vibecoder.repositories import AnalyticsRepository
from vibecoder.tables import REPLAY_WINDOW_DAYS

ARCHIVE = "vibecoder-archive"


@pytest.fixture
def archive(runtime):
    """The bus's archive, as CDK defines it: every vibecoder event."""
    events = client("events")
    bus_arn = events.describe_event_bus(Name=runtime.settings.event_bus_name)["Arn"]
    events.create_archive(ArchiveName=ARCHIVE, EventSourceArn=bus_arn,
                          EventPattern=json.dumps({"source": [{"prefix": "vibecoder."}]}))
    return ARCHIVE


def as_if_written_days_ago(runtime, days: int) -> int:
    """Move every idempotency record's expiry back by ``days``, as if it had been written that long ago."""
    records = table(runtime.settings.idempotency_table)
    items = records.scan()["Items"]
    for item in items:
        records.update_item(Key={"id": item["id"]}, UpdateExpression="SET expiration = :at",
                            ExpressionAttributeValues={":at": int(item["expiration"]) - days * 86400})
    return len(items)


def albums(tmp_path, chat_id: int) -> int:
    return len(list((tmp_path / "out" / "telegram" / str(chat_id)).glob("*-sendMediaGroup")))


def test_replaying_the_archive_two_days_later_repeats_nothing(runtime, archive, tmp_path):
    flow = run_carousel(runtime, "TDD", slides=2, out_dir=tmp_path / "out", chat_id=99)
    assert flow.status == "completed" and albums(tmp_path, 99) == 1
    counters = AnalyticsRepository(runtime.settings.analytics_table)
    counted = counters.counters("total")
    # One record per step that is not idempotent by itself (the sender's progress edits and the audit are):
    # the generator's three steps, content, render, the album, the history, analytics' two counts.
    assert as_if_written_days_ago(runtime, days=2) >= 9

    now = datetime.now(UTC)
    start_replay(client("events"), archive, runtime.settings.event_bus_name, now - timedelta(hours=1),
                 now + timedelta(minutes=1))
    runtime.router.drain()

    assert counters.counters("total") == counted  # analytics counted nothing twice
    assert albums(tmp_path, 99) == 1
    assert runtime.router.dead_letters() == []


def test_the_command_finds_the_archive_in_the_stack_outputs_and_replays_to_the_catalogs_rules_only(
        runtime, archive, tmp_path, capsys):
    events, bus = client("events"), runtime.settings.event_bus_name
    events.put_rule(Name="alerts-to-topic", EventBusName=bus,  # not the catalog's: its target e-mails people
                    EventPattern=json.dumps({"detail-type": ["analytics.alert.triggered"]}))
    outputs = tmp_path / "cdk-outputs.json"
    outputs.write_text(json.dumps({"BibleVibeCoder": {"EventArchiveName": archive, "EventBusName": bus}}))
    sent = []
    boto3.DEFAULT_SESSION or boto3.setup_default_session()
    boto3.DEFAULT_SESSION.events.register("provide-client-params.events.StartReplay",
                                          lambda params, **_: sent.append(params))
    now = datetime.now(UTC)

    assert main(["--outputs", str(outputs), "--start", (now - timedelta(hours=2)).isoformat(),
                 "--end", now.isoformat()]) == 0

    (params,) = sent
    rules = {arn.rsplit("/", 1)[-1] for arn in params["Destination"]["FilterArns"]}
    assert rules == {sub.rule_name for sub in CATALOG.subscriptions()}
    assert params["EventSourceArn"].endswith(f"archive/{archive}")
    assert params["Destination"]["Arn"] == events.describe_event_bus(Name=bus)["Arn"]
    assert f"replay {params['ReplayName']}" in capsys.readouterr().out


def test_a_window_older_than_consumers_remember_is_refused(runtime, archive, capsys):
    now = datetime.now(UTC)
    with pytest.raises(WindowTooOld, match=f"{REPLAY_WINDOW_DAYS} days"):
        check_window(now - timedelta(days=REPLAY_WINDOW_DAYS + 1), now - timedelta(days=REPLAY_WINDOW_DAYS))
    with pytest.raises(SystemExit) as refused:
        main(["--archive", archive, "--bus", runtime.settings.event_bus_name,
              "--start", (now - timedelta(days=REPLAY_WINDOW_DAYS + 2)).isoformat(), "--end", now.isoformat()])
    assert refused.value.code == 2 and "would repeat their effects" in capsys.readouterr().err
    check_window(now - timedelta(days=REPLAY_WINDOW_DAYS - 1), now)  # inside the window: fine
