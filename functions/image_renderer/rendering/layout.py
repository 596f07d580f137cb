"""Slide layout: where every piece of text goes, at which size, and whether it fits.

``layout_slide`` is pure geometry (no pixels): it returns the card box and one ``Block`` per
drawn element with its box, lines and font size. The renderer draws exactly these blocks, and
the tests measure them (safe margins, contrast under the text, auto-fit).

Right-to-left slides (the first strong character of the title, else of the body, is Arabic or
Hebrew) mirror the layout: text aligned right, the quote bar on the right, brand and counter swapped,
the swipe hint and the progress bar on the left. Each paragraph still aligns to its own direction.

The brand kit (:mod:`.brand`: avatar, name, handle in the header; logo at the footer's centre; the
user's accent on the accent marks and the progress bar) is laid out here like any other block.

Auto-fit: title and body shrink together from the theme's maximum to its minimum size in 2 px
steps until the content fits the card; ``fit_slides`` splits a slide that does not fit even at
the minimum into several slides (by paragraph, then sentence, then word) instead of clipping.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vibecoder.content import Slide, SlideType

from .blocks import Block, Box
from .brand import (
    MARK_CONTRAST,
    TEXT_CONTRAST,
    DrawableBrand,
    SlideBrand,
    contrast,
    drawable_brand,
    fit_within,
    logo_image,
    round_avatar,
)
from .emoji import glyph_image
from .fonts import get_font
from .text import ELLIPSIS, EMOJI, Line, Piece, Segment, fit_line, line_metrics, seg_width, segment, units, wrap
from .themes import RGB, Theme

DEFAULT_EMOJI = {
    SlideType.COVER: "✨",
    SlideType.PRINCIPLE: "💡",
    SlideType.QUOTE: "💬",
    SlideType.CONCEPT: "🧩",
    SlideType.CODE: "💻",
    SlideType.SUMMARY: "✅",
}
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+")
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_LATIN = re.compile(r"[A-Za-z]")
_EMOJI_PX_PER_EM = 128 / 109  # Noto Color Emoji bitmaps are 128 px tall at 109 ppem


@dataclass
class SlideLayout:
    size: tuple[int, int]
    theme: Theme
    safe: Box
    card: Box | None
    blocks: list[Block]
    fits: bool
    title_size: int
    body_size: int
    rtl: bool = False

    def block(self, role: str) -> Block | None:
        return next((b for b in self.blocks if b.role == role), None)

    def text_blocks(self) -> list[Block]:
        return [b for b in self.blocks if b.lines]


_RTL_LANGUAGES = {"R": "he", "AL": "ar"}


def _first_strong(text: str) -> str | None:
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("L", "R", "AL"):
            return kind
    return None


def is_rtl(slide: Slide) -> bool:
    """A slide is laid out right to left when its title (else its body) starts, in its first strong
    character, with a right-to-left script."""
    kind = _first_strong(slide.title) or _first_strong(slide.content)
    return kind in ("R", "AL")


def language_of(slides: list[Slide]) -> str:
    """The swipe hint's language: ar or he for right-to-left carousels, else ru or en."""
    text = " ".join(f"{s.title} {s.content}" for s in slides)
    kinds = [unicodedata.bidirectional(ch) for ch in text]
    rtl = sum(k in ("R", "AL") for k in kinds)
    if rtl > kinds.count("L"):
        return "ar" if kinds.count("AL") >= kinds.count("R") else "he"
    return "ru" if len(_CYRILLIC.findall(text)) > len(_LATIN.findall(text)) else "en"


