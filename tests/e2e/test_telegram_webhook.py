"""The webhook as Telegram meets it: the secret, garbage, every update kind, each command, the limits.

Updates go over real HTTP to the local API Gateway emulator; the gateway answers through the real
client against the fake Bot API (tests/fakes/telegram_api.py).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.fakes.telegram_api import FakeTelegram, TelegramUser, other_update_kinds
from tests.fakes.telegram_harness import bot_under_test
from vibecoder.telegram import POLICIES, WEBHOOK_MAX_CALLS


@pytest.fixture
def bot(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def replies(bot, chat_id: int) -> list[str]:
    return [m.text for m in bot.telegram.chat(chat_id)]


def table_items(bot, name: str) -> list[dict]:
    from vibecoder.aws import table

    return table(getattr(bot.runtime.settings, name)).scan()["Items"]


# --- the secret token ----------------------------------------------------------------------------


@pytest.mark.parametrize("secret, status", [(None, 401), ("wrong-secret", 403), ("", 401),
                                            ("test-webhook-secret_0123456789x", 403)])
def test_a_missing_or_wrong_secret_is_refused_with_no_event_and_no_state(bot, secret, status):
    ann = bot.user()

    response = bot.post(ann.message("/carousel TDD"), secret=secret)
    bot.drain()

    assert response.status_code == status
    assert bot.telegram.calls == []
    assert bot.events() == []
    assert table_items(bot, "carousels_table") == [] and table_items(bot, "idempotency_table") == []


def test_the_secret_header_name_is_case_insensitive(bot):
    ann = bot.user()
    response = bot.post(ann.message("/help"), secret=None,
                        headers={"x-telegram-bot-api-secret-token": bot.secret})
    assert response.status_code == 200 and len(replies(bot, ann.chat_id)) == 1


# --- bodies and kinds the bot does not act on ------------------------------------------------------


@pytest.mark.parametrize("raw", [
    b"", b"not json", b"[]", b"null", b"{}", b'{"update_id": "seven"}', b'{"update_id": 1, "message": {"text": "x"}}',
    b'{"update_id": 1, "message": {"message_id": 1, "chat": {"id": "abc"}, "text": "/start"}}',
    b'{"update_id": 1, "callback_query": {"id": 5}}', b"\xff\xfe\x00garbage", b'{"update_id": 1e999}',
    b"[" * 5000 + b"]" * 5000, b'{"update_id": 1, "x": ' + b"[" * 900 + b"]" * 900 + b"}",
    b'{"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}, '
    b'"from": {"id": 1, "first_name": "A"}, "text": "/help", "deep": ' + b"[" * 900 + b"]" * 900 + b"}}",
], ids=lambda raw: raw[:30].decode("latin-1") + str(len(raw)))
def test_garbage_is_acknowledged_never_a_5xx(bot, raw):
    response = bot.post(None, raw=raw)
    bot.drain()
    assert response.status_code == 200, response.text
    assert bot.telegram.calls == [] and bot.events() == []


@pytest.mark.parametrize("kind", sorted(other_update_kinds(TelegramUser(FakeTelegram()))))
def test_update_kinds_the_bot_does_not_act_on_are_acknowledged_and_ignored(bot, kind):
    ann = bot.user()
    payload = other_update_kinds(ann)[kind]

    response = bot.post({"update_id": bot.telegram.next_update_id(), kind: payload})
    bot.drain()

    assert response.status_code == 200
    assert bot.telegram.calls == [] and bot.events() == []


def test_group_chatter_and_other_bots_commands_are_ignored(bot):
    group = bot.user(chat_id=-1001, chat_type="supergroup")
    for update in (group.message("just talking about TDD"), group.message("/help@SomeOtherBot")):
        assert bot.post(update).status_code == 200
    # Nothing but the bot asking its own username once (getMe, issue 15) to tell that command is not its own.
    assert [c.method for c in bot.telegram.calls if c.method != "getMe"] == []
    assert len(bot.telegram.calls_of("getMe")) <= 1
    bot.deliver(group.message("/help@BibleVibeCoderBot"))
    assert len(replies(bot, -1001)) == 1


def test_messages_from_bots_are_ignored(bot):
    robot = bot.user()
    robot.sender["is_bot"] = True
    bot.deliver(robot.message("/start"))
    assert bot.telegram.calls == []


# --- commands ----------------------------------------------------------------------------------


def test_start_greets_by_name_in_the_users_language(bot):
    ann, ivan = bot.user(first_name="Ann <3"), bot.user(first_name="Иван", language_code="ru")
    bot.deliver(ann.message("/start"))
    bot.deliver(ivan.message("/start"))
    assert replies(bot, ann.chat_id)[0].startswith("👋 Hi, Ann <3!")
    assert replies(bot, ivan.chat_id)[0].startswith("👋 Привет, Иван!")
    received = bot.events("telegram.user.message.received")
    assert {e["data"]["userId"] for e in received} == {str(ann.user_id), str(ivan.user_id)}


def test_help_lists_every_command_and_the_limits(bot):
    ann = bot.user()
    bot.deliver(ann.message("/help"))
    (answer,) = replies(bot, ann.chat_id)
    for command in ("/carousel", "/style", "/lang", "/history"):
        assert command in answer
    assert "1–10" in answer and "200" in answer and "10 carousels an hour" in answer


def test_an_unknown_command_gets_a_friendly_pointer(bot):
    ann = bot.user()
    bot.deliver(ann.message("/dance"))
    assert replies(bot, ann.chat_id) == ["I don't know that command. /help lists what I can do."]


def test_a_sticker_or_photo_gets_a_friendly_hint(bot):
    ann = bot.user()
    bot.deliver(ann.message(sticker={"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 512,
                                     "height": 512, "is_animated": False, "is_video": False}))
    bot.deliver(ann.message(photo=[{"file_id": "p", "file_unique_id": "q", "width": 90, "height": 90}]))
    assert all(r.startswith("I work with text") for r in replies(bot, ann.chat_id))
    assert len(replies(bot, ann.chat_id)) == 2


def test_carousel_with_a_slide_count_requests_that_many(bot):
    ann = bot.user()
    bot.deliver(ann.message("/carousel 7 TDD"))
    (requested,) = bot.events("carousel.generate.requested")
    data = requested["data"]
    assert (data["topic"], data["slidesCount"], data["channel"], data["chatId"]) == ("TDD", 7, "telegram", ann.chat_id)
    assert data["statusMessageId"] == bot.telegram.chat(ann.chat_id)[0].id
    assert ("upload_photo" in {action for _, action in bot.telegram.chat_actions})


def test_the_webhook_only_records_replies_and_emits_the_slow_work_happens_after(bot):
    ann = bot.user()

    assert bot.post(ann.message("/carousel 3 TDD")).status_code == 200

    assert [c.method for c in bot.telegram.calls] == ["sendMessage", "sendChatAction"]
    # A new user's first carousel also seeds their brand kit: the avatar is fetched by the sender, not here.
    assert [e["type"] for e in bot.events()] == ["telegram.user.message.received", "telegram.brand.image.requested",
                                                 "carousel.generate.requested", "analytics.user.interaction.tracked"]
    bot.drain()
    assert len(bot.telegram.albums(ann.chat_id)) == 1


def test_a_plain_message_is_a_topic_and_several_paragraphs_are_a_source_text(bot):
    ann = bot.user()
    pasted = ("Event-driven systems decouple producers from consumers.\n\n"
              "Every consumer must be idempotent, because delivery is at least once.\n\n"
              "Dead-letter queues keep what could not be processed.")
    bot.deliver(ann.message("Clean Architecture"))
    bot.deliver(ann.message(pasted))
    topic, text = [e["data"] for e in bot.events("carousel.generate.requested")]
    assert topic["topic"] == "Clean Architecture" and "sourceText" not in topic
    assert text["sourceText"] == pasted and "topic" not in text
    assert len(bot.telegram.albums(ann.chat_id)) == 2


@pytest.mark.parametrize("message, expected", [
    ("/carousel", "Send a topic after /carousel"),
    ("/carousel 7", "Send a topic after /carousel"),
    ("/carousel " + "x" * 201, "That topic is too long (201 characters, at most 200)"),
    ("/carousel 0 TDD", "A carousel has 1–10 slides"),
    ("/carousel 11 TDD", "A carousel has 1–10 slides"),
    ("para one\n\n" + "y" * 4100, "That text is too long (4110 characters, at most 4096)"),
])
def test_limits_get_clear_messages_and_no_request(bot, message, expected):
    ann = bot.user()
    bot.deliver(ann.message(message))
    (answer,) = replies(bot, ann.chat_id)
    assert answer.startswith(expected)
    assert bot.events("carousel.generate.requested") == []


def test_a_long_single_paragraph_message_is_taken_as_a_text(bot):
    ann = bot.user()
    bot.deliver(ann.message("word " * 60))
    assert "sourceText" in bot.events("carousel.generate.requested")[0]["data"]


def test_the_slide_limit_is_configurable_up_to_20(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_MAX_SLIDES="20") as bot:
        ann = bot.user()
        bot.post(ann.message("/carousel 21 TDD"))
        bot.post(ann.message("/help"))
        assert replies(bot, ann.chat_id)[0].startswith("A carousel has 1–20 slides")
        assert "1–20" in replies(bot, ann.chat_id)[1]


def test_the_per_user_rate_limit(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_RATE_LIMIT_PER_HOUR="2") as bot:
        ann, bob = bot.user(), bot.user()
        for topic in ("TDD", "DDD", "BDD"):
            bot.post(ann.message(f"/carousel 2 {topic}"))
        bot.post(bob.message("/carousel 2 TDD"))
        bot.drain()
        assert [e["data"]["topic"] for e in bot.events("carousel.generate.requested")
                if e["data"]["userId"] == str(ann.user_id)] == ["TDD", "DDD"]
        assert any(r.startswith("⏳ That's 2 carousels this hour") for r in replies(bot, ann.chat_id))
        assert len(bot.telegram.albums(bob.chat_id)) == 1


# --- /lang, /style, /history ----------------------------------------------------------------------


def test_lang_switches_the_bots_language(bot):
    ann = bot.user()
    bot.deliver(ann.message("/lang ru"))
    bot.deliver(ann.message("/dance"))
    assert replies(bot, ann.chat_id) == ["Язык: русский ✅", "Не знаю такой команды. /help — что я умею."]


def test_lang_without_an_argument_offers_buttons(bot):
    ann = bot.user()
    bot.deliver(ann.message("/lang"))
    menu = bot.telegram.chat(ann.chat_id)[-1]
    assert [b["callback_data"] for b in menu.buttons] == ["lang:ru", "lang:en"]

    tap = ann.press(menu, "🇷🇺 Русский")
    bot.deliver(tap)

    assert bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"] == "Язык: русский ✅"
    assert bot.telegram.message(ann.chat_id, menu.id).text == "Язык: русский ✅"
    bot.deliver(ann.message("/help"))
    assert replies(bot, ann.chat_id)[-1].startswith("Что я умею")


def test_style_keyboard_saves_the_preference_and_answers_the_tap(bot):
    ann = bot.user()
    bot.deliver(ann.message("/style"))
    menu = bot.telegram.chat(ann.chat_id)[-1]
    assert len(menu.buttons) == 7 and menu.buttons[0]["text"] == "✓ 🔮 Glass"

    tap = ann.press(menu, "🌙 Dark")
    bot.deliver(tap)

    assert bot.telegram.callback_answers[tap["callback_query"]["id"]]["text"] == "Style: 🌙 Dark ✅"
    edited = bot.telegram.message(ann.chat_id, menu.id)
    assert "✓ 🌙 Dark" in [b["text"] for b in edited.buttons] and "Dark" in edited.text
    bot.deliver(ann.message("/carousel 2 TDD"))
    assert bot.events("carousel.generate.requested")[0]["data"]["style"] == "dark"
    assert bot.events("carousel.completed")[0]["data"]["style"] == "dark"


def test_style_with_a_name_sets_it_directly(bot):
    ann = bot.user()
    bot.deliver(ann.message("/style minimal"))
    assert "Minimal" in replies(bot, ann.chat_id)[0]
    bot.deliver(ann.message("/carousel 2 TDD"))
    assert bot.events("carousel.generate.requested")[0]["data"]["style"] == "minimal"


def test_history_lists_the_last_carousels_and_an_empty_history_says_so(bot):
    ann = bot.user()
    bot.deliver(ann.message("/history"))
    assert replies(bot, ann.chat_id) == ["No carousels yet. Send a topic to make your first one!"]
    for topic in ("TDD", "Clean Architecture"):
        bot.deliver(ann.message(f"/carousel 2 {topic}"))
    bot.deliver(ann.message("/history"))
    listing = bot.telegram.chat(ann.chat_id)[-1]
    assert [b["text"].split(" · ")[0] for b in listing.buttons][0].startswith("1. ")
    assert len(listing.buttons) == 2 and all(b["callback_data"].startswith("resend:") for b in listing.buttons)


# --- idempotency ----------------------------------------------------------------------------------


def test_a_redelivered_update_is_acknowledged_and_does_nothing(bot):
    ann = bot.user()
    update = ann.message("/help")
    for _ in range(3):
        assert bot.post(update).status_code == 200
    bot.drain()
    assert len(replies(bot, ann.chat_id)) == 1
    assert len(bot.events("telegram.user.message.received")) == 1


def test_a_telegram_outage_answers_5xx_so_telegram_redelivers(bot):
    ann = bot.user()
    update = ann.message("/carousel 2 TDD")
    bot.telegram.fail("sendMessage", 502, times=POLICIES["webhook"].max_attempts)  # every attempt fails

    assert bot.post(update).status_code == 503
    assert bot.post(update).status_code == 200  # Telegram's redelivery is processed
    bot.drain()
    assert len(bot.events("carousel.generate.requested")) == 1
    assert len(bot.telegram.albums(ann.chat_id)) == 1


def test_a_user_who_blocked_the_bot_is_acknowledged(bot):
    ann = bot.user()
    bot.telegram.fail("sendMessage", 403)
    assert bot.post(ann.message("/help")).status_code == 200


def test_without_a_configured_secret_every_update_is_refused(bot, monkeypatch):
    from vibecoder.settings import reset_settings

    monkeypatch.delenv("TELEGRAM_WEBHOOK_SECRET")
    reset_settings()
    ann = bot.user()

    response = bot.post(ann.message("/start"))

    assert response.status_code == 403 and bot.telegram.calls == [] and bot.events() == []


def test_a_long_flood_wait_is_not_spent_in_the_webhook(bot):
    ann = bot.user()
    update = ann.message("/help")
    bot.telegram.fail("sendMessage", 429, retry_after=20)

    assert bot.post(update).status_code == 503  # Telegram redelivers later
    assert bot.clock.sleeps == []
    bot.clock.sleep(20)
    assert bot.post(update).status_code == 200
    assert len(replies(bot, ann.chat_id)) == 1


# --- API Gateway's 29 s ---------------------------------------------------------------------------


def test_the_webhooks_telegram_calls_fit_api_gateways_29_seconds():
    from cdk.config import FUNCTIONS

    worst_case = POLICIES["webhook"].worst_case_seconds() * WEBHOOK_MAX_CALLS
    assert worst_case < FUNCTIONS["telegram-gateway"].timeout_seconds < 29  # Lambda ends first, well before


def test_no_update_makes_more_bot_api_calls_than_the_budget_assumes(bot):
    """Every kind of update the bot acts on, each call counted while the webhook answers (before the flow)."""
    ann = bot.user()
    per_update = []

    def post(update):
        before = len(bot.telegram.calls)
        assert bot.post(update).status_code == 200
        per_update.append(len(bot.telegram.calls) - before)
        bot.drain()

    for message in ("/start", "/help", "/dance", "/carousel 2 TDD", "/style", "/lang", "/history", "/style dark",
                    "/brand", "/brand color #ff6600", "/size", "/size 1:1", "/edit", "/edit 2 New | body", "/move 2 1",
                    "/drop 2"):
        post(ann.message(message))
    menus = [m for m in bot.telegram.chat(ann.chat_id) if m.buttons]
    post(ann.tap(next(m for m in menus if m.buttons[0]["callback_data"].startswith("style:")), "style:glass"))
    post(ann.tap(next(m for m in menus if m.buttons[0]["callback_data"].startswith("lang:")), "lang:ru"))
    buttons = next(m for m in reversed(bot.telegram.chat(ann.chat_id)) if len(m.buttons) == 4)
    for data in ("orig", "pdf", "restyle", "resend", "edit", "undo"):
        post(ann.tap(buttons, f"{data}:{buttons.buttons[0]['callback_data'].split(':')[1]}"))
    assert max(per_update) == WEBHOOK_MAX_CALLS  # the restyle: answer the tap, status message, chat action


@pytest.fixture
def impatient_client(monkeypatch):
    """Timeouts of 0.2 s, so a stalled Bot API times out at once; the two purposes differ in attempts."""
    import vibecoder.telegram as telegram

    monkeypatch.setitem(POLICIES, "webhook", replace(POLICIES["webhook"], timeout=0.2, max_attempts=2))
    monkeypatch.setitem(POLICIES, "delivery", replace(POLICIES["delivery"], timeout=0.2, max_attempts=4))
    telegram._client.cache_clear()
    yield
    telegram._client.cache_clear()


def test_a_hanging_bot_api_gets_the_webhooks_few_short_attempts_then_a_503(bot, impatient_client):
    ann = bot.user()
    bot.telegram.stall(1.0)

    assert bot.post(ann.message("/help")).status_code == 503  # Telegram delivers the update again

    assert bot.clock.sleeps == [POLICIES["webhook"].backoff_before(1)]  # two attempts, one wait between


def test_a_redelivered_update_takes_its_rate_limit_slot_once(tmp_path, monkeypatch):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_RATE_LIMIT_PER_HOUR="2") as bot:
        ann = bot.user()
        first = ann.message("/carousel 2 TDD")
        bot.telegram.fail("sendMessage", 502, times=POLICIES["webhook"].max_attempts)
        assert bot.post(first).status_code == 503  # the status message failed: Telegram redelivers…
        assert bot.post(first).status_code == 200  # …and the redelivery is the same request, not a new one
        assert bot.post(ann.message("/carousel 2 DDD")).status_code == 200

        assert [e["data"]["topic"] for e in bot.events("carousel.generate.requested")] == ["TDD", "DDD"]
        assert not any(r.startswith("⏳") for r in replies(bot, ann.chat_id))
        bot.post(ann.message("/carousel 2 BDD"))
        assert replies(bot, ann.chat_id)[-1].startswith("⏳ That's 2 carousels this hour")


# --- nothing to write about -----------------------------------------------------------------------


@pytest.mark.parametrize("message", ["!!!\n\n???", "🚀🔥✨", "/carousel ...", "/carousel 3 ?!", "…\n\n—\n\n…",
                                     "👍🏽\n\n🎉"])
@pytest.mark.parametrize("language, expected", [("en", "There is nothing to make slides from"),
                                                ("ru", "Здесь не из чего сделать слайды")])
def test_punctuation_or_emoji_alone_gets_an_explanation_and_no_request(tmp_path, monkeypatch, message, language,
                                                                       expected):
    with bot_under_test(tmp_path, monkeypatch, CAROUSEL_RATE_LIMIT_PER_HOUR="1") as bot:
        ann = bot.user(language_code=language)
        bot.deliver(ann.message(message))
        bot.deliver(ann.message("/carousel 2 TDD"))  # the one slot an hour is still free

        nothing, *_ = replies(bot, ann.chat_id)
        assert nothing.startswith(expected)
        assert [e["data"]["topic"] for e in bot.events("carousel.generate.requested")] == ["TDD"]
        assert bot.failed_deliveries() == [] and bot.runtime.router.dead_letters() == []
