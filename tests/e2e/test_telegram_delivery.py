"""Progress in the chat, exactly one album, the buttons under it, apologies: against the fake Bot API.

Each test delivers updates to the webhook over HTTP, runs the whole event flow (offline content,
Pillow rendering, S3 and DynamoDB on moto) and reads what the chat shows on the fake Bot API.
"""

from __future__ import annotations

import io
import re

import pytest

from tests.fakes.telegram_harness import SLOW_STEPS, bot_under_test
from vibecoder.aws import client

pytestmark = pytest.mark.e2e


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def s3_bytes(bot, key: str) -> bytes:
    return client("s3").get_object(Bucket=bot.runtime.settings.slides_bucket, Key=key)["Body"].read()


def completed(bot) -> list[dict]:
    return [e["data"] for e in bot.events("carousel.completed")]


def images(carousel: dict) -> list[str]:
    """The carousel's image keys in album order (a slide the renderer split has several)."""
    return [key for slide in carousel["slides"] for key in slide["imageKeys"]]


def buttons_message(bot, chat_id: int):
    return next(m for m in reversed(bot.telegram.chat(chat_id)) if any(
        b["callback_data"].startswith("restyle:") for b in m.buttons))


@pytest.fixture
def slow_bot(tmp_path, monkeypatch):
    """Every stage slow enough for the chat to see its progress step."""
    with bot_under_test(tmp_path, monkeypatch, step_seconds=SLOW_STEPS) as running:
        yield running


def test_a_topic_becomes_a_progress_bar_one_album_and_the_buttons(slow_bot):
    bot = slow_bot
    ann = bot.user()

    bot.deliver(ann.message("/carousel 7 Test-Driven Development"))

    chat = bot.telegram.chat(ann.chat_id)
    status, *album, ready = chat
    # The status message is the chat's progress bar, edited as the flow advances.
    bars = [re.search(r"(\d)/4 · (.*)", t).groups() for t in status.texts]
    assert bars == [("1", "Analysing the topic…"), ("2", "Writing the slides…"), ("3", "Rendering 7 slides…"),
                    ("4", "Done ✅")]
    assert (ann.chat_id, "upload_photo") in bot.telegram.chat_actions
    # Exactly one album of 7 photos, the caption (title + hashtags) on the first.
    (photos,) = bot.telegram.albums(ann.chat_id)
    assert [m.id for m in photos] == [m.id for m in album] and len(photos) == 7
    assert photos[0]["caption"].startswith("Test-Driven Development") and "#" in photos[0]["caption"]
    assert all("caption" not in m.message for m in photos[1:])
    # Uploaded as multipart from S3: the files Telegram received are the rendered slides.
    (call,) = bot.telegram.calls_of("sendMediaGroup")
    keys = images(completed(bot)[0])
    assert [u.data for u in call.files.values()] == [s3_bytes(bot, k) for k in keys]
    assert all(item["media"].startswith("attach://") for item in call.params["media"])
    # Albums carry no buttons: one message after the album does.
    request_id = completed(bot)[0]["requestId"]
    assert [b["callback_data"] for b in ready.buttons] == [f"orig:{request_id}", f"pdf:{request_id}",
                                                          f"restyle:{request_id}", f"edit:{request_id}"]
    (sent,) = bot.events("telegram.bot.response.sent")
    assert sent["data"]["delivered"] is True and sent["data"]["messageIds"] == [m.id for m in photos]
    assert bot.failed_deliveries() == []


def test_the_same_update_delivered_three_times_makes_exactly_one_album(bot):
    ann = bot.user()
    update = ann.message("/carousel 3 Clean Architecture")

    for _ in range(3):
        assert bot.post(update).status_code == 200
        bot.drain()

    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert len(bot.events("carousel.generate.requested")) == 1
    assert len(bot.telegram.calls_of("sendMediaGroup")) == 1


def test_a_redelivered_carousel_completed_never_sends_a_second_album(bot):
    from vibecoder.bus import default_publisher
    from vibecoder.events.catalog import CATALOG

    ann = bot.user()
    bot.deliver(ann.message("/carousel 3 TDD"))
    (event,) = bot.events("carousel.completed")

    same = CATALOG.parse(event)  # EventBridge's at-least-once: the same event again
    duplicate = CATALOG.parse(event | {"id": "another-id-for-the-same-carousel"})  # a second emission
    default_publisher().publish([same, duplicate])
    bot.drain()

    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert len(bot.telegram.calls_of("sendMediaGroup")) == 1
    assert len([m for m in bot.telegram.chat(ann.chat_id) if m.buttons]) == 1


def test_a_429_on_the_first_album_is_waited_out_then_one_album(bot):
    ann = bot.user()
    bot.telegram.fail("sendMediaGroup", 429, retry_after=3)

    bot.deliver(ann.message("/carousel 4 TDD"))

    assert [c.status for c in bot.telegram.calls_of("sendMediaGroup", ok=None)] == [429, 200]
    assert 3 in bot.clock.sleeps
    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert bot.failed_deliveries() == []


