"""Every access pattern of the repositories, on moto DynamoDB."""

from vibecoder.repositories import (
    AnalyticsRepository,
    CarouselRecord,
    CarouselRepository,
    EventStore,
    HistoryEntry,
    RecordedSlide,
    StagePatch,
    UserPreferences,
    UserRepository,
)
from vibecoder.repositories.users import HISTORY_LENGTH
from vibecoder.workflow import CarouselStatus, Stage


def record(request_id="r-1", user_id="u-1", **fields):
    return CarouselRecord(request_id=request_id, user_id=user_id, topic="TDD", slides_count=5, **fields)


def test_a_carousel_is_started_once_and_moves_forward_until_terminal(runtime):
    carousels = CarouselRepository(runtime.settings.carousels_table)
    assert carousels.start(record(status=CarouselStatus.GENERATING)) is True
    assert carousels.start(record()) is False  # redelivery

    assert carousels.advance("r-1", Stage.REQUESTED, 12.34)
    slides = [RecordedSlide(type="concept", title="a", image_keys=["k/1.jpg"])]
    assert carousels.advance("r-1", Stage.COMPLETED, None, StagePatch(title="TDD", slides=slides))
    assert not carousels.advance("r-1", Stage.FAILED, 1.0, StagePatch(failure="late timeout"))

    stored = carousels.get("r-1")
    assert stored.status is CarouselStatus.COMPLETED and stored.failure is None and stored.title == "TDD"
    assert stored.timings == {"requested": 12.3} and stored.slides == slides


def test_advancing_an_unknown_carousel_is_refused(runtime):
    assert not CarouselRepository(runtime.settings.carousels_table).advance("nope", Stage.FAILED, None)


def test_a_carousel_that_moved_since_the_sweep_looked_is_not_timed_out(runtime):
    carousels = CarouselRepository(runtime.settings.carousels_table)
    carousels.start(record(status=CarouselStatus.RENDERING))
    seen = carousels.get("r-1").updated_at
    assert carousels.advance("r-1", Stage.SLIDES, 5.0)  # it moved after the sweep's read
    assert not carousels.advance("r-1", Stage.FAILED, None, StagePatch(failure="stuck"), unmoved_since=seen)
    now = carousels.get("r-1").updated_at
    assert carousels.advance("r-1", Stage.FAILED, None, StagePatch(failure="stuck"), unmoved_since=now)
    assert carousels.get("r-1").status is CarouselStatus.FAILED


def test_carousels_by_user_newest_first_and_by_status(runtime):
    carousels = CarouselRepository(runtime.settings.carousels_table)
    for i in range(3):
        carousels.start(record(f"r-{i}", "u-9", created_at=f"2026-12-01T10:00:0{i}+00:00"))
    carousels.advance("r-1", Stage.FAILED, None)

    assert [c.request_id for c in carousels.list_by_user("u-9")] == ["r-2", "r-1", "r-0"]
    assert [c.request_id for c in carousels.list_by_status(CarouselStatus.FAILED)] == ["r-1"]


def test_indexes_of_keys_still_list_whole_records_in_their_order_past_one_batch_get(runtime):
    carousels = CarouselRepository(runtime.settings.carousels_table)
    slide = RecordedSlide(type="concept", title="a")
    for i in range(130):  # BatchGetItem reads 100 keys a call
        carousels.start(record(f"r-{i:03}", "u-7", status=CarouselStatus.RENDERING))
        carousels.advance(f"r-{i:03}", Stage.COMPLETED, i, StagePatch(title=f"t{i}", slides=[slide]))

    rendered = carousels.list_by_status(CarouselStatus.COMPLETED, limit=1000)
    assert [c.request_id for c in rendered] == [f"r-{i:03}" for i in range(130)]  # oldest first
    assert [(c.title, c.slides, c.timings) for c in rendered[:2]] == [
        ("t0", [slide], {"completed": 0}), ("t1", [slide], {"completed": 1})]
    newest = carousels.list_by_user("u-7", limit=120)
    assert [c.request_id for c in newest] == [f"r-{i:03}" for i in range(129, 9, -1)]
    assert {c.status for c in newest} == {CarouselStatus.COMPLETED} and newest[0].title == "t129"


