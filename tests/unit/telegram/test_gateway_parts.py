"""The gateway's pure parts: what counts as a pasted text, the theme cycle, the keyboards."""

from __future__ import annotations

from telegram_gateway.logic import COMMAND, is_source_text, next_theme, style_keyboard
from vibecoder.content import THEMES
from vibecoder.telegram import MAX_CALLBACK_DATA


def test_several_paragraphs_are_a_text_one_line_is_a_topic():
    assert not is_source_text("Functional Programming with TypeScript")
    assert is_source_text("First paragraph.\n\nSecond paragraph.")
    assert is_source_text("line one\nline two")
    assert not is_source_text("topic\n\n   \n")


def test_commands_may_name_the_bot():
    found = COMMAND.match("/carousel@BibleVibeCoderBot 7 TDD")
    assert (found["name"], found["bot"], found["args"]) == ("carousel", "BibleVibeCoderBot", "7 TDD")
    assert COMMAND.match("/start")["args"] is None
    assert COMMAND.match("not a command") is None


def test_another_style_cycles_through_every_theme():
    seen, theme = [], THEMES[0]
    for _ in THEMES:
        theme = next_theme(theme)
        seen.append(theme)
    assert sorted(seen) == sorted(THEMES) and next_theme("unknown") == THEMES[0]


def test_the_style_keyboard_marks_the_current_theme_and_fits_callback_limits():
    keyboard = style_keyboard("dark", "en")["inline_keyboard"]
    buttons = [b for row in keyboard for b in row]
    assert [b["callback_data"] for b in buttons] == [f"style:{t}" for t in THEMES]
    assert [b["text"].startswith("✓") for b in buttons] == [t == "dark" for t in THEMES]
    assert all(len(b["callback_data"].encode()) <= MAX_CALLBACK_DATA for b in buttons)
    assert all(len(row) <= 2 for row in keyboard)


def test_the_gateway_cold_start_stays_lean():
    """No Pillow, no OpenAI, no renderer in the gateway; requests only when it first calls Telegram."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    probe = ("import sys; import telegram_gateway.handler; "
             "print(sorted(m for m in ('PIL', 'openai', 'image_renderer', 'requests', 'pygments') if m in sys.modules))")
    env = {"PYTHONPATH": f"{root / 'functions'}:{root / 'layers' / 'shared' / 'python'}", "AWS_DEFAULT_REGION": "us-east-1",
           "POWERTOOLS_TRACE_DISABLED": "true", "PATH": "/usr/bin:/bin"}
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert loaded.stdout.strip() == "[]"
