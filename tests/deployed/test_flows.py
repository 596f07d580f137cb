"""The e2e flows in the deployed shape: every function from its synthesized asset, in its own Python 3.12.

HTTP goes through the template's REST API (API key, routes, Lambda permissions), events through its
rules on moto's EventBridge, Telegram through the fake Bot API the template's TELEGRAM_API_URL names;
the ``deployed`` fixture fails a test when any call it caused is not allowed by the calling
function's role.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
import requests

pytestmark = pytest.mark.e2e


def completed(bot, chat_id: int) -> list[dict]:
    return [e["data"] for e in bot.events("carousel.completed") if e["data"].get("chatId") == chat_id]


def buttons_message(bot, chat_id: int):
    return next(m for m in reversed(bot.telegram.chat(chat_id)) if any(
        b["callback_data"].startswith("restyle:") for b in m.buttons))


def image_bytes(stack, carousel: dict) -> list[bytes]:
    """The rendered images of a completed carousel, in order (a long slide may have several)."""
    bucket = stack.functions["image-renderer"].environment["SLIDES_BUCKET"]
    return [stack.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
            for slide in carousel["slides"] for key in slide["imageKeys"]]


# --- the shape itself --------------------------------------------------------------------------------


def test_every_function_imports_only_from_its_asset_its_layers_and_the_runtime(deployed):
    starts = deployed.warm_all()
    for name, function in deployed.functions.items():
        start = starts[name]
        assert start.python.startswith("3.12."), (name, start.python)
        assert start.outside_roots == [], f"{name} loaded modules from outside its assets: {start.outside_roots}"
        task, *_ = start.sys_path
        assert task == deployed.pools[name].spec.path[0]
        assert start.sys_path[:4] == deployed.pools[name].spec.path, name
        # /var/task holds the function's own folder and nothing else (no other function, no shared code).
        module = function.handler.split(".", 1)[0]
        assert sorted(p.name for p in function.code.iterdir()) == [module], name


def test_the_environment_is_the_templates_with_the_names_cloudformation_generates(deployed):
    template = deployed.assembly.template
    for name, function in deployed.functions.items():
        variables = template.properties(function.logical)["Environment"]["Variables"]
        assert set(function.environment) == set(variables), name
        for variable, value in function.environment.items():
            assert not value.startswith("vibecoder-"), f"{name}: {variable}={value} looks like a local default"
        assert function.environment.get("EVENT_BUS_NAME", "BibleVibeCoder-bus") == "BibleVibeCoder-bus"


def test_the_template_wires_every_function_it_names(deployed):
    """Each role trusts Lambda, each rule may invoke its function, no policy is beyond the harness's reading."""
    assert deployed.defects == []
    assert set(deployed.functions) == {"telegram-gateway", "carousel-generator", "ai-content", "image-renderer",
                                       "telegram-sender", "data-persistence", "analytics", "event-orchestrator",
                                       "api"}


def test_the_alert_rule_hands_the_topic_its_transformed_message(deployed):
    from vibecoder.bus import to_entry
    from vibecoder.events.catalog import CATALOG
    from vibecoder.events.models import AnalyticsAlertTriggered

    (rule,) = deployed.probes  # the one target that is not a function: the alarm topic
    alert = AnalyticsAlertTriggered(alert="failure_rate", message="3 of 4 requests failed", value=0.75, threshold=0.2)
    event = CATALOG.new_event("analytics.alert.triggered", alert, correlation_id="alert-test", source="analytics")
    bus = deployed.functions["analytics"].environment["EVENT_BUS_NAME"]

    deployed.client("events").put_events(Entries=[to_entry(event, bus)])
    deployed.drain()

    assert deployed.probe(rule) == ["Bible VibeCoder alert failure_rate: 3 of 4 requests failed"]


# --- HTTP: the REST API ------------------------------------------------------------------------------


