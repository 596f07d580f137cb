"""Structuring a pasted text into slides, extractively: every word on a slide is the text's own.

The text's structure (``source_text.parse``) decides the slides: a section's heading is its slide's
title, its paragraphs (the best-ranked sentences when space is short) and list items the body. The
rules that make it worth posting:

* every list item survives, whole: a long list is spread over several slides ("Title (1/2)"), and
  when the list items need more slides than were asked for, the carousel grows (up to one album);
* a title is a complete phrase: a heading, a label, or a whole sentence of its paragraph that fits
  (never a sentence cut off with "…"); a body never repeats its title and is never empty;
* the cover is the text's title (or the user's topic); the closing slide is the text's own
  summary or closing words, or else a recap of the slides' titles; no keyword or hashtag slides;
* the slides are in the text's language whatever ``/lang`` says, and so are the few labels;
  hashtags are only the text's real terms (names, acronyms, product words it repeats).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from vibecoder.content import (
    BODY_MAX_CHARS,
    MAX_SLIDES,
    TITLE_MAX_CHARS,
    CarouselContent,
    CarouselFormat,
    Slide,
    SlideType,
    TextBudget,
    cover_body_budget,
)

from .finishing import closing_slide, label, make_caption, make_hashtags, slots_for, topic_title
from .source_text import Block, Document, Section, parse
from .text import fit_text, guess_language, is_stopword, normalize, sentences, tokens, words

ALBUM_SLIDES = 10  # a carousel grows for its list items up to one Telegram album
SUMMARY_HEADINGS = {
    "summary", "conclusion", "conclusions", "tl;dr", "tldr", "in short", "takeaways", "key takeaways", "wrap-up",
    "итог", "итоги", "вывод", "выводы", "резюме", "коротко", "главное", "підсумок", "підсумки", "висновки",
    "fazit", "zusammenfassung", "resumen", "conclusión", "conclusiones", "en resumen", "résumé", "en bref",
    "riepilogo", "conclusione", "resumo", "conclusão", "samenvatting", "podsumowanie",
}


@dataclass
class _Unit:
    text: str
    keep: bool  # a list item: never dropped
    paragraph: int  # units of one paragraph are joined by spaces, others by line breaks
    score: float = 0.0


@dataclass
class _Part:
    """One section's content for the slides: its title and the units of its body, in order."""

    title: str
    units: list[_Unit]
    order: int
    kind: SlideType = SlideType.PRINCIPLE
    emoji: str | None = None
    code: str | None = None
    continued: bool = False  # the title was not the text's own (a headless list under the text's title)
    slides: list[Slide] = field(default_factory=list)

    step: bool = False  # one of a row of "Step N" sections

    @property
    def must(self) -> bool:
        return self.step or self.kind in (SlideType.CODE, SlideType.QUOTE) or any(u.keep for u in self.units)


class _Ranker:
    """Scores sentences by the text's term frequencies, their position and the user's topic."""

    def __init__(self, all_sentences: Sequence[str], topic: str | None):
        self.tf = Counter(t for s in all_sentences for t in tokens(s))
        self.topic = set(tokens(topic or ""))

    def score(self, sentence: str, *, first: bool) -> float:
        terms = set(tokens(sentence))
        if not terms:
            return 0.0
        base = sum(self.tf[t] for t in terms) / math.sqrt(len(terms))
        return base * (1.25 if first else 1.0) * (1 + len(terms & self.topic))


def _item_line(text: str, number: str | None) -> str:
    return f"{number} {text}" if number else f"• {text}"


def _join(units: Sequence[_Unit]) -> str:
    out = ""
    for i, u in enumerate(units):
        if i == 0:
            out = u.text
        elif u.paragraph == units[i - 1].paragraph and not u.keep:
            out += " " + u.text
        else:
            out += "\n" + u.text
    return out


def _greedy(units: Sequence[_Unit], limit: float) -> list[list[_Unit]]:
    bodies: list[list[_Unit]] = [[]]
    for u in units:
        if bodies[-1] and len(_join([*bodies[-1], u])) > limit:
            bodies.append([])
        bodies[-1].append(u)
    return [b for b in bodies if b]