def test_users_are_created_once_then_refreshed(runtime):
    users = UserRepository(runtime.settings.users_table)
    user, created = users.touch("u-1", username="ann", language_code="ru")
    again, created_again = users.touch("u-1", username="ann_new")

    assert created and not created_again
    assert again.username == "ann_new" and again.language_code == "ru" and again.created_at == user.created_at


def test_preferences_merge(runtime):
    users = UserRepository(runtime.settings.users_table)
    users.set_preferences("u-1", UserPreferences(style="dark"))
    users.set_preferences("u-1", UserPreferences(language="en"))
    assert users.get("u-1").preferences == UserPreferences(style="dark", language="en")


def test_history_keeps_the_newest_entries(runtime):
    users = UserRepository(runtime.settings.users_table)
    for i in range(HISTORY_LENGTH + 3):
        users.add_history("u-1", HistoryEntry(request_id=f"r-{i}", title=f"t{i}", status="completed", at=f"{i}"))
    history = users.get("u-1").history
    assert len(history) == HISTORY_LENGTH
    assert history[0].request_id == f"r-{HISTORY_LENGTH + 2}"


def test_event_store_keeps_a_request_in_order_and_counts_by_type(runtime):
    store = EventStore(runtime.settings.events_table)
    for i, event_type in enumerate(["b.second", "a.first", "b.second"]):
        store.append({"id": f"e{i}", "type": event_type, "timestamp": f"2026-11-27T10:00:0{i}Z",
                      "correlationId": "c-1", "causationId": None, "metadata": {"source": "api"}, "data": {}})
    store.append({"id": "e0", "type": "b.second", "timestamp": "2026-11-27T10:00:00Z", "correlationId": "c-1",
                  "metadata": {}, "data": {}})  # the same event again

    assert [e["id"] for e in store.list("c-1")] == ["e0", "e1", "e2"]
    assert store.count_by_type("b.second") == 2


def test_analytics_counters_add_up(runtime):
    counters = AnalyticsRepository(runtime.settings.analytics_table)
    for _ in range(3):
        counters.increment("total", "type#carousel.completed")
    counters.increment("total", "type#carousel.failed", by=2)
    assert counters.counters("total") == {"type#carousel.completed": 3, "type#carousel.failed": 2}


def test_services_seen_credits_every_producer_of_a_shared_type_with_its_newest_event(runtime):
    store = EventStore(runtime.settings.events_table)
    for i, (event_type, source) in enumerate([("t.shared", "api"), ("t.shared", "gateway"), ("t.own", "gateway"),
                                              ("t.shared", "gateway"), ("t.own", "renderer")]):
        store.append({"id": f"e{i}", "type": event_type, "timestamp": f"2026-11-27T10:00:0{i}Z",
                      "correlationId": f"c-{i}", "metadata": {"source": source}, "data": {}})
    producers = {"t.shared": ("api", "gateway"), "t.own": ("gateway", "renderer"), "t.none": ("sender",)}

    assert store.services_seen(producers) == {
        "api": {"lastSeenAt": "2026-11-27T10:00:00Z", "lastEventType": "t.shared"},  # found behind gateway's
        "gateway": {"lastSeenAt": "2026-11-27T10:00:03Z", "lastEventType": "t.shared"},
        "renderer": {"lastSeenAt": "2026-11-27T10:00:04Z", "lastEventType": "t.own"},
    }


def test_a_held_value_is_taken_once_and_not_after_it_expires(runtime, monkeypatch):
    import time

    pending = AnalyticsRepository(runtime.settings.analytics_table)
    pending.hold("pending-choice#u-1", "k1", {"number": 10, "rest": "дней кода"}, ttl_seconds=60)
    pending.hold("pending-choice#u-1", "k2", {"number": 7, "rest": "habits"}, ttl_seconds=60)

    assert pending.take("pending-choice#u-1", "k1") == {"number": 10, "rest": "дней кода"}
    assert pending.take("pending-choice#u-1", "k1") is None  # a second tap
    assert pending.take("pending-choice#u-1", "missing") is None
    later = time.time() + 61
    monkeypatch.setattr(time, "time", lambda: later)
    assert pending.take("pending-choice#u-1", "k2") is None  # expired (DynamoDB's TTL deletes it later)
