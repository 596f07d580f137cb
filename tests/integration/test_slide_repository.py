"""The slides repository on moto S3: keys, content types, ranges, presigned GETs, listing and deletion."""

from __future__ import annotations

import io
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from botocore.exceptions import ClientError
from PIL import Image

from vibecoder.aws import client
from vibecoder.repositories import SlideRepository
from vibecoder.repositories import slides as slides_module


def jpeg(width: int = 64, height: int = 80) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (10, 20, 30)).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def slides(runtime) -> SlideRepository:
    return SlideRepository(runtime.settings.slides_bucket)


def test_a_slide_is_stored_under_the_request_prefix_with_its_content_type_and_no_metadata(slides):
    data = jpeg()
    key = slides.store("r-1", 3, "jpg", data, "image/jpeg")
    assert key == "carousels/r-1/slide-03.jpg"
    head = client("s3").head_object(Bucket=slides.bucket, Key=key)
    assert head["ContentType"] == "image/jpeg" and head["Metadata"] == {} and head["ContentLength"] == len(data)
    assert slides.read(key) == data


def test_the_head_of_a_slide_is_its_first_bytes_and_holds_the_jpeg_header(slides):
    from telegram_sender.pdf import jpeg_info

    big = jpeg(1080, 1350) + bytes(200_000)  # longer than the head, whatever the encoder writes
    key = slides.store("r-1", 1, "jpg", big, "image/jpeg")
    head = slides.read_head(key)
    assert head == big[: slides_module.HEAD_BYTES]
    assert jpeg_info(head)[:2] == (1080, 1350)
    assert slides.read_head(key, size=10) == big[:10]
    small = slides.store("r-1", 2, "jpg", b"tiny", "image/jpeg")
    assert slides.read_head(small) == b"tiny"  # a range past the end gives the whole object


def test_a_presigned_url_gets_the_slide_and_expires_as_asked(slides):
    data = jpeg()
    key = slides.store("r-1", 1, "jpg", data, "image/jpeg")
    before = time.time()
    url = slides.presigned_url(key, 900)
    parsed = urlparse(url)
    expires = int(parse_qs(parsed.query)["Expires"][0])  # botocore's default S3 query signature: an epoch
    assert parsed.path.endswith(f"/{key}") and before + 900 <= expires + 1 <= time.time() + 901
    fetched = requests.get(url, timeout=5)  # moto answers in-process: no socket is opened
    assert fetched.status_code == 200 and fetched.content == data


def test_a_requests_slides_are_listed_and_deleted_and_no_other_requests(slides):
    for index in (2, 1):
        slides.store("r-1", index, "jpg", b"x", "image/jpeg")
    slides.store("r-10", 1, "jpg", b"y", "image/jpeg")  # a prefix of its id is another request
    assert slides.keys("r-1") == ["carousels/r-1/slide-01.jpg", "carousels/r-1/slide-02.jpg"]

    assert slides.delete("r-1") == 2
    assert slides.keys("r-1") == [] and slides.delete("r-1") == 0
    assert slides.keys("r-10") == ["carousels/r-10/slide-01.jpg"]


def test_deletion_goes_in_batches_deleteobjects_accepts(slides, monkeypatch):
    monkeypatch.setattr(slides_module, "DELETE_BATCH", 2)
    calls: list[int] = []
    s3 = client("s3")
    counting = lambda params, **_: calls.append(len(params["Delete"]["Objects"]))  # noqa: E731
    s3.meta.events.register("before-parameter-build.s3.DeleteObjects", counting)
    try:
        for index in range(1, 6):
            slides.store("r-1", index, "jpg", b"x", "image/jpeg")
        assert slides.delete("r-1") == 5
    finally:
        s3.meta.events.unregister("before-parameter-build.s3.DeleteObjects", counting)
    assert calls == [2, 2, 1] and slides.keys("r-1") == []


def test_the_check_passes_on_the_bucket_and_raises_without_it(slides):
    slides.check()
    with pytest.raises(ClientError):
        SlideRepository("no-such-bucket").check()
