"""Start an EventBridge archive replay for a time window (operator command).

    python -m tools.archive_replay --archive vibecoder-archive --bus vibecoder-bus \\
        --start 2026-11-27T10:00:00Z --end 2026-11-27T11:00:00Z

Replayed events reach every rule of the bus again; consumers are idempotent by event id, so only
what never completed the first time has any effect.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

import boto3


def start_replay(events, archive: str, bus: str, start: datetime, end: datetime, name: str | None = None) -> dict:
    archive_arn = events.describe_archive(ArchiveName=archive)["ArchiveArn"]
    bus_arn = events.describe_event_bus(Name=bus)["Arn"]
    replay_name = name or f"{archive}-{start:%Y%m%dT%H%M%S}-{end:%Y%m%dT%H%M%S}"
    events.start_replay(ReplayName=replay_name, EventSourceArn=archive_arn, EventStartTime=start,
                        EventEndTime=end, Destination={"Arn": bus_arn})
    return events.describe_replay(ReplayName=replay_name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--archive", required=True)
    parser.add_argument("--bus", required=True)
    parser.add_argument("--start", required=True, type=datetime.fromisoformat, help="ISO 8601, e.g. 2026-11-27T10:00Z")
    parser.add_argument("--end", required=True, type=datetime.fromisoformat)
    parser.add_argument("--name")
    args = parser.parse_args(argv)
    if args.end <= args.start:
        parser.error("--end must be after --start")
    replay = start_replay(boto3.client("events"), args.archive, args.bus, args.start, args.end, args.name)
    print(f"replay {replay['ReplayName']}: {replay['State']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
