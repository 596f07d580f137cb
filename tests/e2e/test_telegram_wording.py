"""What the chat reads, in both languages: counts with real plurals, theme names translated, and the
first status message exactly as the README quotes it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.fakes.telegram_harness import SLOW_STEPS, bot_under_test

pytestmark = pytest.mark.e2e

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def bot(tmp_path, monkeypatch):
    # Every stage slow enough to be shown: the chat reads each progress step's wording.
    with bot_under_test(tmp_path, monkeypatch, step_seconds=SLOW_STEPS) as running:
        yield running


def plain(shown: str) -> str:
    """A message as the chat shows it (the fake keeps the text after HTML parsing), on one line."""
    return " ".join(shown.split())


def test_the_first_status_message_is_the_one_the_readme_quotes(bot):
    row = next(line for line in README.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `/carousel Functional Programming with TypeScript`"))
    quoted = re.search(r'answers at once with a status message \("([^"]+)"', row)[1]
    ann = bot.user()

    bot.deliver(ann.message("/carousel Functional Programming with TypeScript"))

    status = bot.telegram.chat(ann.chat_id)[0]
    assert plain(status.texts[0]) == quoted
    assert [plain(t).split(" · ")[-1] for t in status.texts[1:]] == [
        "Writing the slides…", "Rendering 5 slides…", "Done ✅"]


def test_a_russian_chat_reads_natural_counts_and_russian_theme_names(bot):
    ivan = bot.user(first_name="Иван", language_code="ru")

    bot.deliver(ivan.message("/carousel 5 Чистая архитектура"))

    status, *album, ready = bot.telegram.chat(ivan.chat_id)
    assert len(album) == 5
    assert [plain(t).split(" · ")[-1] for t in status.texts] == [
        "Анализирую тему…", "Пишу слайды…", "Рисую 5 слайдов…", "Готово ✅"]
    assert re.match(r"✨ .+ — 5 слайдов, стиль «🔮 Стекло»\.", ready.text)

    bot.deliver(ivan.message("/style"))
    menu = bot.telegram.chat(ivan.chat_id)[-1]
    assert [b["text"] for b in menu.buttons] == ["✓ 🔮 Стекло", "🌙 Тёмный", "🌊 Градиент", "⚪ Минимализм",
                                                  "💼 Деловой", "📜 Писание", "🌈 Яркий"]
    assert menu.text == "Выберите стиль каруселей (сейчас: 🔮 Стекло):"


def test_a_pasted_text_is_titled_with_its_count_until_the_content_names_it(bot):
    ivan = bot.user(first_name="Иван", language_code="ru")
    pasted = ("Событийная архитектура отделяет производителей от потребителей.\n\n"
              "Каждый потребитель должен быть идемпотентным: доставка хотя бы один раз.\n\n"
              "Очереди недоставленных сообщений хранят то, что не удалось обработать.")

    bot.deliver(ivan.message(pasted))

    first = plain(bot.telegram.chat(ivan.chat_id)[0].texts[0])
    assert first == "🎨 Карусель из 5 слайдов ▰▱▱▱ 1/4 · Читаю ваш текст…"


def test_one_slide_is_one_slide(bot):
    ann = bot.user()

    bot.deliver(ann.message("/carousel 1 TDD"))

    status, photo, ready = bot.telegram.chat(ann.chat_id)
    assert "Rendering 1 slide…" in [plain(t).split(" · ")[-1] for t in status.texts]
    assert re.match(r"✨ .+ — 1 slide, style «🔮 Glass»\.", ready.text)
