"""A slide too long for one image is split by the renderer: every image keeps the slide it came from,
and the album, Originals, the PDF and ``GET /carousels/{id}`` carry all of them, in order."""

from __future__ import annotations

import json
import re

import pytest

from local import apigw
from tests.fakes.telegram_harness import bot_under_test
from vibecoder.aws import client

pytestmark = pytest.mark.e2e

LONG = " ".join(f"Sentence {i} of a body far longer than one slide can hold at its smallest size." for i in range(40))


@pytest.fixture
def bot(tmp_path, monkeypatch):
    import carousel_generator.logic

    real = carousel_generator.logic.build_slides

    def with_a_long_second_slide(content, count):
        slides = real(content, count)
        slides[1] = slides[1].model_copy(update={"content": LONG})
        return slides

    monkeypatch.setattr(carousel_generator.logic, "build_slides", with_a_long_second_slide)
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def s3_bytes(bot, key: str) -> bytes:
    return client("s3").get_object(Bucket=bot.runtime.settings.slides_bucket, Key=key)["Body"].read()


def buttons_message(bot, chat_id: int):
    return next(m for m in bot.telegram.chat(chat_id) if m.buttons)


def test_every_image_of_a_split_slide_reaches_the_album_originals_pdf_and_the_api(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 3 TDD"))

    (rendered,) = bot.events("carousel.images.rendered")
    sources = [image["slide"] for image in sorted(rendered["data"]["images"], key=lambda i: i["index"])]
    assert sources[0] == 1 and sources[-1] == 3 and sources.count(2) >= 2 and sources == sorted(sources)
    (done,) = [e["data"] for e in bot.events("carousel.completed")]
    assert len(done["slides"]) == 3  # still the three slides the content made, ...
    assert [len(s["imageKeys"]) for s in done["slides"]] == [1, sources.count(2), 1]  # ... the second on several images
    keys = [key for slide in done["slides"] for key in slide["imageKeys"]]
    assert keys == [image["key"] for image in sorted(rendered["data"]["images"], key=lambda i: i["index"])]

    # The album: every image, in order.
    (call,) = bot.telegram.calls_of("sendMediaGroup")
    assert [upload.data for upload in call.files.values()] == [s3_bytes(bot, key) for key in keys]
    assert len(bot.telegram.albums(ann.chat_id)[0]) == len(keys)

    # Originals and the PDF: every image too.
    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📎 Originals"))
    (documents,) = bot.telegram.albums(ann.chat_id, kind="document")
    assert [bot.telegram.files[m["document"]["file_id"]] for m in documents] == [s3_bytes(bot, k) for k in keys]
    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📄 PDF"))
    (pdf,) = bot.telegram.calls_of("sendDocument")
    assert len(re.findall(rb"/Type /Page\b", pdf.files["document"].data)) == len(keys)

    # The API: each slide with all its images.
    request_id = done["requestId"]
    route, params = apigw.match("GET", f"/carousels/{request_id}")
    event = apigw.proxy_event(route, params, "GET", f"/carousels/{request_id}", {}, None)
    status, _, body = apigw.response_parts(bot.runtime.invoke(route.function, event))
    view = json.loads(body)
    assert status == 200 and [len(s["imageUrls"]) for s in view["slides"]] == [1, sources.count(2), 1]
    assert all(s["imageUrl"] == s["imageUrls"][0] for s in view["slides"])
    assert [url.split("?")[0].rsplit("/", 1)[-1] for s in view["slides"] for url in s["imageUrls"]] == [
        key.rsplit("/", 1)[-1] for key in keys]
