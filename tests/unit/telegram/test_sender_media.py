"""How the sender builds its uploads, with an in-memory S3 and a Bot API that only records."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from typing import Any

from telegram_sender.logic import SenderDeps, _send_media


@dataclass
class MemoryS3:
    objects: dict[str, bytes]

    def get_object(self, Bucket: str, Key: str, **_: Any) -> dict:  # noqa: N803 - boto3's names
        return {"Body": io.BytesIO(self.objects[Key])}


@dataclass
class RecordingBot:
    calls: list[tuple[str, dict, dict]] = field(default_factory=list)

    def call(self, method: str, params: dict | None = None, files: dict | None = None) -> Any:
        self.calls.append((method, json.loads(json.dumps(params)), files or {}))
        count = len(params.get("media", [])) if params else 0
        return [{"message_id": i} for i in range(count)] if method == "sendMediaGroup" else {"message_id": 1}


def deps(objects: dict[str, bytes]) -> tuple[SenderDeps, RecordingBot]:
    bot = RecordingBot()
    return SenderDeps(bot=bot, carousels=None, deliveries=None, bucket="b", s3_client=MemoryS3(objects)), bot


def test_an_album_attaches_every_file_and_captions_the_first():
    sender, bot = deps({"c/slide-01.jpg": b"1", "c/slide-02.jpg": b"2"})
    _send_media(sender, 5, ["c/slide-01.jpg", "c/slide-02.jpg"], as_documents=False, caption="Title")
    ((method, params, files),) = bot.calls
    assert method == "sendMediaGroup"
    assert params["media"] == [{"type": "photo", "media": "attach://file0", "caption": "Title"},
                               {"type": "photo", "media": "attach://file1"}]
    assert files == {"file0": ("slide-01.jpg", b"1", "image/jpeg"), "file1": ("slide-02.jpg", b"2", "image/jpeg")}


def test_a_photo_over_10_mb_makes_the_album_documents():
    big = b"\xff" * (10 * 1024 * 1024 + 1)
    sender, bot = deps({"a.jpg": b"small", "b.jpg": big})
    _send_media(sender, 5, ["a.jpg", "b.jpg"], as_documents=False, caption=None)
    assert {item["type"] for item in bot.calls[0][1]["media"]} == {"document"}


def test_one_file_is_sent_as_the_field_itself():
    sender, bot = deps({"a.jpg": b"x"})
    _send_media(sender, 5, ["a.jpg"], as_documents=False, caption="Cap")
    ((method, params, files),) = bot.calls
    assert (method, params, list(files)) == ("sendPhoto", {"chat_id": 5, "caption": "Cap"}, ["photo"])
    _send_media(sender, 5, ["a.jpg"], as_documents=True, caption=None)
    assert bot.calls[1][0] == "sendDocument" and list(bot.calls[1][2]) == ["document"]


def test_document_albums_caption_the_last_file():
    sender, bot = deps({"a.jpg": b"1", "b.jpg": b"2", "c.jpg": b"3"})
    _send_media(sender, 5, ["a.jpg", "b.jpg", "c.jpg"], as_documents=True, caption="Originals", caption_last=True)
    media = bot.calls[0][1]["media"]
    assert [m.get("caption") for m in media] == [None, None, "Originals"]
