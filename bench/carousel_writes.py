"""DynamoDB writes of one ``python -m local carousel`` request, by function, table and operation.

Counts every DynamoDB call the handlers make (``awscalls.record_calls``) while one request of the local
flow runs (offline content, in-process moto), so a change to who writes what shows up as a number.
Run: ``python bench/carousel_writes.py "Event-driven architecture" --slides 5``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

from awscalls import dynamodb_writes, record_runtime_calls  # noqa: E402


def count_writes(topic: str, slides: int) -> dict:
    """Run one request through the local flow and count the DynamoDB operations it made."""
    import local.runtime  # noqa: F401 - puts the functions and layers on sys.path
    from local.flow import run_carousel
    from local.runtime import LocalRuntime

    with (tempfile.TemporaryDirectory() as out, LocalRuntime(out_dir=out) as runtime,
          record_runtime_calls(runtime) as log):
        result = run_carousel(runtime, topic, slides=slides, out_dir=Path(out))
    writes = dynamodb_writes(log)
    return {"status": result.status,
            "dynamodbOperations": sum(1 for c in log.calls if c.service == "dynamodb"),
            "dynamodbWrites": sum(writes.values()),
            "putEvents": sum(1 for c in log.calls if c.service == "events" and c.operation == "PutEvents"),
            "writes": [{"function": f, "table": t, "operation": o, "count": n}
                       for (f, t, o), n in sorted(writes.items())]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("topic", nargs="?", default="Event-driven architecture")
    parser.add_argument("--slides", type=int, default=5)
    args = parser.parse_args()
    print(json.dumps(count_writes(args.topic, args.slides), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
