"""The OpenAI provider against a local OpenAI-compatible server: every failure mode of the path.

Each test scripts the server's answers (tests/unit/content/fake_openai_server.py) and checks that the
request ends in the model's own content (its format, its order, checked and repaired at most once)
or in an honest fallback whose reason is recorded, never in a carousel padded with anything else.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fake_openai_server import FakeOpenAI, Reply, completion, error

from ai_content import openai_provider
from ai_content.circuit import CircuitBreaker, DynamoCircuitStore, MemoryCircuitStore, reset_memory_store
from ai_content.logic import ContentResult, ContentSettings, generate_content
from ai_content.openai_provider import CarouselDraft, build_messages, cost_of, parse_answer, run_openai, strict_schema
from carousel_generator.slides import build_slides
from vibecoder.content import TEXT_BUDGETS, SlideType
from vibecoder.events.models import AiContentRequested

ROOT = Path(__file__).resolve().parents[3]
BUDGET = TEXT_BUDGETS["4:5"]


def slide(title: str, body: str, kind: str = "point", **extra) -> dict:
    return {"kind": kind, "title": title, "body": body, "code": extra.get("code"), "emoji": extra.get("emoji")}


CANNED = {
    "format": "x_vs_y",
    "hook": "Rebase or merge? Decide in 30 seconds",
    "subtitle": "Two ways to combine work.",
    "emoji": "🌿",
    "slides": [
        slide("Rebase rewrites your commits", "Rebase replays your commits on top of main: one straight line."),
        slide("Rebase in practice", "", "code", code="git fetch origin\ngit rebase origin/main"),
        slide("Linus Torvalds", "Talk is cheap. Show me the code.", "quote"),
        slide("Merge keeps what happened", "A merge commit joins two histories without changing either."),
    ],
    "closing_title": "The rule",
    "summary": "Rebase your own work; merge what others have pulled.",
    "cta": "Share this with your team",
    "caption": "Rebase or merge, in one carousel.",
    "hashtags": ["#Git", "#Rebase"],
}


def answer(**changes) -> dict:
    return {**CANNED, **changes}


def ok(**changes) -> Reply:
    return completion(json.dumps(answer(**changes)))


def request(**kw) -> AiContentRequested:
    values = {"request_id": "req-1", "user_id": "u1", "topic": "Git rebase vs merge", "slides_count": 6}
    values.update(kw)
    return AiContentRequested(**values)


def settings_for(server: FakeOpenAI, **kw) -> ContentSettings:
    values = {"openai_api_key": "test-key", "openai_base_url": server.base_url, "openai_timeout_s": 2.0,
              "openai_max_retries": 2, "openai_backoff_s": 0.001, "circuit_failure_threshold": 100}
    values.update(kw)
    return ContentSettings(**values)


def own_texts(*answers: dict) -> set[str]:
    return {t for a in answers for s in a["slides"] for t in (s["title"], s["body"], s["code"]) if t}


@pytest.fixture(autouse=True)
def _fresh_state():
    reset_memory_store()
    openai_provider._format_for.clear()
    yield
    reset_memory_store()
    openai_provider._format_for.clear()


# --- what is asked -------------------------------------------------------------------------------


def test_the_request_carries_a_strict_schema_the_formats_the_budgets_and_the_language():
    with FakeOpenAI(ok()) as server:
        result = generate_content(request(topic="How to choose between rebase and merge"), settings=settings_for(server))
    assert result.provider == "openai"
    body = server.requests[0]["json"]
    assert server.requests[0]["headers"].get("authorization") == "Bearer test-key"
    fmt = body["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    schema = fmt["json_schema"]["schema"]
    assert set(schema["required"]) == set(CarouselDraft.model_fields) and schema["additionalProperties"] is False
    assert "default" not in json.dumps(schema)
    system = body["messages"][0]["content"]
    assert "Write every text field in English." in system
    for fmt_name in ("list", "how_to", "myth_vs_fact", "x_vs_y", "story", "principles"):
        assert f"- {fmt_name}:" in system
    assert "exactly 4 content slides" in system
    assert f"at most {BUDGET.cover_title} characters" in system and f"at most {BUDGET.body} characters" in system
    assert "No quote at all is fine" in system and "No invented statistics" in system
    assert body["messages"][1]["content"] == "Topic: How to choose between rebase and merge"


def test_a_pasted_text_is_sent_with_an_extractive_instruction_in_its_own_language():
    text = "Что сделано:\n- ревью за день\n- сборка за шесть минут"
    with FakeOpenAI(ok()) as server:
        generate_content(request(topic=None, source_text=text, language="en"), settings=settings_for(server))
    system, user = (m["content"] for m in server.requests[0]["json"]["messages"])
    assert "Write every text field in Russian." in system  # the text's language, whatever /lang says
    assert text in user and "keep every list item" in user and "add no facts" in user


def test_a_topic_without_a_language_clue_is_answered_in_the_topics_language():
    german = answer(hook="Saubere Architektur in drei Regeln", slides=[
        slide("Abhängigkeiten zeigen nach innen", "Die Geschäftslogik kennt weder das Framework noch die Datenbank."),
        slide("Anwendungsfälle in der Mitte", "Jeder Anwendungsfall ist eine Funktion, die von außen aufgerufen wird."),
        slide("Adapter am Rand", "Datenbanken und APIs werden über Schnittstellen angeschlossen, die der Kern definiert."),
    ], closing_title="Das Wichtigste", summary="Halte den Kern unabhängig von den Details.", cta="Speichere den Beitrag")
    with FakeOpenAI(completion(json.dumps(german))) as server:
        result = generate_content(request(topic="Saubere Architektur in Python", slides_count=5), settings=settings_for(server))
    assert "the language the topic is written in" in server.requests[0]["json"]["messages"][0]["content"]
    assert result.content.language == "de" and len(server.requests) == 1


# --- the model's own content ---------------------------------------------------------------------


def test_the_answer_becomes_those_slides_in_the_models_order():
    with FakeOpenAI(ok()) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert isinstance(result, ContentResult) and result.fallback_reason is None
    assert result.model == "gpt-4o-mini-2024-07-18"
    assert (result.prompt_tokens, result.completion_tokens, result.attempts) == (321, 654, 1)
    assert result.cost_usd == pytest.approx((321 * 0.15 + 654 * 0.60) / 1e6)
    assert result.content.format == "x_vs_y"
    slides = build_slides(result.content, 6)
    assert [(s.type, s.title, s.content) for s in slides] == [
        (SlideType.COVER, "Rebase or merge? Decide in 30 seconds", "Two ways to combine work."),
        (SlideType.PRINCIPLE, "Rebase rewrites your commits", "Rebase replays your commits on top of main: one straight line."),
        (SlideType.CODE, "Rebase in practice", "git fetch origin\ngit rebase origin/main"),
        (SlideType.QUOTE, "Linus Torvalds", "Talk is cheap. Show me the code."),
        (SlideType.PRINCIPLE, "Merge keeps what happened", "A merge commit joins two histories without changing either."),
        (SlideType.SUMMARY, "The rule", "Rebase your own work; merge what others have pulled.\n\nShare this with your team"),
    ]
    assert result.content.hashtags == ["#Git", "#Rebase"] and result.content.caption.endswith("#Git #Rebase")


def test_markdown_is_stripped_from_every_field_but_code():
    md = answer(hook="**Rebase** or `merge`?", slides=[
        slide("# **Rebase** rewrites", "- It *replays* your commits, see [docs](https://git-scm.com)."),
        slide("Rebase in practice", "", "code", code="git rebase **not markdown**"),
        *CANNED["slides"][2:],
    ])
    with FakeOpenAI(completion(json.dumps(md))) as server:
        content = generate_content(request(), settings=settings_for(server)).content
    assert content.title == "Rebase or merge?"
    assert (content.slides[0].title, content.slides[0].content) == ("Rebase rewrites", "• It replays your commits, see docs.")
    assert content.slides[1].content == "git rebase **not markdown**"


def test_more_slides_than_asked_keeps_the_first_ones():
    many = answer(slides=[slide(f"Point {n}", f"Point number {n}, explained.") for n in range(1, 10)])
    with FakeOpenAI(completion(json.dumps(many))) as server:
        content = generate_content(request(slides_count=5), settings=settings_for(server)).content
    assert [s.title for s in content.slides] == ["Point 1", "Point 2", "Point 3", "The rule"]


# --- one repair request, then an honest carousel -----------------------------------------------


def test_a_short_answer_gets_one_repair_request_and_the_repaired_answer_is_used():
    short = answer(slides=CANNED["slides"][:2])
    with FakeOpenAI(completion(json.dumps(short)), ok()) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert len(server.requests) == 2 and result.attempts == 2
    repair = server.requests[1]["json"]["messages"]
    assert repair[-2]["role"] == "assistant" and json.loads(repair[-2]["content"])["slides"] == short["slides"]
    assert "Give exactly 4 content slides: add 2 more" in repair[-1]["content"]
    assert len(result.content.slides) == 5


def test_a_short_answer_twice_is_an_honest_shorter_carousel_never_padded():
    short = answer(slides=CANNED["slides"][:2])
    with FakeOpenAI(completion(json.dumps(short))) as server:
        result = generate_content(request(topic="TDD", slides_count=8), settings=settings_for(server))
    assert result.provider == "openai" and len(server.requests) == 2
    middle = [s for s in result.content.slides if s.type is not SlideType.SUMMARY]
    assert {s.title for s in middle} == {"Rebase rewrites your commits", "Rebase in practice"}  # nothing from the notes
    assert len(build_slides(result.content, 8)) == 4


def test_overlong_fields_are_rewritten_on_request():
    long_body = ("This sentence is here to be far too long for one slide of the carousel. " * 4).strip()
    long = answer(hook="A hook that goes on and on for far longer than any cover could ever hold in one line")
    long["slides"] = [slide("Rebase rewrites your commits", long_body), *CANNED["slides"][1:]]
    with FakeOpenAI(completion(json.dumps(long)), ok()) as server:
        result = generate_content(request(), settings=settings_for(server))
    fix = server.requests[1]["json"]["messages"][-1]["content"]
    assert f"slides[0].body has {len(long_body)} characters; rewrite it in at most {BUDGET.body}" in fix
    assert "- hook has" in fix
    assert result.content.slides[0].content == CANNED["slides"][0]["body"]


def test_overlong_twice_is_shortened_on_sentence_boundaries_never_inside_a_word():
    body = " ".join(f"Sentence number {n} says one more thing about rebasing your branch." for n in range(1, 8))
    long = answer(slides=[slide("Rebase rewrites your commits", body), *CANNED["slides"][1:]])
    with FakeOpenAI(completion(json.dumps(long))) as server:
        result = generate_content(request(), settings=settings_for(server))
    kept = result.content.slides[0].content
    assert len(kept) <= BUDGET.body and body.startswith(kept) and kept.endswith(".") and "…" not in kept


def test_a_wrong_language_is_corrected_on_request():
    english = answer()
    russian = answer(hook="Rebase или merge: решите за 30 секунд", subtitle="Два способа объединить работу.", slides=[
        slide("Rebase переписывает коммиты", "Rebase переносит ваши коммиты поверх main, и история становится прямой."),
        slide("Merge сохраняет историю", "Коммит слияния соединяет две истории, не меняя ни одну из них."),
        slide("Как выбрать", "Свою локальную работу перебазируйте, а общие ветки сливайте."),
        slide("Главное правило", "Никогда не переписывайте историю, которую уже забрали другие."),
    ], closing_title="Итог", summary="Rebase для своей работы, merge для общей.", cta="Поделитесь с командой")
    with FakeOpenAI(completion(json.dumps(english)), completion(json.dumps(russian))) as server:
        result = generate_content(request(language="ru"), settings=settings_for(server))
    assert "Write every text field in Russian; the answer is in English." in server.requests[1]["json"]["messages"][-1]["content"]
    assert result.provider == "openai" and result.content.language == "ru"
    assert result.content.slides[0].title == "Rebase переписывает коммиты"


def test_a_wrong_language_twice_falls_back_and_says_why():
    with FakeOpenAI(ok()) as server:
        result = generate_content(request(topic="Чистая архитектура"), settings=settings_for(server))
    assert len(server.requests) == 2
    assert result.provider == "offline" and result.fallback_reason == "wrong_language"
    assert result.content.language == "ru"


# --- servers that answer differently -------------------------------------------------------------


def test_a_fenced_json_answer_is_read():
    with FakeOpenAI(completion("Here you go:\n```json\n" + json.dumps(CANNED) + "\n```\nEnjoy!")) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert result.provider == "openai" and len(server.requests) == 1


def refuses(*formats: str):
    """A server that refuses the given response_format types with a 400 and answers the others."""
    def reply(body: dict) -> Reply:
        kind = (body.get("response_format") or {}).get("type", "none")
        if kind in formats:
            return error(400, f"Invalid parameter: 'response_format' of type '{kind}' is not supported with this model.")
        return ok()
    return reply


def test_a_server_without_json_schema_support_gets_json_object_and_is_remembered():
    with FakeOpenAI(refuses("json_schema")) as server:
        settings = settings_for(server)
        first = generate_content(request(), settings=settings)
        second = generate_content(request(), settings=settings)
    kinds = [(r["json"].get("response_format") or {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object", "json_object"]
    assert first.provider == second.provider == "openai"
    assert "JSON Schema" in server.requests[1]["json"]["messages"][0]["content"]  # the schema moves into the prompt


def test_a_server_without_any_response_format_gets_the_schema_in_the_prompt():
    with FakeOpenAI(refuses("json_schema", "json_object")) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert [(r["json"].get("response_format") or {}).get("type") for r in server.requests] == ["json_schema", "json_object", None]
    assert result.provider == "openai"


# --- failures: retried within the deadline, then an honest fallback ----------------------------


@pytest.mark.parametrize(
    ("replies", "attempts"),
    [
        ([error(429, headers={"retry-after": "0"}), None], 2),
        ([error(500), error(503), None], 3),
        ([completion("{not json"), None], 2),
        ([completion(json.dumps({"hook": "no slides at all"})), None], 2),
    ],
    ids=["429", "500-503", "malformed-json", "no-slides"],
)
def test_transient_failures_are_retried(replies, attempts):
    with FakeOpenAI(*[r or ok() for r in replies]) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert result.provider == "openai" and result.fallback_reason is None
    assert result.attempts == attempts == len(server.requests)


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
        (completion(json.dumps({**CANNED, "slides": []})), "empty_content", 3),
        (completion('{"hook": "cut off", "slides": [', finish_reason="length"), "truncated", 1),
    ],
    ids=["500", "429", "timeout", "malformed", "refusal", "401", "400", "empty", "truncated"],
)
def test_persistent_failures_fall_back_and_say_why(reply, reason, calls):
    with FakeOpenAI(reply) as server:
        result = generate_content(request(), settings=settings_for(server, openai_timeout_s=0.3))
    assert result.provider == "offline" and result.fallback_reason == reason
    assert len(server.requests) == calls and result.attempts == calls
    assert result.content.slides and result.content.language == "en"  # the notes cover Git


def test_a_retry_after_beyond_the_remaining_time_falls_back_at_once():
    slept: list[float] = []
    with FakeOpenAI(error(429, headers={"retry-after": "30"})) as server:
        outcome = run_openai(request(), settings_for(server), sleep=slept.append)
    assert outcome.content is None and outcome.reason == "rate_limited"
    assert len(server.requests) == 1 and slept == []


def test_a_short_retry_after_is_honoured():
    slept: list[float] = []
    with FakeOpenAI(error(429, headers={"retry-after": "1.5"}), ok()) as server:
        outcome = run_openai(request(), settings_for(server), sleep=slept.append)
    assert outcome.content is not None and len(slept) == 1 and slept[0] >= 1.5


def test_tokens_spent_on_failed_attempts_are_still_recorded():
    empty = completion(json.dumps({**CANNED, "slides": []}), prompt_tokens=10, completion_tokens=20)
    with FakeOpenAI(empty) as server:
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


def test_a_failure_on_a_topic_the_notes_do_not_cover_is_an_honest_no():
    with FakeOpenAI(error(503)) as server:
        result = generate_content(request(topic="Sourdough bread baking at home"), settings=settings_for(server))
    assert result.content is None and result.failure == "topic_not_covered"
    assert result.fallback_reason == "server_error_503" and result.covered_subjects


def test_a_pasted_text_falls_back_to_the_text_itself():
    text = "Retro\n\nWhat went well:\n- reviews within a day\n- builds in six minutes"
    with FakeOpenAI(error(500)) as server:
        result = generate_content(request(topic=None, source_text=text), settings=settings_for(server))
    assert result.provider == "text" and result.fallback_reason == "server_error_500"
    assert "• reviews within a day" in result.content.slides[0].content


# --- the circuit breaker -------------------------------------------------------------------------


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
        assert fourth.content is not None and len(server.requests) == 3
        assert breaker.allow() and breaker.store.get("openai").failures == 0


def test_circuit_open_is_reported_by_generate_content():
    with FakeOpenAI(error(500)) as server:
        settings = settings_for(server, openai_max_retries=0, circuit_failure_threshold=1, circuit_cooldown_s=300)
        first = generate_content(request(), settings=settings)
        second = generate_content(request(), settings=settings)
    assert first.fallback_reason == "server_error_500"
    assert second.fallback_reason == "circuit_open" and second.circuit_open and second.provider == "offline"
    assert len(server.requests) == 1


def test_refusals_and_refused_formats_do_not_open_the_circuit():
    with FakeOpenAI(completion(None, refusal="no")) as server:
        settings = settings_for(server, circuit_failure_threshold=1)
        generate_content(request(), settings=settings)
        again = generate_content(request(), settings=settings)
    assert again.fallback_reason == "refusal"
    with FakeOpenAI(refuses("json_schema")) as server:
        assert generate_content(request(), settings=settings_for(server, circuit_failure_threshold=1)).provider == "openai"


def test_dynamodb_circuit_store_shares_state():
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


# --- pieces --------------------------------------------------------------------------------------


def test_the_strict_schema_requires_everything_and_allows_nothing_else():
    schema = strict_schema(CarouselDraft)
    slide_schema = schema["$defs"]["DraftSlide"]
    assert set(slide_schema["required"]) == {"kind", "title", "body", "code", "emoji"}
    assert slide_schema["additionalProperties"] is False and "default" not in json.dumps(schema)


@pytest.mark.parametrize("raw", [json.dumps(CANNED), f"```json\n{json.dumps(CANNED)}\n```", f"Sure! {json.dumps(CANNED)} Done."])
def test_parse_answer_reads_bare_fenced_and_embedded_json(raw):
    assert parse_answer(raw).hook == CANNED["hook"]


def test_messages_for_a_text_with_a_title():
    messages = build_messages(request(topic="Мой текст", source_text="Первый абзац. Второе предложение."), "ru", BUDGET)
    assert "Its title: Мой текст." in messages[1]["content"] and "add no facts" in messages[1]["content"]


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
        "import sys\n"
        "from ai_content.logic import generate_content, ContentSettings, warm_up\n"
        "assert warm_up(ContentSettings()) > 0\n"
        "from vibecoder.events.models import AiContentRequested\n"
        "r = generate_content(AiContentRequested(request_id='r', user_id='u', topic='TDD'), settings=ContentSettings())\n"
        "assert r.provider == 'offline' and r.content is not None, r\n"
        "assert 'openai' not in sys.modules and 'numpy' not in sys.modules\n"
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


def test_a_long_caption_fits_a_telegram_album_caption():
    wordy = answer(caption="Very long caption. " * 200, hashtags=[f"#tag{i}" for i in range(8)])
    with FakeOpenAI(completion(json.dumps(wordy))) as server:
        result = generate_content(request(), settings=settings_for(server))
    assert len(result.content.caption) <= 1024 and result.content.caption.endswith("#tag7")
