"""The fake Bot API enforces Telegram's documented limits, and the real client handles its answers.

Given the fake on 127.0.0.1 and the production client (requests) pointed at it,
when a call breaks a documented limit or the fake injects a failure,
then the answer and the client's behaviour are what Telegram's would be.
"""

from __future__ import annotations

import io
import json

import pytest
import requests
from PIL import Image

import vibecoder.telegram as tg
from tests.fakes.telegram_api import FakeClock, FakeTelegram, TelegramUser
from vibecoder.telegram import TelegramClient, TelegramError

CHAT = 4242


def jpeg(width: int = 1080, height: int = 1350, color=(90, 60, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


@pytest.fixture
def clock(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(tg, "sleep", clock.sleep)
    return clock


@pytest.fixture
def telegram(clock):
    with FakeTelegram(clock=clock) as fake:
        yield fake


@pytest.fixture
def client(telegram):
    return TelegramClient(telegram.token, telegram.api_url, timeout=5)


def album(count: int, **first) -> tuple[list[dict], dict]:
    media = [{"type": "photo", "media": f"attach://p{i}"} | (first if i == 0 else {}) for i in range(count)]
    files = {f"p{i}": (f"slide-{i}.jpg", jpeg(108, 135), "image/jpeg") for i in range(count)}
    return media, files


# --- the documented limits -------------------------------------------------------------------------


@pytest.mark.parametrize("count", [2, 10])
def test_an_album_of_2_to_10_photos_is_sent(client, telegram, count):
    media, files = album(count)
    result = client.call("sendMediaGroup", {"chat_id": CHAT, "media": media}, files)
    assert len(result) == count and len({m["media_group_id"] for m in result}) == 1
    assert len(telegram.albums(CHAT)) == 1


@pytest.mark.parametrize("count", [1, 11])
def test_an_album_outside_2_to_10_is_refused(client, count):
    media, files = album(count)
    with pytest.raises(TelegramError) as refused:
        client.call("sendMediaGroup", {"chat_id": CHAT, "media": media}, files)
    assert refused.value.status == 400 and "2-10" in refused.value.description


def test_a_caption_counts_utf16_units_up_to_1024(client):
    fits = "🎨" * 512  # 1024 UTF-16 units
    media, files = album(2, caption=fits)
    client.call("sendMediaGroup", {"chat_id": CHAT, "media": media}, files)
    media, files = album(2, caption=fits + "x")
    with pytest.raises(TelegramError, match="caption is too long"):
        client.call("sendMediaGroup", {"chat_id": CHAT, "media": media}, files)


def test_photo_limits_size_dimensions_and_ratio(client):
    too_big = jpeg(100, 100) + b"\0" * (10 * 1024 * 1024)
    with pytest.raises(TelegramError, match="10 MB"):
        client.call("sendPhoto", {"chat_id": CHAT}, {"photo": ("a.jpg", too_big, "image/jpeg")})
    for width, height in ((9000, 1001), (2100, 100)):  # width + height > 10000; ratio > 20
        with pytest.raises(TelegramError, match="PHOTO_INVALID_DIMENSIONS"):
            client.call("sendPhoto", {"chat_id": CHAT}, {"photo": ("a.jpg", jpeg(width, height), "image/jpeg")})
    with pytest.raises(TelegramError, match="IMAGE_PROCESS_FAILED"):
        client.call("sendPhoto", {"chat_id": CHAT}, {"photo": ("a.jpg", b"not an image", "image/jpeg")})


def test_album_photos_are_kept_at_most_1280_pixels_but_documents_untouched(client, telegram):
    media = [{"type": "photo", "media": "attach://a"}, {"type": "photo", "media": "attach://b"}]
    client.call("sendMediaGroup", {"chat_id": CHAT, "media": media},
                {"a": ("a.jpg", jpeg(), "image/jpeg"), "b": ("b.jpg", jpeg(), "image/jpeg")})
    largest = telegram.albums(CHAT)[0][0]["photo"][-1]
    assert (largest["width"], largest["height"]) == (1024, 1280)

    original = jpeg()
    document = client.call("sendDocument", {"chat_id": CHAT}, {"document": ("slide.jpg", original, "image/jpeg")})
    assert telegram.files[document["document"]["file_id"]] == original


def test_documents_cannot_be_mixed_with_photos_and_attachments_must_exist(client):
    files = {"a": ("a.jpg", jpeg(50, 50), "image/jpeg"), "b": ("b.jpg", jpeg(50, 50), "image/jpeg")}
    mixed = [{"type": "photo", "media": "attach://a"}, {"type": "document", "media": "attach://b"}]
    with pytest.raises(TelegramError, match="can't be mixed"):
        client.call("sendMediaGroup", {"chat_id": CHAT, "media": mixed}, files)
    missing = [{"type": "photo", "media": "attach://a"}, {"type": "photo", "media": "attach://zzz"}]
    with pytest.raises(TelegramError, match="attach://zzz"):
        client.call("sendMediaGroup", {"chat_id": CHAT, "media": missing}, files)
    by_url = [{"type": "photo", "media": "https://example.com/1.jpg"}, {"type": "photo", "media": "attach://a"}]
    with pytest.raises(TelegramError, match="HTTP URL"):
        client.call("sendMediaGroup", {"chat_id": CHAT, "media": by_url}, files)


def test_messages_buttons_and_html(client, telegram):
    with pytest.raises(TelegramError, match="message is too long"):
        client.call("sendMessage", {"chat_id": CHAT, "text": "x" * 4097})
    with pytest.raises(TelegramError, match="text is empty"):
        client.call("sendMessage", {"chat_id": CHAT, "text": "  "})
    with pytest.raises(TelegramError, match="BUTTON_DATA_INVALID"):
        client.call("sendMessage", {"chat_id": CHAT, "text": "x", "reply_markup": {
            "inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]}})
    with pytest.raises(TelegramError, match="can't parse entities"):
        client.call("sendMessage", {"chat_id": CHAT, "text": "<b>1 < 2</b>", "parse_mode": "HTML"})
    sent = client.call("sendMessage", {"chat_id": CHAT, "text": "<b>1 &lt; 2</b>", "parse_mode": "HTML"})
    assert telegram.message(CHAT, sent["message_id"]).text == "1 < 2"


def test_editing_to_the_same_text_is_not_modified(client):
    sent = client.call("sendMessage", {"chat_id": CHAT, "text": "Rendering…"})
    client.call("editMessageText", {"chat_id": CHAT, "message_id": sent["message_id"], "text": "Done"})
    with pytest.raises(TelegramError) as same:
        client.call("editMessageText", {"chat_id": CHAT, "message_id": sent["message_id"], "text": "Done"})
    assert same.value.not_modified and not same.value.retryable


def test_a_callback_query_is_answered_once(client, telegram):
    sent = client.call("sendMessage", {"chat_id": CHAT, "text": "pick", "reply_markup": {
        "inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}})
    user = TelegramUser(telegram, chat_id=CHAT)
    update = user.press(telegram.message(CHAT, sent["message_id"]), "A")
    query_id = update["callback_query"]["id"]
    assert client.call("answerCallbackQuery", {"callback_query_id": query_id, "text": "ok"}) is True
    with pytest.raises(TelegramError, match="query is too old"):
        client.call("answerCallbackQuery", {"callback_query_id": query_id})


def test_chat_actions_are_the_documented_ones(client, telegram):
    client.call("sendChatAction", {"chat_id": CHAT, "action": "upload_photo"})
    with pytest.raises(TelegramError, match="wrong parameter action"):
        client.call("sendChatAction", {"chat_id": CHAT, "action": "uploading"})
    assert telegram.chat_actions == [(CHAT, "upload_photo")]


def test_wrong_token_and_unknown_method(telegram):
    with pytest.raises(TelegramError) as unauthorized:
        TelegramClient("1:wrong", telegram.api_url).call("getMe")
    assert unauthorized.value.status == 401
    with pytest.raises(TelegramError) as missing:
        TelegramClient(telegram.token, telegram.api_url).call("sendTelepathy", {"chat_id": CHAT})
    assert missing.value.status == 404


# --- failures and how the client meets them ----------------------------------------------------------


def test_429_waits_retry_after_then_succeeds(client, telegram, clock):
    telegram.fail("sendMessage", 429, retry_after=5)
    client.call("sendMessage", {"chat_id": CHAT, "text": "hi"})
    assert clock.sleeps == [5]
    assert [c.status for c in telegram.calls_of("sendMessage", ok=None)] == [429, 200]


def test_flood_control_keeps_refusing_until_retry_after_has_passed(telegram, clock):
    telegram.fail("sendMessage", 429, retry_after=7)
    url = f"{telegram.api_url}/bot{telegram.token}/sendMessage"
    first = requests.post(url, json={"chat_id": CHAT, "text": "a"}, timeout=5).json()
    clock.sleep(3)
    early = requests.post(url, json={"chat_id": CHAT, "text": "a"}, timeout=5).json()
    clock.sleep(4)
    later = requests.post(url, json={"chat_id": CHAT, "text": "a"}, timeout=5).json()
    assert first["parameters"] == {"retry_after": 7} and first["error_code"] == 429
    assert early["parameters"] == {"retry_after": 4}
    assert later["ok"] is True


def test_5xx_backs_off_then_succeeds(client, telegram, clock):
    telegram.fail("sendMessage", 502, times=2, html=True)
    client.call("sendMessage", {"chat_id": CHAT, "text": "hi"})
    assert clock.sleeps == [0.2, 0.4]


def test_other_4xx_end_at_once(client, telegram, clock):
    telegram.fail("sendMessage", 403)
    with pytest.raises(TelegramError) as blocked:
        client.call("sendMessage", {"chat_id": CHAT, "text": "hi"})
    assert blocked.value.status == 403 and not blocked.value.retryable and clock.sleeps == []


def test_a_long_retry_after_is_left_to_the_caller(client, telegram, clock):
    telegram.fail("sendMediaGroup", 429, retry_after=120)
    media, files = album(2)
    with pytest.raises(TelegramError) as flood:
        client.call("sendMediaGroup", {"chat_id": CHAT, "media": media}, files)
    assert flood.value.retry_after == 120 and clock.sleeps == []


def test_persistent_5xx_gives_up_after_the_attempts(client, telegram, clock):
    telegram.fail("sendMessage", 500, times=10)
    with pytest.raises(TelegramError) as failed:
        client.call("sendMessage", {"chat_id": CHAT, "text": "hi"})
    assert failed.value.retryable and len(telegram.calls_of("sendMessage", ok=False)) == client.max_attempts


def test_network_errors_are_retryable(clock):
    with FakeTelegram() as stopped:
        url = stopped.api_url
    client = TelegramClient("1:x", url, timeout=1, max_attempts=2)
    with pytest.raises(TelegramError) as unreachable:
        client.call("getMe")
    assert unreachable.value.status == 0 and unreachable.value.retryable and clock.sleeps == [0.2]


def test_form_encoded_and_json_bodies_are_both_understood(telegram):
    url = f"{telegram.api_url}/bot{telegram.token}/sendMessage"
    form = requests.post(url, data={"chat_id": str(CHAT), "text": "form",
                                    "reply_markup": json.dumps({"inline_keyboard": []})}, timeout=5).json()
    assert form["ok"] and form["result"]["text"] == "form"