def test_the_api_answers_as_api_gateway_then_the_carousel_completes(deployed):
    key = {"x-api-key": deployed.api_key()}
    body = {"topic": "Test-Driven Development", "slidesCount": 3, "userId": "deployed-api"}

    assert requests.post(f"{deployed.url}/carousels", json=body, timeout=60).status_code == 403  # no API key
    missing = requests.get(f"{deployed.url}/nowhere", headers=key, timeout=60)
    assert missing.status_code == 403 and missing.json() == {"message": "Missing Authentication Token"}
    refused = requests.post(f"{deployed.url}/carousels", json=body | {"slidesCount": 21}, headers=key, timeout=60)
    assert refused.status_code == 400, refused.text  # the method's request model, before any function runs
    assert refused.json()["error"] == "invalid request" and "slidesCount" in refused.json()["details"][0]
    accepted = requests.post(f"{deployed.url}/carousels", json=body, headers=key, timeout=60)
    assert accepted.status_code == 202, accepted.text
    seed_path = requests.post(f"{deployed.url}/test-carousel", json=body | {"slidesCount": 2}, headers=key,
                              timeout=60)
    assert seed_path.status_code == 202, seed_path.text
    deployed.drain()

    carousel = requests.get(f"{deployed.url}/carousels/{accepted.json()['requestId']}", headers=key, timeout=60)
    assert carousel.status_code == 200, carousel.text
    record = carousel.json()
    assert record["status"] == "completed" and len(record["slides"]) == 3
    for slide in record["slides"]:  # presigned by the api function's role, fetched from the bucket
        image = requests.get(slide["imageUrl"], timeout=60)
        assert image.status_code == 200 and image.content[:3] in (b"\xff\xd8\xff", b"\x89PN")
    health = requests.get(f"{deployed.url}/health", timeout=60)
    assert health.status_code == 200 and health.json()["status"] == "healthy", health.text
    stats = requests.get(f"{deployed.url}/stats", headers=key, timeout=60)
    assert stats.status_code == 200 and stats.json()["eventBus"]["totalEventsProcessed"] > 0
    assert [d for d in deployed.router.deliveries if not d.ok] == []


# --- Telegram: the webhook, the album, the buttons ---------------------------------------------------


def test_a_topic_on_the_webhook_becomes_one_album_with_its_buttons(bot):
    ann = bot.user()
    assert bot.post(ann.message("/carousel 3 TDD"), secret="wrong").status_code == 403

    bot.deliver(ann.message("/start"))
    bot.deliver(ann.message("/carousel 3 TDD"))

    greeting, status, *album, ready = bot.telegram.chat(ann.chat_id)
    assert greeting.text.startswith("👋 Hi, Ann")
    assert status.text.endswith("Done ✅")
    (photos,) = bot.telegram.albums(ann.chat_id)
    assert [m.id for m in photos] == [m.id for m in album] and len(photos) >= 3
    (done,) = completed(bot, ann.chat_id)
    assert [b["callback_data"] for b in ready.buttons] == [f"orig:{done['requestId']}", f"pdf:{done['requestId']}",
                                                          f"restyle:{done['requestId']}", f"edit:{done['requestId']}"]
    (upload,) = [c for c in bot.telegram.calls_of("sendMediaGroup") if c.params["chat_id"] in (ann.chat_id,
                                                                                               str(ann.chat_id))]
    assert [u.data for u in upload.files.values()] == image_bytes(bot.runtime, done)