# --------------------------------------------------------------------------- text blocks
def _text_block(
    role, text, font, size, line_height, max_width, x, top, color, *, bullets=False, rtl=False
) -> Block:
    """Lines of ``text`` in the column [x, x + max_width]; each paragraph aligned to its own
    direction (a paragraph with no strong character follows the slide's, ``rtl``)."""
    lh, first_baseline = line_metrics(font, size, line_height)
    lines: list[Line] = []
    xs: list[float] = []
    right = x + max_width

    def place(line: Line, indent: float = 0.0) -> float:
        return right - indent - line.width if line.rtl else x + indent

    for para in text.split("\n"):
        m = _BULLET.match(para) if bullets else None
        if m:
            bullet_w = get_font(font, size).getlength("•  ")
            body = wrap(para[m.end() :], font, size, max_width - bullet_w, fallback_rtl=rtl)
            marker = "•" if not para.strip()[0].isdigit() else m.group(0).strip()
            level = int(body[0].rtl)
            mw = seg_width(Segment(font, marker, 0, level), size)
            body[0].pieces[0:0] = [Piece(font, marker, 0, mw, None, level), Piece(font, "", 0, bullet_w - mw, None, level)]
            body[0].width += bullet_w
            lines.extend(body)
            xs.extend([place(body[0])] + [place(ln, bullet_w) for ln in body[1:]])
        else:
            body = wrap(para, font, size, max_width, fallback_rtl=rtl)
            lines.extend(body)
            xs.extend(place(ln) for ln in body)
    # Drop trailing empty lines; a blank line inside the text becomes half a line of space.
    while lines and not lines[-1].pieces:
        lines.pop()
        xs.pop()
    baselines = []
    y = top
    for line in lines:
        if not line.pieces:
            y += lh // 2
            baselines.append(y)
            continue
        baselines.append(y + first_baseline)
        y += lh
    drawn = [(xx, xx + ln.width) for xx, ln in zip(xs, lines) if ln.pieces]
    x0 = round(min((a for a, _b in drawn), default=x))
    x1 = round(max((b for _a, b in drawn), default=x))
    return Block(role, (x0, top, max(x0, x1), round(y)), size, font, color, lines, xs, baselines)


def _single_line(role, text, font, size, x, top, color, *, align_right=False, max_width=10**6) -> Block:
    """One line of small text; shrinks to 75 % and then ends in … to stay within ``max_width``."""
    lh, base = line_metrics(font, size, 1.3)
    fit = size
    line = fit_line(text, font, fit, 10**6)
    while line.width > max_width and fit > size * 0.75:
        fit -= 1
        line = fit_line(text, font, fit, 10**6)
    if line.width > max_width:
        line = fit_line(text, font, fit, max_width)
    width = round(line.width)
    x0 = x - width if align_right else x
    return Block(role, (x0, top, x0 + width, top + lh), fit, font, color, [line], [x0], [top + base])


def _emoji_block(text: str, px: int, x: int, top: int) -> Block | None:
    segs = [s for s in segment(text.strip(), "inter") if s.font == EMOJI]
    if not segs:
        return None
    em = max(8, round(px / _EMOJI_PX_PER_EM))
    glyph = glyph_image(segs[0].gid, em)
    if glyph is None:
        return None
    img, bx, _by, _adv = glyph
    return Block("emoji", (x + bx, top, x + bx + img.width, top + img.height), em, gid=segs[0].gid)


# --------------------------------------------------------------------------- content
_AUTHOR = re.compile(r"^(?P<text>.+?)\s*(?:\n|\s)[—–-]{1,2}\s*(?P<author>[^\n—–]{2,60})$", re.S)


def _attribution(quote: str) -> tuple[str, str]:
    """Split a trailing "— Author" off a quote."""
    m = _AUTHOR.match(quote.strip())
    author = m.group("author").strip() if m else ""
    capital = author[:1].isupper() or author[:1].lower() == author[:1].upper()  # or a script without case
    if author and capital and len(author.split()) <= 6 and author[-1] not in ".!?…":
        return m.group("text").strip(), m.group("author").strip()
    return quote, ""


def _word_safe(text: str, font: str, size: int, width: int, floor: int) -> int:
    """Shrink ``size`` (not below ``floor``) until the widest unbreakable unit fits on a line, so
    titles are not cut inside a word while a smaller size would avoid it."""
    widest = max((u.width(size) for para in text.split("\n") for u in units(para, font)), default=0)
    if widest <= width:
        return size
    return max(floor, int(size * width / widest))


def leading_emoji(title: str) -> tuple[str, str]:
    """(the emoji a title starts with, the title without it), or ("", title)."""
    stripped = title.lstrip()
    segs = segment(stripped, "inter") if stripped else ()
    if segs and segs[0].font == EMOJI:
        rest = stripped[len(segs[0].text) :].strip()
        if rest:
            return segs[0].text, rest
    return "", title


def _shift(block: Block, dy: int) -> Block:
    x0, y0, x1, y1 = block.box
    block.box = (x0, y0 + dy, x1, y1 + dy)
    block.baselines = [b + dy for b in block.baselines]
    return block


