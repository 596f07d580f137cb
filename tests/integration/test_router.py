"""Routing uses EventBridge's own matching (moto) on the catalog's rules; failures retry, then dead-letter."""

import json

import pytest

from local.router import DEFAULT_TIME_COMPRESSION, TIME_COMPRESSION_ENV, time_compression
from vibecoder.aws import client
from vibecoder.events.catalog import CATALOG


def queued_types(runtime, function):
    messages = client("sqs").receive_message(QueueUrl=runtime.router.queues[function].queue_url,
                                             MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(m["Body"])["detail-type"] for m in messages]


def put(runtime, source, detail_type, detail):
    client("events").put_events(Entries=[{"Source": source, "DetailType": detail_type, "Detail": json.dumps(detail),
                                          "EventBusName": runtime.settings.event_bus_name}])


@pytest.mark.parametrize("event_type", sorted(CATALOG.event_types))
def test_each_event_type_reaches_exactly_its_consumers_and_the_audit(runtime, event_type):
    spec = CATALOG.get(event_type)
    put(runtime, CATALOG.service(spec.producers[0]).source, event_type, {"type": event_type})

    reached = {function for function in runtime.router.queues if queued_types(runtime, function)}
    assert reached == set(CATALOG.consumers_of(event_type))


def test_a_producer_not_in_the_catalog_does_not_match(runtime):
    put(runtime, "vibecoder.api", "carousel.content.analyzed", {"type": "carousel.content.analyzed"})

    assert queued_types(runtime, "carousel-generator") == []
    assert queued_types(runtime, "event-orchestrator") == ["carousel.content.analyzed"]  # audit sees everything


def test_foreign_sources_reach_nobody(runtime):
    put(runtime, "aws.s3", "carousel.generate.requested", {"type": "carousel.generate.requested"})
    assert all(queued_types(runtime, f) == [] for f in runtime.router.queues)


def test_a_failing_handler_is_retried_twice_then_dead_lettered(runtime):
    attempts = []

    def crash(function, event):
        attempts.append(function)
        raise RuntimeError("renderer on fire")

    runtime.router.invoke = crash
    put(runtime, "vibecoder.carousel-generator", "carousel.slides.generated", {"id": "e-1", "type": "x"})
    runtime.router.drain()

    assert attempts.count("image-renderer") == 3
    letters = [letter for letter in runtime.router.dead_letters() if letter.function == "image-renderer"]
    assert len(letters) == 1
    assert letters[0].attempts == 3 and "renderer on fire" in letters[0].error
    assert letters[0].event["detail-type"] == "carousel.slides.generated"
    # Reading dead letters does not consume them.
    assert len([x for x in runtime.router.dead_letters() if x.function == "image-renderer"]) == 1


def attempt_times(runtime, function):
    return [d.started_at for d in runtime.router.deliveries if d.function == function]


def test_retries_keep_lambdas_async_timing_one_then_two_minutes_compressed(runtime, clock):
    runtime.router.invoke = lambda function, event: (_ for _ in ()).throw(RuntimeError("down"))
    put(runtime, "vibecoder.carousel-generator", "carousel.slides.generated", {"id": "e-3", "type": "x"})
    runtime.router.drain()

    first, second, third = attempt_times(runtime, "image-renderer")
    factor = runtime.router.compression
    assert factor == DEFAULT_TIME_COMPRESSION
    assert (second - first, third - second) == pytest.approx((60 / factor, 120 / factor))
    assert clock.sleeps and sum(clock.sleeps) == pytest.approx(180 / factor)  # drain waited on the clock only


def test_a_waiting_retry_does_not_hold_up_other_events(runtime, clock):
    order = []

    def renderer_fails_once(function, event):
        if function != "image-renderer":
            return
        order.append((event["detail"]["id"], clock()))
        if [event_id for event_id, _ in order] == ["e-fails"]:
            raise RuntimeError("transient")

    runtime.router.invoke = renderer_fails_once
    put(runtime, "vibecoder.carousel-generator", "carousel.slides.generated", {"id": "e-fails", "type": "x"})
    runtime.router.pump_once()
    put(runtime, "vibecoder.carousel-generator", "carousel.slides.generated", {"id": "e-next", "type": "x"})
    runtime.router.pump_once()  # the retry is not due yet: the next event goes first, without waiting

    assert [event_id for event_id, _ in order] == ["e-fails", "e-next"]
    assert order[1][1] == order[0][1] and clock.sleeps == []
    runtime.router.drain()
    assert [event_id for event_id, _ in order] == ["e-fails", "e-next", "e-fails"]
    assert order[2][1] - order[0][1] == pytest.approx(runtime.router.retry_delays[0])
    assert runtime.router.dead_letters() == []


@pytest.mark.parametrize(("value", "factor"), [(None, DEFAULT_TIME_COMPRESSION), ("60", 60.0), ("0.5", 0.5)])
def test_the_time_compression_comes_from_the_environment(value, factor):
    assert time_compression({} if value is None else {TIME_COMPRESSION_ENV: value}) == factor


@pytest.mark.parametrize("value", ["0", "-3", "fast"])
def test_a_time_compression_that_is_not_a_positive_number_is_refused(value):
    with pytest.raises(ValueError, match=TIME_COMPRESSION_ENV):
        time_compression({TIME_COMPRESSION_ENV: value})


def test_delivered_events_are_eventbridge_shaped(runtime):
    seen = []
    runtime.router.invoke = lambda function, event: seen.append(event)
    put(runtime, "vibecoder.ai-content", "carousel.content.analyzed", {"id": "e-2", "correlationId": "c"})
    runtime.router.drain()

    assert seen and all({"version", "id", "detail-type", "source", "account", "time", "region", "resources",
                         "detail"} <= set(e) for e in seen)


def test_the_orchestrators_timeouts_run_compressed_too_unless_set(monkeypatch):
    from local.runtime import compressed_timings

    monkeypatch.delenv("STEP_TIMEOUT_SECONDS", raising=False)
    monkeypatch.setenv("DELIVERY_DEADLINE_SECONDS", "42")
    assert compressed_timings(DEFAULT_TIME_COMPRESSION) == {"STEP_TIMEOUT_SECONDS": "60", "DELIVERY_DEADLINE_SECONDS": "42"}
    assert compressed_timings(1000.0)["STEP_TIMEOUT_SECONDS"] == "1"  # never below a second


def test_local_serve_runs_the_schedule_compressed(runtime):
    assert runtime.router.schedule_seconds == 300 / DEFAULT_TIME_COMPRESSION
    assert runtime.settings.step_timeout_seconds == 300 / DEFAULT_TIME_COMPRESSION


def test_a_failing_scheduled_run_does_not_stop_the_background_router(runtime):
    import threading

    seen, idle_calls = threading.Event(), []

    def schedule_that_fails():
        idle_calls.append(1)
        raise RuntimeError("the schedule's run failed")

    runtime.router.invoke = lambda function, event: seen.set() if function == "image-renderer" else None
    runtime.router.start(idle_seconds=0.01, on_idle=schedule_that_fails)
    try:
        while not idle_calls:
            threading.Event().wait(0.01)
        put(runtime, "vibecoder.carousel-generator", "carousel.slides.generated", {"id": "e-4", "type": "x"})
        assert seen.wait(30), "the router stopped routing after the scheduled run failed"
    finally:
        runtime.router.stop()