def _pack(units: Sequence[_Unit], limit: int) -> list[list[_Unit]]:
    """Whole units, in order, into as few bodies of at most *limit* characters as they need, evenly
    filled (a list of five split 3 + 2, not 4 + 1)."""
    greedy = _greedy(units, limit)
    if len(greedy) < 2:
        return greedy
    target = len(_join(units)) / len(greedy)
    for slack in (1.0, 1.15, 1.3):
        even = _greedy(units, min(limit, target * slack))
        if len(even) == len(greedy) and all(len(_join(b)) <= limit for b in even):
            return even
    return greedy


def _compress(units: Sequence[_Unit], limit: int) -> list[_Unit]:
    """Every list item, and the best-ranked sentences (at least one) that fit beside them, in order."""
    kept = [u for u in units if u.keep]
    room = limit - len(_join(kept))
    chosen: list[_Unit] = []
    for u in sorted((u for u in units if not u.keep), key=lambda u: -u.score):
        if len(_join(sorted([*chosen, u], key=units.index))) <= room or not chosen:
            chosen.append(u)
    return [u for u in units if u.keep or u in chosen]


def as_title(sentence: str) -> str:
    """A sentence as a title: without its full stop (unless another dot says it is an abbreviation)."""
    return sentence[:-1].rstrip() if sentence.endswith(".") and sentence.count(".") == 1 else sentence


def _title_of(paragraph: list[str], budget: TextBudget) -> tuple[str, list[str]] | None:
    """A title for a paragraph without a heading, and what is left for its body: its first sentence
    when it fits, else its shortest whole sentence that does (a title is never a cut sentence)."""
    clean = as_title

    if len(paragraph) < 2:
        return None
    for limit in (budget.title, TITLE_MAX_CHARS):
        if len(clean(paragraph[0])) <= limit:
            return clean(paragraph[0]), paragraph[1:]
        fitting = [s for s in paragraph if len(clean(s)) <= limit and len(s.split()) >= 3]
        if fitting:
            best = min(fitting, key=len)
            return clean(best), [s for s in paragraph if s is not best]
    # The first sentence's leading clause, when a colon, semicolon or dash closes it (a comma, last).
    for boundary in (r"(?<=\S)[:;]\s+|\s+[—–]\s+", r"(?<=\S),\s+"):
        head, *tail = re.split(boundary, paragraph[0], maxsplit=1)
        if tail and len(head) <= TITLE_MAX_CHARS and len(head.split()) >= 3:
            rest = tail[0]
            return head, [rest[:1].upper() + rest[1:], *paragraph[1:]]
    return None


def _merge_single_sentences(blocks: list[Block]) -> list[list[str]]:
    """Headless paragraphs as sentence lists; a one-sentence paragraph joins the next one (or the last)."""
    out: list[list[str]] = []
    pending: list[str] = []
    for b in blocks:
        found = pending + b.sentences()
        pending = []
        if len(found) < 2:
            pending = found
            continue
        out.append(found)
    if pending:
        if out:
            out[-1].extend(pending)
        else:
            out.append(pending)
    return out


def _summary_section(doc: Document) -> Section | None:
    for section in doc.sections:
        heading = normalize(section.heading or "").strip(" :")
        if heading in SUMMARY_HEADINGS and any(b.kind in ("paragraph", "list") for b in section.blocks):
            return section
    return None


