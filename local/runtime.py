"""The deployed topology, on this machine: moto for AWS, the catalog's rules, handlers invoked in-process.

With ``AWS_ENDPOINT_URL`` set (a moto server), everything goes there instead of the in-process mock.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CODE_PATHS = [ROOT / "functions", ROOT / "layers" / "shared" / "python"]  # /var/task and /opt/python in Lambda
LOCAL_WEBHOOK_SECRET = "local-webhook-secret"

for _path in CODE_PATHS:
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))


# The orchestrator's deployed timings (environment variable → Settings field), run compressed like the
# router's retries and the schedule.
COMPRESSED_SETTINGS = {"STEP_TIMEOUT_SECONDS": "step_timeout_seconds",
                       "DELIVERY_DEADLINE_SECONDS": "delivery_deadline_seconds"}


def compressed_timings(compression: float) -> dict[str, str]:
    """The orchestrator's timeouts ``compression`` times shorter than deployed, unless set explicitly."""
    from vibecoder.settings import Settings

    return {variable: os.environ.get(variable) or str(max(1, round(Settings.model_fields[name].default / compression)))
            for variable, name in COMPRESSED_SETTINGS.items()}


def local_environment(out_dir: Path, verbose: bool) -> dict[str, str]:
    """Environment the handlers see; fake credentials so nothing can ever reach real AWS."""
    from local.router import time_compression

    return compressed_timings(time_compression()) | {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "false" if verbose else "true",
        "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "INFO" if verbose else "ERROR"),
        "AWS_LAMBDA_FUNCTION_NAME": "vibecoder-local",
        "LOCAL_OUT_DIR": str(out_dir),
        "TELEGRAM_WEBHOOK_SECRET": os.environ.get("TELEGRAM_WEBHOOK_SECRET") or LOCAL_WEBHOOK_SECRET,
    }


