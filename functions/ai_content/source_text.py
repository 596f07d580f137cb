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
    # A text without a single blank line is read line by line: each line is a paragraph of its own.
    line_by_line = bool(filled) and all(lines[i].strip() for i in range(filled[0], filled[-1] + 1))
    reader = _Reader(lines, line_by_line)
    for i in range(len(lines)):
        reader.read(i)
    return reader.document()


@dataclass
class _Reader:
    """One pass over a text's lines: the sections read so far and what is still open."""

    lines: list[str]
    line_by_line: bool
    sections: list[Section] = field(default_factory=lambda: [Section(None)])
    title: str | None = None
    emoji: str | None = None
    paragraph: list[str] = field(default_factory=list)  # the lines of the paragraph being read
    code: list[str] | None = None  # the lines of an open code fence; None outside one
    quote_open: bool = False  # the line before was a quote line, so this one may go on with it

    @property
    def blocks(self) -> list[Block]:
        return self.sections[-1].blocks

    def read(self, i: int) -> None:
        """Line *i*: the first kind that claims it (code, blank, quote, list, heading) wins."""
        raw = self.lines[i]
        stripped = raw.strip()
        if self.code is not None:
            self._code_line(raw, stripped)
        elif stripped.startswith("```"):
            self.flush()
            self.code = []
        elif not stripped:
            self.flush()
            self.quote_open = False
        elif stripped.startswith(">"):
            self._quote_line(stripped)
            self.quote_open = True
        else:
            self.quote_open = False
            if not self._marked_line(i, stripped):
                self._text_line(i, stripped)

    def document(self) -> Document:
        if self.code:  # a fence left open at the end still holds code
            self.blocks.append(Block("code", "\n".join(self.code).strip("\n")))
        self.flush()
        return Document(title=self.title, emoji=self.emoji, sections=[s for s in self.sections if s.blocks])

    def flush(self) -> None:
        if self.paragraph:
            self.blocks.append(Block("paragraph", " ".join(self.paragraph)))
            self.paragraph = []

    def add_item(self, item: ListItem) -> None:
        if self.blocks and self.blocks[-1].kind == "list":
            self.blocks[-1].items.append(item)
        else:
            self.blocks.append(Block("list", items=[item]))

    def open_section(self, heading: str) -> None:
        """A new section; the first heading, before anything else, is the text's title instead."""
        self.flush()
        heading = heading.strip().rstrip(":").strip()
        at_top = self.title is None and not any(s.blocks for s in self.sections) and len(self.sections) == 1
        if at_top:
            self.emoji, self.title = leading_emoji(heading)
            return
        self.sections.append(Section(heading))

    def _add_to_paragraph(self, line: str) -> None:
        self.paragraph.append(line)
        if self.line_by_line:
            self.flush()

    def _code_line(self, raw: str, stripped: str) -> None:
        if stripped.startswith("```"):
            self.blocks.append(Block("code", "\n".join(self.code).strip("\n")))
            self.code = None
        else:
            self.code.append(raw.rstrip())

    def _quote_line(self, stripped: str) -> None:
        """A ``>`` line: a new quote, the next line of the open one, or its ``— Author``."""
        self.flush()
        body = stripped.lstrip(">").strip()
        blocks = self.blocks
        last = blocks[-1].quote if self.quote_open and blocks and blocks[-1].kind == "quote" else None
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

    def _marked_line(self, i: int, stripped: str) -> bool:
        """A line whose marker says what it is: a ``#`` heading, a bullet or number, a symbol run item."""
        md = _MD_HEADING.match(stripped)
        if md:
            self.open_section(md.group(1))
            return True
        bullet = _BULLET.match(stripped)
        if bullet:
            self.flush()
            marker = bullet["marker"]
            self.add_item(ListItem(bullet["item"].strip(), marker if marker[0].isdigit() else None))
            return True
        if _symbol_marker(self.lines, i):
            self.flush()
            self.add_item(ListItem(_SYMBOL.match(stripped)["item"].strip()))
            return True
        return False

    def _text_line(self, i: int, stripped: str) -> None:
        """An unmarked line: the title, a label heading, a standalone heading, or paragraph text."""
        lines = self.lines
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_line = lines[i + 1].strip() if i + 1 < len(lines) else ""
        next_text = next((ln.strip() for ln in lines[i + 1:] if ln.strip()), None)
        standalone = (prev_blank or self.line_by_line) and not self.paragraph and next_text is not None
        at_top = self.title is None and len(self.sections) == 1 and not self.sections[0].blocks and not self.paragraph
        if at_top and standalone and looks_like_heading(stripped):
            self.open_section(stripped)  # the text's title, colon and all ("Postmortem: the May outage")
            return
        label = _inline_label(stripped) if not self.paragraph else None
        if label:
            self.open_section(label[0])
            rest = label[1]
            self._add_to_paragraph(rest[:1].upper() + rest[1:])  # the body starts a sentence of its own
            return
        if standalone and looks_like_heading(stripped) and (
            stripped.endswith((":", "?")) or not looks_like_heading(next_text) or not next_line
            or _BULLET.match(next_text)
        ):
            self.open_section(stripped)
            return
        self._add_to_paragraph(stripped)
