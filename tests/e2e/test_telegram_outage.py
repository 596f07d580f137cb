"""Telegram goes down after the webhook answered 200: every request still ends, in the chat, in exactly
one album or exactly one apology, and ``GET /carousels/{id}`` says which (``delivery``).

The fake Bot API drops every connection during its outage (on the fake clock the client, the router
and the fake share), so minutes of outage cost no real time. The 30-second case runs on the local
runtime's own timing (``LOCAL_TIME_COMPRESSION``'s default); the longer ones on the deployed timing
(compression 1: Lambda's retries 1 and 2 minutes later, ``STEP_TIMEOUT_SECONDS`` 300, the delivery
deadline 30 minutes), with ``bot.wait`` running the orchestrator's 5-minute schedule.
"""

from __future__ import annotations

import json
import re

import pytest

from local import apigw
from tests.fakes.telegram_harness import bot_under_test

pytestmark = pytest.mark.e2e

SCHEDULE = 300.0  # the deployed schedule: rate(5 minutes)


@pytest.fixture
def bot(tmp_path, monkeypatch):
    """The bot on the deployed timing."""
    with bot_under_test(tmp_path, monkeypatch, LOCAL_TIME_COMPRESSION="1") as running:
        yield running


@pytest.fixture
def local_bot(tmp_path, monkeypatch):
    """The bot on the local runtime's own (compressed) timing, as ``local serve`` runs it."""
    monkeypatch.delenv("LOCAL_TIME_COMPRESSION", raising=False)
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def carousel(bot, request_id: str) -> dict:
    route, params = apigw.match("GET", f"/carousels/{request_id}")
    event = apigw.proxy_event(route, params, "GET", f"/carousels/{request_id}", {}, None)
    status, _, body = apigw.response_parts(bot.runtime.invoke(route.function, event))
    assert status == 200, body
    return json.loads(body)


def request_id_of(bot) -> str:
    (requested,) = bot.events("carousel.generate.requested")
    return requested["data"]["requestId"]


def ask_then_lose_telegram(bot, user, outage_seconds: float, text: str = "/carousel 3 TDD") -> str:
    """The webhook answers 200 (status message sent), then Telegram becomes unreachable."""
    response = bot.post(user.message(text))
    assert response.status_code == 200
    bot.telegram.outage(outage_seconds)
    bot.drain()
    return request_id_of(bot)


def apologies(bot, chat_id: int) -> list:
    return [m for m in bot.telegram.chat(chat_id) if m.text.startswith("😔")]


def status_bar(bot, chat_id: int) -> str:
    return bot.telegram.chat(chat_id)[0].text


def dead_letters(bot) -> set[tuple[str, str]]:
    return {(x.function, x.event["detail-type"]) for x in bot.runtime.router.dead_letters()}


@pytest.mark.parametrize("timing", ["local_bot", "bot"])
def test_a_30_second_outage_ends_in_one_album_through_the_bus_retries(request, timing):
    bot = request.getfixturevalue(timing)
    ann = bot.user()
    outage_started = bot.clock()

    request_id = ask_then_lose_telegram(bot, ann, outage_seconds=30)

    (album,) = bot.telegram.albums(ann.chat_id)
    assert len(album) == 3 and apologies(bot, ann.chat_id) == []
    (delivered,) = bot.telegram.calls_of("sendMediaGroup")
    assert delivered.at - outage_started >= 30  # it went out after Telegram came back, not before
    failed = [d for d in bot.runtime.router.deliveries if d.function == "telegram-sender" and not d.ok]
    assert failed and {d.event_type for d in failed} == {"carousel.completed"}
    assert bot.runtime.router.dead_letters() == []
    assert carousel(bot, request_id)["delivery"] == "delivered"
    assert status_bar(bot, ann.chat_id).endswith("Done ✅")


def test_an_outage_of_several_minutes_ends_in_one_album_re_driven_by_the_sweep(bot):
    ann = bot.user()
    outage_started = bot.clock()

    request_id = ask_then_lose_telegram(bot, ann, outage_seconds=8 * 60)

    # Every retry of the sender failed: dead-lettered, the carousel made, the chat still waiting.
    assert [x.function for x in bot.runtime.router.dead_letters()] == ["telegram-sender"]
    view = carousel(bot, request_id)
    assert (view["status"], view["delivery"]) == ("completed", "pending")
    while carousel(bot, request_id)["delivery"] == "pending" and bot.clock() - outage_started < 3600:
        bot.wait(SCHEDULE)

    (album,) = bot.telegram.albums(ann.chat_id)
    assert len(album) == 3 and apologies(bot, ann.chat_id) == []
    assert len([m for m in bot.telegram.chat(ann.chat_id) if m.buttons]) == 1
    assert status_bar(bot, ann.chat_id).endswith("Done ✅")
    assert carousel(bot, request_id)["delivery"] == "delivered"
    assert len(bot.events("telegram.delivery.overdue")) >= 1
    (sent,) = bot.telegram.calls_of("sendMediaGroup")
    assert 8 * 60 <= sent.at - outage_started <= 8 * 60 + 2 * SCHEDULE + 60
    # Later sweeps find nothing owed.
    bot.wait(SCHEDULE)
    assert len(bot.telegram.calls_of("sendMediaGroup", ok=None)) == len(bot.telegram.calls_of("sendMediaGroup"))
    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert [x.function for x in bot.runtime.router.dead_letters()] == ["telegram-sender"]  # the outage's only


