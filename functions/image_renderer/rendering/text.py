"""Text: clusters, font runs, bidi levels, break opportunities, line breaking and drawing.

One paragraph is analysed once (and cached):

1. *Clusters*: a base character with its combining marks, joiners and virama conjuncts (never split
   across lines or fonts), or one colour emoji sequence as the emoji font's ligatures join it.
2. *Fonts* (fallback per run): each cluster takes the first font of the theme font's stack that has
   all its code points; spaces, punctuation, digits and symbols stay in the run they are in when that
   font has them; a word the theme font cannot finish in Latin script goes whole to the Noto fallback.
   A cluster no font can draw raises :class:`MissingGlyphError`, naming it: never a silent hole.
3. *Bidi*: each character's embedding level from FriBiDi (UAX #9); the paragraph's direction is its
   first strong character's, or the slide's when it has none.
4. *Break opportunities*: spaces; between CJK characters except before closing and after opening
   punctuation (kinsoku); inside Thai, where BudouX's Thai model puts a phrase boundary. A unit still
   wider than the line breaks between clusters, preferring URL punctuation.

Units (the text between two opportunities) are measured as runs shaped by HarfBuzz (raqm) and wrapped
greedily. A line keeps its runs in logical order; :func:`draw_line` reorders them visually (UAX #9
rule L2) and draws each run shaped in its own direction.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache

from PIL import Image, ImageDraw

from . import emoji as emoji_mod
from . import native
from .fonts import LATIN_FALLBACKS, TEXT_SYMBOL_FONTS, cjk_face, coverage, font_stack, get_font

EMOJI = ""  # the "font" of an emoji segment
_BREAK_AFTER = set("/-_.?&=,;:|\\")
ELLIPSIS = "…"


class MissingGlyphError(ValueError):
    """A character that no bundled font can draw: the render fails rather than leave a hole."""

    def __init__(self, characters: list[str], text: str) -> None:
        self.characters = characters
        names = ", ".join(describe(ch) for ch in dict.fromkeys(characters))
        excerpt = text if len(text) <= 60 else text[:57] + "…"
        super().__init__(f"no font can draw {names} in {excerpt!r}")


def describe(ch: str) -> str:
    return f"{ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"


@dataclass(frozen=True, slots=True)
class Segment:
    font: str  # logical font name, or EMOJI
    text: str
    gid: int = 0  # emoji glyph
    level: int = 0  # bidi embedding level: odd = right to left


@dataclass(slots=True)
class Piece:
    font: str
    text: str
    gid: int
    width: float
    color: tuple[int, int, int] | None = None  # None: the block's colour
    level: int = 0


@dataclass(slots=True)
class Line:
    pieces: list[Piece] = field(default_factory=list)  # logical order
    width: float = 0.0
    rtl: bool = False  # the paragraph's direction: right-aligned, reordered from the right


# ----------------------------------------------------------------------------------- characters
def is_ignorable(ch: str) -> bool:
    """Format characters (joiners, bidi marks, variation selectors, soft hyphen…): they steer
    shaping and bidi but draw nothing, so no font needs a glyph for them."""
    cp = ord(ch)
    return unicodedata.category(ch) == "Cf" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF


def _is_neutral(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "ZPSN"


_PREPOSED = set(range(0x0E40, 0x0E45)) | set(range(0x0EC0, 0x0EC5))  # Thai and Lao vowels written first


def _extends(prev: str, ch: str) -> bool:
    """Does ``ch`` belong to the cluster that ``prev`` ends?"""
    if unicodedata.category(ch) in ("Mn", "Mc", "Me") or ch in "\u200c\u200d" or 0xFE00 <= ord(ch) <= 0xFE0F:
        return True
    if prev == "\u200d" or ord(prev) in _PREPOSED:
        return True
    return unicodedata.combining(prev) == 9 and unicodedata.category(ch) == "Lo"  # virama: a conjunct


def _is_cjk(cp: int) -> bool:
    return (
        0x2E80 <= cp <= 0x9FFF  # radicals, CJK punctuation, kana, bopomofo, Han
        or 0xF900 <= cp <= 0xFAFF
        or 0xFE30 <= cp <= 0xFE4F
        or 0xFF00 <= cp <= 0xFFEF  # full- and half-width forms
        or 0x20000 <= cp <= 0x3FFFF
    )


# Kinsoku: never at the start of a line / never at the end of one.
_NO_BREAK_BEFORE = set(
    "、。，．：；？！）」』】〕〉》〙〗〟’”›»)]}.,;:!?%‰ー゛゜ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ・～〜"
)
_NO_BREAK_AFTER = set("（「『【〔〈《〘〖〝‘“‹«([{")


def _thai(cp: int) -> bool:
    return 0x0E00 <= cp <= 0x0E7F


@cache
def _thai_parser():
    import budoux  # only Thai text pays for the model

    return budoux.load_default_thai_parser()


# ----------------------------------------------------------------------------------- analysis
class Unit:
    """Text between two break opportunities: its clusters, its runs and the space after it."""

    __slots__ = ("clusters", "segments", "glue", "_widths")

    def __init__(self, clusters: list[Segment], glue: Segment | None) -> None:
        self.clusters = tuple(clusters)
        self.segments = merge(clusters)
        self.glue = glue
        self._widths: dict[int, float] = {}

    def width(self, size: int) -> float:
        w = self._widths.get(size)
        if w is None:
            w = self._widths[size] = sum(seg_width(s, size) for s in self.segments)
        return w

    def text(self) -> str:
        return "".join(c.text for c in self.clusters)


@dataclass(frozen=True)
class Paragraph:
    rtl: bool
    clusters: tuple[Segment, ...]  # spaces included, one per cluster
    starts: tuple[int, ...]  # each cluster's offset in the paragraph
    units: tuple[Unit, ...]


def merge(clusters) -> tuple[Segment, ...]:
    """Consecutive clusters of one font and level as one run (emoji stay one glyph each)."""
    out: list[Segment] = []
    for c in clusters:
        last = out[-1] if out else None
        if last is not None and c.font != EMOJI and last.font == c.font and last.level == c.level:
            out[-1] = Segment(c.font, last.text + c.text, 0, c.level)
        else:
            out.append(c)
    return tuple(out)


@lru_cache(maxsize=64)
def _text_covers(stack: tuple[str, ...]) -> frozenset[int]:
    """Code points that the theme font, its Latin continuation or a symbols font draws as text: such
    a character is an emoji only with VS16, a keycap or a skin tone after it (digits, ©, ™, ↔, ★…),
    as in a browser."""
    return frozenset().union(*(coverage(name) for name in stack if name in TEXT_SYMBOL_FONTS or name == stack[0]))


def _split_clusters(text: str, textual: frozenset[int]) -> list[tuple[int, int, int | None]]:
    out: list[tuple[int, int, int | None]] = []
    i, n = 0, len(text)
    while i < n:
        hit = emoji_mod.match(text, i, textual)
        if hit is not None:
            out.append((i, hit[0], hit[1]))
            i = hit[0]
            continue
        j = i + 1
        while j < n and _extends(text[j - 1], text[j]):
            j += 1
        out.append((i, j, None))
        i = j
    return out


def _levels(text: str, fallback_rtl: bool) -> tuple[int, tuple[int, ...]]:
    """(paragraph level, level per character); a paragraph without a strong character takes the
    slide's direction (``fallback_rtl``) rather than defaulting to left to right."""
    strong = any(unicodedata.bidirectional(ch) in ("L", "R", "AL") for ch in text)
    base = native.PAR_ON if strong else (native.PAR_RTL if fallback_rtl else native.PAR_LTR)
    if base != native.PAR_RTL and (not text or max(text) < "\u0590"):
        return 0, (0,) * len(text)  # nothing right to left below Hebrew (nor any bidi control)
    return native.embedding_levels(text, base)


