"""The text budgets (vibecoder.content.TEXT_BUDGETS) against the renderer's own layout.

A budget is what a slide holds at the themes' largest font sizes: a slide written to it is drawn
without shrinking, in every theme, in English and in Russian (whose words are longer). Each budget
is also close to the largest that fits: a quarter more text must not fit everywhere, so the
budgets do not drift into being needlessly small either.
"""

from __future__ import annotations

import re

import pytest

from image_renderer.rendering import list_themes
from image_renderer.rendering.layout import layout_slide
from image_renderer.rendering.themes import get_theme
from vibecoder.content import TEXT_BUDGETS, Slide, SlideType, TextBudget

SIZES = {"4:5": (1080, 1350), "1:1": (1080, 1080), "9:16": (1080, 1920)}
# Carousel prose of the usual word lengths (Russian words run longer than English ones).
PROSE = {
    "en": """Small commits are easy to review, to revert and to find with bisect when something breaks. Write the
    message for the next reader: the diff shows what changed, the message says why. Keep branches short-lived and
    merge within a day or two, so conflicts stay small. Tests that check behaviour survive refactoring; tests of
    internals do not. Dependencies point inward: business rules know nothing about frameworks or databases. A
    retry needs a timeout, a backoff and a limit, or it turns one failure into many. Structured logs with a
    correlation identifier let you follow one request through every service it touched.""",
    "ru": """Маленькие коммиты легко проверять, откатывать и находить через bisect, когда что-то сломалось. Пишите
    сообщение для следующего читателя: изменения видны в диффе, а сообщение объясняет причину. Держите ветки
    короткими и сливайте их за день-два, чтобы конфликты оставались маленькими. Тесты поведения переживают
    рефакторинг, тесты внутренностей нет. Зависимости направлены внутрь: бизнес-правила ничего не знают о
    фреймворках и базах данных. Повторной попытке нужны таймаут, задержка и предел, иначе одна ошибка
    превращается во множество. Структурированные логи с идентификатором корреляции позволяют проследить запрос
    через все сервисы, которые он затронул.""",
}
WORDS = {language: re.findall(r"\S+", text) for language, text in PROSE.items()}
OFFSETS = range(0, 80, 7)
THEMES = [get_theme(name) for name in list_themes()]


def sample(language: str, chars: int, offset: int) -> str:
    """Real prose from the knowledge notes, as many whole words as fit in *chars*."""
    out, words, i = "", WORDS[language], offset
    while True:
        word = words[i % len(words)]
        i += 1
        if out and len(out) + len(word) + 1 > chars:
            return out.strip()
        out += " " + word


def code(lines: int, width: int) -> str:
    line = "result = transform(value, option=True) # note"[:width]
    return "\n".join(line for _ in range(lines))


def unshrunk(slide: Slide, size: tuple[int, int]) -> bool:
    """Every theme draws *slide* at its largest body size (title and body shrink together)."""
    for theme in THEMES:
        layout = layout_slide(slide, 2, 5, theme, size, brand="@handle")
        largest = (theme.sizes.quote if slide.type is SlideType.QUOTE else theme.sizes.body)[0]
        # Smaller than the theme's largest means it shrank (since #13 stories may draw type larger).
        if not layout.fits or layout.body_size < round(largest * size[0] / 1080):
            return False
    return True


def slides_for(budget: TextBudget, scale: float = 1.0) -> list[tuple[str, Slide]]:
    def n(chars: int) -> int:
        return round(chars * scale)

    out = []
    for language in ("en", "ru"):
        for offset in OFFSETS:
            out += [
                ("cover", Slide(type=SlideType.COVER, title=sample(language, n(budget.cover_title), offset),
                                content=sample(language, n(budget.cover_body), offset + 31), emoji="🚀")),
                ("short-title cover", Slide(type=SlideType.COVER, title=sample(language, n(budget.cover_short_title), offset),
                                            content=sample(language, n(budget.cover_long_body), offset + 3), emoji="🚀")),
                ("principle", Slide(type=SlideType.PRINCIPLE, title=sample(language, n(budget.title), offset + 7),
                                    content=sample(language, n(budget.body), offset + 53), emoji="💡")),
                ("quote", Slide(type=SlideType.QUOTE, title="Edsger W. Dijkstra",
                                content=sample(language, n(budget.quote), offset + 11), emoji="💬")),
            ]
    out.append(("code", Slide(type=SlideType.CODE, title=sample("en", budget.title, 5),
                              content=code(round(budget.code_lines * scale), budget.code_width), emoji="💻")))
    return out


@pytest.mark.parametrize("size", SIZES)
def test_a_slide_written_to_the_budget_is_drawn_without_shrinking(size):
    misfits = [(kind, s.title[:30]) for kind, s in slides_for(TEXT_BUDGETS[size])
               if not (size == "9:16" and kind == "code") and not unshrunk(s, SIZES[size])]
    assert not misfits


@pytest.mark.xfail(strict=True, reason="known defect: since #13 stories draw code at their own phone-readable size, "
                                       "and the 9:16 code budget (lines x width) has not been re-measured for it")
def test_a_code_slide_written_to_the_story_budget_is_drawn_without_shrinking():
    code_slides = [s for kind, s in slides_for(TEXT_BUDGETS["9:16"]) if kind == "code"]
    assert all(unshrunk(s, SIZES["9:16"]) for s in code_slides)


@pytest.mark.parametrize("size", SIZES)
def test_the_budget_is_close_to_the_largest_that_fits(size):
    larger = slides_for(TEXT_BUDGETS[size], scale=1.25)
    for kind in ("cover", "short-title cover", "principle", "quote", "code"):
        assert not all(unshrunk(s, SIZES[size]) for k, s in larger if k == kind), f"{kind}: the budget could be larger"
