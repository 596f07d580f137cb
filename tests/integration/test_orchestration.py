"""Workflows that fail are answered once and cleaned up; alerts, stats and health follow the events."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from local.flow import run_carousel
from vibecoder.aws import client
from vibecoder.bus import default_publisher
from vibecoder.replay import NothingToReplay, replay_request
from vibecoder.repositories import CarouselRecord, CarouselRepository, EventStore
from vibecoder.workflow import CarouselStatus


def telegram_calls(tmp_path, chat_id, method):
    return sorted((tmp_path / "out" / "telegram" / str(chat_id)).glob(f"*-{method}/request.json"))


def api(runtime, method, path, body=None):
    from local import apigw

    route, params = apigw.match(method, path)
    event = apigw.proxy_event(route, params, method, path, {"Content-Type": "application/json"},
                              json.dumps(body).encode() if body is not None else None)
    status, _, data = apigw.response_parts(runtime.invoke(route.function, event))
    return status, json.loads(data)


@pytest.fixture
def published(runtime):
    """Every envelope put on the bus (the orchestrator's workflow.* events go there, not to the audit)."""
    envelopes: list[dict] = []

    def capture(params, **_):
        envelopes.extend(json.loads(entry["Detail"]) for entry in params.get("Entries", []))

    client("events").meta.events.register("provide-client-params.events.PutEvents", capture)
    return envelopes


@pytest.fixture
def lost_renderer_events(monkeypatch):
    """The renderer swallows its event, as if the delivery were lost: the request gets stuck."""
    import image_renderer.logic

    monkeypatch.setattr(image_renderer.logic, "handle", lambda event, deps: [])


def test_a_stuck_request_fails_once_is_cleaned_up_and_the_user_hears_once(runtime, tmp_path, lost_renderer_events,
                                                                         published):
    carousels = CarouselRepository(runtime.settings.carousels_table)
    flow = run_carousel(runtime, "TDD", slides=3, out_dir=tmp_path / "out", chat_id=4242)

    assert flow.status == "failed"
    record = carousels.get(flow.request_id)
    assert record.status is CarouselStatus.FAILED and "rendering" in record.failure
    assert len(telegram_calls(tmp_path, 4242, "sendMessage")) == 1
    types = [e["type"] for e in EventStore(runtime.settings.events_table).list(flow.request_id)]
    assert types.count("carousel.failed") == 1
    steps = [e["data"]["step"] for e in published
             if e["type"] == "workflow.step.changed" and e["correlationId"] == flow.request_id]
    assert steps[0] == "requested" and steps[-1] == "failed" and "completed" not in steps

    assert runtime.fail_stuck_now() == []  # a second sweep finds nothing to do
    runtime.router.drain()
    assert len(telegram_calls(tmp_path, 4242, "sendMessage")) == 1


def start(runtime, request_id: str, status: CarouselStatus = CarouselStatus.GENERATING, **fields) -> None:
    CarouselRepository(runtime.settings.carousels_table).start(
        CarouselRecord(request_id=request_id, user_id="u", topic="TDD", status=status, **fields))


def test_compensation_removes_partial_slides(runtime):
    from event_orchestrator import handler, logic

    start(runtime, "r-partial", CarouselStatus.RENDERING)
    client("s3").put_object(Bucket=runtime.settings.slides_bucket, Key="carousels/r-partial/slide-01.jpg", Body=b"x")
    later = datetime.now(UTC) + timedelta(hours=1)

    timed_out = logic.sweep_stuck(handler.deps(), timeout_seconds=300, now=later)
    assert [(e.type, e.data.request_id) for e in timed_out] == [("carousel.timed.out", "r-partial")]
    assert logic.sweep_stuck(handler.deps(), timeout_seconds=300, now=later)[0].id == timed_out[0].id  # the same ask
    default_publisher().publish(timed_out)
    runtime.router.drain()  # the generator, the record's only writer, acts on it

    assert CarouselRepository(runtime.settings.carousels_table).get("r-partial").status is CarouselStatus.FAILED
    listed = client("s3").list_objects_v2(Bucket=runtime.settings.slides_bucket, Prefix="carousels/r-partial/")
    assert listed.get("KeyCount", 0) == 0


def test_a_request_the_generator_never_recorded_is_still_answered(runtime, tmp_path, monkeypatch):
    from carousel_generator import logic as generator

    def down(event, deps):
        raise RuntimeError("the generator is down")

    monkeypatch.setitem(generator.STEPS, "carousel.generate.requested", down)
    flow = run_carousel(runtime, "TDD", slides=3, out_dir=tmp_path / "out", chat_id=4343)

    assert flow.status == "failed"  # timed out by the sweep, recorded as failed by the generator
    assert ("carousel-generator", "carousel.generate.requested") in {
        (x.function, x.event["detail-type"]) for x in runtime.router.dead_letters()}
    assert len(telegram_calls(tmp_path, 4343, "sendMessage")) == 1


def test_the_sweep_leaves_recent_requests_alone(runtime):
    from event_orchestrator import handler, logic

    start(runtime, "r-fresh")
    assert logic.sweep_stuck(handler.deps(), timeout_seconds=300) == []


def test_the_sweep_re_drives_undelivered_answers_album_then_apology_then_gives_up(runtime):
    from event_orchestrator import handler, logic
    from vibecoder.repositories import DeliveryLog, DeliveryState

    deliveries = DeliveryLog(runtime.settings.deliveries_table)
    for request_id, status in (("r-done", CarouselStatus.COMPLETED), ("r-failed", CarouselStatus.FAILED),
                               ("r-making", CarouselStatus.RENDERING)):
        start(runtime, request_id, status, chat_id=7, channel="telegram")
        deliveries.advance_progress(request_id, 7, 1)  # the chat is waiting
    start(runtime, "r-api", CarouselStatus.COMPLETED)
    now = datetime.now(UTC)

    def sweep(after_seconds: float) -> dict[str, str]:
        events = logic.sweep_undelivered(handler.deps(), quiet_seconds=300, deadline_seconds=1800,
                                         now=now + timedelta(seconds=after_seconds))
        assert all(e.type == "telegram.delivery.overdue" and e.correlation_id == e.data.request_id for e in events)
        return {e.data.request_id: e.data.answer for e in events}

    assert sweep(60) == {}  # the bus may still be retrying: not yet
    assert sweep(600) == {"r-done": "album", "r-failed": "apology"}  # in flight and API requests: not ours
    assert sweep(2400) == {"r-done": "apology", "r-failed": "apology"}  # past the deadline: the apology
    given_up = logic.sweep_undelivered(handler.deps(), quiet_seconds=300, deadline_seconds=1800,
                                       now=now + timedelta(hours=25))
    assert {e.data.request_id: e.data.answer for e in given_up} == {"r-done": "give_up", "r-failed": "give_up"}
    default_publisher().publish(given_up)
    runtime.router.drain()  # the sender, the log's only writer, ends them without a message
    assert {r: deliveries.get(r).state for r in ("r-done", "r-failed")} == {
        "r-done": DeliveryState.FAILED, "r-failed": DeliveryState.FAILED}
    assert deliveries.get("r-making").state is DeliveryState.PENDING
    assert sweep(26 * 3600) == {}  # a day unreachable: given up


def test_failure_rate_alert_fires_once_per_window(runtime, tmp_path, monkeypatch):
    import image_renderer.logic

    for _ in range(3):
        assert run_carousel(runtime, "TDD", slides=2, out_dir=tmp_path / "out").status == "completed"

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(image_renderer.logic, "render_and_store", broken)
    failed = [run_carousel(runtime, "TDD", slides=2, out_dir=tmp_path / "out") for _ in range(3)]
    assert {f.status for f in failed} == {"failed"}

    alerts = EventStore(runtime.settings.events_table).latest_of_type("analytics.alert.triggered")
    assert len(alerts) == 1
    assert alerts[0]["data"]["alert"] == "failure-rate" and alerts[0]["data"]["value"] >= 0.2


def test_stats_match_the_events_that_went_through(runtime, tmp_path):
    for topic in ("TDD", "Serverless"):
        run_carousel(runtime, topic, slides=2, out_dir=tmp_path / "out")

    status, stats = api(runtime, "GET", "/stats")

    assert status == 200
    counts = stats["eventBus"]["eventCountsByType"]
    assert counts["carousel.generate.requested"] == counts["carousel.completed"] == 2
    assert counts["carousel.slides.generated"] == 2 and "carousel.failed" not in counts
    assert stats["carouselsByStatus"]["completed"] == 2 and stats["totalCarousels"] == 2
    assert stats["latencyMs"]["samples"] == 2 and stats["latencyMs"]["p50"] <= stats["latencyMs"]["p95"]
    assert stats["eventBus"]["deadLetters"] == 0 and stats["recentErrors"] == []


def test_health_lists_dependencies_and_when_each_service_was_last_seen(runtime, tmp_path):
    run_carousel(runtime, "TDD", slides=2, out_dir=tmp_path / "out")
    status, health = api(runtime, "GET", "/health")

    assert status == 200 and health["status"] == "healthy"
    assert set(health["dependencies"].values()) == {"ok"}
    assert health["services"]["image-renderer"]["lastEventType"] == "carousel.images.rendered"
    assert health["services"]["telegram-gateway"]["lastSeenAt"] is None


def test_health_is_503_when_a_dependency_is_missing(runtime):
    client("s3").delete_bucket(Bucket=runtime.settings.slides_bucket)
    status, health = api(runtime, "GET", "/health")
    assert status == 503 and health["dependencies"]["bucket:slides"].startswith("error")


def test_replay_is_safe_unless_asked_to_run_again(runtime, tmp_path):
    settings = runtime.settings
    flow = run_carousel(runtime, "TDD", slides=2, out_dir=tmp_path / "out", chat_id=99)
    stores = (EventStore(settings.events_table), default_publisher())
    assert len(telegram_calls(tmp_path, 99, "sendMediaGroup")) == 1

    replay_request(flow.request_id, *stores)
    runtime.router.drain()
    assert len(telegram_calls(tmp_path, 99, "sendMediaGroup")) == 1  # nothing sent twice
    assert runtime.router.dead_letters() == []  # every consumer took the duplicates in its stride

    again = replay_request(flow.request_id, *stores, as_new=True)
    runtime.router.drain()
    assert again.correlation_id != flow.request_id and again.causation_id is not None
    assert CarouselRepository(settings.carousels_table).get(again.data.request_id).status is CarouselStatus.COMPLETED
    assert len(telegram_calls(tmp_path, 99, "sendMediaGroup")) == 2

    with pytest.raises(NothingToReplay):
        replay_request("unknown", *stores)
