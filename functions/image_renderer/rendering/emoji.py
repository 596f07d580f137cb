"""Colour emoji from Noto Color Emoji's CBDT bitmaps, without raqm.

Sequences (flags, skin tones, keycaps, ZWJ sequences such as 👩‍💻) are found with the font's own
GSUB ligature table, longest match first, so whatever the font draws as one glyph is drawn as one
glyph here. Bitmaps are decoded once and cached per output size (the strike is 109 ppem; we scale
the 136×128 PNGs down with a high-quality filter).
"""

from __future__ import annotations

import io
from functools import lru_cache

from PIL import Image

from .fonts import emoji_otf

VS15 = 0xFE0E  # text presentation selector
VS16 = 0xFE0F  # emoji presentation selector
ZWJ = 0x200D
KEYCAP = 0x20E3
_FORCING = {VS16, KEYCAP, *range(0x1F3FB, 0x1F400)}  # followers that make a base an emoji
MAX_SEQUENCE = 12


def _cmap() -> dict[int, int]:
    return emoji_otf().cmap


def is_emoji_base(cp: int) -> bool:
    return cp in _cmap()


@lru_cache(maxsize=4096)
def is_default_emoji(ch: str) -> bool:
    """Emoji_Presentation=Yes (💻, ✅, ⭐): an emoji even where a text font has the code point, as in a
    browser; ☺ ↔ © and the like are text unless VS16 follows. Asked only for code points that both a
    text font and the emoji font have, so the emoji package (80 ms to import) loads only then."""
    import emoji

    return emoji.EMOJI_DATA.get(ch, {}).get("status") == emoji.STATUS["fully_qualified"]


def match(text: str, i: int, text_covers: frozenset[int] | set[int]) -> tuple[int, int] | None:
    """If an emoji starts at ``text[i]``: (end index, glyph id); else None.

    A code point that a text font also has (digits, ©, ™, ↔ …) is an emoji only when it has emoji
    presentation by default, or an emoji presentation selector, a keycap or a skin-tone modifier
    follows it.
    """
    cmap = _cmap()
    cp = ord(text[i])
    gid = cmap.get(cp)
    if gid is None or cp == ZWJ:
        return None
    nxt = ord(text[i + 1]) if i + 1 < len(text) else -1
    if nxt == VS15:
        return None
    if cp in text_covers and not is_default_emoji(text[i]):
        after = nxt
        if after == VS16 and i + 2 < len(text):
            after = ord(text[i + 2])
        if nxt not in _FORCING and after not in _FORCING:
            return None
    # Collect the glyphs that could belong to a sequence, remembering where each one ends.
    gids: list[int] = [gid]
    ends: list[int] = [i + 1]
    j = i + 1
    while j < len(text) and len(gids) < MAX_SEQUENCE:
        c = ord(text[j])
        if c == VS16:
            j += 1
            ends[-1] = j
            continue
        g = cmap.get(c)
        if g is None:
            break
        gids.append(g)
        j += 1
        ends.append(j)
    ligatures = emoji_otf().ligatures.get(gid, ())
    for rest, lig in ligatures:  # longest first
        n = len(rest)
        if n < len(gids) and tuple(gids[1 : 1 + n]) == rest:
            return _swallow_selectors(text, ends[n]), lig
    return _swallow_selectors(text, ends[0]), gid


def _swallow_selectors(text: str, end: int) -> int:
    while end < len(text) and ord(text[end]) in (VS16, VS15):
        end += 1
    return end


def has_bitmap(gid: int) -> bool:
    return gid in emoji_otf().bitmap_strike[1]


@lru_cache(maxsize=1024)
def glyph_image(gid: int, em: int) -> tuple[Image.Image, int, int, int] | None:
    """(RGBA image, left bearing, top above baseline, advance) scaled so 1 em = ``em`` pixels."""
    otf = emoji_otf()
    glyph = otf.bitmap_glyph(gid)
    if glyph is None:
        return None
    ppem = otf.bitmap_strike[0]
    scale = em / ppem
    with Image.open(io.BytesIO(glyph.png)) as src:
        img = src.convert("RGBA")
    w = max(1, round(glyph.width * scale))
    h = max(1, round(glyph.height * scale))
    if (w, h) != img.size:
        img = img.resize(  # Pillow premultiplies RGBA for this, so no dark fringes
            (w, h), Image.Resampling.LANCZOS, reducing_gap=2.0
        )
    return img, round(glyph.bearing_x * scale), round(glyph.bearing_y * scale), round(glyph.advance * scale)
