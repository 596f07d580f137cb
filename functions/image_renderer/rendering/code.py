"""Code slides: Pygments tokens coloured by the theme, in the monospace font, on a panel.

The code size is the largest (up to the theme's size for this fit step) at which the longest
line fits the panel; below the theme's minimum, long lines wrap with a hanging indent instead.
Imported lazily: only code slides pay for Pygments.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from pygments import lex
from pygments.lexer import Lexer
from pygments.lexers import get_lexer_by_name
from pygments.token import Token
from pygments.util import ClassNotFound

from .blocks import Block
from .fonts import get_font
from .text import EMOJI, Line, Piece, analyse, line_metrics, seg_width
from .themes import RGB, Theme

_FENCE = re.compile(r"^```([\w+#.-]*)\s*\n(.*?)\n?```\s*$", re.S)
_HINTS = (
    (re.compile(r"^\s*(def |class |import |from \w+ import|print\(|@\w+)", re.M), "python"),
    (re.compile(r"(interface |: (string|number)\b|<\w+>\(|type \w+ =)"), "typescript"),
    (re.compile(r"(\bconst |\blet |=>|function\s*\w*\(|console\.log)"), "javascript"),
    (re.compile(r"^\s*(SELECT|INSERT|UPDATE|CREATE|WITH)\b", re.M | re.I), "sql"),
    (re.compile(r"^\s*(\$ |#!/bin/|sudo |apt-get |pip |npm |cd )", re.M), "bash"),
    (re.compile(r"(\bfunc \w+\(|package main|:= )"), "go"),
    (re.compile(r"(\bfn \w+\(|let mut |println!)"), "rust"),
    (re.compile(r"(public (static )?(class|void)|System\.out)"), "java"),
    (re.compile(r"^\s*[{\[]\s*\"", re.S), "json"),
)
_TOKEN_ROLES = (
    (Token.Comment, "comment"),
    (Token.Literal.String, "string"),
    (Token.Literal.Number, "number"),
    (Token.Keyword, "keyword"),
    (Token.Name.Decorator, "decorator"),
    (Token.Name.Builtin, "builtin"),
    (Token.Name.Function, "function"),
    (Token.Name.Class, "class"),
    (Token.Operator, "operator"),
    (Token.Name, "name"),
)


def split_fence(code: str) -> tuple[str, str | None]:
    m = _FENCE.match(code.strip())
    if m:
        return m.group(2), (m.group(1) or None)
    return code, None


@lru_cache(maxsize=32)
def _lexer(name: str) -> Lexer:
    return get_lexer_by_name(name, stripnl=False, ensurenl=False)


def guess_language(code: str) -> str:
    for pattern, name in _HINTS:
        if pattern.search(code):
            return name
    return "python"


def _role(ttype) -> str | None:
    for parent, role in _TOKEN_ROLES:
        if ttype in parent:
            return role
    return None


def tokens(code: str, language: str | None) -> list[list[tuple[str, str | None]]]:
    """Source lines as lists of (text, role)."""
    try:
        lexer = _lexer(language or guess_language(code))
    except ClassNotFound:
        lexer = _lexer("python")
    lines: list[list[tuple[str, str | None]]] = [[]]
    for ttype, value in lex(code, lexer):
        role = _role(ttype)
        parts = value.split("\n")
        for i, part in enumerate(parts):
            if i:
                lines.append([])
            if part:
                lines[-1].append((part, role))
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _units(src: list[tuple[str, str | None]], font: str, size: int, colors: dict[str, RGB], default: RGB):
    """The line's clusters as pieces coloured by their token (code reads left to right; a
    right-to-left string inside it keeps its own order)."""
    text = "".join(part for part, _role in src)
    token_colors: list[RGB] = []
    for part, role in src:
        token_colors.extend([colors.get(role, default) if role else default] * len(part))
    para = analyse(text, font, base_rtl=False)
    out: list[tuple[Piece, bool]] = []  # (piece, is_space)
    for c, start in zip(para.clusters, para.starts):
        out.append((Piece(c.font, c.text, c.gid, seg_width(c, size), token_colors[start], c.level), c.text == " "))
    return out


def _line_from(units: list[tuple[Piece, bool]]) -> Line:
    line = Line()
    for piece, _sp in units:
        last = line.pieces[-1] if line.pieces else None
        if (
            last is not None
            and piece.font != EMOJI
            and (last.font, last.color, last.level) == (piece.font, piece.color, piece.level)
        ):
            last.text += piece.text
            last.width += piece.width
        else:
            line.pieces.append(Piece(piece.font, piece.text, piece.gid, piece.width, piece.color, piece.level))
        line.width += piece.width
    return line


def _code_size(src: list[list[tuple[str, str | None]]], theme: Theme, k: float, t: float, inner: int,
               em_w: float) -> int:
    """The theme's size for fit step ``t``, shrunk until the longest line fits ``inner`` (code is
    near-monospace: columns x the em width), but never below the theme's minimum: longer lines wrap."""
    cmax, cmin = theme.sizes.code
    want = round((cmin + (cmax - cmin) * t) * k)
    cols = max((sum(len(text) for text, _ in line) for line in src), default=1) or 1
    return max(round(cmin * k), min(want, int(inner / (cols * em_w))))


