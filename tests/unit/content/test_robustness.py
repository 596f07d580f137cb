"""Odd inputs never break the offline providers or the slide builder (seeded random texts)."""

from __future__ import annotations

import random
import re

import pytest

from ai_content.logic import ContentSettings, generate_content
from carousel_generator.slides import build_slides
from vibecoder.content import BODY_MAX_CHARS, SOURCE_TEXT_MAX_CHARS, TITLE_MAX_CHARS
from vibecoder.events.models import AiContentRequested

WORDS_EN = ["code", "test", "function", "event", "lambda", "deploy", "review", "type", "data", "pure", "cache", "queue", "retry", "schema", "value"]
WORDS_RU = ["код", "тест", "функция", "событие", "деплой", "ревью", "тип", "данные", "кеш", "очередь", "повтор", "схема", "значение", "модуль"]
PIECES = ["# ", "## ", "- ", "1. ", "> ", "> — Someone", "```", "```python", "", "", "🔥 ", "**", "—", "…", "!!!", "\t"]

ODD = [
    "```python\nprint('only code')\n```",
    "> Only a quote.\n> — Somebody",
    "# Only a heading",
    "## A\n## B\n## C",
    "🔥🔥🔥",
    "word " * 900,
    "A" * 4000,
    "- one\n- two\n- three",
    "Первое предложение. " * 200,
    "\n\n\n   \n",
    "e.g. i.e. etc. vs. т.е. т.д.",
    "x",
]


def _random_text(rng: random.Random) -> str:
    words = WORDS_RU if rng.random() < 0.5 else WORDS_EN
    lines = []
    for _ in range(rng.randint(1, 25)):
        piece = rng.choice(PIECES)
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 18)))
        end = rng.choice([".", "!", "?", "", ":", "…"])
        lines.append(f"{piece}{sentence.capitalize()}{end}")
    return "\n".join(lines)[:SOURCE_TEXT_MAX_CHARS]


def _check(text: str, count: int, topic: str | None = None) -> None:
    """A carousel (or, for what reads as a topic, an honest no), never more slides than an album holds
    beyond the count, no two alike, every slide within the hard limits and none but the cover empty."""
    request = AiContentRequested(request_id="r", user_id="u", source_text=text, topic=topic, slides_count=count)
    result = generate_content(request, settings=ContentSettings())
    if result.content is None:
        assert result.failure.startswith("topic_not_covered")
        return
    slides = build_slides(result.content, count)
    assert 1 <= len(slides) <= max(count, 10)
    keys = [(re.sub(r"\W+", " ", s.title.lower()), re.sub(r"\W+", " ", s.content.lower())) for s in slides]
    assert len(set(keys)) == len(slides)
    for s in slides:
        assert 0 < len(s.title) <= TITLE_MAX_CHARS and len(s.content) <= BODY_MAX_CHARS
    assert all(s.content.strip() for s in slides[1:]), [s.title for s in slides if not s.content.strip()]


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
@pytest.mark.parametrize("count", [1, 2, 3, 6, 10, 20])
def test_odd_texts(text, count):
    if not text.strip():
        pytest.skip("the request model refuses a blank text with no topic upstream")
    _check(text, count)


@pytest.mark.parametrize("seed", range(60))
def test_random_texts(seed):
    rng = random.Random(seed)
    _check(_random_text(rng), rng.randint(1, 20), topic=rng.choice([None, "тесты", "event queue"]))


@pytest.mark.parametrize("topic", ["", "???", "a", "🔥", "x" * 200, "the and of", "и в на"])
def test_odd_topics_get_an_honest_no(topic):
    request = AiContentRequested(request_id="r", user_id="u", topic=topic or None, source_text=None if topic else "?",
                                 slides_count=7)
    result = generate_content(request, settings=ContentSettings())
    assert result.content is None and result.failure.startswith("topic_not_covered")
