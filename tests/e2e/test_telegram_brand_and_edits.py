"""The user's own carousel (issue 14): their brand on every slide, and edits after delivery, against the fake Bot API.

Each test delivers updates to the webhook over HTTP, runs the whole flow (offline content, Pillow, moto) and
reads what the chat shows. What a slide carries is checked on the delivered JPEGs themselves: they are the
renderer's output for the kit the API reports, and not for the operator's handle.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.fakes.telegram_harness import bot_under_test
from vibecoder.aws import client
from vibecoder.content import Slide

pytestmark = pytest.mark.e2e
TOPIC = "/carousel 4 Test-Driven Development"
AVATAR_GREEN = (20, 200, 60)


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def jpeg(color, size=(320, 320)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def s3_bytes(bot, key: str) -> bytes:
    return client("s3").get_object(Bucket=bot.runtime.settings.slides_bucket, Key=key)["Body"].read()


def carousel(bot, request_id: str) -> dict:
    response = bot.get(f"/carousels/{request_id}")
    assert response.status_code == 200, response.text
    return response.json()


def last_completed(bot) -> dict:
    return bot.events("carousel.completed")[-1]["data"]


def keys_of(data: dict) -> list[str]:
    return [key for slide in data["slides"] for key in slide["imageKeys"]]


def rendered(bot, data: dict, brand) -> list[bytes]:
    """The carousel drawn again by the renderer, with ``brand`` (deterministic: the same pixels)."""
    from image_renderer.rendering import render_carousel

    slides = [Slide.model_validate(s) for s in data["slides"]]
    return [r.data for r in render_carousel(slides, theme=data["style"], brand=brand)]


def buttons_message(bot, chat_id: int):
    return next(m for m in reversed(bot.telegram.chat(chat_id)) if any(
        b["callback_data"].startswith("restyle:") for b in m.buttons))


def test_a_user_with_a_username_gets_their_handle_name_and_avatar_on_every_slide_and_not_the_bots(bot):
    from image_renderer.rendering import SlideBrand

    ann = bot.user(username="ann_dev", first_name="Ann")
    avatar = jpeg(AVATAR_GREEN)
    bot.telegram.set_profile_photo(ann.user_id, avatar)

    bot.deliver(ann.message(TOPIC))

    data = last_completed(bot)
    view = carousel(bot, data["requestId"])
    assert view["brand"] == {"handle": "@ann_dev", "name": "Ann", "hasAvatar": True, "hasLogo": False}
    assert all(slide["version"] == 1 for slide in view["slides"])
    # The avatar came from Telegram (the smallest sharp size of the newest profile photo).
    assert [c.method for c in bot.telegram.calls_of() if c.method in ("getUserProfilePhotos", "getFile", "download")] \
        == ["getUserProfilePhotos", "getFile", "download"]
    stored = s3_bytes(bot, f"brands/{ann.user_id}/avatar")
    assert stored == avatar
    delivered = [s3_bytes(bot, key) for key in keys_of(data)]
    assert delivered == rendered(bot, data, SlideBrand(handle="@ann_dev", name="Ann", avatar=avatar))
    operators = rendered(bot, data, "@BibleVibeCoderBot")
    assert all(mine != theirs for mine, theirs in zip(delivered, operators, strict=True))
    # The avatar's green is in the header of every slide.
    for image in delivered:
        header = Image.open(io.BytesIO(image)).convert("RGB").crop((0, 0, 540, 200))
        colors = header.getcolors(header.width * header.height)
        assert any(abs(r - 20) < 40 and g > 150 and b < 120 for _, (r, g, b) in colors), "no avatar"


def test_a_user_without_a_username_gets_no_handle_rather_than_the_bots(bot):
    from image_renderer.rendering import SlideBrand

    bob = bot.user(username=None, first_name="Bob")

    bot.deliver(bob.message(TOPIC))

    data = last_completed(bot)
    assert carousel(bot, data["requestId"])["brand"] == {"name": "Bob", "hasAvatar": False, "hasLogo": False}
    assert [s3_bytes(bot, k) for k in keys_of(data)] == rendered(bot, data, SlideBrand(name="Bob"))


def _reddish(image: bytes) -> int:
    picture = Image.open(io.BytesIO(image)).convert("RGB")
    return sum(n for n, (r, g, b) in picture.getcolors(picture.width * picture.height) if r > 180 and g < 90 and b < 90)


def test_brand_color_changes_the_accent_of_the_next_carousel(bot):
    ann = bot.user()
    bot.deliver(ann.message("/style minimal"))
    bot.deliver(ann.message(TOPIC))
    before = [s3_bytes(bot, k) for k in keys_of(last_completed(bot))]

    bot.deliver(ann.message("/brand color #E01010"))
    assert "Saved" in bot.telegram.chat(ann.chat_id)[-1].text
    bot.deliver(ann.message(TOPIC))

    data = last_completed(bot)
    assert carousel(bot, data["requestId"])["brand"]["color"] == "#e01010"
    after = [s3_bytes(bot, k) for k in keys_of(data)]
    assert sum(map(_reddish, after)) > sum(map(_reddish, before)) + 200  # the accent is drawn in red now


def test_brand_commands_show_and_change_the_kit_and_refuse_bad_values_plainly(bot):
    ann = bot.user(username="ann_dev", first_name="Ann")
    bot.deliver(ann.message("/brand"))
    shown = bot.telegram.chat(ann.chat_id)[-1]
    assert "@ann_dev" in shown.text and "Ann" in shown.text
    assert {b["callback_data"] for b in shown.buttons} == {"brand:profile", "brand:off"}

    bot.deliver(ann.message("/brand color orange"))
    assert "six hex digits" in bot.telegram.chat(ann.chat_id)[-1].text
    bot.deliver(ann.message("/brand @x"))
    assert "3–32" in bot.telegram.chat(ann.chat_id)[-1].text
    bot.deliver(ann.message("/brand @ann_studio"))
    bot.deliver(ann.message("/brand name Ann Lee"))
    bot.deliver(ann.message("/brand off"))
    bot.deliver(ann.message(TOPIC))
    assert carousel(bot, last_completed(bot)["requestId"])["brand"] == {"hasAvatar": False, "hasLogo": False}

    bot.deliver(ann.message("/brand on"))
    bot.deliver(ann.message(TOPIC))
    brand = carousel(bot, last_completed(bot)["requestId"])["brand"]
    assert (brand["handle"], brand["name"]) == ("@ann_studio", "Ann Lee")


def test_a_picture_captioned_brand_logo_becomes_the_logo(bot):
    ann = bot.user()
    logo = jpeg((250, 120, 0), (400, 200))
    bot.deliver(ann.message(None, photo=bot.telegram.user_file(logo), caption="/brand logo"))
    saved = bot.telegram.chat(ann.chat_id)[-1]
    assert saved.text.startswith("✅ Logo saved")
    bot.deliver(ann.message(TOPIC))
    assert carousel(bot, last_completed(bot)["requestId"])["brand"]["hasLogo"] is True

    bot.deliver(ann.message(None, document=bot.telegram.user_file(b"%PDF-1.4 not a picture", photo=False),
                            caption="/brand logo"))
    assert "not a picture" in bot.telegram.chat(ann.chat_id)[-1].text


@pytest.mark.parametrize("broken", ["not_an_image", "missing_file"])
def test_brand_images_that_404_or_are_not_images_still_give_a_carousel(bot, broken):
    ann = bot.user(username="ann_dev")
    bot.telegram.set_profile_photo(ann.user_id, b"GIF89a this is not a picture at all" if broken == "not_an_image"
                                   else jpeg(AVATAR_GREEN))
    if broken == "missing_file":  # getFile names a path the file server no longer has: the download 404s
        bot.telegram._api_getFile = lambda params, files: {"file_id": params["file_id"], "file_unique_id": "u",
                                                          "file_size": 10, "file_path": "files/gone"}
    bot.deliver(ann.message(TOPIC))

    data = last_completed(bot)
    assert carousel(bot, data["requestId"])["brand"] == {"handle": "@ann_dev", "name": "Ann", "hasAvatar": False,
                                                         "hasLogo": False}
    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert bot.failed_deliveries() == []


def _album(bot, chat_id: int):
    (photos,) = bot.telegram.albums(chat_id)
    return photos


def test_a_reply_to_a_slide_replaces_exactly_that_photo_and_undo_restores_it(bot):
    ann = bot.user()
    bot.deliver(ann.message(TOPIC))
    data = last_completed(bot)
    request_id = data["requestId"]
    photos = _album(bot, ann.chat_id)
    first_keys = keys_of(data)

    bot.deliver(ann.message("Write the test first | Red, green, refactor: in that order.",
                            reply_to_message=photos[1].message))

    (edit,) = bot.telegram.calls_of("editMessageMedia")
    assert int(edit.params["message_id"]) == photos[1].id
    assert [m.id for m in _album(bot, ann.chat_id)] == [m.id for m in photos]  # replaced in place, not resent
    assert len(photos[1].history) == 1 and all(not p.history for i, p in enumerate(photos) if i != 1)
    view = carousel(bot, request_id)
    assert [s["version"] for s in view["slides"]] == [1, 2, 1, 1]
    assert view["slides"][1]["title"] == "Write the test first" and view["revision"] == 1
    edited_key = bot.events("carousel.edited")[-1]["data"]["slides"][1]["imageKeys"][0]
    assert edited_key != first_keys[1] and list(edit.files.values())[0].data == s3_bytes(bot, edited_key)
    status = bot.telegram.chat(ann.chat_id)[-1]
    assert "Slide 2 updated" in status.text
    assert [b["callback_data"] for b in status.buttons] == [f"undo:{request_id}", f"edit:{request_id}"]

    bot.deliver(ann.press(status, "↩️ Undo"))

    undo = bot.telegram.calls_of("editMessageMedia")[-1]
    assert len(bot.telegram.calls_of("editMessageMedia")) == 2 and int(undo.params["message_id"]) == photos[1].id
    assert list(undo.files.values())[0].data == s3_bytes(bot, first_keys[1])  # the original image, not redrawn
    view = carousel(bot, request_id)
    assert [s["version"] for s in view["slides"]] == [1, 1, 1, 1] and view["revision"] == 2
    assert keys_of(bot.events("carousel.edited")[-1]["data"]) == first_keys
    assert len(bot.events("carousel.edited")) == 2
    from vibecoder.repositories import AnalyticsRepository

    totals = AnalyticsRepository(bot.runtime.settings.analytics_table).counters("total")
    assert totals["type#carousel.edited"] == 2  # analytics counts edits
    # Originals and the PDF follow the record.
    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📎 Originals"))
    (originals,) = [c for c in bot.telegram.calls_of("sendMediaGroup") if c.params["media"][0]["type"] == "document"]
    assert [u.data for u in originals.files.values()] == [s3_bytes(bot, k) for k in first_keys]


def test_edit_by_number_move_and_drop_redraw_the_counters_and_keep_one_album(bot):
    ann = bot.user()
    bot.deliver(ann.message(TOPIC))
    request_id = last_completed(bot)["requestId"]
    photos = _album(bot, ann.chat_id)
    titles = [s["title"] for s in carousel(bot, request_id)["slides"]]

    bot.deliver(ann.message("/edit 3 A better title | A better body."))
    assert carousel(bot, request_id)["slides"][2]["title"] == "A better title"
    assert len(bot.telegram.calls_of("editMessageMedia")) == 1

    bot.deliver(ann.message("/move 4 2"))
    view = carousel(bot, request_id)
    assert [s["title"] for s in view["slides"]] == [titles[0], titles[3], titles[1], "A better title"]
    assert len(bot.telegram.calls_of("editMessageMedia")) == 1 + 4  # every counter changed

    bot.deliver(ann.message("/drop 2"))
    view = carousel(bot, request_id)
    assert len(view["slides"]) == 3
    album = [m for m in _album(bot, ann.chat_id) if not m.deleted]
    assert len(album) == 3 and [m.id for m in album] == [m.id for m in photos[:3]]  # the last photo deleted
    assert "3 slides now" in bot.telegram.chat(ann.chat_id)[-1].text

    bot.deliver(ann.message("/drop 9"))
    assert "slides 1–3" in bot.telegram.chat(ann.chat_id)[-1].text


def test_an_instruction_without_an_ai_model_is_answered_honestly_and_changes_nothing(bot):
    ann = bot.user()
    bot.deliver(ann.message(TOPIC))
    request_id = last_completed(bot)["requestId"]

    bot.deliver(ann.message("/edit 2 make it shorter"))

    assert "only with an AI model" in bot.telegram.chat(ann.chat_id)[-1].text
    assert bot.telegram.calls_of("editMessageMedia") == []
    assert carousel(bot, request_id)["revision"] == 0
    (failed,) = bot.events("carousel.edit.failed")
    assert failed["data"]["reason"] == "needs_ai"


def test_size_makes_the_next_carousel_square_and_originals_carry_alt_text(bot):
    ann = bot.user()
    bot.deliver(ann.message("/size 1:1"))
    bot.deliver(ann.message(TOPIC))
    data = last_completed(bot)
    sizes = {Image.open(io.BytesIO(s3_bytes(bot, key))).size for key in keys_of(data)}
    assert sizes == {(1080, 1080)}
    assert carousel(bot, data["requestId"])["size"] == "1:1"

    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📎 Originals"))
    alt = bot.telegram.chat(ann.chat_id)[-1]
    assert alt.text.startswith("♿ Alt text") and f"1. {data['slides'][0]['title']}" in alt.text


def test_with_an_ai_model_a_reply_is_an_instruction_for_that_slide(bot, monkeypatch):
    import json

    from tests.unit.content.fake_openai_server import FakeOpenAI, completion

    ann = bot.user()
    bot.deliver(ann.message(TOPIC))  # offline content: no key yet
    request_id = last_completed(bot)["requestId"]
    photos = _album(bot, ann.chat_id)
    answer = {"title": "Why write the test first?", "body": "It tells you when you are done."}
    with FakeOpenAI(completion(json.dumps(answer))) as model:
        monkeypatch.setenv("OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("OPENAI_BASE_URL", model.base_url)
        bot.deliver(ann.message("make it a question", reply_to_message=photos[2].message))
        (asked,) = [r["json"] for r in model.requests]
    assert json.loads(asked["messages"][1]["content"])["instruction"] == "make it a question"
    (edit,) = bot.telegram.calls_of("editMessageMedia")
    assert int(edit.params["message_id"]) == photos[2].id
    slide = carousel(bot, request_id)["slides"][2]
    assert (slide["title"], slide["content"], slide["version"]) == (answer["title"], answer["body"], 2)
