"""Bad content never crashes a step: an untitled carousel in the history, broken or unreadable S3
knowledge and an unreachable Secrets Manager at ai-content's cold start."""

from __future__ import annotations

import importlib
import sys

import pytest
from aws_lambda_powertools import Metrics
from botocore.exceptions import ClientError

from local.flow import run_carousel
from vibecoder.aws import client
from vibecoder.bus import default_publisher
from vibecoder.events.catalog import CATALOG
from vibecoder.events.models import CarouselCompleted, CarouselFailed
from vibecoder.lambda_kit import METRICS_NAMESPACE
from vibecoder.repositories import UserRepository

KNOWLEDGE = "knowledge/"
NOTE = b"---\ntitle: Sourdough Baking\nlanguage: en\ntags: sourdough, bread\n---\nBread from wild yeast.\n"


# --- data-persistence ------------------------------------------------------------------------------


@pytest.mark.parametrize("data, history_title", [
    (CarouselCompleted(request_id="r1", user_id="u1", title="", slides=[]), "—"),  # "!!!" made no title
    (CarouselCompleted(request_id="r2", user_id="u1", title="  TDD ", slides=[]), "TDD"),
    (CarouselFailed(request_id="r3", user_id="u1", stage="content", reason="topic_not_covered: x"),
     "topic_not_covered: x"),
])
def test_every_ending_goes_into_the_users_history(runtime, data, history_title):
    event_type = "carousel.completed" if isinstance(data, CarouselCompleted) else "carousel.failed"
    default_publisher().publish([CATALOG.new_event(event_type, data, correlation_id=data.request_id,
                                                   source="carousel-generator", user_id="u1")])
    runtime.router.drain()

    assert [d for d in runtime.router.deliveries if d.function == "data-persistence" and not d.ok] == []
    (entry,) = UserRepository(runtime.settings.users_table).get("u1").history
    assert (entry.request_id, entry.title) == (data.request_id, history_title)


# --- ai-content's cold start -----------------------------------------------------------------------


def refuse(operation: str, key: str | None = None, code: str = "AccessDenied"):
    def hook(params, **_):
        if key is None or params.get("Key") == key:
            raise ClientError({"Error": {"Code": code, "Message": f"injected {code}"}}, operation)
    return hook


@pytest.fixture
def s3_hooks(monkeypatch):
    """Hooks for every S3 client created from now on (ai-content's knowledge loader makes its own)."""
    import boto3

    hooks: list[tuple[str, object]] = []
    real_client = boto3.client

    def make_client(service, *args, **kwargs):
        made = real_client(service, *args, **kwargs)
        if service == "s3":
            for event, hook in hooks:
                made.meta.events.register(event, hook)
        return made

    monkeypatch.setattr(boto3, "client", make_client)
    return hooks


@pytest.fixture
def cold_start(runtime, monkeypatch):
    """Import ai-content's handler afresh, as a new execution environment does, with S3 knowledge."""
    from ai_content import knowledge, logic

    bucket = runtime.settings.slides_bucket
    monkeypatch.setenv("KNOWLEDGE_S3_URI", f"s3://{bucket}/{KNOWLEDGE}")
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=f"{KNOWLEDGE}sourdough.md", Body=NOTE)
    s3.put_object(Bucket=bucket, Key=f"{KNOWLEDGE}broken.md", Body=b"\xff\xfe\x00 not utf-8 \xc3\x28")
    s3.put_object(Bucket=bucket, Key=f"{KNOWLEDGE}locked.md", Body=NOTE.replace(b"Sourdough", b"Locked"))

    def start():
        Metrics(namespace=METRICS_NAMESPACE).clear_metrics()  # Powertools shares one metric set per process
        knowledge.clear_cache()
        sys.modules.pop("ai_content.handler", None)
        return importlib.import_module("ai_content.handler")

    yield start
    knowledge.clear_cache()
    knowledge.skipped.clear()
    logic.unavailable_secrets.clear()
    sys.modules.pop("ai_content.handler", None)


def note_ids() -> set[str]:
    from ai_content.logic import knowledge_index

    return {note.id for note in knowledge_index().notes}


def test_an_undecodable_and_an_unreadable_object_are_skipped_the_rest_serves(cold_start, s3_hooks, caplog):
    s3_hooks.append(("before-parameter-build.s3.GetObject", refuse("GetObject", key=f"{KNOWLEDGE}locked.md")))

    handler = cold_start()  # before: UnicodeDecodeError, i.e. Runtime.ImportModuleError on every cold start

    found = note_ids()
    assert "sourdough" in found and "locked" not in found
    assert len(found) > 20  # the bundled notes
    assert handler.metrics.metric_set["KnowledgeSkipped"]["Value"] == [2]
    skipped = [r.getMessage() for r in caplog.records if "knowledge: skipping" in r.getMessage()]
    assert len(skipped) == 2 and any("broken.md" in m and "UnicodeDecodeError" in m for m in skipped)


def test_s3_that_cannot_be_listed_leaves_the_bundled_notes(cold_start, s3_hooks):
    s3_hooks.append(("before-parameter-build.s3.ListObjectsV2", refuse("ListObjectsV2", code="SlowDown")))

    handler = cold_start()

    assert "sourdough" not in note_ids() and len(note_ids()) > 20
    assert handler.metrics.metric_set["KnowledgeSkipped"]["Value"] == [1]


def test_secrets_manager_failing_at_init_means_offline_content_not_a_dead_function(cold_start, runtime,
                                                                                   monkeypatch, tmp_path):
    from aws_lambda_powertools.utilities import parameters

    parameters.clear_caches()
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY_PARAM", "stack/openai/never-created")  # ResourceNotFoundException

    handler = cold_start()

    assert handler.metrics.metric_set["SecretUnavailable"]["Value"] == [1]
    flow = run_carousel(runtime, "Test-Driven Development", slides=3, out_dir=tmp_path / "out")
    assert flow.status == "completed"
    assert [d for d in runtime.router.deliveries if d.function == "ai-content" and not d.ok] == []

