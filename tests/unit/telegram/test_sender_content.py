"""What the sender says about the content: the honest "not covered" answer and the one-line fallback note."""

from __future__ import annotations

import pytest

from telegram_sender.logic import fallback_note, not_covered_text
from vibecoder.content import ContentProvenance
from vibecoder.repositories import CarouselRecord


def failure_text(reason: str, language: str, subjects: list[str] = (), fallback_reason: str | None = None) -> str:
    return not_covered_text(language, list(subjects), reason=reason, fallback_reason=fallback_reason)


def test_not_covered_says_what_the_bot_can_do_instead():
    message = failure_text("topic_not_covered", "en", ["Git Workflow", "Test-Driven Development"])
    assert message.startswith("🤔") and "my built-in notes don't cover it" in message
    assert "Git Workflow, Test-Driven Development" in message
    assert "any text you paste" in message and "OPENAI_API_KEY" in message
    assert "unavailable" not in message and "/lang" not in message


def test_not_covered_after_a_fallback_says_the_model_is_unavailable_in_russian_too():
    message = failure_text("topic_not_covered", "ru", ["Код-ревью"], fallback_reason="timeout")
    assert "ИИ-модель сейчас недоступна" in message and "Код-ревью" in message


def test_not_covered_for_the_language_suggests_english_or_russian():
    message = failure_text("topic_not_covered: the offline notes are not written in de", "en")
    assert "English or Russian" in message and "/lang en" in message


def test_subjects_are_escaped_for_html():
    assert "A &lt;b&gt;" in failure_text("topic_not_covered", "en", ["A <b>"])


def test_without_the_subjects_the_line_about_them_is_left_out():
    assert "my notes cover" not in failure_text("topic_not_covered", "en")


def record(provider: str | None, reason: str | None = None) -> CarouselRecord:
    content = ContentProvenance(provider=provider, fallback_reason=reason) if provider else None
    return CarouselRecord(request_id="r", user_id="u", content=content)


@pytest.mark.parametrize(("provider", "reason", "expected"), [
    ("offline", "rate_limited", "The AI model was unavailable (rate_limited), so these slides come from my built-in notes."),
    ("text", "timeout", "The AI model was unavailable (timeout), so these slides come from your text as it is"),
    ("openai", None, None),
    ("offline", None, None),  # no model configured: nothing fell back
    (None, None, None),
])
def test_the_fallback_note(provider, reason, expected):
    note = fallback_note(record(provider, reason), "en")
    assert (note is None) if expected is None else (expected in note)
