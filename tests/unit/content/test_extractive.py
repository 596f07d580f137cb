"""A pasted text is structured extractively: nothing on a slide that the source does not say."""

from __future__ import annotations

import re

import pytest

from ai_content.logic import ContentSettings, generate_content
from ai_content.offline import content_from_text
from carousel_generator.slides import _LABELS, build_slides
from vibecoder.content import BODY_MAX_CHARS, TITLE_MAX_CHARS, SlideType
from vibecoder.events.models import AiContentRequested

MARKDOWN_EN = """# Why small functions matter

Small functions are easier to read. Each one does a single thing, and its name tells you what that thing is. Long functions hide bugs in their middle.

## Testing

A small function can be tested in isolation. You pass inputs and check outputs. There is no need for complex setup.

## Naming

Good names replace comments. When a function is small, finding a precise name is easy. A vague name is a hint that the function does too much.

> Any fool can write code that a computer can understand. Good programmers write code that humans can understand.
> — Martin Fowler

## Example

Here is a tiny function.

```python
def area(w, h):
    return w * h
```
"""

PLAIN_RU = """Функциональное программирование помогает писать надёжный код. Чистые функции не меняют состояние. Их легко тестировать.

Неизменяемые данные упрощают отладку. Каждое изменение создаёт новое значение. Старое значение остаётся доступным.

Композиция функций позволяет собирать сложное поведение из простых частей."""

LONG_EN = " ".join(
    f"Paragraph {i} explains idea number {i} about event-driven systems. "
    f"Events decouple producers from consumers in step {i}. Consumers must be idempotent, rule {i} says."
    for i in range(1, 4)
)

HEADINGS_RU = """Почему важны код-ревью

Ревью находит ошибки до релиза. Оно распространяет знания по команде. Небольшие пулл-реквесты проверяются быстрее и внимательнее.

Как давать обратную связь

Комментируйте код, а не автора. Объясняйте причину замечания. Отмечайте и удачные решения, а не только проблемы.

Что автоматизировать

Форматирование и линтеры должны работать в CI. Человек смотрит на дизайн, имена и граничные случаи."""

# Slide labels (not claims about the source): "Quote", "Key takeaways", the calls to action, …
LABELS = {
    v if isinstance(v, str) else t
    for lang in _LABELS.values()
    for key, value in lang.items()
    for v in (value if isinstance(value, list) else [value])
    for t in ([v[0]] if isinstance(v, tuple) else [None])
} | {"Code", "Код"}

SOURCES = [MARKDOWN_EN, PLAIN_RU, LONG_EN, HEADINGS_RU]


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _fragments(text: str) -> list[str]:
    """Sentence-like fragments of a slide text, ellipses removed (a shortened one is a prefix)."""
    parts = re.split(r"(?<=[.!?])\s+|\n+|…| · ", text)
    return [p.strip(" •·") for p in parts if p.strip(" •·")]


def _assert_from_source(fragment: str, source: str) -> None:
    # Key words keep their letters but may be lower-cased; sentences are verbatim.
    haystack = _normalise(source) if " " in fragment else _normalise(source).lower()
    needle = _normalise(fragment) if " " in fragment else fragment.lower()
    assert needle in haystack, f"{fragment!r} is not in the source"


@pytest.mark.parametrize("source", SOURCES, ids=["markdown-en", "plain-ru", "long-en", "headings-ru"])
@pytest.mark.parametrize("count", [3, 5, 8, 10])
def test_every_slide_sentence_comes_from_the_source(source, count):
    content = content_from_text(source, topic=None, language=None, slides_count=count)
    slides = build_slides(content, count)
    assert len(slides) == count
    for slide in slides:
        if slide.title not in LABELS and not re.fullmatch(r"(Note|Заметка) \d+", slide.title):
            for fragment in _fragments(re.sub(r" · \d+$", "", slide.title)):
                _assert_from_source(fragment, source)
        if slide.type in (SlideType.PRINCIPLE, SlideType.QUOTE, SlideType.CODE, SlideType.COVER) or slide.title in (
            "Key takeaways",
            "Главное",
        ):
            if slide.type is SlideType.CODE:
                for line in slide.content.splitlines():
                    if line != "…":
                        assert line.strip() in source
                continue
            for fragment in _fragments(slide.content):
                _assert_from_source(fragment, source)
        assert len(slide.title) <= TITLE_MAX_CHARS and len(slide.content) <= BODY_MAX_CHARS


