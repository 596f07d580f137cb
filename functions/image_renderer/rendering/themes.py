"""Themes are data: ``themes.json`` holds every theme; this module only reads and validates it.

A theme names its colours, fonts, background (solid or multi-stop gradient at an angle, optional
soft colour blobs), an optional card (frosted glass: blur, tint, border, soft shadow) and its
sizes. All lengths are pixels at a 1080-pixel-wide slide and scale with the width.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .fonts import FONT_FILES

THEMES_FILE = Path(__file__).with_name("themes.json")
DEFAULT_THEME = "glass"

RGB = tuple[int, int, int]


def hex_rgb(value: str) -> RGB:
    v = value.lstrip("#")
    if len(v) == 3:
        v = "".join(c * 2 for c in v)
    if len(v) != 6:
        raise ValueError(f"bad colour {value!r}")
    return (int(v[0:2], 16), int(v[2:4], 16), int(v[4:6], 16))


@dataclass(frozen=True)
class Blob:
    x: float  # centre, as a fraction of width / height
    y: float
    r: float  # radius as a fraction of width
    color: RGB
    alpha: float


@dataclass(frozen=True)
class Background:
    colors: tuple[RGB, ...]  # one colour = solid
    angle: float = 135.0  # CSS convention: 0 = to top, 90 = to right, 135 = to bottom right
    blobs: tuple[Blob, ...] = ()
    noise: float = 0.0  # film grain amplitude (0 = none)


@dataclass(frozen=True)
class Shadow:
    color: RGB = (0, 0, 0)
    alpha: float = 0.3
    blur: int = 48
    offset_y: int = 24
    spread: int = 0


@dataclass(frozen=True)
class Card:
    fill: RGB = (255, 255, 255)
    fill_alpha: float = 0.12
    blur: int = 36  # backdrop blur radius (frosted glass); 0 = plain translucent card
    radius: int = 40
    border: RGB = (255, 255, 255)
    border_alpha: float = 0.35
    border_width: int = 2
    sheen: float = 0.10  # extra white at the card's top-left, fading to the bottom-right
    shadow: Shadow | None = field(default_factory=Shadow)
    padding: int = 64


@dataclass(frozen=True)
class Fonts:
    title: str = "inter-display-bold"
    body: str = "inter"
    quote: str = "pt-serif-italic"
    code: str = "jetbrains-mono"
    meta: str = "inter"


@dataclass(frozen=True, eq=False)  # identity hash: themes are singletons and cache keys
class Colors:
    title: RGB
    body: RGB
    muted: RGB  # brand, counter, swipe hint
    accent: RGB
    code_bg: RGB
    code_text: RGB
    # Pygments token colours for code slides (keys: keyword, name, function, class, string,
    # number, comment, operator, builtin, decorator).
    code_tokens: dict[str, RGB] = field(default_factory=dict)


@dataclass(frozen=True)
class Sizes:
    margin: int = 60
    title: tuple[int, int] = (72, 46)  # (max, min) font px
    cover_title: tuple[int, int] = (92, 56)
    body: tuple[int, int] = (44, 30)
    quote: tuple[int, int] = (52, 32)
    code: tuple[int, int] = (38, 30)  # 30 px at least: readable on a phone; longer lines wrap
    meta: int = 30
    emoji: int = 112
    cover_emoji: int = 150
    title_line: float = 1.12
    body_line: float = 1.45
    code_line: float = 1.5
    rule: tuple[int, int] = (0, 0)  # accent rule under the title (width, height); (0, 0) = none


@dataclass(frozen=True, eq=False)  # identity hash: themes are singletons and cache keys
class Theme:
    name: str
    label: str
    background: Background
    colors: Colors
    card: Card | None = None
    fonts: Fonts = field(default_factory=Fonts)
    sizes: Sizes = field(default_factory=Sizes)
    # Right-to-left hints point left: the mirrored carousel advances the other way.
    swipe_text: dict[str, str] = field(
        default_factory=lambda: {"en": "Swipe →", "ru": "Листайте →", "ar": "اسحب ←", "he": "החליקו ←"}
    )


def _rgb_fields(data: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: (hex_rgb(v) if k in keys and isinstance(v, str) else v) for k, v in data.items()}


def _only(cls: type, data: dict[str, Any], where: str) -> dict[str, Any]:
    known = {f.name for f in fields(cls)}
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"theme {where}: unknown keys {sorted(unknown)}")
    return data


def _parse(name: str, raw: dict[str, Any]) -> Theme:
    bg_raw = dict(_only(Background, raw["background"], f"{name}.background"))
    background = Background(
        colors=tuple(hex_rgb(c) for c in bg_raw.pop("colors")),
        blobs=tuple(Blob(**_rgb_fields(_only(Blob, b, f"{name}.blob"), ("color",))) for b in bg_raw.pop("blobs", ())),
        **bg_raw,
    )
    card = None
    if raw.get("card") is not None:
        card_raw = dict(_only(Card, raw["card"], f"{name}.card"))
        shadow_raw = card_raw.pop("shadow", {})
        shadow = (
            Shadow(**_rgb_fields(_only(Shadow, shadow_raw, f"{name}.shadow"), ("color",)))
            if shadow_raw is not None
            else None
        )
        card = Card(shadow=shadow, **_rgb_fields(card_raw, ("fill", "border")))
    col_raw = dict(_only(Colors, raw["colors"], f"{name}.colors"))
    tokens = {k: hex_rgb(v) for k, v in col_raw.pop("code_tokens", {}).items()}
    colors = Colors(code_tokens=tokens, **{k: hex_rgb(v) for k, v in col_raw.items()})
    fonts = Fonts(**_only(Fonts, raw.get("fonts", {}), f"{name}.fonts"))
    for role in fields(Fonts):
        if getattr(fonts, role.name) not in FONT_FILES:
            raise ValueError(f"theme {name}: unknown font {getattr(fonts, role.name)!r}")
    sizes_raw = _only(Sizes, raw.get("sizes", {}), f"{name}.sizes")
    sizes = Sizes(**{k: tuple(v) if isinstance(v, list) else v for k, v in sizes_raw.items()})
    extra = {k: raw[k] for k in ("swipe_text",) if k in raw}
    return Theme(
        name=name,
        label=raw.get("label", name),
        background=background,
        colors=colors,
        card=card,
        fonts=fonts,
        sizes=sizes,
        **extra,
    )


@lru_cache(maxsize=1)
def _themes() -> dict[str, Theme]:
    raw = json.loads(THEMES_FILE.read_text(encoding="utf-8"))
    return {name: _parse(name, spec) for name, spec in raw.items()}


def list_themes() -> list[str]:
    """Theme names, the default first."""
    names = list(_themes())
    names.sort(key=lambda n: (n != DEFAULT_THEME, n))
    return names


def get_theme(name: str) -> Theme:
    themes = _themes()
    try:
        return themes[name]
    except KeyError:
        raise ValueError(f"unknown theme {name!r}; valid themes: {', '.join(list_themes())}") from None
