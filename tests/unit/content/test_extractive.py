"""A pasted text is structured extractively: its own structure, every list item, nothing invented."""

from __future__ import annotations

import re

import pytest

from ai_content.extractive import content_from_text, is_short_text
from ai_content.logic import ContentSettings, generate_content
from ai_content.source_text import parse
from carousel_generator.slides import build_slides
from vibecoder.content import TEXT_BUDGETS, CarouselContent, SlideType
from vibecoder.events.models import AiContentRequested

BUDGET = TEXT_BUDGETS["4:5"]

RETRO = """Sprint 14 retrospective

What went well:
- The new CI pipeline cut build times from 20 to 6 minutes
- Every pull request got a review within a day

What didn't go well: flaky end-to-end tests blocked three merges. The staging database ran out of disk.

Action items:
1. Quarantine flaky tests and fix one per day
2. Add a disk usage alert to staging
3. Move the planning meeting to Monday morning
"""

MARKDOWN = """# Why small functions matter

Small functions are easier to read. Each one does a single thing, and its name tells you what that thing is.

## Testing

A small function can be tested in isolation. You pass inputs and check outputs. There is no need for complex setup.

> Any fool can write code that a computer can understand. Good programmers write code that humans can understand.
> — Martin Fowler

## Example

```python
def area(w, h):
    return w * h
```

## Summary

Small, well-named functions are easier to read, test and change.
"""

ESSAY_RU = """Индексы в базе данных работают как алфавитный указатель в конце книги: вместо того чтобы читать каждую страницу, мы сразу открываем нужную. Без индекса запрос по большой таблице превращается в полный перебор строк.

У индексов есть цена. Каждая вставка и каждое обновление должны изменить и сам индекс.

Проверяйте план запроса командой EXPLAIN. Она показывает, использует ли база индекс."""


def make(text: str, count: int = 6, language: str | None = None, topic: str | None = None) -> CarouselContent:
    return content_from_text(text, topic=topic, language=language, slides_count=count, budget=BUDGET)


def texts_of(content: CarouselContent) -> list[str]:
    return [f"{s.title}\n{s.content}" for s in content.slides]


def test_headings_labels_and_lists_become_the_structure():
    content = make(RETRO)
    assert content.title == "Sprint 14 retrospective"
    assert [s.title for s in content.slides] == ["What went well", "What didn't go well", "Action items", "Key takeaways"]
    assert content.slides[0].content == ("• The new CI pipeline cut build times from 20 to 6 minutes\n"
                                         "• Every pull request got a review within a day")
    assert content.slides[1].content == "Flaky end-to-end tests blocked three merges. The staging database ran out of disk."
    assert content.slides[2].content.splitlines()[0] == "1. Quarantine flaky tests and fix one per day"
    assert content.slides[-1].type is SlideType.SUMMARY
    assert content.slides[-1].content == "• What went well\n• What didn't go well\n• Action items"


def test_every_list_item_survives_a_long_list_spread_over_slides():
    items = [f"Check item number {n} before the release goes out" for n in range(1, 19)]
    text = "Release checklist\n\nBefore the release:\n" + "\n".join(f"- {i}" for i in items)
    content = make(text, count=5)
    on_slides = "\n".join(texts_of(content))
    assert all(i in on_slides for i in items)
    parts = [s.title for s in content.slides if s.title.startswith("Before the release")]
    assert len(parts) >= 3 and parts[0].endswith(f"(1/{len(parts)})")
    assert all(len(s.content) <= BUDGET.body for s in content.slides)


def test_a_list_under_the_title_is_split_evenly():
    text = "5 mistakes\n\n" + "\n".join(f"❌ Mistake number {n} that beginners make in Python code" for n in range(1, 6))
    bodies = [s.content.count("•") for s in make(text, count=5).slides if s.type is not SlideType.SUMMARY]
    assert sum(bodies) == 5 and max(bodies) - min(bodies) <= 1


def test_titles_are_whole_phrases_and_bodies_never_empty_or_repeat_the_title():
    content = make(ESSAY_RU, count=6)
    source = re.sub(r"\s+", " ", ESSAY_RU)
    for s in content.slides:
        assert not s.title.endswith("…") and s.content.strip()
        assert not s.content.startswith(s.title)
    # The first paragraph's sentence is too long for a title: its clause before the colon heads it.
    assert content.slides[0].title == "Индексы в базе данных работают как алфавитный указатель в конце книги"
    assert content.slides[0].content.startswith("Вместо того чтобы читать каждую страницу")
    assert content.slides[1].title == "У индексов есть цена"
    assert all(s.title in source for s in content.slides if s.type is not SlideType.SUMMARY)


