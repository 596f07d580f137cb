"""The fault matrix: under each injected fault every request ends in exactly one album or exactly one
apology, nothing is lost, and dead letters are the ones the fault explains. RELIABILITY.md shows it."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import pytest
from botocore.exceptions import ClientError

from local.flow import run_carousel
from tests.unit.content.fake_openai_server import FakeOpenAI, Reply, error
from vibecoder.aws import client, table
from vibecoder.repositories import CarouselRepository, EventStore

CHAT = 5150
TOPICS = ["Функциональное программирование", "Serverless 🚀 on AWS"]


@dataclass
class Outcome:
    statuses: list[str]
    albums: int
    apologies: int
    dead_letters: list[tuple[str, str]] = field(default_factory=list)


def fail_first(calls: int, code: str, operation: str):
    """A botocore before-call hook that raises ``code`` for the first ``calls`` calls."""
    seen = {"n": 0}

    def hook(**_):
        seen["n"] += 1
        if seen["n"] <= calls:
            raise ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)

    return hook


def run_requests(runtime, tmp_path) -> Outcome:
    out = tmp_path / "out"
    flows = [run_carousel(runtime, topic, slides=3, out_dir=out, chat_id=CHAT) for topic in TOPICS]
    carousels = CarouselRepository(runtime.settings.carousels_table)
    chat = out / "telegram" / str(CHAT)
    return Outcome(
        statuses=[carousels.get(f.request_id).status.value for f in flows],
        albums=len(list(chat.glob("*-sendMediaGroup"))),
        apologies=sum("😔" in p.read_text(encoding="utf-8") for p in chat.glob("*-sendMessage/request.json")),
        dead_letters=sorted((x.function, x.event["detail-type"]) for x in runtime.router.dead_letters()),
    )


def no_fault(runtime, monkeypatch):
    pass


def every_event_twice(runtime, monkeypatch):
    runtime.router.deliveries_per_event = 2


def twice_and_out_of_order(runtime, monkeypatch):
    runtime.router.deliveries_per_event = 2
    runtime.router.shuffle = random.Random(7)


def s3_put_fails_twice(runtime, monkeypatch):
    client("s3").meta.events.register("before-call.s3.PutObject", fail_first(2, "InternalError", "PutObject"))


def s3_put_down(runtime, monkeypatch):
    client("s3").meta.events.register("before-call.s3.PutObject", fail_first(10**6, "ServiceUnavailable",
                                                                             "PutObject"))


def dynamodb_throttled(runtime, monkeypatch):
    carousels = table(runtime.settings.carousels_table).meta.client
    carousels.meta.events.register("before-call.dynamodb.UpdateItem",
                                   fail_first(2, "ProvisionedThroughputExceededException", "UpdateItem"))


def generator_crashes_once(runtime, monkeypatch):
    from carousel_generator import logic

    original, crashed = logic.on_content, []

    def crash_once(event, deps):
        if not crashed:
            crashed.append(event.id)
            raise RuntimeError("generator crashed mid-flow")
        return original(event, deps)

    monkeypatch.setitem(logic.STEPS, "carousel.content.analyzed", crash_once)


@pytest.fixture
def openai_down(monkeypatch):
    with FakeOpenAI(error(500, "upstream down")) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0000")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_MAX_RETRIES", "1")
        monkeypatch.setenv("OPENAI_BACKOFF_S", "0.01")
        yield fake


@pytest.fixture
def openai_times_out(monkeypatch):
    with FakeOpenAI(Reply(status=200, body={}, delay_s=2.0)) as fake:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key-0000")
        monkeypatch.setenv("OPENAI_BASE_URL", fake.base_url)
        monkeypatch.setenv("OPENAI_TIMEOUT_S", "0.2")
        monkeypatch.setenv("OPENAI_MAX_RETRIES", "0")
        yield fake


ALL_DELIVERED = Outcome(statuses=["completed"] * len(TOPICS), albums=len(TOPICS), apologies=0)

MATRIX = {
    "none": (no_fault, ALL_DELIVERED),
    "every event delivered twice": (every_event_twice, ALL_DELIVERED),
    "twice and out of order": (twice_and_out_of_order, ALL_DELIVERED),
    "S3 put fails twice": (s3_put_fails_twice, ALL_DELIVERED),
    "DynamoDB throttles 2 writes": (dynamodb_throttled, ALL_DELIVERED),
    "a handler crashes mid-flow": (generator_crashes_once, ALL_DELIVERED),
    "S3 down": (s3_put_down, Outcome(statuses=["failed"] * len(TOPICS), albums=0, apologies=len(TOPICS),
                                     dead_letters=[("image-renderer", "carousel.slides.generated")] * len(TOPICS))),
}


@pytest.mark.parametrize("fault", list(MATRIX))
def test_fault_matrix(runtime, tmp_path, monkeypatch, fault):
    inject, expected = MATRIX[fault]
    inject(runtime, monkeypatch)

    assert run_requests(runtime, tmp_path) == expected


@pytest.mark.parametrize("openai_fault", ["openai_down", "openai_times_out"])
def test_openai_faults_fall_back_to_offline_content(runtime, tmp_path, request, openai_fault):
    request.getfixturevalue(openai_fault)

    assert run_requests(runtime, tmp_path) == ALL_DELIVERED
    analyses = EventStore(runtime.settings.events_table).latest_of_type("ai.analysis.completed")
    assert len(analyses) == len(TOPICS)
    assert all(a["data"]["provider"] == "offline" and a["data"]["fallbackReason"] for a in analyses)
