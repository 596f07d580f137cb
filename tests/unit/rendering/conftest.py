"""Shared sample slides for the renderer tests (Russian, English, emoji-heavy), as fixtures."""

from types import SimpleNamespace

import pytest

from vibecoder.content import Slide, SlideType

RU = "Чистые функции, неизменяемость и композиция: как писать код, который легко тестировать. Ёжик съел щётку — «ура»!"
EN = "Pure functions always return the same result for the same arguments, which makes code predictable."
EMOJI = "Флаги 🇷🇺🇬🇧🇺🇦🏴󠁧󠁢󠁥󠁮󠁧󠁿, кожа 👍🏽👋🏿, ZWJ 👩‍💻👨‍👩‍👧‍👦❤️‍🔥🏳️‍🌈, keycap #️⃣1️⃣ and 🚀✨💡 in one line"
CODE = "from functools import reduce\n\ndef total(xs: list[int]) -> int:\n    # сумма квадратов\n    return reduce(lambda a, b: a + b * b, xs, 0)"

TEXTS = {"ru": RU, "en": EN, "emoji": EMOJI}


def slide(kind: SlideType, lang: str) -> Slide:
    content = CODE if kind == SlideType.CODE else TEXTS[lang]
    titles = {"ru": "Функциональное программирование", "en": "Functional programming", "emoji": "Команда 👩‍💻 🇷🇺"}
    return Slide(type=kind, title=titles[lang], content=content, emoji={"emoji": "🧑🏿‍🚀"}.get(lang))


def carousel() -> list[Slide]:
    return [
        Slide(type=SlideType.COVER, title="Functional Programming in Python", content=RU, emoji="🚀"),
        Slide(type=SlideType.PRINCIPLE, title="Pure functions", content=EN, emoji="💡"),
        Slide(type=SlideType.CONCEPT, title="Эмодзи 👩‍💻", content=EMOJI),
        Slide(type=SlideType.CODE, title="In code", content=CODE, emoji="⚙️"),
        Slide(type=SlideType.QUOTE, title="Kent Beck", content="Make it work, make it right, make it fast."),
        Slide(type=SlideType.SUMMARY, title="Итоги", content="- Чистые функции\n- Неизменяемые данные\n- Композиция"),
    ]


@pytest.fixture(scope="session")
def samples():
    return SimpleNamespace(RU=RU, EN=EN, EMOJI=EMOJI, CODE=CODE, TEXTS=TEXTS, slide=slide, carousel=carousel)