def _parts(doc: Document, budget: TextBudget, ranker: _Ranker, heading_for_lists: str | None,
           skip: set[int], language: str) -> list[_Part]:
    parts: list[_Part] = []
    counter = 0

    def units_of(blocks: Sequence[Block]) -> list[_Unit]:
        nonlocal counter
        out: list[_Unit] = []
        for b in blocks:
            counter += 1
            if b.kind == "paragraph":
                for j, s in enumerate(b.sentences()):
                    out.append(_Unit(s, False, counter, ranker.score(s, first=j == 0)))
            elif b.kind == "list":
                out += [_Unit(_item_line(i.text, i.number), True, counter) for i in b.items]
        return out

    for section in doc.sections:
        text_blocks = [b for b in section.blocks if b.kind in ("paragraph", "list") and id(b) not in skip]
        if section.heading:
            if text_blocks:
                parts.append(_Part(section.heading, units_of(text_blocks), len(parts)))
        else:
            headless_lists = [b for b in text_blocks if b.kind == "list"]
            paragraphs = [b for b in text_blocks if b.kind == "paragraph"]
            for found in _merge_single_sentences(paragraphs):
                titled = _title_of(found, budget)
                if titled is None:
                    name = label(language, "part", n=len(parts) + 1) or heading_for_lists
                    if not name:
                        continue
                    title, rest = name, found
                else:
                    title, rest = titled
                counter += 1
                parts.append(_Part(title, [_Unit(s, False, counter, ranker.score(s, first=j == 0))
                                           for j, s in enumerate(rest)], len(parts), continued=titled is None))
            for b in headless_lists:
                units = units_of([b])
                if heading_for_lists:
                    parts.append(_Part(heading_for_lists, units, len(parts), continued=True))
                elif len(units) >= 2:  # the first item heads the others
                    first = b.items[0]
                    parts.append(_Part(first.text, units[1:], len(parts)))
        for b in section.blocks:
            if b.kind == "code" and b.text.strip():
                name = section.heading or label(language, "code") or heading_for_lists or "</>"
                lines = b.text.strip("\n").splitlines()
                parts.append(_Part(name, [], len(parts), kind=SlideType.CODE, emoji="💻", code="\n".join(lines)))
            elif b.kind == "quote" and b.quote is not None:
                name = b.quote.author or label(language, "quote") or "“”"
                parts.append(_Part(name, [_Unit(b.quote.text, True, -1)], len(parts), kind=SlideType.QUOTE, emoji="💬"))
    return [p for p in parts if p.units or p.code]


def _render(part: _Part, bodies: list[list[_Unit]], budget: TextBudget) -> list[Slide]:
    if part.kind is SlideType.CODE:
        return [Slide(type=SlideType.CODE, title=part.title, content=part.code or "", emoji=part.emoji)]
    slides = []
    for k, body in enumerate(bodies, start=1):
        title = part.title if len(bodies) == 1 else f"{part.title} ({k}/{len(bodies)})"
        content = _join(body)
        if len(content) > BODY_MAX_CHARS and not any(u.keep for u in body):
            content = fit_text(content, BODY_MAX_CHARS)
        slides.append(Slide(type=part.kind, title=title, content=content, emoji=part.emoji))
    return slides


def _allocate(parts: list[_Part], slots: int, budget: TextBudget) -> list[Slide]:
    """Slides for the parts within *slots*: all of every part when they fit; else paragraphs reduced
    to their best sentences, then the weakest paragraph-only parts left out. List items, code and
    quotes are never left out: the carousel grows for them instead (up to one album, then denser)."""
    full = {id(p): _pack(p.units, budget.body) or [[]] for p in parts}
    compressed = {id(p): _pack(_compress(p.units, budget.body), budget.body) or [[]] for p in parts}

    def total(chosen: list[_Part], plan: dict[int, list[list[_Unit]]]) -> int:
        return sum(len(plan[id(p)]) for p in chosen)

    chosen = list(parts)
    plan = {k: v for k, v in full.items()}
    if total(chosen, plan) > slots:
        plan = dict(compressed)
    optional = sorted((p for p in chosen if not p.must), key=lambda p: -max((u.score for u in p.units), default=0))
    while total(chosen, plan) > slots and optional:
        chosen.remove(optional.pop())  # the weakest paragraph part
    limit = budget.body
    while total(chosen, plan) > max(slots, ALBUM_SLIDES - 2) and limit < BODY_MAX_CHARS:
        limit = min(BODY_MAX_CHARS, limit + 40)  # denser rather than a list item lost
        plan = {id(p): _pack(_compress(p.units, limit), limit) or [[]] for p in chosen}
    slides = [s for p in chosen for s in _render(p, plan[id(p)], budget)]
    return slides[: MAX_SLIDES - 2]


def _hashtags(doc_text: str, headings: Sequence[str], limit: int = 5) -> list[str]:
    """The text's real terms: acronyms, CamelCase and other mixed-case words, and capitalised words
    inside a sentence, when they occur twice or in a heading."""
    in_headings = {normalize(w) for h in headings for w in words(h)}
    counts: Counter[str] = Counter()
    forms: dict[str, str] = {}
    for line in doc_text.splitlines():
        line_words = words(re.sub(r"^\W+", "", line))
        for position, w in enumerate(line_words):
            if len(w) < 2 or w.isdigit() or is_stopword(w):
                continue
            acronym = len(w) >= 2 and w.isupper() and w.isalpha()
            mixed = any(ch.isupper() for ch in w[1:]) and any(ch.islower() for ch in w)
            proper = position > 0 and w[0].isupper() and w[1:].islower() and not line_words[position - 1].endswith(".")
            if acronym or mixed or proper:
                key = normalize(w)
                counts[key] += 1
                forms.setdefault(key, w)
    sentence_starts = {normalize(s.split()[0]) for s in sentences(doc_text.replace("\n", " ")) if s.split()}
    real = [forms[k] for k, n in counts.most_common() if (n >= 2 or k in in_headings) and not (k in sentence_starts and n < 2)]
    return make_hashtags(real, limit)