def _body_range(slide: Slide, theme: Theme) -> tuple[int, int]:
    """(largest, smallest) body size: a quote's own range, else the body's."""
    return theme.sizes.quote if slide.type == SlideType.QUOTE else theme.sizes.body


def _text_sizes(slide: Slide, title_text: str, theme: Theme, k: float, width: int, t: float) -> tuple[int, int]:
    """Title and body sizes at fit step ``t`` (1 = largest); the title shrinks further (to its
    minimum) until its widest word fits ``width``."""
    tmax, tmin = theme.sizes.cover_title if slide.type == SlideType.COVER else theme.sizes.title
    want = round((tmin + (tmax - tmin) * t) * k)
    title_size = _word_safe(title_text, theme.fonts.title, want, width, round(tmin * k))
    bmax, bmin = _body_range(slide, theme)
    return title_size, round((bmin + (bmax - bmin) * t) * k)


def _slide_emoji(
    slide: Slide, title_emoji: str, theme: Theme, k: float, width: int, t: float, rtl: bool
) -> Block | None:
    """The big emoji above the title: the title's own, else the slide's, else its type's; smaller
    as the content shrinks, at the right edge when mirrored. None if there is none to draw."""
    emoji_text = title_emoji or slide.emoji or DEFAULT_EMOJI.get(slide.type, "")
    if not emoji_text:
        return None
    cover = slide.type == SlideType.COVER
    px = round((theme.sizes.cover_emoji if cover else theme.sizes.emoji) * k * (0.55 + 0.45 * t))
    eb = _emoji_block(emoji_text, px, 0, 0)
    if eb is not None and rtl:
        _move_x(eb, width - eb.box[2])
    return eb


def _rule(theme: Theme, k: float, width: int, top: int, rtl: bool) -> Block:
    """The short accent rule under the title, at the start of reading."""
    rule_w = round(theme.sizes.rule[0] * k)
    rx = width - rule_w if rtl else 0
    bottom = top + round(theme.sizes.rule[1] * k)
    return Block("accent-bar", (rx, top, rx + rule_w, bottom), fill=theme.colors.accent)


def _quote_blocks(content: str, theme: Theme, k: float, width: int, top: int, size: int, rtl: bool) -> list[Block]:
    """The quote beside its accent bar (bar on the right when mirrored), then its "— Author" if it
    has one, smaller and muted."""
    f, c = theme.fonts, theme.colors
    text, author = _attribution(content)
    bar = round(8 * k)
    gap = round(32 * k)
    text_x = 0 if rtl else bar + gap
    column = width - bar - gap
    q = _text_block("quote", text, f.quote, size, 1.35, column, text_x, top, c.body, rtl=rtl)
    bar_x = width - bar if rtl else 0
    blocks = [Block("accent-bar", (bar_x, top, bar_x + bar, q.box[3]), fill=c.accent), q]
    if author:
        muted = _readable(theme, c.muted, c.body, on_card=True)  # on an opaque card the page's muted may not read
        meta = round(max(theme.sizes.meta, size * 0.7 / k) * k)
        author_top = q.box[3] + round(20 * k)
        blocks.append(
            _text_block("author", "— " + author, f.body, meta, 1.3, column, text_x, author_top, muted, rtl=rtl)
        )
    return blocks


def _body_blocks(
    slide: Slide, content: str, theme: Theme, k: float, width: int, top: int, t: float, size: int, rtl: bool
) -> list[Block]:
    """The content under the title, by slide type: code on a panel, a quote, or text with bullets."""
    if slide.type == SlideType.CODE:
        from .code import code_blocks  # Pygments is imported only for code slides

        return code_blocks(content, theme, k, width, top, t)
    if slide.type == SlideType.QUOTE:
        return _quote_blocks(content, theme, k, width, top, size, rtl)
    f, sz, c = theme.fonts, theme.sizes, theme.colors
    return [_text_block("body", content, f.body, size, sz.body_line, width, 0, top, c.body, bullets=True, rtl=rtl)]


