"""The bot's texts: both languages for every key, the same placeholders, themes in step with the renderer."""

from __future__ import annotations

import string

import pytest

from vibecoder.content import DEFAULT_STYLE, THEMES
from vibecoder.texts import TEXTS, THEME_EMOJI, language_of, progress_text, text


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_text_exists_in_both_languages_with_the_same_placeholders(key):
    assert set(TEXTS[key]) == {"en", "ru"}
    assert placeholders(TEXTS[key]["en"]) == placeholders(TEXTS[key]["ru"])


def test_language_falls_back_to_english():
    assert language_of("ru-RU") == "ru" and language_of("uk") == "ru"
    assert language_of("de") == "en" and language_of(None) == "en"
    assert text("unknown_command", "de") == TEXTS["unknown_command"]["en"]


def test_progress_is_a_bar_that_fills():
    stages = ["requested", "content", "rendering", "done"]
    texts = [progress_text("en", stage, count=7, title="TDD <basics>") for stage in stages]
    assert [t.split("\n")[1].split(" ")[0] for t in texts] == ["▰▱▱▱", "▰▰▱▱", "▰▰▰▱", "▰▰▰▰"]
    assert all("TDD &lt;basics&gt;" in t for t in texts) and "7" in texts[2]
    assert "❌" in progress_text("ru", "failed", count=0)


def test_the_themes_are_the_renderers():
    from image_renderer.rendering import list_themes

    assert list(THEMES) == list_themes() and THEMES[0] == DEFAULT_STYLE
    assert set(THEME_EMOJI) == set(THEMES)