@lru_cache(maxsize=4096)
def analyse(paragraph: str, font: str, fallback_rtl: bool = False, base_rtl: bool | None = None) -> Paragraph:
    """The paragraph (no newlines) as clusters with fonts and levels, cut into units.

    ``fallback_rtl``: the direction of a paragraph with no strong character (the slide's).
    ``base_rtl``: force the paragraph direction (code is always left to right).
    """
    stack = font_stack(font, cjk_face(paragraph))
    spans = _split_clusters(paragraph, _text_covers(stack))
    if base_rtl is None:
        rtl, levels = _levels(paragraph, fallback_rtl)
    else:
        rtl, levels = native.embedding_levels(paragraph, native.PAR_RTL if base_rtl else native.PAR_LTR)
        if not paragraph:
            rtl = int(base_rtl)
    fonts: list[str | None] = []
    missing: list[str] = []
    current: str | None = None
    for start, end, gid in spans:
        if gid is not None:
            if not emoji_mod.has_bitmap(gid):
                missing.append(paragraph[start:end])
            fonts.append(EMOJI)
            continue
        text = paragraph[start:end]
        if text.isspace():
            fonts.append(None)  # decided below: the font of the run around it
            continue
        cps = [ord(ch) for ch in text if not is_ignorable(ch)]
        if not cps:
            fonts.append(current or font)
            continue
        if current is not None and _is_neutral(text[0]) and all(cp in coverage(current) for cp in cps):
            fonts.append(current)
            continue
        chosen = next((name for name in stack if all(cp in coverage(name) for cp in cps)), None)
        if chosen is None:
            missing.extend(ch for ch in text if not is_ignorable(ch))
            chosen = font
        fonts.append(chosen)
        current = chosen
    if missing:
        raise MissingGlyphError(missing, paragraph)
    _whole_words_in_one_latin_font(paragraph, spans, fonts, font)
    clusters: list[Segment] = []
    for k, (start, end, gid) in enumerate(spans):
        name = fonts[k]
        if name is None:  # a space: the font before it (else after it, else the theme's)
            name = next((f for f in reversed(fonts[:k]) if f not in (None, EMOJI)), None) or next(
                (f for f in fonts[k:] if f not in (None, EMOJI)), font
            )
        clusters.append(Segment(name, paragraph[start:end], gid or 0, levels[start] if levels else 0))
    units = _units(paragraph, spans, clusters)
    return Paragraph(bool(rtl), tuple(clusters), tuple(s for s, _e, _g in spans), units)