class LocalRuntime:
    def __init__(self, out_dir: str | Path = "out", verbose: bool = False, *,
                 clock: Callable[[], float] | None = None, sleep: Callable[[float], None] | None = None):
        """``clock``/``sleep``: the router's time (monotonic seconds), for its delayed retries; tests pass a
        fake clock so waiting costs nothing."""
        self.out_dir = Path(out_dir)
        self.verbose = verbose
        self._clock, self._sleep = clock, sleep
        self._mock = None
        self._saved_env: dict[str, str | None] = {}
        self.router = None
        self.settings = None

    # --- lifecycle --------------------------------------------------------------------------

    def __enter__(self) -> LocalRuntime:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def start(self) -> None:
        for key, value in local_environment(self.out_dir, self.verbose).items():
            self._saved_env[key] = os.environ.get(key)
            os.environ[key] = value
        self._saved_env.setdefault("AWS_PROFILE", os.environ.pop("AWS_PROFILE", None))
        if not os.environ.get("AWS_ENDPOINT_URL"):
            from moto import mock_aws

            self._mock = mock_aws()
            self._mock.start()
        from vibecoder.aws import client, reset_clients
        from vibecoder.bus import default_publisher
        from vibecoder.settings import get_settings, reset_settings

        reset_clients()
        reset_settings()
        default_publisher.cache_clear()
        self.settings = get_settings()
        queues = self._create_resources()
        os.environ["DEAD_LETTER_QUEUES"] = ",".join(q.dead_letter_url for q in queues.values())
        reset_settings()
        self.settings = get_settings()

        from local.router import EventRouter, time_compression
        from vibecoder.events.catalog import CATALOG

        time_kwargs = {k: v for k, v in (("clock", self._clock), ("sleep", self._sleep)) if v is not None}
        delays = {name: float(spec.delivery_delay_seconds) for name, spec in CATALOG.event_types.items()
                  if spec.delivery_delay_seconds}
        self.router = EventRouter(client("sqs"), queues, self.invoke, compression=time_compression(),
                                  delivery_delays=delays, **time_kwargs)
        client("events").meta.events.register("after-call.events.PutEvents", self.router.wake)

    def stop(self) -> None:
        if self.router:
            self.router.stop()
        if self._mock:
            self._mock.stop()
            self._mock = None
        for key, value in self._saved_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        os.environ.pop("DEAD_LETTER_QUEUES", None)
        from vibecoder.aws import reset_clients
        from vibecoder.settings import reset_settings

        reset_clients()
        reset_settings()

    def _create_resources(self) -> dict:
        from local.router import FunctionQueues
        from vibecoder.aws import client
        from vibecoder.events.catalog import CATALOG
        from vibecoder.tables import create_local_tables

        settings = self.settings
        create_local_tables(settings, client("dynamodb"))
        s3, events, sqs = client("s3"), client("events"), client("sqs")
        s3.create_bucket(Bucket=settings.slides_bucket)
        bus = settings.event_bus_name
        if bus not in [b["Name"] for b in events.list_event_buses()["EventBuses"]]:
            events.create_event_bus(Name=bus)
        queues, arns = {}, {}
        for subscription in CATALOG.subscriptions():
            function = subscription.function
            if function not in queues:  # one queue (and DLQ) per function, like one Lambda per function
                name = f"{bus}-{function}"
                queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
                dead_letter_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
                queues[function] = FunctionQueues(queue_url, dead_letter_url)
                arns[function] = sqs.get_queue_attributes(
                    QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            events.put_rule(Name=subscription.rule_name, EventBusName=bus,
                            EventPattern=json.dumps(subscription.event_pattern()))
            events.put_targets(Rule=subscription.rule_name, EventBusName=bus,
                               Targets=[{"Id": function, "Arn": arns[function]}])
        return queues

    # --- invoking handlers ------------------------------------------------------------------

    @staticmethod
    def handler_for(function: str):
        from vibecoder.events.catalog import CATALOG

        module_name, _, attribute = CATALOG.service(function).handler.rpartition(".")
        return getattr(importlib.import_module(module_name), attribute)

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """Invoke one function's handler with one event, as Lambda would (same handler string)."""
        from local.context import LocalLambdaContext

        return self.handler_for(function)(event, LocalLambdaContext(function_name=f"vibecoder-{function}"))

    # --- running in the background (serve, poll) --------------------------------------------

    def start_router(self) -> None:
        """Deliver events as they are published, and run the orchestrator's schedule when the bus is idle
        (every ``router.schedule_seconds`` on the router's clock: the deployed 5 minutes, compressed)."""
        router = self.router
        last_schedule = router.clock()

        def on_idle() -> None:
            nonlocal last_schedule
            if router.clock() - last_schedule >= router.schedule_seconds:
                last_schedule = router.clock()
                self.run_schedule()

        router.start(on_idle=on_idle)

    # --- scheduled work ---------------------------------------------------------------------

    def run_schedule(self, at: datetime | None = None) -> Any:
        """The orchestrator's schedule rule: sweep stuck requests and undelivered answers, check health.
        ``at``: the tick's time (default now), e.g. later than now on a test's fake clock."""
        return self.invoke("event-orchestrator", scheduled_event(at))

    def fail_stuck_now(self) -> list[str]:
        """With the bus drained nothing is in flight: fail every unfinished request right away."""
        from event_orchestrator import handler, logic
        from vibecoder.bus import default_publisher

        failed = logic.sweep_stuck(handler.deps(), timeout_seconds=0)
        default_publisher().publish(failed)
        return [e.data.request_id for e in failed]


def scheduled_event(at: datetime | None = None) -> dict[str, Any]:
    from vibecoder.base import new_id, utc_now

    return {
        "version": "0", "id": new_id(), "detail-type": "Scheduled Event", "source": "aws.events",
        "account": "123456789012", "time": (at or utc_now()).strftime("%Y-%m-%dT%H:%M:%SZ"), "region": "us-east-1",
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/vibecoder-schedule"], "detail": {},
    }
