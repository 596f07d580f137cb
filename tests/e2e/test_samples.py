"""Every sample in events/samples/ is a valid input that runs through its function's handler."""

import json
from pathlib import Path

import pytest

from vibecoder.events.catalog import CATALOG

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "samples"


def function_of(sample: Path) -> str:
    name = sample.stem
    return next(s for s in sorted(CATALOG.services, key=len, reverse=True) if name.startswith(s))


def test_every_function_has_a_sample():
    assert {function_of(p) for p in SAMPLES.glob("*.json")} == set(CATALOG.services)


@pytest.mark.parametrize("sample", sorted(SAMPLES.glob("*.json")), ids=lambda p: p.stem)
def test_sample_runs_through_its_handler(runtime, sample):
    event = json.loads(sample.read_text(encoding="utf-8"))
    if "detail" in event and event.get("source", "").startswith("vibecoder."):
        CATALOG.parse(event["detail"])  # a bus sample holds a valid envelope

    result = runtime.invoke(function_of(sample), event)

    if "statusCode" in result:  # API Gateway proxy response
        assert 200 <= result["statusCode"] < 300, result
    else:
        assert "emitted" in result or "health" in result
