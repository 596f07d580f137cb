"""The bot's texts: both languages for every key, the same placeholders, themes in step with the renderer."""

from __future__ import annotations

import string

import pytest

from vibecoder.content import DEFAULT_STYLE, THEMES
from vibecoder.texts import (
    PLURAL_CATEGORIES,
    TEXTS,
    THEME_EMOJI,
    THEME_NAMES,
    language_of,
    plural_category,
    progress_text,
    text,
    theme_label,
)
from vibecoder.workflow import Stage


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
    stages = [Stage.REQUESTED, Stage.CONTENT, Stage.SLIDES, Stage.COMPLETED]
    texts = [progress_text("en", stage, count=7, title="TDD <basics>") for stage in stages]
    assert [t.split("\n")[1].split(" ")[0] for t in texts] == ["▰▱▱▱", "▰▰▱▱", "▰▰▰▱", "▰▰▰▰"]
    assert all("TDD &lt;basics&gt;" in t for t in texts) and "7" in texts[2]
    assert progress_text("ru", Stage.FAILED, count=None) == "🎨 <b>Карусель</b>\nНе получилось ❌"


def test_the_themes_are_the_renderers():
    from image_renderer.rendering import list_themes

    assert list(THEMES) == list_themes() and THEMES[0] == DEFAULT_STYLE
    assert set(THEME_EMOJI) == set(THEMES)


NUMBERS = (1, 2, 5, 11, 21, 22, 25, 101, 111)


def test_english_plurals_are_one_and_other():
    assert [plural_category("en", n) for n in (0, *NUMBERS)] == ["other", "one"] + ["other"] * 8


def test_russian_plurals_follow_cldr_one_few_many():
    assert [plural_category("ru", n) for n in (0, *NUMBERS)] == [
        "many", "one", "few", "many", "many", "one", "few", "many", "one", "many"]
    assert [plural_category("ru", n) for n in (3, 4, 12, 13, 14, 24, 112, 1001)] == [
        "few", "few", "many", "many", "many", "few", "many", "one"]


def plural_specs(template: str) -> list[str]:
    return [spec for _, name, spec, _ in string.Formatter().parse(template) if name and spec and "|" in spec]


@pytest.mark.parametrize("key", sorted(TEXTS))
def test_every_plural_lists_the_forms_of_its_languages_categories(key):
    for language, template in TEXTS[key].items():
        for spec in plural_specs(template):
            assert len(spec.split("|")) == len(PLURAL_CATEGORIES[language]), (key, language, spec)
            assert all("#" in form for form in spec.split("|")), (key, language, spec)


@pytest.mark.parametrize(("number", "en", "ru"), [
    (1, "Carousel of 1 slide", "Карусель из 1 слайда"),
    (2, "Carousel of 2 slides", "Карусель из 2 слайдов"),
    (5, "Carousel of 5 slides", "Карусель из 5 слайдов"),
    (11, "Carousel of 11 slides", "Карусель из 11 слайдов"),
    (21, "Carousel of 21 slides", "Карусель из 21 слайда"),
    (22, "Carousel of 22 slides", "Карусель из 22 слайдов"),
    (25, "Carousel of 25 slides", "Карусель из 25 слайдов"),
    (101, "Carousel of 101 slides", "Карусель из 101 слайда"),
    (111, "Carousel of 111 slides", "Карусель из 111 слайдов"),
])
def test_the_progress_title_uses_the_genitive_after_iz(number, en, ru):
    assert text("progress_title", "en", count=number) == en
    assert text("progress_title", "ru", count=number) == ru


@pytest.mark.parametrize(("number", "en", "ru"), [
    (1, "Rendering 1 slide…", "Рисую 1 слайд…"),
    (2, "Rendering 2 slides…", "Рисую 2 слайда…"),
    (5, "Rendering 5 slides…", "Рисую 5 слайдов…"),
    (11, "Rendering 11 slides…", "Рисую 11 слайдов…"),
    (21, "Rendering 21 slides…", "Рисую 21 слайд…"),
    (22, "Rendering 22 slides…", "Рисую 22 слайда…"),
    (25, "Rendering 25 slides…", "Рисую 25 слайдов…"),
    (101, "Rendering 101 slides…", "Рисую 101 слайд…"),
    (111, "Rendering 111 slides…", "Рисую 111 слайдов…"),
])
def test_the_rendering_stage_uses_the_accusative(number, en, ru):
    assert text("stage_rendering", "en", count=number) == en
    assert text("stage_rendering", "ru", count=number) == ru


def test_counts_read_like_a_person_wrote_them():
    assert text("rate_limited", "ru", limit=1, minutes=5).startswith("⏳ Это уже 1 карусель за час")
    assert text("rate_limited", "ru", limit=3, minutes=5).startswith("⏳ Это уже 3 карусели за час")
    assert text("rate_limited", "en", limit=1, minutes=5).startswith("⏳ That's 1 carousel this hour")
    assert "До 21 карусели в час." in text("help", "ru", min=1, max=10, topic_limit=200, rate=21)
    assert "Up to 10 carousels an hour." in text("help", "en", min=1, max=10, topic_limit=200, rate=10)
    assert text("topic_too_long", "ru", length=201, limit=200).startswith("Тема слишком длинная (201 символ,")
    assert text("topic_too_long", "ru", length=203, limit=200).startswith("Тема слишком длинная (203 символа,")
    assert text("slides_out_of_range", "ru", min=1, max=10, topic="x") == "В карусели 1–10 слайдов, например " \
        "/carousel 7 x"
    assert text("ready", "ru", title="TDD", count=7, style="🌙 Тёмный", width=1080, height=1350).startswith(
        "✨ <b>TDD</b> — 7 слайдов, стиль «🌙 Тёмный».")
    assert text("ready", "en", title="TDD", count=1, style="🌙 Dark", width=1080, height=1350).startswith("✨ <b>TDD</b> — 1 slide, style")


def test_a_plural_needs_an_integer():
    with pytest.raises(TypeError):
        text("progress_title", "en", count="5")


def test_every_theme_has_a_name_in_both_languages():
    assert set(THEME_NAMES) == set(THEMES)
    assert all(set(names) == {"en", "ru"} for names in THEME_NAMES.values())
    assert theme_label("dark", "ru") == "🌙 Тёмный" and theme_label("dark", "en") == "🌙 Dark"
    assert theme_label("dark", "de") == "🌙 Dark"


def test_every_menu_command_is_in_help_in_both_languages_and_the_gateway_handles_it():
    """The commands of the issue contracts go into setMyCommands and /help alike (the menu and the text agree)."""
    from tools.webhook import COMMANDS

    for language, commands in COMMANDS.items():
        help_text = text("help", language, min=1, max=10, topic_limit=200, rate=10)
        named = [command for command, _ in commands]
        assert {"brand", "size", "edit", "move", "drop"} <= set(named), language
        for command in set(named) - {"help", "start"}:
            assert f"/{command}" in help_text, (language, command)
    assert [c for c, _ in COMMANDS["en"]] == [c for c, _ in COMMANDS["ru"]]