def _cover_title(doc: Document, ranker: _Ranker, limit: int, used: set[str]) -> str | None:
    """For a text without a title: its most representative short sentence (the highest mean frequency
    of its words in the text; the first and the last paragraph, where a text states its subject,
    count half as much again), not one already a slide's title."""
    paragraphs = [b.sentences() for b in doc.blocks() if b.kind == "paragraph"]

    def weight(s: str, position: int) -> float:
        terms = set(tokens(s))
        mean = sum(ranker.tf[t] for t in terms) / len(terms) if terms else 0.0
        return mean * (1.5 if position in (0, len(paragraphs) - 1) else 1.0)

    fitting = [(weight(s, i), as_title(s)) for i, p in enumerate(paragraphs) for s in p
               if len(as_title(s)) <= limit and normalize(as_title(s)) not in used]
    return max(fitting, key=lambda w: w[0])[1] if fitting else None


_NUMBERED_HEADING = re.compile(r"^(?P<stem>\D*?)\s*(?P<n>\d{1,2})\s*$")


def _steps(parts: Sequence[_Part]) -> set[int]:
    """Parts headed "Step 1", "Step 2", … (three or more in a row, one word and a number): a numbered
    list written as labels. Like list items, no step is left out."""
    steps: set[int] = set()
    run: list[_Part] = []
    for part in [*parts, None]:
        m = _NUMBERED_HEADING.match(part.title) if part is not None else None
        if m and run and _NUMBERED_HEADING.match(run[-1].title)["stem"] == m["stem"]:
            run.append(part)
            continue
        if len(run) >= 3:
            steps |= {id(p) for p in run}
        run = [part] if m else []
    return steps


def _informative(titles: Sequence[str]) -> bool:
    """Titles worth recapping: not a row of "Step 1", "Part 2" labels."""
    return sum(bool(_NUMBERED_HEADING.match(t)) for t in titles) < len(titles) / 2


def content_from_text(source_text: str, *, topic: str | None, language: str | None, slides_count: int,
                      budget: TextBudget) -> CarouselContent:
    """A carousel made of *source_text* only (see the module docstring). *language* (``/lang``) is
    used only when the text gives no clue of its own: slides stay in the text's language."""
    doc = parse(source_text)
    lang = guess_language(source_text) or language or "en"
    all_sentences = [s for b in doc.blocks() for s in b.sentences()]
    ranker = _Ranker(all_sentences, topic)
    cover_title = topic.strip() if topic and topic.strip() else doc.title
    subtitle, subtitle_block = _cover_subtitle(doc, cover_title, budget)
    closing_title, closing_body, closing_blocks = _closing_words(doc)
    # What the cover and the closing slide already say stays off the content slides.
    skip = {id(b) for b in [subtitle_block, *closing_blocks] if b is not None}

    parts = _parts(doc, budget, ranker, cover_title, skip, lang)
    steps = _steps(parts)
    for part in parts:
        part.step = id(part) in steps
    has_closing, recap = _closing_plan(parts, slides_count, lang, closing_title, closing_body)
    slots = slots_for(slides_count)
    content_slots = slots if has_closing or slides_count < 3 else slots + 1  # no closing slide: one more of content
    slides = _allocate(parts, content_slots, budget) if content_slots else []
    if not cover_title:
        cover_title = _untitled_cover_title(doc, ranker, budget, slides, lang)
    if has_closing and recap:
        closing_body = _recap(slides, budget)
    closing = closing_slide(closing_body, budget, lang, title=closing_title) if has_closing else None
    if closing is not None:
        slides.append(closing)
    lead = subtitle or closing_body or " ".join(all_sentences[:2])
    return _carousel(doc, source_text, lang, cover_title, subtitle, lead, slides)


