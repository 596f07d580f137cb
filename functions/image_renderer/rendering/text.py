"""Text runs, measuring, line breaking and drawing for mixed Cyrillic/Latin/emoji text.

A string is cut into *segments*: a run of characters drawn with one font (the theme's font or
the fallback font for code points it lacks) or one colour emoji cluster. Segments group into
*words* (break opportunities are spaces; a word wider than the line is broken after ``/ - _ . ?
& = ,`` or, failing that, between characters). Widths are additive under the BASIC layout, so a
word is measured once per size and cached.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache

from PIL import Image, ImageDraw

from . import emoji as emoji_mod
from .fonts import coverage, font_stack, get_font, get_otf

EMOJI = ""  # the "font" of an emoji segment
_INVISIBLE = {0x200B, 0x200C, 0x200D, 0xFE0E, 0xFE0F, 0x00AD, 0x2060, 0xFEFF}
_BREAK_AFTER = set("/-_.?&=,;:|\\")


@dataclass(frozen=True, slots=True)
class Segment:
    font: str  # logical font name, or EMOJI
    text: str
    gid: int = 0


@dataclass(slots=True)
class Piece:
    font: str
    text: str
    gid: int
    width: float
    color: tuple[int, int, int] | None = None  # None: the block's colour


@dataclass(slots=True)
class Line:
    pieces: list[Piece] = field(default_factory=list)
    width: float = 0.0


@lru_cache(maxsize=16)
def _stack_coverage(stack: tuple[str, ...]) -> frozenset[int]:
    return frozenset().union(*(coverage(name) for name in stack))


@lru_cache(maxsize=4096)
def segment(text: str, font: str, keep_missing: bool = False) -> tuple[Segment, ...]:
    """Split ``text`` into font runs and emoji clusters (spaces included, newlines not expected).

    Characters that no font can draw are dropped (a tofu box helps nobody), unless
    ``keep_missing``: then they stay in the primary font's run, for :func:`missing_glyphs`.
    """
    stack = font_stack(font)
    covers = [coverage(name) for name in stack]
    textual = _stack_coverage(stack)  # code points some text font draws: text unless VS16 etc.
    out: list[Segment] = []
    cur_font: str | None = None
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        hit = emoji_mod.match(text, i, textual)
        if hit is not None:
            end, gid = hit
            if buf:
                out.append(Segment(cur_font or font, "".join(buf)))
                buf = []
            out.append(Segment(EMOJI, text[i:end], gid))
            cur_font = None
            i = end
            continue
        ch = text[i]
        cp = ord(ch)
        i += 1
        if cp in _INVISIBLE:
            continue
        chosen = None
        for name, cov in zip(stack, covers):
            if cp in cov:
                chosen = name
                break
        if chosen is None:
            if not keep_missing and not ch.isspace():
                continue
            chosen = font
        if chosen != cur_font and buf:
            out.append(Segment(cur_font or font, "".join(buf)))
            buf = []
        cur_font = chosen
        buf.append(ch)
    if buf:
        out.append(Segment(cur_font or font, "".join(buf)))
    return tuple(out)


def missing_glyphs(text: str, font: str) -> list[str]:
    """Characters of ``text`` that neither the font stack nor the emoji font can draw."""
    missing = []
    for seg in segment(text.replace("\n", " "), font, keep_missing=True):
        if seg.font == EMOJI:
            continue
        cov = coverage(seg.font)
        missing.extend(ch for ch in seg.text if ord(ch) not in cov and not ch.isspace())
    return missing


@cache
def _kerner(font: str):
    """The font's GPOS reader if we must kern it ourselves: BASIC layout applies only the old
    ``kern`` table, so fonts that kern through GPOS alone (Inter, Manrope) get it here."""
    otf = get_otf(font)
    if otf.has_table("kern") or not otf._kern_subtables:
        return None
    return otf


@lru_cache(maxsize=16384)
def kerns(font: str, text: str) -> tuple[int, ...] | None:
    """Kerning between neighbouring characters, in font units; None when there is none."""
    otf = _kerner(font)
    if otf is None or len(text) < 2:
        return None
    cmap = otf.cmap
    gids = [cmap.get(ord(ch), 0) for ch in text]
    values = tuple(otf.kerning(a, b) if a and b else 0 for a, b in zip(gids, gids[1:]))
    return values if any(values) else None


@lru_cache(maxsize=65536)
def _seg_width(font: str, text: str, gid: int, size: int) -> float:
    if font == EMOJI:
        glyph = emoji_mod.glyph_image(gid, size)
        return float(glyph[3]) if glyph else 0.0
    width = get_font(font, size).getlength(text)
    ks = kerns(font, text)
    if ks:
        width += sum(ks) * size / get_otf(font).units_per_em
    return width


def _draw_kerned(draw: ImageDraw.ImageDraw, x: float, baseline: float, text: str, font: str, size: int, fill) -> None:
    pil_font = get_font(font, size)
    ks = kerns(font, text)
    if not ks:
        draw.text((x, baseline), text, font=pil_font, fill=fill, anchor="ls")
        return
    scale = size / get_otf(font).units_per_em
    start = 0
    for i, k in enumerate(ks):
        if k:
            chunk = text[start : i + 1]
            draw.text((x, baseline), chunk, font=pil_font, fill=fill, anchor="ls")
            x += pil_font.getlength(chunk) + k * scale
            start = i + 1
    draw.text((x, baseline), text[start:], font=pil_font, fill=fill, anchor="ls")


@lru_cache(maxsize=256)
def space_width(font: str, size: int) -> float:
    return get_font(font, size).getlength(" ")


@lru_cache(maxsize=2048)
def words(paragraph: str, font: str) -> tuple[tuple[Segment, ...], ...]:
    return tuple(segment(word, font) for word in paragraph.split())


def word_width(word: tuple[Segment, ...], size: int) -> float:
    return sum(_seg_width(s.font, s.text, s.gid, size) for s in word)


def _append(line: Line, seg: Segment, width: float) -> None:
    last = line.pieces[-1] if line.pieces else None
    if last is not None and seg.font != EMOJI and last.font == seg.font:
        last.text += seg.text
        last.width += width
    else:
        line.pieces.append(Piece(seg.font, seg.text, seg.gid, width))
    line.width += width


def _units(word: tuple[Segment, ...], size: int) -> list[tuple[Segment, float]]:
    units: list[tuple[Segment, float]] = []
    for seg in word:
        if seg.font == EMOJI:
            units.append((seg, _seg_width(seg.font, seg.text, seg.gid, size)))
        else:
            for ch in seg.text:
                units.append((Segment(seg.font, ch), _seg_width(seg.font, ch, 0, size)))
    return units


def _break_long_word(word: tuple[Segment, ...], size: int, max_width: float, first_room: float) -> list[Line]:
    """Cut a too-wide word into line-sized chunks, preferring to cut after URL/path punctuation."""
    units = _units(word, size)
    chunks: list[Line] = []
    room = first_room
    start = 0
    while start < len(units):
        width = 0.0
        end = start
        last_break = -1
        while end < len(units) and width + units[end][1] <= room:
            width += units[end][1]
            if units[end][0].text in _BREAK_AFTER:
                last_break = end + 1
            end += 1
        if end == len(units):
            cut = end
        elif last_break > start and last_break - start >= 3:
            cut = last_break
        elif end > start:
            cut = end
        else:
            if room < max_width:  # nothing fits in what is left of the line: start a new one
                chunks.append(Line())
                room = max_width
                continue
            cut = start + 1  # a single unit wider than the line: place it anyway
        line = Line()
        for seg, w in units[start:cut]:
            _append(line, seg, w)
        chunks.append(line)
        start = cut
        room = max_width
    return chunks


def wrap(text: str, font: str, size: int, max_width: float) -> list[Line]:
    """Greedy line breaking; ``\\n`` starts a new line, blank lines are kept (as empty lines)."""
    lines: list[Line] = []
    space = space_width(font, size)
    for paragraph in text.split("\n"):
        line = Line()
        for word in words(paragraph, font):
            width = word_width(word, size)
            gap = space if line.pieces else 0.0
            if line.width + gap + width <= max_width:
                if gap:
                    _append(line, Segment(font, " "), gap)
                for seg in word:
                    _append(line, seg, _seg_width(seg.font, seg.text, seg.gid, size))
                continue
            if width <= max_width:
                if line.pieces:
                    lines.append(line)
                line = Line()
                for seg in word:
                    _append(line, seg, _seg_width(seg.font, seg.text, seg.gid, size))
                continue
            # The word alone is wider than a line: break it, starting on the current line if
            # there is reasonable room left, else on a new one.
            room = max_width - line.width - gap
            if line.pieces and room < max_width * 0.3:
                lines.append(line)
                line = Line()
                room = max_width
                gap = 0.0
            chunks = _break_long_word(word, size, max_width, room)
            first = chunks[0]
            if first.pieces:
                if gap:
                    _append(line, Segment(font, " "), gap)
                for piece in first.pieces:
                    _append(line, Segment(piece.font, piece.text, piece.gid), piece.width)
            for chunk in chunks[1:]:
                if line.pieces:
                    lines.append(line)
                line = chunk
        lines.append(line)
    return lines


def draw_line(
    image: Image.Image,
    draw: ImageDraw.ImageDraw,
    line: Line,
    x: float,
    baseline: float,
    size: int,
    fill: tuple[int, int, int],
) -> None:
    for piece in line.pieces:
        if piece.font == EMOJI:
            glyph = emoji_mod.glyph_image(piece.gid, size)
            if glyph is not None:
                img, bx, by, _adv = glyph
                image.paste(img, (round(x) + bx, round(baseline) - by), img)
        elif piece.text.strip():
            _draw_kerned(draw, x, baseline, piece.text, piece.font, size, piece.color or fill)
        x += piece.width