def _whole_words_in_one_latin_font(paragraph, spans, fonts, primary) -> None:
    """A word mixing the theme font and its Latin fallback (Vietnamese in PT Serif) is drawn whole in
    the fallback, when it has every letter: one word, one typeface."""
    word: list[int] = []
    for k in range(len(spans) + 1):
        if k < len(spans) and fonts[k] is not None:
            word.append(k)
            continue
        used = {fonts[i] for i in word} - {EMOJI}
        fallback = used & LATIN_FALLBACKS
        if primary in used and len(fallback) == 1:
            (name,) = fallback
            cov = coverage(name)
            cps = [ord(ch) for i in word if fonts[i] != EMOJI for ch in paragraph[spans[i][0] : spans[i][1]]]
            if all(cp in cov or is_ignorable(chr(cp)) for cp in cps):
                for i in word:
                    if fonts[i] == primary:
                        fonts[i] = name
        word = []


def _units(paragraph: str, spans, clusters: list[Segment]) -> tuple[Unit, ...]:
    breaks = _break_opportunities(paragraph, spans)
    units: list[Unit] = []
    current: list[Segment] = []
    k = 0
    n = len(clusters)
    while k < n:
        c = clusters[k]
        if c.text.isspace():
            j = k
            while j < n and clusters[j].text.isspace():
                j += 1
            glue = Segment(c.font, " ", 0, c.level)
            if current:
                units.append(Unit(current, glue))
                current = []
            k = j
            continue
        if current and k in breaks:
            units.append(Unit(current, None))
            current = []
        current.append(c)
        k += 1
    if current:
        units.append(Unit(current, None))
    return tuple(units)