def test_headings_become_slide_titles_and_quotes_keep_their_author():
    content = content_from_text(MARKDOWN_EN, topic=None, language=None, slides_count=8)
    assert content.title == "Why small functions matter"
    assert content.language == "en"
    titles = [p.title for p in content.principles]
    assert "Testing" in titles and "Naming" in titles
    assert content.quotes[0].author == "Martin Fowler"
    assert content.quotes[0].text.startswith("Any fool can write code")
    assert content.concepts and content.concepts[0].code.startswith("def area")


def test_plain_headings_without_hashes_are_detected():
    content = content_from_text(HEADINGS_RU, topic=None, language=None, slides_count=5)
    assert content.language == "ru"
    assert content.title == "Почему важны код-ревью"
    titles = [p.title for p in content.principles]
    assert titles == ["Почему важны код-ревью", "Как давать обратную связь", "Что автоматизировать"][: len(titles)] or (
        "Как давать обратную связь" in titles
    )


def test_key_sentences_are_ranked_when_a_section_overflows_the_budget():
    long_section = "## Events\n\n" + " ".join(
        f"Sentence {i} mentions events and consumers and idempotent handlers." for i in range(20)
    )
    content = content_from_text(long_section, topic="events", language="en", slides_count=3)
    assert all(len(p.description) <= BODY_MAX_CHARS for p in content.principles)
    assert content.principles


def test_sparse_text_splits_paragraphs_to_honour_the_count():
    content = content_from_text(LONG_EN, topic=None, language=None, slides_count=8)
    slides = build_slides(content, 8)
    assert len(slides) == 8
    assert len(content.principles) >= 3


def test_pasted_text_goes_through_generate_content_offline():
    request = AiContentRequested(request_id="r", user_id="u", source_text=PLAIN_RU, slides_count=5)
    result = generate_content(request, settings=ContentSettings())
    assert result.provider == "offline" and result.fallback_reason is None
    assert result.content.language == "ru"
    assert result.content.summary and result.content.summary.split(". ")[0].rstrip(".") in PLAIN_RU


def test_topic_given_with_a_text_becomes_the_title():
    content = content_from_text(PLAIN_RU, topic="ФП коротко", language=None, slides_count=4)
    assert content.title == "ФП коротко"


HABITS_RU = """5 привычек сильного разработчика:
1. Пишет тесты до кода. Это экономит часы отладки.
2. Делает маленькие коммиты. Их легко откатить.
3. Читает чужой код. Так быстрее растёт насмотренность.
4. Автоматизирует рутину. Скрипт лучше памяти.
5. Просит ревью. Вторая пара глаз видит больше."""


def test_list_items_become_slides_of_their_own():
    content = content_from_text(HABITS_RU, topic=None, language=None, slides_count=7)
    assert content.title == "5 привычек сильного разработчика"
    assert [(p.title, p.description) for p in content.principles] == [
        ("Пишет тесты до кода.", "Это экономит часы отладки."),
        ("Делает маленькие коммиты.", "Их легко откатить."),
        ("Читает чужой код.", "Так быстрее растёт насмотренность."),
        ("Автоматизирует рутину.", "Скрипт лучше памяти."),
        ("Просит ревью.", "Вторая пара глаз видит больше."),
    ]


def test_a_chat_message_without_blank_lines_is_read_line_by_line():
    lines = [
        "Serverless is not about having no servers. It is about not managing them.",
        "You pay only for what you use. Functions scale automatically with traffic.",
        "But cold starts can hurt latency. Keep your packages small and imports lazy.",
        "Observability matters more than ever. You cannot ssh into a function.",
    ]
    content = content_from_text("\n".join(lines), topic=None, language=None, slides_count=5)
    assert content.title == "Serverless is not about having no servers"
    by_line = {line.split(". ")[0] + ".": line.split(". ", 1)[1] for line in lines}
    assert len(content.principles) == 3
    for p in content.principles:  # a line's first sentence is the title, the rest its body
        assert by_line.get(p.title) == p.description or p.title == "It is about not managing them."


def test_fewer_slides_than_sections_keeps_the_best_in_order():
    content = content_from_text(HABITS_RU, topic="тесты и ревью", language=None, slides_count=4)
    titles = [p.title for p in content.principles]
    assert len(titles) == 2
    assert sorted(titles, key=HABITS_RU.index) == titles
    assert "Пишет тесты до кода." in titles and "Просит ревью." in titles


def test_a_one_sentence_text_is_treated_as_a_topic():
    request = AiContentRequested(request_id="r", user_id="u", source_text="Расскажи про чистую архитектуру", slides_count=5)
    result = generate_content(request, settings=ContentSettings())
    assert result.content.language == "ru"
    assert result.content.title == "Расскажи про чистую архитектуру"
    assert any(p.title == "Зависимости направлены внутрь" for p in result.content.principles)