def test_5xx_are_retried_with_backoff(bot):
    ann = bot.user()
    bot.telegram.fail("sendMediaGroup", 502, times=2, html=True)

    bot.deliver(ann.message("/carousel 3 TDD"))

    assert [c.status for c in bot.telegram.calls_of("sendMediaGroup", ok=None)] == [502, 502, 200]
    assert len(bot.telegram.albums(ann.chat_id)) == 1


def test_other_4xx_end_as_a_recorded_failure_without_retries(bot):
    ann = bot.user()
    bot.telegram.fail("sendMediaGroup", 403, description="Forbidden: bot was blocked by the user")

    bot.deliver(ann.message("/carousel 3 TDD"))

    assert len(bot.telegram.calls_of("sendMediaGroup", ok=None)) == 1
    (sent,) = bot.events("telegram.bot.response.sent")
    assert sent["data"]["delivered"] is False and "blocked" in sent["data"]["error"]
    assert bot.failed_deliveries() == [] and bot.runtime.router.dead_letters() == []


def test_more_than_ten_slides_go_out_as_two_albums_and_a_retry_resends_neither(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_MAX_SLIDES="20") as bot:
        ann = bot.user()
        # The second album fails on every attempt of the client, so the bus retries the event.
        bot.telegram.fail("sendMediaGroup", 500, times=4, after=1)

        bot.deliver(ann.message("/carousel 15 Functional Programming"))

        albums = bot.telegram.albums(ann.chat_id)
        slides = len(completed(bot)[0]["slides"])
        assert slides >= 11 and len(albums) == 2
        assert [len(a) for a in albums] == [slides - slides // 2, slides // 2]
        assert albums[0][0].get("caption") and not albums[1][0].get("caption")
        sender_failures = [d for d in bot.runtime.router.deliveries if d.function == "telegram-sender" and not d.ok]
        assert len(sender_failures) == 1  # the retry sent only the second album
        assert len([m for m in bot.telegram.chat(ann.chat_id) if m.buttons]) == 1


def test_one_slide_goes_out_via_send_photo(bot, monkeypatch):
    import carousel_generator.logic

    real = carousel_generator.logic.build_slides
    monkeypatch.setattr(carousel_generator.logic, "build_slides", lambda content, count: real(content, count)[:1])
    ann = bot.user()

    bot.deliver(ann.message("/carousel 1 TDD"))

    assert bot.telegram.calls_of("sendMediaGroup") == []
    (photo,) = bot.telegram.calls_of("sendPhoto")
    (done,) = completed(bot)
    assert len(done["slides"]) == 1 and photo.result["caption"].startswith(done["title"])
    assert photo.files["photo"].data == s3_bytes(bot, done["slides"][0]["imageKeys"][0])


def test_a_failed_carousel_gets_one_clear_apology(bot, monkeypatch):
    import image_renderer.logic

    def broken(*args, **kwargs):
        raise OSError("disk full at /var/task/render.py line 12")

    monkeypatch.setattr(image_renderer.logic, "render_and_store", broken)
    ann = bot.user(language_code="ru")

    bot.deliver(ann.message("/carousel 3 TDD"))
    bot.runtime.fail_stuck_now()
    bot.drain()

    status, apology = bot.telegram.chat(ann.chat_id)
    assert apology.text.startswith("😔 Извините") and "Что попробовать" in apology.text
    assert not re.search(r"Traceback|Error|disk full|\.py", apology.text)
    assert status.text.endswith("Не получилось ❌")
    assert bot.telegram.albums(ann.chat_id) == []


# --- the buttons under the album -----------------------------------------------------------------


def test_originals_are_the_exact_files_as_a_document_album(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 3 TDD"))
    request = completed(bot)[0]

    tap = ann.press(buttons_message(bot, ann.chat_id), "📎 Originals")
    bot.deliver(tap)

    assert bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"] == "Sending…"
    (documents,) = bot.telegram.albums(ann.chat_id, kind="document")
    names = [m["document"]["file_name"] for m in documents]
    assert names == ["slide-01.jpg", "slide-02.jpg", "slide-03.jpg"][: len(names)] and len(names) == 3
    for message, key in zip(documents, images(request), strict=True):
        assert bot.telegram.files[message["document"]["file_id"]] == s3_bytes(bot, key)
    assert "1080×1350" in documents[-1]["caption"]
    # The album's photos are Telegram's re-encodes (≤ 1280 px); the documents are the 1080×1350 originals.
    from PIL import Image

    album_photo = bot.telegram.albums(ann.chat_id)[0][0]["photo"][-1]
    assert max(album_photo["width"], album_photo["height"]) <= 1280
    with Image.open(io.BytesIO(bot.telegram.files[documents[0]["document"]["file_id"]])) as original:
        assert original.size == (1080, 1350)
    assert (ann.chat_id, "upload_document") in bot.telegram.chat_actions


def test_pdf_is_a_document_with_a_page_per_slide(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 4 TDD"))
    request = completed(bot)[0]

    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📄 PDF"))

    (call,) = bot.telegram.calls_of("sendDocument")
    upload = call.files["document"]
    assert upload.filename.endswith(".pdf") and upload.content_type == "application/pdf"
    assert upload.data.startswith(b"%PDF")
    assert len(re.findall(rb"/Type /Page\b", upload.data)) == len(images(request))
    assert all(s3_bytes(bot, key) in upload.data for key in images(request))
    assert call.result["document"]["mime_type"] == "application/pdf"


def test_another_style_re_renders_the_same_slides_in_the_next_theme_without_ai(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 3 TDD"))
    first = completed(bot)[0]
    ai_calls = len(bot.events("ai.content.requested"))

    tap = ann.press(buttons_message(bot, ann.chat_id), "🎨 Another style")
    bot.deliver(tap)

    assert "Dark" in bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"]
    assert len(bot.events("ai.content.requested")) == ai_calls  # no new content
    first_done, second = completed(bot)
    assert second["requestId"] != first["requestId"] and second["style"] == "dark" and first_done["style"] == "glass"
    assert [(s["title"], s["content"]) for s in second["slides"]] == [(s["title"], s["content"]) for s in first["slides"]]
    assert len(bot.telegram.albums(ann.chat_id)) == 2
    new_photos = bot.telegram.albums(ann.chat_id)[1]
    assert new_photos[0]["caption"] == bot.telegram.albums(ann.chat_id)[0][0]["caption"]
    assert s3_bytes(bot, images(second)[0]) != s3_bytes(bot, images(first)[0])
    status = [m for m in bot.telegram.chat(ann.chat_id) if "«🌙 Dark»" in " ".join(m.texts)]
    assert status and status[0].text.endswith("Done ✅")


def test_history_resends_a_carousel_on_tap(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 2 TDD"))
    bot.deliver(ann.message("/history"))
    listing = bot.telegram.chat(ann.chat_id)[-1]

    bot.deliver(ann.press(listing, listing.buttons[0]["text"]))

    first, again = bot.telegram.albums(ann.chat_id)
    assert [m["photo"][-1]["file_id"] for m in first] != [m["photo"][-1]["file_id"] for m in again]
    assert len(again) == len(first) and again[0]["caption"] == first[0]["caption"]


def test_someone_elses_carousel_is_not_available(bot):
    ann, eve = bot.user(), bot.user()
    bot.deliver(ann.message("/carousel 2 TDD"))
    request_id = completed(bot)[0]["requestId"]
    before = len(bot.telegram.calls_of())

    tap = eve.tap(buttons_message(bot, ann.chat_id), f"orig:{request_id}")
    bot.deliver(tap)

    answer = bot.telegram.callback_answers[tap["callback_query"]["id"]]
    assert answer["text"] == "That carousel is no longer available." and answer["show_alert"] is True
    assert [c.method for c in bot.telegram.calls_of()[before:]] == ["answerCallbackQuery"]


def test_an_unknown_button_is_answered(bot):
    ann = bot.user()
    bot.deliver(ann.message("/help"))
    tap = ann.tap(bot.telegram.chat(ann.chat_id)[0], "bogus:data")
    bot.deliver(tap)
    assert bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"] == "This button no longer works."


def test_a_late_progress_event_never_moves_the_bar_back(bot):
    from vibecoder.bus import default_publisher
    from vibecoder.events.catalog import CATALOG

    ann = bot.user()
    bot.deliver(ann.message("/carousel 3 TDD"))
    edits = len(bot.telegram.calls_of("editMessageText", ok=None))
    (analyzed,) = bot.events("carousel.content.analyzed")

    default_publisher().publish([CATALOG.parse(analyzed | {"id": "late-content-analyzed"})])
    bot.drain()

    assert len(bot.telegram.calls_of("editMessageText", ok=None)) == edits
    assert bot.telegram.chat(ann.chat_id)[0].text.endswith("4/4 · Done ✅")


def test_photos_telegram_refuses_still_arrive_as_documents(bot):
    ann = bot.user()
    bot.telegram.fail("sendMediaGroup", 400, description="Bad Request: PHOTO_INVALID_DIMENSIONS")

    bot.deliver(ann.message("/carousel 3 TDD"))

    assert bot.telegram.albums(ann.chat_id, kind="photo") == []
    (documents,) = bot.telegram.albums(ann.chat_id, kind="document")
    assert len(documents) == 3 and documents[0]["caption"].startswith("TDD")
    (sent,) = bot.events("telegram.bot.response.sent")
    assert sent["data"]["delivered"] is True