def test_the_buttons_send_the_originals_a_pdf_and_another_style(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 3 Clean Architecture"))
    (first,) = completed(bot, ann.chat_id)

    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📎 Originals"))
    (documents,) = bot.telegram.albums(ann.chat_id, kind="document")
    assert [bot.telegram.files[m["document"]["file_id"]] for m in documents] == image_bytes(bot.runtime, first)
    from PIL import Image

    with Image.open(io.BytesIO(bot.telegram.files[documents[0]["document"]["file_id"]])) as original:
        assert original.size == (1080, 1350)

    bot.deliver(ann.press(buttons_message(bot, ann.chat_id), "📄 PDF"))
    (pdf,) = [m for m in bot.telegram.chat(ann.chat_id) if m.get("document", {}).get("mime_type") == "application/pdf"]
    data = bot.telegram.files[pdf["document"]["file_id"]]
    assert data.startswith(b"%PDF") and len(re.findall(rb"/Type /Page\b", data)) == len(documents)

    tap = ann.press(buttons_message(bot, ann.chat_id), "🎨 Another style")
    bot.deliver(tap)
    assert "Dark" in bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"]
    _, second = completed(bot, ann.chat_id)
    assert second["style"] == "dark" and first["style"] == "glass"
    assert [s["title"] for s in second["slides"]] == [s["title"] for s in first["slides"]]
    assert len(bot.telegram.albums(ann.chat_id)) == 2


def test_the_users_brand_and_an_edit_go_through_the_deployed_grants(bot, deployed):
    """The avatar fetched by the sender into brands/ (its grant), read by the renderer (its grant), drawn on the
    slides; a reply to a slide redrawn and replaced in place, and Undo, through the generator's record."""
    from PIL import Image

    ann = bot.user(username="ann_dev")
    avatar = io.BytesIO()
    Image.new("RGB", (320, 320), (20, 200, 60)).save(avatar, "JPEG")
    bot.telegram.set_profile_photo(ann.user_id, avatar.getvalue())
    bot.deliver(ann.message("/carousel 3 TDD"))
    (done,) = completed(bot, ann.chat_id)

    def view() -> dict:
        url, key = f"{deployed.url}/carousels/{done['requestId']}", {"x-api-key": deployed.api_key()}
        return requests.get(url, headers=key, timeout=60).json()

    assert view()["brand"] == {"handle": "@ann_dev", "name": "Ann", "hasAvatar": True, "hasLogo": False}

    (photos,) = bot.telegram.albums(ann.chat_id)
    bot.deliver(ann.message("Tests first | Then the code.", reply_to_message=photos[1].message))
    (edit,) = bot.telegram.calls_of("editMessageMedia")
    assert int(edit.params["message_id"]) == photos[1].id
    assert [s["version"] for s in view()["slides"]] == [1, 2, 1]

    bot.deliver(ann.press(bot.telegram.chat(ann.chat_id)[-1], "↩️ Undo"))
    assert len(bot.telegram.calls_of("editMessageMedia")) == 2
    assert [s["version"] for s in view()["slides"]] == [1, 1, 1]


def test_style_and_language_are_kept_for_the_next_updates(bot):
    ann = bot.user()
    bot.deliver(ann.message("/style"))
    bot.deliver(ann.press(bot.telegram.chat(ann.chat_id)[-1], "🌙 Dark"))
    bot.deliver(ann.message("/lang ru"))
    bot.deliver(ann.message("/help"))

    assert bot.telegram.chat(ann.chat_id)[-1].text.startswith("Что я умею")
    users = bot.runtime.table("USERS_TABLE", "telegram-gateway")
    preferences = users.get_item(Key={"userId": str(ann.user_id)})["Item"]["preferences"]
    assert (preferences.get("style"), preferences.get("language")) == ("dark", "ru"), preferences


# --- the orchestrator's schedule ---------------------------------------------------------------------


def test_the_sweep_fails_a_stuck_request_once_and_the_user_gets_one_apology(bot):
    stack = bot.runtime
    ann = bot.user()
    with stack.events_lost("image-renderer"):
        bot.deliver(ann.message("/carousel 3 TDD"))
    (requested,) = [e["data"] for e in bot.events("carousel.generate.requested") if e["data"].get("chatId") == ann.chat_id]
    carousels = stack.table("CAROUSELS_TABLE", "event-orchestrator")
    record = carousels.get_item(Key={"requestId": requested["requestId"]})["Item"]
    assert record["status"] == "rendering"
    ten_minutes_ago = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    carousels.update_item(Key={"requestId": requested["requestId"]}, UpdateExpression="SET updatedAt = :t",
                          ExpressionAttributeValues={":t": ten_minutes_ago})

    stack.run_schedule()
    stack.run_schedule()  # the next run finds nothing more to do

    record = carousels.get_item(Key={"requestId": requested["requestId"]})["Item"]
    assert record["status"] == "failed" and "did not finish" in record["failure"]
    failed = [e for e in bot.events("carousel.failed") if e["data"]["requestId"] == requested["requestId"]]
    assert len(failed) == 1
    apologies = [m for m in bot.telegram.chat(ann.chat_id) if m.text.startswith("😔")]
    assert len(apologies) == 1 and bot.telegram.albums(ann.chat_id) == []


def test_a_long_paste_waits_in_its_delay_queue_then_becomes_one_carousel(bot, deployed):
    """The gateway's delayed event goes through the template's delay queue and the gateway's SQS event source
    (a batch, its role's receive grants) three seconds later (on the stack's clock): one request, one carousel."""
    ann = bot.user()
    paragraphs = [f"{i}. Small teams talk less and decide more: every extra person adds paths for messages to "
                  "travel, and each path is a place where context is lost." for i in range(1, 40)]
    body = ("Why small teams ship faster\n\n" + "\n\n".join(paragraphs))[:3800].rstrip()
    bot.deliver(ann.message(body))
    assert completed(bot, ann.chat_id) == [] and "telegram-gateway" in deployed.sqs_sourced

    deployed.router.sleep(3)  # the stack's clock: the delay queue's DelaySeconds pass
    bot.drain()
    (done,) = completed(bot, ann.chat_id)
    assert done["title"] == "Why small teams ship faster"
    (request,) = [e["data"] for e in bot.events("carousel.generate.requested") if e["data"].get("chatId") == ann.chat_id]
    assert request["sourceText"] == body