def _cover_subtitle(doc: Document, cover_title: str | None, budget: TextBudget) -> tuple[str, Block | None]:
    """The cover's subtitle and the block it comes from: an opening paragraph that fits, or a short
    labelled line right under the title ("Attendees: Anna, Dmitri"); ("", None) for neither."""
    first_section = doc.sections[0] if doc.sections else None
    first = first_section.blocks[0] if first_section and first_section.blocks else None
    if first is not None and cover_title and first.kind == "paragraph":
        line = f"{first_section.heading}: {first.text}" if first_section.heading else first.text
        fact_line = first_section.heading and len(first_section.blocks) == 1 and not re.search(r"[.!?…]$", first.text)
        if len(line) <= cover_body_budget(budget, cover_title) and (first_section.heading is None or fact_line):
            return line, first
    return "", None


def _closing_words(doc: Document) -> tuple[str | None, str, list[Block]]:
    """The closing slide's own title and body, and the blocks they come from: the text's summary
    section, or else its closing paragraph after its lists."""
    summary = _summary_section(doc)
    if summary is not None:
        body = "\n".join(b.text if b.kind == "paragraph" else "\n".join(_item_line(i.text, i.number) for i in b.items)
                         for b in summary.blocks if b.kind in ("paragraph", "list"))
        return summary.heading, body, list(summary.blocks)
    blocks = doc.blocks()
    if len(blocks) >= 2 and blocks[-1].kind == "paragraph" and any(b.kind == "list" for b in blocks[:-1]):
        return None, blocks[-1].text, [blocks[-1]]
    return None, "", []


def _closing_plan(parts: Sequence[_Part], slides_count: int, lang: str, closing_title: str | None,
                  closing_body: str) -> tuple[bool, bool]:
    """(a closing slide, it is a recap). Without closing words of its own, the last slide recaps the
    slides' titles, when there are at least three telling ones and the language has a label for it;
    else that slide goes to the content."""
    titles = list(dict.fromkeys(p.title for p in parts if p.kind is not SlideType.CODE))
    recap = not closing_body and len(titles) >= 3 and _informative(titles)
    has_closing = slides_count >= 3 and (bool(closing_body) or recap) and bool(closing_title or label(lang, "summary"))
    return has_closing, recap


def _recap(slides: Sequence[Slide], budget: TextBudget) -> str:
    """The slides' titles as a list (without "(1/2)" marks), or "" when fewer than three or too long."""
    titles = list(dict.fromkeys(re.sub(r" \(\d+/\d+\)$", "", s.title) for s in slides if s.type is not SlideType.CODE))
    body = "\n".join(f"• {t}" for t in titles)
    return body if len(titles) >= 3 and len(body) <= budget.body else ""


def _untitled_cover_title(doc: Document, ranker: _Ranker, budget: TextBudget, slides: Sequence[Slide],
                          lang: str) -> str:
    """A cover title for a text with neither a title nor a topic: its best sentence that is no
    slide's title, else the first slide's title, else a label."""
    return (_cover_title(doc, ranker, budget.cover_title, {normalize(s.title) for s in slides})
            or (slides[0].title if slides else None) or label(lang, "summary") or "📝")


def _carousel(doc: Document, source_text: str, lang: str, cover_title: str, subtitle: str, lead: str,
              slides: list[Slide]) -> CarouselContent:
    headings = [h for h in [doc.title, *(s.heading for s in doc.sections)] if h]
    hashtags = _hashtags(source_text, headings)
    title = topic_title(cover_title, TITLE_MAX_CHARS) if len(cover_title) > TITLE_MAX_CHARS else cover_title
    return CarouselContent(
        title=title,
        subtitle=subtitle,
        emoji=doc.emoji or "📝",
        language=lang,
        format=CarouselFormat.TEXT,
        slides=slides,
        keywords=[],
        caption=make_caption(title, lead, hashtags),
        hashtags=hashtags,
    )


def is_short_text(source_text: str) -> bool:
    """A "text" of one sentence and no structure is really a topic (e.g. a long chat message)."""
    from vibecoder.content import TOPIC_MAX_CHARS

    if len(source_text.strip()) > TOPIC_MAX_CHARS:
        return False
    doc = parse(source_text)
    blocks = doc.blocks()
    found = [s for b in blocks for s in b.sentences()]
    structured = any(b.kind != "paragraph" for b in blocks)
    return len(found) + (1 if doc.title else 0) < 2 and not structured
