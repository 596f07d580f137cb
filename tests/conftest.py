"""Shared fixtures: the local runtime (moto) and an isolated environment for every test."""

from __future__ import annotations

import os

import pytest

# Fake credentials before anything imports boto3: nothing can ever reach real AWS.
os.environ.update(
    AWS_DEFAULT_REGION="us-east-1",
    AWS_ACCESS_KEY_ID="testing",
    AWS_SECRET_ACCESS_KEY="testing",
    POWERTOOLS_TRACE_DISABLED="true",
    POWERTOOLS_METRICS_DISABLED="true",
    POWERTOOLS_LOG_LEVEL="ERROR",
)
os.environ.pop("AWS_PROFILE", None)
os.environ.pop("AWS_ENDPOINT_URL", None)

# The renderer first: Pillow binds FriBiDi once, when its font module loads (PIL.ImageDraw loads it),
# so the renderer must load its bundled copy before any test imports Pillow's drawing modules.
import image_renderer.rendering  # noqa: E402,F401


@pytest.fixture
def clock():
    """Seconds that pass only when someone sleeps: the router's delayed retries cost no real time."""
    from tests.fakes.telegram_api import FakeClock

    return FakeClock()


@pytest.fixture
def runtime(tmp_path, clock):
    """The whole local topology (moto DynamoDB, S3, EventBridge rules, SQS queues) for one test."""
    from local.runtime import LocalRuntime

    with LocalRuntime(out_dir=tmp_path / "out", clock=clock, sleep=clock.sleep) as local_runtime:
        yield local_runtime