def _content(slide: Slide, theme: Theme, k: float, width: int, t: float, rtl: bool = False):
    """Blocks of the card's content for a size parameter t (1 = largest), stacked from y=0."""
    sz = theme.sizes
    # A title that starts with an emoji gives it up to the big emoji above it: one emoji, not two.
    title_emoji, title_text = leading_emoji(slide.title)
    title_size, body_size = _text_sizes(slide, title_text, theme, k, width, t)
    blocks: list[Block] = []
    y = 0
    eb = _slide_emoji(slide, title_emoji, theme, k, width, t, rtl)
    if eb is not None:
        blocks.append(eb)
        y = eb.box[3] + round(28 * k)
    f, c = theme.fonts, theme.colors
    title = _text_block("title", title_text, f.title, title_size, sz.title_line, width, 0, y, c.title, rtl=rtl)
    blocks.append(title)
    y = title.box[3]
    if sz.rule[0] and sz.rule[1]:
        rule = _rule(theme, k, width, y + round(24 * k), rtl)
        blocks.append(rule)
        y = rule.box[3] - round(8 * k)
    content = slide.content.strip("\n").rstrip() if slide.type == SlideType.CODE else slide.content.strip()
    if content.strip():
        y += round(max(24, 36 * t) * k)
        blocks.extend(_body_blocks(slide, content, theme, k, width, y, t, body_size, rtl))
    height = max(b.box[3] for b in blocks)
    return blocks, height, title_size, body_size


def _move_x(block: Block, dx: int) -> Block:
    x0, y0, x1, y1 = block.box
    block.box = (x0 + dx, y0, x1 + dx, y1)
    block.xs = [x + dx for x in block.xs]
    return block


