"""One topic through the whole local flow: the event chain, S3, out/ and DynamoDB agree."""

import io

import pytest
from PIL import Image

from local.flow import run_carousel
from vibecoder.aws import client
from vibecoder.repositories import CarouselRepository, EventStore
from vibecoder.workflow import CarouselStatus

CHAIN = ["carousel.generate.requested", "ai.content.requested", "carousel.content.analyzed",
         "carousel.slides.generated", "carousel.images.rendered", "carousel.completed"]


@pytest.fixture
def flow(runtime, tmp_path):
    return run_carousel(runtime, "Functional Programming with TypeScript", slides=5, out_dir=tmp_path / "out")


def test_five_slides_in_s3_and_out(runtime, flow):
    assert flow.status == "completed"
    objects = client("s3").list_objects_v2(Bucket=runtime.settings.slides_bucket,
                                           Prefix=f"carousels/{flow.request_id}/")["Contents"]
    assert len(objects) == 5 and len(flow.slide_files) == 5
    for obj, path in zip(sorted(objects, key=lambda o: o["Key"]), flow.slide_files):
        body = client("s3").get_object(Bucket=runtime.settings.slides_bucket, Key=obj["Key"])["Body"].read()
        assert body == path.read_bytes()
        image = Image.open(io.BytesIO(body))
        image.load()
        assert image.format == "JPEG" and image.size == (1080, 1350)
    assert flow.folder.parent.name == "out" and flow.folder.name == flow.request_id


def test_the_carousel_events_form_one_causal_chain(runtime, flow):
    stored = EventStore(runtime.settings.events_table).list(flow.request_id)
    chain = [e for e in stored if e["type"] in CHAIN]

    assert [e["type"] for e in chain] == CHAIN
    assert {e["correlationId"] for e in stored} == {flow.request_id}
    assert chain[0]["causationId"] is None
    for previous, current in zip(chain, chain[1:]):
        assert current["causationId"] == previous["id"], current["type"]


def test_the_trace_shows_each_delivery_in_order_and_without_failures(flow):
    assert all(d.ok for d in flow.trace)
    firsts = []
    for delivery in flow.trace:
        if delivery.event_type in CHAIN and delivery.event_type not in firsts:
            firsts.append(delivery.event_type)
    assert firsts == CHAIN


def test_dynamodb_holds_the_completed_carousel(runtime, flow):
    record = CarouselRepository(runtime.settings.carousels_table).get(flow.request_id)
    assert record.status is CarouselStatus.COMPLETED
    assert len(record.slides) == 5 and all(k.endswith(".jpg") for s in record.slides for k in s.image_keys)
    assert set(record.timings) >= {"requested", "content", "completed"}
    assert runtime.router.dead_letters() == []


def test_a_step_that_keeps_failing_ends_in_failed_and_a_dead_letter(runtime, tmp_path, monkeypatch):
    import image_renderer.logic

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(image_renderer.logic, "render_and_store", broken)
    flow = run_carousel(runtime, "TDD", slides=3, out_dir=tmp_path / "out", chat_id=777)

    assert flow.status == "failed"
    letters = runtime.router.dead_letters()
    assert [(x.function, x.event["detail-type"]) for x in letters] == [("image-renderer", "carousel.slides.generated")]
    failed = [e for e in EventStore(runtime.settings.events_table).list(flow.request_id)
              if e["type"] in ("carousel.failed", "system.error.occurred")]
    assert [e["type"] for e in failed].count("carousel.failed") == 1
    assert any(e["type"] == "system.error.occurred" and "disk full" in e["data"]["message"] for e in failed)
    apologies = list((tmp_path / "out" / "telegram" / "777").glob("*-sendMessage/request.json"))
    assert len(apologies) == 1
