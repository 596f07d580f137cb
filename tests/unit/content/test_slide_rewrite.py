"""One slide rewritten on the user's instruction (issue 14): through the real openai client, to a local fake."""

from __future__ import annotations

import json

from fake_openai_server import FakeOpenAI, completion, error

from ai_content.logic import ContentSettings
from ai_content.rewrite import NEEDS_AI, rewrite_slide
from vibecoder.content import TEXT_BUDGETS, Slide, SlideType
from vibecoder.events.models import SlideRewriteRequested

CURRENT = Slide(type=SlideType.PRINCIPLE, title="Write the test first", content="Red, green, refactor.", emoji="🧪")


def ask(**kw) -> SlideRewriteRequested:
    values = {"request_id": "req-1", "user_id": "u1", "chat_id": 42, "edit_id": "e1", "slide": 2, "current": CURRENT,
              "instruction": "make it a question", "title": "TDD in practice", "language": "en", "size": "1:1"}
    return SlideRewriteRequested(**(values | kw))


def settings_for(server: FakeOpenAI) -> ContentSettings:
    return ContentSettings(openai_api_key="test-key", openai_base_url=server.base_url, openai_timeout_s=2.0)


def test_the_model_gets_the_slide_the_instruction_and_the_sizes_budget_and_its_answer_becomes_the_slide():
    answer = {"title": "Why write the **test** first?", "body": "Because red, green, refactor keeps you honest."}
    with FakeOpenAI(completion(json.dumps(answer))) as server:
        rewritten = rewrite_slide(ask(), settings_for(server))
        (sent,) = [r["json"] for r in server.requests]
    system, user = sent["messages"]
    budget = TEXT_BUDGETS["1:1"]
    assert f"at most {budget.title} characters" in system["content"] and f"at most {budget.body}" in system["content"]
    assert json.loads(user["content"]) == {"carousel": "TDD in practice", "instruction": "make it a question",
                                           "slide": {"title": "Write the test first", "body": "Red, green, refactor."}}
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert rewritten.failure is None and rewritten.provider == "openai"
    assert rewritten.rewritten.title == "Why write the test first?"  # no markdown on a slide
    assert rewritten.rewritten.content == answer["body"]
    assert (rewritten.rewritten.type, rewritten.rewritten.emoji) == (SlideType.PRINCIPLE, "🧪")  # kept
    assert (rewritten.edit_id, rewritten.slide, rewritten.chat_id) == ("e1", 2, 42)


def test_without_a_model_the_answer_is_needs_ai_and_nothing_is_called():
    rewritten = rewrite_slide(ask(), ContentSettings(openai_api_key=None))
    assert rewritten.failure == NEEDS_AI and rewritten.rewritten is None


def test_a_failing_or_malformed_model_leaves_the_slide_and_says_why():
    with FakeOpenAI(error(500), error(500), error(500)) as server:
        failed = rewrite_slide(ask(), settings_for(server))
    assert failed.rewritten is None and failed.failure.startswith("ai_failed:")
    with FakeOpenAI(completion("not json at all")) as server:
        malformed = rewrite_slide(ask(), settings_for(server))
    assert malformed.rewritten is None and malformed.failure == "ai_failed: malformed_response"
