"""Fonts: the themes' own (in the repository) and Noto for every other script (installed from Debian).

Every font is loaded with Pillow's raqm layout (HarfBuzz shaping, FriBiDi; see :mod:`.native`), once
per (font, size). A theme names one font per role; :func:`font_stack` extends it with the Noto
fallbacks of the same style (sans regular, sans bold, serif bold, serif italic), so each run of text
is drawn by the theme's font when it can, else by the first Noto font that covers the run's script.
Noto Sans CJK is a collection: its Japanese, Korean or Simplified Chinese face is chosen per paragraph
(:func:`cjk_face`), so kanji look Japanese next to kana.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from . import native

native.load()  # before PIL.ImageFont: Pillow's raqm must find the bundled FriBiDi

from PIL import ImageFont  # noqa: E402 - deliberately after native.load()

from .otf import OpenTypeFont  # noqa: E402

FONT_DIR = Path(os.environ.get("VIBECODER_FONT_DIR") or Path(__file__).resolve().parent.parent / "fonts")
NOTO_DIR = FONT_DIR / "noto"
LAYOUT_ENGINE = ImageFont.Layout.RAQM


@dataclass(frozen=True)
class FontFile:
    file: str  # relative to FONT_DIR
    index: int = 0  # face in a collection (.ttc)


# The themes' fonts (logical name -> file), in the repository.
FONT_FILES: dict[str, str] = {
    "inter": "Inter-Regular.otf",
    "inter-display-bold": "InterDisplay-Bold.otf",
    "pt-serif-bold": "PTSerif-Bold.ttf",
    "pt-serif-italic": "PTSerif-Italic.ttf",
    "manrope-extrabold": "Manrope-ExtraBold.ttf",
    "jetbrains-mono": "JetBrainsMono-Regular.ttf",
}
EMOJI_FILE = "NotoColorEmoji.ttf"

# Noto families by script, each in Regular and Bold (installed by tools/renderer_assets.py).
_SCRIPT_FAMILIES = (
    "Arabic", "Hebrew", "Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Tamil", "Telugu", "Kannada",
    "Malayalam", "Sinhala", "Thai", "Lao", "Khmer", "Myanmar", "Georgian", "Armenian", "Ethiopic",
)  # fmt: skip
_CJK_FACES = {"jp": 0, "kr": 1, "sc": 2}  # NotoSansCJK-*.ttc: JP, KR, SC, TC, HK, then the Mono faces


def _noto_files() -> dict[str, FontFile]:
    files = {
        "noto-sans": FontFile("noto/NotoSans-Regular.ttf"),
        "noto-sans-bold": FontFile("noto/NotoSans-Bold.ttf"),
        "noto-serif-bold": FontFile("noto/NotoSerif-Bold.ttf"),
        "noto-serif-italic": FontFile("noto/NotoSerif-Italic.ttf"),
        "noto-sans-symbols": FontFile("noto/NotoSansSymbols-Regular.ttf"),
        "noto-sans-symbols-bold": FontFile("noto/NotoSansSymbols-Bold.ttf"),
        "noto-sans-symbols2": FontFile("noto/NotoSansSymbols2-Regular.ttf"),
        "noto-sans-math": FontFile("noto/NotoSansMath-Regular.ttf"),
    }
    for family in _SCRIPT_FAMILIES:
        files[f"noto-sans-{family.lower()}"] = FontFile(f"noto/NotoSans{family}-Regular.ttf")
        files[f"noto-sans-{family.lower()}-bold"] = FontFile(f"noto/NotoSans{family}-Bold.ttf")
    for face, index in _CJK_FACES.items():
        files[f"noto-sans-cjk-{face}"] = FontFile("noto/NotoSansCJK-Regular.ttc", index)
        files[f"noto-sans-cjk-{face}-bold"] = FontFile("noto/NotoSansCJK-Bold.ttc", index)
    return files


FONTS: dict[str, FontFile] = {name: FontFile(file) for name, file in FONT_FILES.items()} | _noto_files()

# Which Noto style continues each theme font.
_STYLE = {
    "inter": "regular",
    "jetbrains-mono": "regular",
    "inter-display-bold": "bold",
    "manrope-extrabold": "bold",
    "pt-serif-bold": "serif-bold",
    "pt-serif-italic": "serif-italic",
}


def _fallbacks(bold: bool) -> tuple[str, ...]:
    suffix = "-bold" if bold else ""
    scripts = tuple(f"noto-sans-{family.lower()}{suffix}" for family in _SCRIPT_FAMILIES)
    symbols = ("noto-sans-symbols-bold" if bold else "noto-sans-symbols", "noto-sans-symbols2", "noto-sans-math")
    return (f"noto-sans{suffix}", *scripts, f"noto-sans-cjk-{{cjk}}{suffix}", *symbols)


_FALLBACKS = {
    "regular": _fallbacks(False),
    "bold": _fallbacks(True),
    "serif-bold": ("noto-serif-bold", *_fallbacks(True)),
    "serif-italic": ("noto-serif-italic", *_fallbacks(False)),
}
# The fallback that continues a theme's Latin, Greek and Cyrillic (a word the theme font cannot
# finish, e.g. Vietnamese in PT Serif, is drawn whole in it rather than letter by letter).
LATIN_FALLBACKS = frozenset({"noto-sans", "noto-sans-bold", "noto-serif-bold", "noto-serif-italic"})
# Fonts whose symbols (arrows, stars, ©) are text: drawn as emoji only when VS16 asks for it.
TEXT_SYMBOL_FONTS = LATIN_FALLBACKS | {"noto-sans-symbols", "noto-sans-symbols-bold", "noto-sans-symbols2", "noto-sans-math"}


@lru_cache(maxsize=64)
def font_stack(primary: str, cjk: str = "sc") -> tuple[str, ...]:
    """The theme font, then the Noto fonts of its style (CJK in the face ``cjk``: jp, kr or sc)."""
    style = _STYLE.get(primary, "bold" if "bold" in primary else "regular")
    return (primary, *(name.format(cjk=cjk) for name in _FALLBACKS[style]))


def cjk_face(text: str) -> str:
    """jp if the text has kana, kr if it has hangul, else sc (Han alone reads as Chinese)."""
    for ch in text:
        cp = ord(ch)
        if 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9F:
            return "jp"
        if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            return "kr"
    return "sc"


class FontsNotInstalled(RuntimeError):
    pass


def _require(path: Path) -> Path:
    if not path.is_file():
        raise FontsNotInstalled(
            f"{path} is missing: the Noto fonts are installed from Debian packages by `make fonts` "
            "(python -m tools.renderer_assets)"
        )
    return path


_FONTS: dict[tuple[str, int], ImageFont.FreeTypeFont] = {}


def get_font(name: str, size: int) -> ImageFont.FreeTypeFont:
    key = (name, size)
    font = _FONTS.get(key)
    if font is None:
        if not _FONTS:
            native.check_engine()  # fail loudly, once, if raqm is not what will lay the text out
        spec = FONTS.get(name)
        if spec is None:
            raise ValueError(f"unknown font {name!r}; known: {', '.join(sorted(FONTS))}")
        path = _require(FONT_DIR / spec.file)
        font = _FONTS[key] = ImageFont.truetype(str(path), size=size, index=spec.index, layout_engine=LAYOUT_ENGINE)
    return font


def loaded_layout_engines() -> set[int]:
    """The layout engines of every font loaded so far (the tests check this is {RAQM})."""
    return {font.layout_engine for font in _FONTS.values()}


@cache
def get_otf(name: str) -> OpenTypeFont:
    spec = FONTS[name]
    return OpenTypeFont(_require(FONT_DIR / spec.file), spec.index)


@cache
def coverage(name: str) -> frozenset[int]:
    return frozenset(get_otf(name).cmap)


@lru_cache(maxsize=1)
def emoji_otf() -> OpenTypeFont:
    return OpenTypeFont(FONT_DIR / EMOJI_FILE)
