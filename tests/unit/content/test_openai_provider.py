"""The OpenAI provider against a local OpenAI-compatible server: schema, parsing, retries, fallback, breaker."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAI, Reply, completion, error

from ai_content.circuit import CircuitBreaker, DynamoCircuitStore, MemoryCircuitStore, reset_memory_store
from ai_content.logic import ContentResult, ContentSettings, generate_content
from ai_content.openai_provider import CarouselDraft, build_messages, cost_of, plan, run_openai
from carousel_generator.slides import build_slides
from vibecoder.content import CarouselContent, SlideType
from vibecoder.events.models import AiContentRequested

ROOT = Path(__file__).resolve().parents[3]

CANNED = {
    "title": "Functional TypeScript",
    "subtitle": "Types and pure functions, together.",
    "emoji": "🟦",
    "principles": [
        {"title": "Readonly by default", "description": "Mark data readonly so mutation is a compile error.", "emoji": "🔒"},
        {"title": "Unions for states", "description": "A discriminated union lists every state explicitly.", "emoji": "🏷️"},
    ],
    "quotes": [{"text": "Simplicity is prerequisite for reliability.", "author": "Edsger W. Dijkstra"}],
    "concepts": [{"term": "Result type", "definition": "Success or failure as a value.",
                  "code": "type Result<T, E> =\n  | { ok: true; value: T }\n  | { ok: false; error: E };"}],
    "keywords": ["typescript", "fp", "readonly"],
    "summary": "Readonly data, unions and results: let the compiler check.",
    "caption": "Functional TypeScript in five slides.",
    "hashtags": ["#TypeScript", "#FunctionalProgramming"],
}
EXPECTED_SLIDES = [
    (SlideType.COVER, "Functional TypeScript", "Types and pure functions, together."),
    (SlideType.PRINCIPLE, "Readonly by default", "Mark data readonly so mutation is a compile error."),
    (SlideType.PRINCIPLE, "Unions for states", "A discriminated union lists every state explicitly."),
    (SlideType.QUOTE, "Edsger W. Dijkstra", "Simplicity is prerequisite for reliability."),
    (SlideType.CODE, "Result type", CANNED["concepts"][0]["code"]),
    (SlideType.SUMMARY, "Key takeaways", "Readonly data, unions and results: let the compiler check."),
]


def ok() -> Reply:
    return completion(json.dumps(CANNED))


def request(**kw) -> AiContentRequested:
    values = {"request_id": "req-1", "user_id": "u1", "topic": "Functional programming with TypeScript", "slides_count": 6}
    values.update(kw)
    return AiContentRequested(**values)


def settings_for(server: FakeOpenAI, **kw) -> ContentSettings:
    values = {
        "openai_api_key": "test-key",
        "openai_base_url": server.base_url,
        "openai_timeout_s": 2.0,
        "openai_max_retries": 2,
        "openai_backoff_s": 0.001,
        "circuit_failure_threshold": 100,
    }
    values.update(kw)
    return ContentSettings(**values)


@pytest.fixture(autouse=True)
def _fresh_breaker():
    reset_memory_store()
    yield
    reset_memory_store()


def test_request_carries_the_json_schema_and_the_budget():
    with FakeOpenAI(ok()) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert result.provider == "openai"
    sent = server.requests[0]
    assert sent["path"] == "/v1/chat/completions"
    assert sent["headers"].get("authorization") == "Bearer test-key"
    body = sent["json"]
    assert body["model"] == "gpt-4o-mini"
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert set(schema["required"]) == set(CarouselDraft.model_fields)
    assert schema["additionalProperties"] is False
    assert "default" not in json.dumps(schema)
    assert set(schema["properties"]) >= {"title", "principles", "quotes", "concepts", "summary"}
    system = body["messages"][0]["content"]
    p, c, q = plan(6)
    assert "exactly 6 slides" in system and f"exactly {p} principles, {c} concepts and {q} quotes" in system
    assert "70 characters" in system and "320" in system
    assert body["messages"][1]["content"] == "Topic: Functional programming with TypeScript"


def test_a_canned_answer_becomes_those_exact_slides():
    with FakeOpenAI(ok()) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert isinstance(result, ContentResult)
    assert result.provider == "openai" and result.fallback_reason is None
    assert result.model == "gpt-4o-mini-2024-07-18"
    assert (result.prompt_tokens, result.completion_tokens, result.attempts) == (321, 654, 1)
    assert result.cost_usd == pytest.approx((321 * 0.15 + 654 * 0.60) / 1e6)
    assert result.duration_ms > 0
    slides = build_slides(result.content, 6)
    assert [(s.type, s.title, s.content) for s in slides] == EXPECTED_SLIDES
    assert result.content.hashtags == ["#TypeScript", "#FunctionalProgramming"]


def test_russian_prompt_for_a_russian_topic():
    with FakeOpenAI(ok()) as server:
        result = generate_content(request(topic="Чистая архитектура"), settings=settings_for(server))
    body = server.requests[0]["json"]
    assert "Пиши по-русски" in body["messages"][0]["content"]
    assert body["messages"][1]["content"] == "Тема: Чистая архитектура"
    assert result.content.language == "ru"


def test_pasted_text_is_sent_with_an_extractive_instruction():
    text = "Small functions are easier to test. They do one thing."
    with FakeOpenAI(ok()) as server:
        generate_content(request(topic=None, source_text=text), settings=settings_for(server))
    user = server.requests[0]["json"]["messages"][1]["content"]
    assert text in user and "add no facts" in user


@pytest.mark.parametrize(
    ("replies", "attempts"),
    [
        ([error(429, headers={"retry-after": "0"}), None], 2),
        ([error(500), error(503), None], 3),
        ([completion("{not json"), None], 2),
        ([completion(json.dumps({"title": "missing fields"})), None], 2),
    ],
    ids=["429", "500-503", "malformed-json", "schema-mismatch"],
)
def test_transient_failures_are_retried(replies, attempts):
    with FakeOpenAI(*[r or ok() for r in replies]) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert result.provider == "openai" and result.fallback_reason is None
    assert result.attempts == attempts == len(server.requests)


def test_timeout_is_retried_then_succeeds():
    with FakeOpenAI(Reply(body={}, delay_s=1.0), ok()) as server:
        result = generate_content(request(), settings=settings_for(server, openai_timeout_s=0.3))
    assert result.provider == "openai" and result.attempts == 2


@pytest.mark.parametrize(
    ("reply", "reason", "calls"),
    [
        (error(500), "server_error_500", 3),
        (error(429), "rate_limited", 3),
        (Reply(body={}, delay_s=1.0), "timeout", 3),
        (completion("{not json"), "malformed_response", 3),
        (completion(None, refusal="I can't help with that."), "refusal", 1),
        (error(401, "bad key"), "http_401", 1),
        (error(400, "bad request"), "http_400", 1),
        (completion(json.dumps({**CANNED, "principles": [], "concepts": []})), "empty_content", 3),
    ],
    ids=["500", "429", "timeout", "malformed", "refusal", "401", "400", "empty"],
)
def test_persistent_failures_fall_back_to_offline(reply, reason, calls):
    with FakeOpenAI(reply) as server:
        result = generate_content(request(), settings=settings_for(server, openai_timeout_s=0.3))
    assert result.provider == "offline"
    assert result.fallback_reason == reason
    assert len(server.requests) == calls and result.attempts == calls
    assert result.content.principles  # a real carousel all the same
    assert len(build_slides(result.content, 6)) == 6


def test_tokens_spent_on_failed_attempts_are_still_recorded():
    with FakeOpenAI(completion(json.dumps({**CANNED, "principles": [], "concepts": []}), prompt_tokens=10,
                               completion_tokens=20)) as server:
        result = generate_content(request(), settings=settings_for(server, openai_max_retries=1))
    assert result.provider == "offline" and (result.prompt_tokens, result.completion_tokens) == (20, 40)


def test_an_unreachable_server_falls_back():
    with FakeOpenAI(ok()) as server:
        url = server.base_url
    result = generate_content(request(), settings=settings_for(server, openai_base_url=url, openai_max_retries=1))
    assert result.provider == "offline" and result.fallback_reason == "connection_error"


def test_the_deadline_stops_retries():
    with FakeOpenAI(error(500)) as server:
        result = generate_content(request(), settings=settings_for(server, openai_max_retries=5, openai_deadline_s=1.5,
                                                                   openai_timeout_s=2.0))
    assert result.provider == "offline" and len(server.requests) == 1


def test_circuit_opens_after_consecutive_failures_and_closes_after_cool_down():
    now = [1000.0]
    breaker = CircuitBreaker(MemoryCircuitStore(), threshold=2, cooldown_s=60, clock=lambda: now[0])
    with FakeOpenAI(error(500), error(500), ok()) as server:
        settings = settings_for(server, openai_max_retries=0)
        first = run_openai(request(), settings, breaker=breaker)
        second = run_openai(request(), settings, breaker=breaker)
        assert (first.reason, second.reason) == ("server_error_500", "server_error_500")
        third = run_openai(request(), settings, breaker=breaker)
        assert third.reason == "circuit_open" and third.circuit_open and len(server.requests) == 2
        now[0] += 61  # cool-down over: one trial goes through, succeeds and closes the circuit
        fourth = run_openai(request(), settings, breaker=breaker)
        assert fourth.result is not None and len(server.requests) == 3
        assert breaker.allow() and breaker.store.get("openai").failures == 0


def test_circuit_open_is_reported_by_generate_content():
    with FakeOpenAI(error(500)) as server:
        settings = settings_for(server, openai_max_retries=0, circuit_failure_threshold=1, circuit_cooldown_s=300)
        first = generate_content(request(), settings=settings)
        second = generate_content(request(), settings=settings)
    assert first.fallback_reason == "server_error_500"
    assert second.fallback_reason == "circuit_open" and second.circuit_open and second.provider == "offline"
    assert len(server.requests) == 1


def test_refusals_do_not_open_the_circuit():
    with FakeOpenAI(completion(None, refusal="no")) as server:
        settings = settings_for(server, circuit_failure_threshold=1)
        generate_content(request(), settings=settings)
        again = generate_content(request(), settings=settings)
    assert again.fallback_reason == "refusal"


def test_dynamodb_circuit_store_shares_state(monkeypatch):
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        client.create_table(
            TableName="analytics", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "S"}],
        )
        now = [5000.0]
        a = CircuitBreaker(DynamoCircuitStore("analytics", client=client), threshold=2, cooldown_s=30, clock=lambda: now[0])
        b = CircuitBreaker(DynamoCircuitStore("analytics", client=client), threshold=2, cooldown_s=30, clock=lambda: now[0])
        assert a.allow() and b.allow()
        a.record_failure()
        assert b.allow()
        b.record_failure()  # the second failure, from another "environment", opens it for both
        assert not a.allow() and not b.allow()
        now[0] += 31
        assert a.allow()
        a.record_success()
        assert b.store.get("openai").failures == 0


def test_unreadable_circuit_table_never_blocks_generation():
    with FakeOpenAI(ok()) as server:
        settings = settings_for(server, circuit_table="no-such-table")
        import boto3
        from moto import mock_aws

        with mock_aws():
            boto3.client("dynamodb", region_name="us-east-1")
            result = generate_content(request(), settings=settings)
    assert result.provider == "openai"


def test_draft_model_mirrors_the_content_model():
    assert set(CarouselDraft.model_fields) == set(CarouselContent.model_fields) - {"language"}
    content = CarouselDraft.model_validate(CANNED).to_content("en")
    assert content.title == CANNED["title"] and content.concepts[0].code == CANNED["concepts"][0]["code"]


def test_over_budget_answers_are_shortened():
    long = {**CANNED, "title": "word " * 40, "principles": [{"title": "t " * 60, "description": "d " * 300, "emoji": None}]}
    content = CarouselDraft.model_validate(long).to_content("en")
    assert len(content.title) <= 70 and len(content.principles[0].description) <= 320


@pytest.mark.parametrize("count", range(1, 21))
def test_plan_fills_the_slides_between_cover_and_summary(count):
    p, c, q = plan(count)
    assert p + c + q == (max(count - 2, 1) if count >= 2 else 0)


def test_messages_for_a_text_with_a_title():
    messages = build_messages(request(topic="Мой текст", source_text="Первый абзац. Второе предложение."), "ru")
    assert "Заголовок: Мой текст" in messages[1]["content"] and "не добавляй фактов" in messages[1]["content"]


def test_cost_table():
    assert cost_of("gpt-4o-mini", 1_000_000, 0) == pytest.approx(0.15)
    assert cost_of("gpt-4o-mini-2024-07-18", 0, 1_000_000) == pytest.approx(0.60)
    assert cost_of("my-local-llama", 1000, 1000) == 0.0
    custom = ContentSettings(openai_price_in_per_mtok=1.0, openai_price_out_per_mtok=2.0)
    assert cost_of("my-local-llama", 1_000_000, 1_000_000, custom) == pytest.approx(3.0)


def test_settings_from_env():
    s = ContentSettings.from_env({"OPENAI_API_KEY": "k", "OPENAI_MODEL": "gpt-4.1-mini", "OPENAI_BASE_URL": "http://x/v1",
                                  "KNOWLEDGE_DIR": "/a:/b", "CIRCUIT_TABLE": "t", "CIRCUIT_FAILURE_THRESHOLD": "5"})
    assert (s.openai_api_key, s.openai_model, s.openai_base_url) == ("k", "gpt-4.1-mini", "http://x/v1")
    assert s.knowledge_dirs == ("/a", "/b") and s.circuit_table == "t" and s.circuit_failure_threshold == 5
    assert ContentSettings.from_env({}).openai_api_key is None


def test_offline_path_never_imports_openai():
    code = (
        "import sys, time\n"
        "t = time.perf_counter()\n"
        "from ai_content.logic import generate_content, ContentSettings, warm_up\n"
        "assert warm_up(ContentSettings()) > 0\n"
        "from vibecoder.events.models import AiContentRequested\n"
        "r = generate_content(AiContentRequested(request_id='r', user_id='u', topic='TDD'), settings=ContentSettings())\n"
        "assert r.provider == 'offline', r\n"
        "assert 'openai' not in sys.modules and 'numpy' not in sys.modules\n"
        "print(round((time.perf_counter() - t) * 1000))\n"
    )
    env = {"PYTHONPATH": f"{ROOT / 'functions'}:{ROOT / 'layers/shared/python'}", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False, timeout=60)
    assert out.returncode == 0, out.stderr


def test_provider_setting_forces_offline_or_reports_a_missing_key():
    with FakeOpenAI(ok()) as server:
        forced = generate_content(request(), settings=settings_for(server, provider="offline"))
    assert forced.provider == "offline" and forced.fallback_reason is None and not server.requests
    missing = generate_content(request(), settings=ContentSettings(provider="openai"))
    assert missing.provider == "offline" and missing.fallback_reason == "openai_not_configured"


def test_a_thin_answer_is_topped_up_from_the_knowledge_base():
    thin = {**CANNED, "principles": CANNED["principles"][:1], "concepts": [], "quotes": []}
    with FakeOpenAI(completion(json.dumps(thin))) as server:
        result = generate_content(request(slides_count=8), settings=settings_for(server))
    assert result.provider == "openai"
    content = result.content
    assert content.principles[0].title == "Readonly by default"  # the model's own first
    assert len(content.principles) + len(content.concepts) + len(content.quotes) >= 6
    slides = build_slides(content, 8)
    assert all(s.type is not SlideType.SUMMARY for s in slides[1:-1])  # no call-to-action fillers


def test_a_long_caption_fits_a_telegram_album_caption():
    wordy = {**CANNED, "caption": "Very long caption. " * 200, "hashtags": [f"#tag{i}" for i in range(8)]}
    with FakeOpenAI(completion(json.dumps(wordy))) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert len(result.content.caption) <= 1024 and result.content.caption.endswith("#tag7")