def _break_opportunities(paragraph: str, spans) -> set[int]:
    """Cluster indices before which a line may break without a space (CJK, Thai)."""
    breaks: set[int] = set()
    firsts = [paragraph[s] for s, _e, _g in spans]
    lasts = [paragraph[e - 1] for _s, e, _g in spans]
    for k in range(1, len(spans)):
        a, b = lasts[k - 1], firsts[k]
        if a.isspace() or b.isspace():
            continue
        if (_is_cjk(ord(a)) or _is_cjk(ord(b))) and b not in _NO_BREAK_BEFORE and a not in _NO_BREAK_AFTER:
            breaks.add(k)
    if any(_thai(ord(ch)) for ch in firsts):
        breaks |= _thai_breaks(paragraph, spans)
    return breaks


def _thai_breaks(paragraph: str, spans) -> set[int]:
    starts = {s: k for k, (s, _e, _g) in enumerate(spans)}
    out: set[int] = set()
    k = 0
    while k < len(spans):
        if not _thai(ord(paragraph[spans[k][0]])):
            k += 1
            continue
        j = k
        while j < len(spans) and _thai(ord(paragraph[spans[j][0]])):
            j += 1
        run_start = spans[k][0]
        offset = run_start
        for chunk in _thai_parser().parse(paragraph[run_start : spans[j - 1][1]])[:-1]:
            offset += len(chunk)
            if offset in starts:  # BudouX cuts between characters; keep only cluster boundaries
                out.add(starts[offset])
        k = j
    return out


def segment(text: str, font: str) -> tuple[Segment, ...]:
    """``text`` (one line) as runs of one font and level, and emoji clusters."""
    return merge(analyse(text, font).clusters)


def missing_glyphs(text: str, font: str) -> list[str]:
    """Characters of ``text`` that no font of the stack (nor the emoji font) can draw."""
    missing: list[str] = []
    for paragraph in text.split("\n"):
        try:
            analyse(paragraph, font)
        except MissingGlyphError as err:
            missing.extend(err.characters)
    return missing


# ----------------------------------------------------------------------------------- measuring
def _direction(level: int) -> str:
    return "rtl" if level & 1 else "ltr"


@lru_cache(maxsize=65536)
def _width(font: str, text: str, gid: int, size: int, level: int) -> float:
    if font == EMOJI:
        glyph = emoji_mod.glyph_image(gid, size)
        return float(glyph[3]) if glyph else 0.0
    return get_font(font, size).getlength(text, direction=_direction(level))


def seg_width(seg: Segment, size: int) -> float:
    return _width(seg.font, seg.text, seg.gid, size, seg.level)


def line_metrics(font: str, size: int, line_height: float) -> tuple[int, float]:
    """(line height in px, the first line's baseline below its top): the font's ascent and descent
    centred in a line of ``size * line_height``."""
    asc, desc = get_font(font, size).getmetrics()
    lh = round(size * line_height)
    return lh, (lh - (asc + desc)) / 2 + asc


def units(paragraph: str, font: str) -> tuple[Unit, ...]:
    return analyse(paragraph, font).units


def _append(line: Line, seg: Segment, width: float) -> None:
    last = line.pieces[-1] if line.pieces else None
    if last is not None and seg.font != EMOJI and last.font == seg.font and last.level == seg.level and not last.gid:
        last.text += seg.text
        last.width += width
    else:
        line.pieces.append(Piece(seg.font, seg.text, seg.gid, width, None, seg.level))
    line.width += width


def _append_unit(line: Line, unit: Unit, size: int) -> None:
    for seg in unit.segments:
        _append(line, seg, seg_width(seg, size))


def _break_long_unit(unit: Unit, size: int, max_width: float, first_room: float) -> list[Line]:
    """Cut a too-wide unit into line-sized chunks between clusters, preferring URL punctuation."""
    items = [(c, seg_width(c, size)) for c in unit.clusters]
    chunks: list[Line] = []
    room = first_room
    start = 0
    while start < len(items):
        width = 0.0
        end = start
        last_break = -1
        while end < len(items) and width + items[end][1] <= room:
            width += items[end][1]
            if items[end][0].text in _BREAK_AFTER:
                last_break = end + 1
            end += 1
        if end == len(items):
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
            cut = start + 1  # a single cluster wider than the line: place it anyway
        line = Line()
        for seg in merge([c for c, _w in items[start:cut]]):
            _append(line, seg, seg_width(seg, size))
        chunks.append(line)
        start = cut
        room = max_width
    return chunks