def test_an_outage_past_the_delivery_deadline_ends_in_one_apology(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, LOCAL_TIME_COMPRESSION="1", DELIVERY_DEADLINE_SECONDS="900") as bot:
        ann = bot.user(language_code="ru")

        request_id = ask_then_lose_telegram(bot, ann, outage_seconds=1500)
        while carousel(bot, request_id)["delivery"] == "pending" and bot.clock() < 1000 + 7200:
            bot.wait(SCHEDULE)

        assert bot.telegram.albums(ann.chat_id) == []
        (apology,) = apologies(bot, ann.chat_id)
        assert "Telegram не принял слайды" in apology.text and "Что попробовать" in apology.text
        assert status_bar(bot, ann.chat_id).endswith("Не получилось ❌")
        view = carousel(bot, request_id)
        assert (view["status"], view["delivery"]) == ("completed", "failed")
        bot.wait(SCHEDULE)
        assert len(apologies(bot, ann.chat_id)) == 1
        # The first attempt and the re-drives made while Telegram was down; nothing else.
        assert dead_letters(bot) == {("telegram-sender", "carousel.completed"),
                                     ("telegram-sender", "telegram.delivery.overdue")}


def test_a_final_4xx_from_send_media_group_ends_in_one_apology_not_silence(bot):
    ann = bot.user()
    bot.telegram.fail("sendMediaGroup", 400, description="Bad Request: group send failed")

    bot.deliver(ann.message("/carousel 3 TDD"))

    assert len(bot.telegram.calls_of("sendMediaGroup", ok=None)) == 1  # final: not retried
    assert bot.telegram.albums(ann.chat_id) == []
    (apology,) = apologies(bot, ann.chat_id)
    assert "Telegram would not take the slides" in apology.text
    assert not re.search(r"Bad Request|400|sendMediaGroup", apology.text)
    assert status_bar(bot, ann.chat_id).endswith("Stopped ❌")
    (sent,) = bot.events("telegram.bot.response.sent")
    assert sent["data"]["delivered"] is False and "group send failed" in sent["data"]["error"]
    assert carousel(bot, request_id_of(bot))["delivery"] == "failed"
    assert bot.failed_deliveries() == [] and bot.runtime.router.dead_letters() == []
    bot.wait(SCHEDULE)
    assert len(apologies(bot, ann.chat_id)) == 1


def test_the_apology_for_a_failed_carousel_also_survives_an_outage(bot, monkeypatch):
    import image_renderer.logic

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(image_renderer.logic, "render_and_store", broken)
    ann = bot.user()
    # Long enough for the sweep's re-drive to meet the outage too (the timeout, the apology's own bus retries,
    # then the quiet time before a re-drive: about 17 minutes after the request).
    request_id = ask_then_lose_telegram(bot, ann, outage_seconds=20 * 60)

    while carousel(bot, request_id)["delivery"] == "pending" and bot.clock() < 1000 + 7200:
        bot.wait(SCHEDULE)

    view = carousel(bot, request_id)
    assert (view["status"], view["delivery"]) == ("failed", "failed")
    (apology,) = apologies(bot, ann.chat_id)
    assert bot.telegram.albums(ann.chat_id) == []
    assert status_bar(bot, ann.chat_id).endswith("Stopped ❌")
    assert dead_letters(bot) == {("image-renderer", "carousel.slides.generated"),
                                 ("telegram-sender", "carousel.failed"), ("telegram-sender", "telegram.delivery.overdue")}


def test_a_re_drive_racing_the_busy_sender_sends_nothing_twice(bot):
    from event_orchestrator import handler, logic
    from vibecoder.bus import default_publisher
    from vibecoder.repositories import DeliveryLog

    ann = bot.user()
    request_id = ask_then_lose_telegram(bot, ann, outage_seconds=10 * 60)
    bot.clock.sleep(10 * 60)  # Telegram is back
    deliveries = DeliveryLog(bot.runtime.settings.deliveries_table)
    # Two sweeps (say, a slow one and the next) re-drive the same delivery, twice each (at-least-once).
    later = bot.now()
    overdue = [*logic.sweep_undelivered(handler.deps(), quiet_seconds=0, deadline_seconds=3600, now=later),
               *logic.sweep_undelivered(handler.deps(), quiet_seconds=0, deadline_seconds=3600, now=later)]
    assert len(overdue) == 2
    default_publisher().publish(overdue + overdue)
    bot.drain()

    assert len(bot.telegram.albums(ann.chat_id)) == 1
    assert len(bot.telegram.calls_of("sendMediaGroup")) == 1
    assert deliveries.get(request_id).state.value == "delivered"
    assert dead_letters(bot) == {("telegram-sender", "carousel.completed")}  # the outage's: no re-drive failed


def test_requests_from_the_http_api_have_no_delivery(bot):
    route, params = apigw.match("POST", "/carousels")
    event = apigw.proxy_event(route, params, "POST", "/carousels", {"Content-Type": "application/json"},
                              json.dumps({"topic": "TDD", "slidesCount": 2}).encode())
    status, _, body = apigw.response_parts(bot.runtime.invoke(route.function, event))
    assert status == 202
    bot.drain()

    view = carousel(bot, json.loads(body)["requestId"])
    assert view["status"] == "completed" and "delivery" not in view
