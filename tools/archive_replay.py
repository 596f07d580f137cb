"""Replay a window of the bus archive to the catalog's rules (operator command).

    python -m tools.archive_replay --start 2026-11-27T10:00:00Z --end 2026-11-27T11:00:00Z \\
        [--outputs build/cdk-outputs.json | --stack BibleVibeCoder] [--archive NAME --bus NAME]

The archive and the bus come from the stack's outputs (``EventArchiveName``, ``EventBusName``: the
file ``cdk deploy --outputs-file`` wrote, or CloudFormation), unless named. The replay goes only to
the rules the event catalog defines (one per subscription), never to the bus's other rules (the
alert rule would e-mail the alarm topic again). Consumers are idempotent by event id for
``REPLAY_WINDOW_DAYS``, as long as the archive keeps events, so only what never completed the first
time has any effect; a window that starts earlier than that is refused, since its events would run
again as new.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared" / "python")]

from tools.webhook import DEFAULT_STACK, stack_outputs  # noqa: E402
from vibecoder.events.catalog import CATALOG  # noqa: E402 - needs the path above
from vibecoder.tables import REPLAY_WINDOW_DAYS  # noqa: E402

ARCHIVE_OUTPUT, BUS_OUTPUT = "EventArchiveName", "EventBusName"


class WindowTooOld(ValueError):
    pass


def catalog_rule_arns(events: Any, bus: str) -> list[str]:
    """The ARNs of the catalog's rules on ``bus`` (each must exist: a missing one is a stack out of date)."""
    return [events.describe_rule(Name=sub.rule_name, EventBusName=bus)["Arn"] for sub in CATALOG.subscriptions()]


def check_window(start: datetime, end: datetime, now: datetime | None = None) -> None:
    now = now or datetime.now(UTC)
    if end <= start:
        raise ValueError("--end must be after --start")
    if start < now - timedelta(days=REPLAY_WINDOW_DAYS):
        raise WindowTooOld(f"{start.isoformat()} is more than {REPLAY_WINDOW_DAYS} days ago: consumers no longer "
                           "remember those events, so replaying them would repeat their effects")


def start_replay(events: Any, archive: str, bus: str, start: datetime, end: datetime, name: str | None = None,
                 now: datetime | None = None) -> dict:
    check_window(start, end, now)
    archive_arn = events.describe_archive(ArchiveName=archive)["ArchiveArn"]
    bus_arn = events.describe_event_bus(Name=bus)["Arn"]
    replay_name = name or f"{archive}-{start:%Y%m%dT%H%M%S}-{end:%Y%m%dT%H%M%S}"[:64]
    events.start_replay(ReplayName=replay_name, EventSourceArn=archive_arn, EventStartTime=start,
                        EventEndTime=end, Destination={"Arn": bus_arn, "FilterArns": catalog_rule_arns(events, bus)})
    return events.describe_replay(ReplayName=replay_name)


def _utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.archive_replay", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--start", required=True, type=_utc, help="ISO 8601, e.g. 2026-11-27T10:00Z (UTC if no zone)")
    parser.add_argument("--end", required=True, type=_utc)
    parser.add_argument("--outputs", type=Path, help="the JSON file written by cdk deploy --outputs-file")
    parser.add_argument("--stack", default=DEFAULT_STACK, help=f"stack name (default {DEFAULT_STACK})")
    parser.add_argument("--archive", help=f"archive name (default: the stack output {ARCHIVE_OUTPUT})")
    parser.add_argument("--bus", help=f"bus name (default: the stack output {BUS_OUTPUT})")
    parser.add_argument("--name", help="replay name (default: from the archive and the window)")
    args = parser.parse_args(argv)
    outputs = stack_outputs(args.outputs, args.stack) if not (args.archive and args.bus) else {}
    archive, bus = args.archive or outputs.get(ARCHIVE_OUTPUT), args.bus or outputs.get(BUS_OUTPUT)
    if not archive or not bus:
        parser.error(f"no archive or bus: the stack outputs lack {ARCHIVE_OUTPUT}/{BUS_OUTPUT}; pass --archive and --bus")
    import boto3  # only when talking to AWS

    try:
        replay = start_replay(boto3.client("events"), archive, bus, args.start, args.end, args.name)
    except ValueError as error:
        parser.error(str(error))
    print(f"replay {replay['ReplayName']} of {archive} to {bus} ({len(CATALOG.subscriptions())} catalog rules): "
          f"{replay['State']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