def test_slides_stay_in_the_texts_language_whatever_lang_says_labels_too():
    content = make(ESSAY_RU, language="en")
    assert content.language == "ru"
    assert content.slides[-1].title == "Главное"
    german = make("Schnelles Brot\n\nZutaten:\n- 500 g Mehl\n- 400 ml Wasser\n- 10 g Salz\n\nZubereitung:\n"
                  "1. Alles verrühren\n2. Zwölf Stunden ruhen lassen\n3. Bei 240 Grad backen\n\n"
                  "Das Brot erst nach einer Stunde anschneiden, sonst wird die Krume klebrig.", language="ru")
    assert german.language == "de" and german.slides[-1].title == "Das Wichtigste"
    assert german.slides[-1].content.startswith("Das Brot erst nach einer Stunde")  # its own closing words


def test_a_summary_section_closes_the_carousel_quotes_and_code_get_their_slides():
    content = make(MARKDOWN, count=7)
    kinds = [s.type for s in content.slides]
    assert SlideType.QUOTE in kinds and SlideType.CODE in kinds
    quote = next(s for s in content.slides if s.type is SlideType.QUOTE)
    assert quote.title == "Martin Fowler" and quote.content.startswith("Any fool can write code")
    code = next(s for s in content.slides if s.type is SlideType.CODE)
    assert code.title == "Example" and "return w * h" in code.content
    assert content.slides[-1].title == "Summary"
    assert content.slides[-1].content == "Small, well-named functions are easier to read, test and change."


def test_labelled_steps_are_all_kept_and_not_recapped():
    text = "Set up a project\n\n" + "\n\n".join(f"Step {n}: do thing number {n} and check that it worked." for n in range(1, 6))
    content = make(text, count=6)
    assert [s.title for s in content.slides] == [f"Step {n}" for n in range(1, 6)]


def test_an_attendee_line_under_the_title_is_the_covers_subtitle():
    content = make("Planning, March 12\n\nAttendees: Anna, Dmitri, Sergei\n\nDecisions:\n1. Ship on Wednesday\n"
                   "2. Retire the old API\n3. Rotate on-call on Mondays")
    assert content.subtitle == "Attendees: Anna, Dmitri, Sergei"


def test_no_keyword_or_hashtag_slides_and_only_real_terms_as_hashtags():
    content = make(RETRO + "\nWe keep the CI green. The CI runs on GitHub Actions; GitHub hosts the code.\n")
    assert not any(s.title in ("Key terms", "Hashtags") or s.content.startswith("#") for s in content.slides)
    assert set(content.hashtags) <= {"#CI", "#GitHub", "#Actions"} and "#CI" in content.hashtags
    assert make(ESSAY_RU).hashtags == ["#EXPLAIN"] or make(ESSAY_RU).hashtags == []


def test_a_text_without_a_title_gets_a_short_sentence_of_its_own_as_cover():
    content = make(ESSAY_RU)
    assert content.title in re.sub(r"\s+", " ", ESSAY_RU) and len(content.title) <= BUDGET.cover_title


def test_the_users_topic_is_the_cover():
    assert make(ESSAY_RU, topic="Индексы").title == "Индексы"


def test_through_generate_content_the_provider_is_text():
    request = AiContentRequested(request_id="r", user_id="u", source_text=RETRO, slides_count=6, language="ru")
    result = generate_content(request, settings=ContentSettings())
    assert result.provider == "text" and result.content.language == "en"
    assert len(build_slides(result.content, 6)) == 5  # cover, three sections, the recap: no padding


def test_parse_reads_faq_questions_as_headings():
    doc = parse("Частые вопросы\n\nНужен ли ключ?\nДа, он бесплатный.\n\nКакие лимиты?\nСто запросов в минуту.")
    assert doc.title == "Частые вопросы"
    assert [s.heading for s in doc.sections] == ["Нужен ли ключ?", "Какие лимиты?"]


@pytest.mark.parametrize(("text", "short"), [("Just one sentence about TDD.", True), ("# A title\n\nA paragraph.", False),
                                             ("- one\n- two", False), (RETRO, False)])
def test_is_short_text(text, short):
    assert is_short_text(text) is short
