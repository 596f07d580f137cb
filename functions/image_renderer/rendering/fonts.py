"""Bundled fonts, loaded once per (file, size), always with Pillow's BASIC layout engine.

Why BASIC and not raqm: Pillow's wheels carry raqm/HarfBuzz but load FriBiDi from the system,
and AWS Lambda's image has no FriBiDi, so a raqm layout would differ between this machine and
Lambda. BASIC lays out Cyrillic and Latin correctly (no complex shaping is needed for them) and
behaves identically everywhere; colour emoji sequences, the one thing that needs GSUB, are joined
by :mod:`.emoji` from the emoji font's own ligature table. The tests assert that every font the
renderer loads uses BASIC, i.e. the tested layout is the deployed one.
"""

from __future__ import annotations

import os
from functools import cache, lru_cache
from pathlib import Path

from PIL import ImageFont

from .otf import OpenTypeFont

FONT_DIR = Path(os.environ.get("VIBECODER_FONT_DIR") or Path(__file__).resolve().parent.parent / "fonts")

# Logical names used by the themes -> files in FONT_DIR.
FONT_FILES: dict[str, str] = {
    "inter": "Inter-Regular.otf",
    "inter-display-bold": "InterDisplay-Bold.otf",
    "pt-serif-bold": "PTSerif-Bold.ttf",
    "pt-serif-italic": "PTSerif-Italic.ttf",
    "manrope-extrabold": "Manrope-ExtraBold.ttf",
    "jetbrains-mono": "JetBrainsMono-Regular.ttf",
}
EMOJI_FILE = "NotoColorEmoji.ttf"
# Every text font falls back to this one for code points it lacks (arrows, dashes, symbols).
FALLBACK_FONT = "inter"

LAYOUT_ENGINE = ImageFont.Layout.BASIC


def font_path(name: str) -> Path:
    try:
        return FONT_DIR / FONT_FILES[name]
    except KeyError:
        raise ValueError(f"unknown font {name!r}; known: {', '.join(sorted(FONT_FILES))}") from None


_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def get_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    key = (name, size)
    font = _FONTS.get(key)
    if font is None:
        font = _FONTS[key] = ImageFont.truetype(str(font_path(name)), size=size, layout_engine=LAYOUT_ENGINE)
    return font


def loaded_layout_engines() -> set[int]:
    """The layout engines of every font loaded so far (the tests check this is {BASIC})."""
    return {font.layout_engine for font in _FONTS.values()}


@cache
def get_otf(name: str) -> OpenTypeFont:
    return OpenTypeFont(font_path(name))


@cache
def coverage(name: str) -> frozenset[int]:
    return frozenset(get_otf(name).cmap)


@lru_cache(maxsize=1)
def emoji_otf() -> OpenTypeFont:
    return OpenTypeFont(FONT_DIR / EMOJI_FILE)


def font_stack(primary: str) -> tuple[str, ...]:
    return (primary,) if primary == FALLBACK_FONT else (primary, FALLBACK_FONT)
