"""Reading a pasted text's structure: its title, sections, paragraphs, lists, quotes and code.

What counts as structure (the way people write in chats, notes and markdown):

* a heading: a markdown ``#`` line; a short line standing alone without closing punctuation
  ("Why tests matter", "Итоги:"), or a question standing before its answer ("Какие лимиты?");
  a label line ("Action items:"); an inline label ("What went well: …", "Step 1: …"), whose rest
  is the section's first paragraph;
* a list item: a ``-``/``*``/``•``/``–`` bullet, a ``1.``/``1)`` number, or a run of lines opened by
  the same symbol or emoji ("❌ …", "✅ …");
* a quote: ``> text`` lines, with an optional ``— Author``; code: a fenced block;
* a paragraph: the lines between blank lines (a text without blank lines is read line by line).

The first heading, when it stands at the very top, is the text's title (an emoji in front of it is
the cover's emoji).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from vibecoder.content import TITLE_MAX_CHARS

from .knowledge import Quote
from .text import leading_emoji, sentences

_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_BULLET = re.compile(r"^\s*(?P<marker>[-*•–]|\d{1,2}[.)])\s+(?P<item>\S.*)$")
_SYMBOL = re.compile(r"^\s*(?P<marker>[^\w\s#>`\"'«“(\[{]{1,3})\s+(?P<item>\S.*)$")
_INLINE_LABEL = re.compile(r"^(?P<label>[^\W\d_][^:.!?;]{0,38}?|\w+ \d{1,2}):\s+(?P<rest>\S.*)$")
_QUOTE_AUTHOR = re.compile(r"^(.*?[.!?…\"»”])\s*[—–-]{1,2}\s*([^.!?]{2,60})$")
LABEL_MAX_WORDS = 5


@dataclass
class ListItem:
    text: str
    number: str | None = None  # "3." for a numbered item; None for a bullet


@dataclass
class Block:
    kind: str  # paragraph | list | code | quote
    text: str = ""
    items: list[ListItem] = field(default_factory=list)
    quote: Quote | None = None

    def sentences(self) -> list[str]:
        return sentences(self.text) if self.kind == "paragraph" else []


@dataclass
class Section:
    heading: str | None
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str | None
    emoji: str | None
    sections: list[Section]

    def blocks(self) -> list[Block]:
        return [b for s in self.sections for b in s.blocks]


def looks_like_heading(line: str) -> bool:
    """A short line that is not a sentence: no closing punctuation (a question or a colon may end it)."""
    line = line.strip()
    return (
        bool(line)
        and len(line) <= TITLE_MAX_CHARS
        and len(line.split()) <= 10
        and not re.search(r"[.,;!…»\"”)]$", line)
        and not _BULLET.match(line)
        and not line.startswith((">", "```"))
    )


def _inline_label(line: str) -> tuple[str, str] | None:
    """("What went well", "the rest") for "What went well: the rest"; None for an ordinary sentence."""
    m = _INLINE_LABEL.match(line.strip())
    if not m:
        return None
    label = m["label"].strip()
    if len(label.split()) > LABEL_MAX_WORDS or label.isdigit() or "http" in label.lower():
        return None
    return label, m["rest"].strip()


def _symbol_marker(lines: list[str], i: int) -> str | None:
    """The symbol that opens line *i*, when the line before or after it opens with the same one."""
    m = _SYMBOL.match(lines[i])
    if not m or any(ch.isalnum() for ch in m["marker"]):
        return None
    for j in (i - 1, i + 1):
        if 0 <= j < len(lines):
            other = _SYMBOL.match(lines[j])
            if other and other["marker"] == m["marker"]:
                return m["marker"]
    return None


def parse(text: str) -> Document:
    """The structure of a pasted text (see the module docstring)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    line_by_line = bool(filled) and all(lines[i].strip() for i in range(filled[0], filled[-1] + 1))
    sections: list[Section] = [Section(None)]
    title: str | None = None
    emoji: str | None = None
    paragraph: list[str] = []
    code: list[str] | None = None
    quote_open = False

    def current() -> Section:
        return sections[-1]

    def flush() -> None:
        nonlocal paragraph
        if paragraph:
            current().blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph = []

    def add_item(item: ListItem) -> None:
        blocks = current().blocks
        if blocks and blocks[-1].kind == "list":
            blocks[-1].items.append(item)
        else:
            blocks.append(Block("list", items=[item]))

    def open_section(heading: str) -> None:
        nonlocal title, emoji
        flush()
        heading = heading.strip().rstrip(":").strip()
        at_top = title is None and not any(s.blocks for s in sections) and len(sections) == 1
        if at_top:
            emoji, title = leading_emoji(heading)
            return
        sections.append(Section(heading))

    for i, raw in enumerate(lines):
        stripped = raw.strip()
        if code is not None:
            if stripped.startswith("```"):
                current().blocks.append(Block("code", "\n".join(code).strip("\n")))
                code = None
            else:
                code.append(raw.rstrip())
            continue
        if stripped.startswith("```"):
            flush()
            code = []
            continue
        if not stripped:
            flush()
            quote_open = False
            continue
        if stripped.startswith(">"):
            flush()
            body = stripped.lstrip(">").strip()
            blocks = current().blocks
            last = blocks[-1].quote if quote_open and blocks and blocks[-1].kind == "quote" else None
            author = re.match(r"^[—–-]{1,2}\s*(\S.*)$", body)
            inline = _QUOTE_AUTHOR.match(body)
            if last is not None and author and last.author is None:
                blocks[-1].quote = Quote(text=last.text, author=author.group(1).strip())
            elif last is not None and last.author is None and not inline:
                blocks[-1].quote = Quote(text=f"{last.text} {body}".strip())
            elif inline:
                blocks.append(Block("quote", quote=Quote(text=inline.group(1).strip(), author=inline.group(2).strip())))
            elif body:
                blocks.append(Block("quote", quote=Quote(text=body)))
            quote_open = True
            continue
        quote_open = False
        md = _MD_HEADING.match(stripped)
        if md:
            open_section(md.group(1))
            continue
        bullet = _BULLET.match(stripped)
        if bullet:
            flush()
            marker = bullet["marker"]
            add_item(ListItem(bullet["item"].strip(), marker if marker[0].isdigit() else None))
            continue
        symbol = _symbol_marker(lines, i)
        if symbol:
            flush()
            add_item(ListItem(_SYMBOL.match(stripped)["item"].strip()))
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_line = lines[i + 1].strip() if i + 1 < len(lines) else ""
        next_text = next((ln.strip() for ln in lines[i + 1:] if ln.strip()), None)
        standalone = (prev_blank or line_by_line) and not paragraph and next_text is not None
        at_top = title is None and len(sections) == 1 and not sections[0].blocks and not paragraph
        if at_top and standalone and looks_like_heading(stripped):
            open_section(stripped)  # the text's title, colon and all ("Postmortem: the May outage")
            continue
        label = _inline_label(stripped) if not paragraph else None
        if label:
            open_section(label[0])
            rest = label[1]
            paragraph.append(rest[:1].upper() + rest[1:])  # the body starts a sentence of its own
            if line_by_line:
                flush()
            continue
        if standalone and looks_like_heading(stripped) and (
            stripped.endswith((":", "?")) or not looks_like_heading(next_text) or not next_line
            or _BULLET.match(next_text)
        ):
            open_section(stripped)
            continue
        paragraph.append(stripped)
        if line_by_line:
            flush()
    if code:
        current().blocks.append(Block("code", "\n".join(code).strip("\n")))
    flush()
    return Document(title=title, emoji=emoji, sections=[s for s in sections if s.blocks])