def _indent_width(units: list[tuple[Piece, bool]]) -> float:
    """Width of the line's leading spaces: its wrapped parts hang further in than the line itself."""
    indent = 0.0
    for piece, is_space in units:
        if not is_space:
            break
        indent += piece.width
    return indent


def _chunk_end(units: list[tuple[Piece, bool]], start: int, room: float) -> int:
    """Where the part of ``units[start:]`` that fits ``room`` ends: at least one unit (a unit wider
    than the room still goes), and when the line goes on, rather after a space or punctuation if
    that keeps more than half of the part."""
    w = 0.0
    end = start
    while end < len(units) and w + units[end][0].width <= room:
        w += units[end][0].width
        end += 1
    if end == start and end < len(units):
        end += 1
    if end < len(units):  # prefer breaking after a space or punctuation
        for b in range(end, start + 1, -1):
            if units[b - 1][1] or units[b - 1][0].text in ",.([{=+-*/:":
                if b - start > (end - start) // 2:
                    end = b
                break
    return end


def _wrapped(
    units: list[tuple[Piece, bool]], inner: int, pad: int, em_w: float, size: int
) -> Iterator[tuple[Line, float]]:
    """One source line as drawn lines with their x: the first at the panel's padding, each wrapped
    part after it indented two ems past the line's own indentation, its leading spaces dropped."""
    indent = _indent_width(units)
    start = 0
    first = True
    while True:
        # The hanging room and x are written out in full each time (not factored) so the float
        # sums are exactly the ones the renderer has always drawn with.
        room = inner - (0 if first else indent + 2 * em_w * size)
        end = _chunk_end(units, start, room)
        chunk = units[start:end]
        if not first:
            while chunk and chunk[0][1]:
                chunk = chunk[1:]
        yield _line_from(chunk), (pad if first else pad + indent + 2 * em_w * size)
        first = False
        start = end
        if start >= len(units):
            break


def _panel_blocks(lines: list[Line], xs: list[float], font: str, size: int, theme: Theme, pad: int, top: int,
                  width: int) -> list[Block]:
    """The code panel (full width, from ``top``) and the code on it, one baseline per line."""
    colors = theme.colors
    lh, first_baseline = line_metrics(font, size, theme.sizes.code_line)
    y = top + pad
    baselines = []
    for _ in lines:
        baselines.append(y + first_baseline)
        y += lh
    text_w = max((x + ln.width for x, ln in zip(xs, lines)), default=0)
    text = Block(
        "code", (pad, top + pad, round(max(pad, text_w)), y), size, font, colors.code_text, lines, xs, baselines
    )
    panel = Block("code-panel", (0, top, width, y + pad), fill=colors.code_bg)
    return [panel, text]


def code_blocks(content: str, theme: Theme, k: float, width: int, top: int, t: float):
    code, language = split_fence(content)
    code = code.expandtabs(4).rstrip()
    src = tokens(code, language)
    font = theme.fonts.code
    pad = round(28 * k)
    inner = width - 2 * pad
    em_w = get_font(font, 100).getlength("M") / 100  # measured once: sizing and every hanging indent use it
    size = _code_size(src, theme, k, t, inner, em_w)
    colors = theme.colors
    lines: list[Line] = []
    xs: list[float] = []
    for line_src in src:
        units = _units(line_src, font, size, colors.code_tokens, colors.code_text)
        for line, x in _wrapped(units, inner, pad, em_w, size):
            lines.append(line)
            xs.append(x)
    return _panel_blocks(lines, xs, font, size, theme, pad, top, width)