def _fit(slide: Slide, theme: Theme, k: float, width: int, max_height: int, rtl: bool = False):
    """Largest t in 0..1 (in 2 px body steps) whose content fits ``max_height``."""
    bmax, bmin = _body_range(slide, theme)
    steps = max(1, (bmax - bmin) // 2)
    best = None
    for i in range(steps + 1):
        t = 1 - i / steps
        result = _content(slide, theme, k, width, t, rtl)
        if result[1] <= max_height:
            return result, True
        best = result
    assert best is not None
    return best, False


# --------------------------------------------------------------------------- slide
@dataclass(frozen=True, slots=True)
class _Frame:
    """One slide's page: its scale, margins and header text size, and which side reading starts on."""

    width: int
    height: int
    k: float  # scale from the 1080 px wide design
    kt: float  # the content's scale: k, up to 22 % larger on pages taller than 4:5
    tall: float  # 0 at 4:5 (or wider) .. 1 at 9:16
    margin: int
    margin_v: int  # top and bottom margin
    meta: int  # header and footer text size
    start_x: int  # the header's outer corners: reading starts at one and ends at the other
    end_x: int
    rtl: bool


def _frame(size: tuple[int, int], theme: Theme, rtl: bool) -> _Frame:
    W, H = size
    k = W / 1080
    m = round(theme.sizes.margin * k)
    # Taller than 4:5 (stories, 9:16): keep clear of the app's top and bottom overlays, and use the
    # height: type up to 22 % larger and a card that fills most of the room.
    mv = m + max(0, (H - round(W * 1.25)) // 4)
    tall = max(0.0, min(1.0, (H / W - 1.25) / (16 / 9 - 1.25)))
    # The counter sits at the end of reading: right, or left when mirrored.
    start_x, end_x = (W - m, m) if rtl else (m, W - m)
    return _Frame(W, H, k, k * (1 + 0.22 * tall), tall, m, mv, round(theme.sizes.meta * k), start_x, end_x, rtl)


def _header(frame: _Frame, theme: Theme, index: int, total: int, kit: DrawableBrand) -> list[Block]:
    """The counter (first) at the end of reading and the brand, if any, at the start, kept clear of
    the counter; the counter sits centred on the brand's height when that is taller than a line."""
    f, font, muted = frame, theme.fonts.meta, theme.colors.muted
    number = f"{index}/{total}"
    counter = _single_line("counter", number, font, f.meta, f.end_x, f.margin_v, muted, align_right=not f.rtl)
    room = (counter.box[0] - f.margin if not f.rtl else f.width - f.margin - counter.box[2]) - round(32 * f.k)
    brand = _brand(frame, theme, kit, room)
    if not brand:
        return [counter]
    band = max(b.box[3] for b in brand) - f.margin_v
    return [_shift(counter, (band - (counter.box[3] - counter.box[1])) // 2), *brand]


def _brand(frame: _Frame, theme: Theme, kit: DrawableBrand, room: int) -> list[Block]:
    """The round avatar at the start of reading, then the name above the handle (or the one of them
    given, a line at the meta size), vertically centred on each other, within ``room`` px."""
    f, font = frame, theme.fonts.meta
    two = bool(kit.name and kit.handle)
    lh = line_metrics(font, f.meta, 1.3)[0]
    small = round(f.meta * 0.8) if two else f.meta
    text_h = lh + (line_metrics(font, small, 1.3)[0] if two else 0)
    diameter = (text_h if two else round(lh * 1.3)) if kit.avatar is not None else 0
    if not (diameter or kit.name or kit.handle):
        return []
    band = max(diameter, text_h)
    blocks = []
    if diameter:
        ax = f.start_x - diameter if f.rtl else f.start_x
        ay = f.margin_v + (band - diameter) // 2
        blocks.append(Block("avatar", (ax, ay, ax + diameter, ay + diameter), art=round_avatar(kit, diameter)))
    gap = round(16 * f.k) if diameter else 0
    x = f.start_x - diameter - gap if f.rtl else f.start_x + diameter + gap
    top = f.margin_v + (band - text_h) // 2 if kit.name or kit.handle else 0
    room -= diameter + gap
    if kit.name:
        name = _single_line(
            "brand-name", kit.name, theme.fonts.title, f.meta, x, top, _readable(theme, theme.colors.title, theme.colors.muted, on_card=False), align_right=f.rtl, max_width=room
        )
        blocks.append(name)
        top = name.box[3]
    if kit.handle:
        blocks.append(_single_line("brand", kit.handle, font, small, x, top, theme.colors.muted, align_right=f.rtl, max_width=room))
    return blocks


def _readable(theme: Theme, preferred: RGB, fallback: RGB, *, on_card: bool) -> RGB:
    """``preferred`` if it reaches WCAG AA on the page's colours (or the card's, for text on the
    card: its fill over each of them), else ``fallback`` (a colour the theme made for that surface)."""
    card = theme.card if on_card else None
    surfaces = [
        tuple(round(f * card.fill_alpha + b * (1 - card.fill_alpha)) for f, b in zip(card.fill, stop)) if card else stop
        for stop in theme.background.colors
    ]
    return preferred if min(contrast(preferred, s) for s in surfaces) >= TEXT_CONTRAST else fallback


def _footer(
    frame: _Frame, theme: Theme, index: int, total: int, lang: str, top: int, line_h: int, kit: DrawableBrand
) -> list[Block]:
    """The swipe hint at the end of reading (all but the last slide), the progress bar at the start,
    centred on the hint's line (its filled part in the user's accent, if any), and the logo between."""
    f = frame
    blocks: list[Block] = []
    swipe = None
    if index < total:
        hint = theme.swipe_text.get(lang) or theme.swipe_text.get("en", "Swipe →")
        if f.rtl:  # the mirrored carousel advances to the left, whatever the hint's language
            hint = hint.replace("→", "←")
        font, muted = theme.fonts.meta, theme.colors.muted
        swipe = _single_line("swipe", hint, font, f.meta, f.end_x, top, muted, align_right=not f.rtl)
        blocks.append(swipe)
    bar_h = max(4, round(6 * f.k))
    bar_y = top + (line_h - bar_h) // 2
    bar_w = round(240 * f.k)
    bar_x = f.width - f.margin - bar_w if f.rtl else f.margin
    box = (bar_x, bar_y, bar_x + bar_w, bar_y + bar_h)
    fill, contrast = (kit.accent, MARK_CONTRAST) if kit.accent else (theme.colors.muted, 0.0)
    value = index / max(total, 1)
    progress = Block("progress", box, color=theme.colors.muted, fill=fill, value=value, rtl=f.rtl, contrast=contrast)
    blocks.append(progress)
    logo = _logo(frame, kit, top + line_h // 2, progress, swipe)
    return blocks + ([logo] if logo else [])


def _logo(frame: _Frame, kit: DrawableBrand, centre_y: int, progress: Block, swipe: Block | None) -> Block | None:
    """The logo centred on the footer's line and the page, at most 200 x 48 px (at 1080 wide), aspect
    kept, clear of the progress bar and the swipe hint by 32 px; None if it has no room to show."""
    if kit.logo is None:
        return None
    f = frame
    start, end = (progress, swipe) if not f.rtl else (swipe, progress)
    left = start.box[2] if start else f.margin
    right = end.box[0] if end else f.width - f.margin
    centre_x = f.width // 2
    half = min(centre_x - left, right - centre_x) - round(32 * f.k)
    w, h = fit_within(kit.logo.size, min(round(200 * f.k), 2 * half), round(48 * f.k))
    if min(w, h) < round(12 * f.k):
        return None
    x0, y0 = centre_x - w // 2, min(centre_y - h // 2, f.height - f.margin_v - h)
    return Block("logo", (x0, y0, x0 + w, y0 + h), art=logo_image(kit, (w, h)))


def _card(frame: _Frame, theme: Theme, top: int, bottom: int, content_h: int, pad: int) -> tuple[Box | None, int]:
    """The card's box between ``top`` and ``bottom`` (None when the theme draws none) and how far
    down the content goes to sit centred in it (or in the room, without a card)."""
    if not theme.card:
        return None, top + (bottom - top - content_h) // 2
    # At least half the room (more on tall pages), in whole steps of 8 px, never more than the room.
    min_h = round((bottom - top) * (0.5 + 0.3 * frame.tall))
    card_h = max(content_h + 2 * pad, min_h)
    card_h = min(bottom - top, -(-card_h // 8) * 8)
    card_top = top + (bottom - top - card_h) // 2
    card_box = (frame.margin, card_top, frame.width - frame.margin, card_top + card_h)
    return card_box, card_top + (card_h - content_h) // 2


def layout_slide(
    slide: Slide,
    index: int,
    total: int,
    theme: Theme,
    size: tuple[int, int] = (1080, 1350),
    brand: SlideBrand | str = "",
    lang: str = "en",
) -> SlideLayout:
    """The slide's blocks. ``brand``: the user's kit, or a str meaning a handle only ("" for none)."""
    rtl = is_rtl(slide)
    frame = _frame(size, theme, rtl)
    kit = drawable_brand(SlideBrand.of(brand))
    header = _header(frame, theme, index, total, kit)
    counter = header[0]
    line_h = counter.box[3] - counter.box[1]
    footer_top = frame.height - frame.margin_v - line_h
    footer = _footer(frame, theme, index, total, lang, footer_top, line_h, kit)

    # Content: in the card (or straight on the background), centred between header and footer.
    gap = round(40 * frame.k)
    top, bottom = max(b.box[3] for b in header) + gap, footer_top - gap
    pad = round(theme.card.padding * frame.k) if theme.card else 0
    inner_w = frame.width - 2 * frame.margin - 2 * pad
    max_h = bottom - top - 2 * pad
    (content, content_h, title_size, body_size), fits = _fit(slide, theme, frame.kt, inner_w, max_h, rtl)
    if not fits:
        content = _clip(content, max_h)
        content_h = max(b.box[3] for b in content)
    card_box, dy = _card(frame, theme, top, bottom, content_h, pad)
    for b in content:
        _shift(_move_x(b, frame.margin + pad), dy)
        if b.role == "accent-bar" and kit.accent:
            b.fill, b.contrast = kit.accent, MARK_CONTRAST
    safe = (frame.margin, frame.margin_v, frame.width - frame.margin, frame.height - frame.margin_v)
    return SlideLayout(size, theme, safe, card_box, header + footer + content, fits, title_size, body_size, rtl)


def _clip(blocks: list[Block], max_h: int) -> list[Block]:
    """Last resort for unsplittable content: drop lines that would leave the card, end with …"""
    out = []
    for b in blocks:
        if b.box[1] >= max_h:
            continue
        if b.box[3] > max_h and b.lines:
            keep = [i for i, base in enumerate(b.baselines) if base + b.size * 0.3 <= max_h]
            b.lines = [b.lines[i] for i in keep]
            b.xs = [b.xs[i] for i in keep]
            b.baselines = [b.baselines[i] for i in keep]
            if b.lines:
                last = b.lines[-1]
                ellipsis = Segment(b.font, ELLIPSIS, 0, int(last.rtl))
                last.pieces.append(Piece(b.font, ELLIPSIS, 0, seg_width(ellipsis, b.size), None, ellipsis.level))
                if last.rtl:  # keep the line's right edge where it was
                    b.xs[-1] -= last.pieces[-1].width
                last.width += last.pieces[-1].width
            b.box = (b.box[0], b.box[1], b.box[2], min(b.box[3], max_h))
        elif b.box[3] > max_h:
            b.box = (b.box[0], b.box[1], b.box[2], max_h)
        out.append(b)
    return out


# --------------------------------------------------------------------------- splitting
_SENTENCE_END = re.compile(r"(?<=[.!?…;:])\s+")


def slide_fits(slide: Slide, theme: Theme, size: tuple[int, int], brand: SlideBrand | str = "x") -> bool:
    """Whether the slide fits under ``brand``'s header (only its height matters: a str is one line)."""
    return layout_slide(slide, 1, 2, theme, size, brand=brand).fits


def _units(slide: Slide, fine: bool) -> list[tuple[str, str]]:
    """(text, joiner to the previous unit) at sentence (or, if ``fine``, word) granularity."""
    units: list[tuple[str, str]] = []
    if slide.type == SlideType.CODE:
        from .code import split_fence

        code, _language = split_fence(slide.content)
        return [(line, "\n") for line in code.strip("\n").split("\n")]
    for p_index, para in enumerate(slide.content.strip().split("\n")):
        pieces = para.split() if fine else [s for s in _SENTENCE_END.split(para) if s]
        if not pieces:
            units.append(("", "\n"))
            continue
        for s_index, piece in enumerate(pieces):
            units.append((piece, "\n" if s_index == 0 and p_index > 0 else " "))
    return units


def _join(units: list[tuple[str, str]]) -> str:
    out = ""
    for i, (text, joiner) in enumerate(units):
        out += (joiner if i else "") + text
    return out.strip("\n")


def _balanced(units: list[tuple[str, str]], parts: int) -> list[list[tuple[str, str]]]:
    total = sum(len(t) + 1 for t, _ in units)
    groups: list[list[tuple[str, str]]] = [[]]
    acc = 0
    for i, unit in enumerate(units):
        left_units = len(units) - i
        left_groups = parts - len(groups)
        target = total * len(groups) / parts
        if groups[-1] and left_groups > 0 and (acc + (len(unit[0]) + 1) / 2 > target or left_units <= left_groups):
            groups.append([])
        groups[-1].append(unit)
        acc += len(unit[0]) + 1
    return groups


def split_slide(slide: Slide, theme: Theme, size: tuple[int, int], brand: SlideBrand | str = "x") -> list[Slide]:
    """``slide`` unchanged if it fits at the minimum sizes, else the fewest slides that do."""
    if slide_fits(slide, theme, size, brand) or not slide.content.strip():
        return [slide]
    language = None
    if slide.type == SlideType.CODE:
        from .code import split_fence

        language = split_fence(slide.content)[1]
    for fine in (False, True):
        units = _units(slide, fine)
        for parts in range(2, len(units) + 1):
            groups = _balanced(units, parts)
            candidates = []
            for g_index, group in enumerate(groups):
                kind = slide.type if g_index == 0 or slide.type != SlideType.COVER else SlideType.PRINCIPLE
                content = _join(group)
                if slide.type == SlideType.CODE and language:
                    content = f"```{language}\n{content}\n```"
                candidates.append(slide.model_copy(update={"content": content, "type": kind}))
            if all(slide_fits(c, theme, size, brand) for c in candidates):
                return candidates
    return [slide]  # a single unsplittable unit: layout clips it with an ellipsis


def fitted_parts(slides: list[Slide], theme: Theme | str, size: tuple[int, int] = (1080, 1350),
                 brand: SlideBrand | str = "x") -> list[tuple[int, Slide]]:
    """Each slide as the slides it fits on (itself, or the parts it had to be split into), each part
    with the 1-based number of the slide it was cut from; ``brand``: the header it fits under."""
    if isinstance(theme, str):
        from .themes import get_theme

        theme = get_theme(theme)
    return [(number, part) for number, slide in enumerate(slides, 1) for part in split_slide(slide, theme, size, brand)]


def fit_slides(slides: list[Slide], theme: Theme | str, size: tuple[int, int] = (1080, 1350),
               brand: SlideBrand | str = "x") -> list[Slide]:
    """The slides, with any slide whose content does not fit (even at the minimum font sizes)
    split into several consecutive slides. Slides that fit are returned unchanged."""
    return [part for _, part in fitted_parts(slides, theme, size, brand)]