def wrap(text: str, font: str, size: int, max_width: float, *, fallback_rtl: bool = False) -> list[Line]:
    """Greedy line breaking; ``\\n`` starts a new line, blank lines are kept (as empty lines)."""
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        para = analyse(paragraph, font, fallback_rtl)
        line = Line(rtl=para.rtl)
        glue: Segment | None = None
        for unit in para.units:
            width = unit.width(size)
            gap = seg_width(glue, size) if (glue is not None and line.pieces) else 0.0
            if line.width + gap + width <= max_width:
                if gap:
                    _append(line, glue, gap)
                _append_unit(line, unit, size)
            elif width <= max_width:
                if line.pieces:
                    lines.append(line)
                line = Line(rtl=para.rtl)
                _append_unit(line, unit, size)
            else:
                # Wider than a line: break it, starting on the current line if there is reasonable
                # room left, else on a new one.
                room = max_width - line.width - gap
                if line.pieces and room < max_width * 0.3:
                    lines.append(line)
                    line = Line(rtl=para.rtl)
                    room, gap = max_width, 0.0
                chunks = _break_long_unit(unit, size, max_width, room)
                if chunks[0].pieces:
                    if gap:
                        _append(line, glue, gap)
                    for piece in chunks[0].pieces:
                        _append(line, Segment(piece.font, piece.text, piece.gid, piece.level), piece.width)
                for chunk in chunks[1:]:
                    if line.pieces:
                        lines.append(line)
                    chunk.rtl = para.rtl
                    line = chunk
            glue = unit.glue
        lines.append(line)
    return lines


def fit_line(text: str, font: str, size: int, max_width: float) -> Line:
    """One line of ``text``; if it is wider than ``max_width``, as many clusters as fit, then …"""
    para = analyse(text, font)
    line = Line(rtl=para.rtl)
    for seg in merge(para.clusters):
        _append(line, seg, seg_width(seg, size))
    if line.width <= max_width:
        return line
    ellipsis = Segment(font, ELLIPSIS, 0, int(para.rtl))
    room = max_width - seg_width(ellipsis, size)
    kept: list[Segment] = []
    width = 0.0
    for c in para.clusters:
        w = seg_width(c, size)
        if width + w > room:
            break
        kept.append(c)
        width += w
    while kept and kept[-1].text.isspace():
        kept.pop()
    line = Line(rtl=para.rtl)
    for seg in (*merge(kept), ellipsis):
        _append(line, seg, seg_width(seg, size))
    return line


# ----------------------------------------------------------------------------------- drawing
def visual_order(pieces: list[Piece], rtl: bool) -> list[Piece]:
    """UAX #9 rule L2: from the highest level down to the lowest odd one, reverse every run of
    pieces at that level or higher."""
    if not pieces:
        return []
    levels = [p.level for p in pieces]
    if not rtl and max(levels) == 0:
        return list(pieces)
    order = list(range(len(pieces)))
    lowest_odd = min(lv for lv in levels if lv & 1) if any(lv & 1 for lv in levels) else max(levels) + 1
    for level in range(max(levels), lowest_odd - 1, -1):
        i = 0
        while i < len(order):
            if levels[order[i]] >= level:
                j = i
                while j < len(order) and levels[order[j]] >= level:
                    j += 1
                order[i:j] = reversed(order[i:j])
                i = j
            else:
                i += 1
    return [pieces[i] for i in order]


def draw_line(
    image: Image.Image,
    draw: ImageDraw.ImageDraw,
    line: Line,
    x: float,
    baseline: float,
    size: int,
    fill: tuple[int, int, int],
) -> None:
    for piece in visual_order(line.pieces, line.rtl):
        if piece.font == EMOJI:
            glyph = emoji_mod.glyph_image(piece.gid, size)
            if glyph is not None:
                img, bx, by, _adv = glyph
                image.paste(img, (round(x) + bx, round(baseline) - by), img)
        elif piece.text.strip():
            draw.text(
                (x, baseline),
                piece.text,
                font=get_font(piece.font, size),
                fill=piece.color or fill,
                anchor="ls",
                direction=_direction(piece.level),
            )
        x += piece.width
