"""The offline provider: knowledge-base retrieval for a topic, extractive structuring for a pasted text.

No network and no model: deterministic, fast, and good enough to stand on its own when OpenAI is
not configured or fails.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from vibecoder.content import (
    BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
    TOPIC_MAX_CHARS,
    CarouselContent,
    Concept,
    Principle,
    Quote,
)

from .knowledge import Hit, KnowledgeIndex, Note
from .text import detect_language, normalize, sentences, shorten, tokens, unique, words

CAPTION_MAX_CHARS = 1000  # a Telegram album caption holds 1024
MAX_HASHTAGS = 8
BLEND_RATIO = 0.35  # a secondary note joins when it scores at least this share of the best one
MAX_NOTES = 3
STRONG_RATIO = 0.5  # a note this close to the best one shares the slides with it
WEAK_WEIGHT = 0.15  # other blended notes only fill in after the strong ones run out
SHORT_TITLE_CHARS = 48  # a paragraph's one sentence longer than this is shortened for its title

_CTA = {
    "en": "Save this carousel and share it with someone who codes 📌",
    "ru": "Сохраните карусель и поделитесь с тем, кто пишет код 📌",
}


def resolve_language(requested: str | None, *texts: str | None) -> str:
    if requested in ("ru", "en"):
        return requested
    return detect_language(*texts, default="en")


def slots_for(slides_count: int) -> int:
    """How many slides sit between the cover and the summary for *slides_count*."""
    return max(slides_count - 2, 1) if slides_count >= 2 else 0


# --- shared finishing touches -----------------------------------------------------------------


def _hashtag(phrase: str) -> str | None:
    parts = words(phrase)
    if not parts:
        return None
    if len(parts) == 1:
        tag = parts[0]
    elif all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in parts):
        tag = "".join(p if p.isupper() else p[:1].upper() + p[1:] for p in parts)
    else:
        tag = "".join(p.lower() for p in parts)
    tag = re.sub(r"[^0-9A-Za-zА-Яа-яЁё_]", "", tag)
    if len(tag) < 2 or tag.isdigit() or len(tag) > 30:
        return None
    return "#" + tag


def make_hashtags(phrases: Sequence[str], limit: int = MAX_HASHTAGS) -> list[str]:
    tags = [t for t in (_hashtag(p) for p in phrases) if t]
    return unique(tags, key=lambda t: t.lower())[:limit]


def make_caption(title: str, lead: str, hashtags: Sequence[str], language: str) -> str:
    tail = "\n\n" + _CTA[language] + ("\n\n" + " ".join(hashtags) if hashtags else "")
    room = CAPTION_MAX_CHARS - len(tail) - len(title) - 2
    body = shorten(lead, max(room, 0)) if lead and room > 40 else ""
    return (title + ("\n\n" + body if body else "") + tail).strip()


def topic_title(topic: str) -> str:
    topic = re.sub(r"\s+", " ", topic).strip().strip(".!?")
    if topic[:1].islower():
        topic = topic[:1].upper() + topic[1:]
    return shorten(topic, TITLE_MAX_CHARS)


# --- topic → knowledge base -------------------------------------------------------------------


@dataclass
class _Item:
    kind: str  # principle | concept | quote
    value: Principle | Concept | Quote
    note_rank: int
    order: int
    relevance: float = 0.0

    def text(self) -> str:
        v = self.value
        if isinstance(v, Principle):
            return f"{v.title} {v.description}"
        if isinstance(v, Concept):
            return f"{v.term} {v.definition}"
        return v.text


def choose_notes(hits: Sequence[Hit], needed_items: int) -> list[Hit]:
    """The best note, plus runners-up that score close to it or are needed to fill the slides."""
    if not hits:
        return []
    chosen = [hits[0]]
    have = _item_count(hits[0].note)
    for hit in hits[1 : MAX_NOTES + 2]:
        if len(chosen) >= MAX_NOTES:
            break
        if hit.score >= BLEND_RATIO * hits[0].score or have < needed_items:
            chosen.append(hit)
            have += _item_count(hit.note)
    return chosen


def _item_count(note: Note) -> int:
    return len(note.principles) + len(note.concepts) + len(note.quotes)


def _arrange(items: list[_Item], weights: Sequence[float], limit: int) -> list[_Item]:
    """Interleave the notes' items by weight (a note half as relevant appears half as often).

    The main note keeps its authored order (it tells a story: red, green, refactor); the others
    offer their items most relevant to the topic first.
    """
    keyed: list[tuple[float, int, int, _Item]] = []
    for rank, weight in enumerate(weights):
        own = [it for it in items if it.note_rank == rank]
        if rank > 0:
            own.sort(key=lambda it: (-it.relevance, it.order))
        for position, item in enumerate(own):
            keyed.append(((position + 1) / max(weight, 1e-6), rank, position, item))
    keyed.sort(key=lambda k: k[:3])
    return [k[3] for k in keyed[:limit]]


def content_from_topic(topic: str, *, language: str | None, slides_count: int, index: KnowledgeIndex) -> CarouselContent:
    """Retrieve the notes that match *topic* and structure them into carousel content."""
    lang = resolve_language(language, topic)
    slots = slots_for(slides_count)
    hits = index.search(topic, language=lang, limit=MAX_NOTES + 2)
    chosen = choose_notes(hits, needed_items=slots)
    notes = [h.note for h in chosen]
    weights = [h.score / chosen[0].score if h.score >= STRONG_RATIO * chosen[0].score else WEAK_WEIGHT for h in chosen]
    if not notes:
        notes = [n for n in index.notes if n.fallback and n.language == lang] or [
            n for n in index.notes if n.language == lang
        ][:1] or index.notes[:1]
        weights = [1.0] * len(notes)
    if not notes:  # an empty knowledge base: say only what we know, the topic
        return CarouselContent(title=topic_title(topic), language=lang, keywords=[topic],
                               caption=make_caption(topic_title(topic), "", [], lang),
                               hashtags=make_hashtags([topic]))

    query = set(tokens(topic))
    items: list[_Item] = []
    for rank, note in enumerate(notes):
        for kind, values in (("principle", note.principles), ("concept", note.concepts), ("quote", note.quotes)):
            for order, value in enumerate(values):
                item = _Item(kind, value, rank, order)
                item.relevance = len(query & set(tokens(item.text())))
                items.append(item)

    # Keep a little more than the slots so the slide builder can mix types; the whole primary note
    # is small anyway.
    limit = max(slots + 3, 8)
    principles = [it.value for it in _arrange([i for i in items if i.kind == "principle"], weights, limit)]
    concepts = [it.value for it in _arrange([i for i in items if i.kind == "concept"], weights, limit)]
    quotes = [it.value for it in _arrange([i for i in items if i.kind == "quote"], weights, max(limit // 3, 2))]
    principles = _dedupe(principles, lambda p: p.title)
    concepts = _dedupe(concepts, lambda c: c.term)
    quotes = _dedupe(quotes, lambda q: q.text)

    primary = notes[0]
    title = topic_title(topic)
    subtitle = sentences(primary.intro)[0] if primary.intro else ""
    if subtitle and len(subtitle) > 200:
        subtitle = shorten(subtitle, 200)
    keywords = unique([*primary.keywords, *(k for n in notes[1:] for k in n.keywords[:3])])[:10]
    hashtags = make_hashtags([*keywords[:2], primary.title, *keywords[2:]])
    summary = primary.summary or primary.intro
    return CarouselContent(
        title=title,
        subtitle=subtitle,
        emoji=primary.emoji,
        language=primary.language if primary.language != lang and not any(n.language == lang for n in notes) else lang,
        principles=principles,
        quotes=quotes,
        concepts=concepts,
        keywords=keywords,
        summary=shorten(summary, BODY_MAX_CHARS),
        caption=make_caption(title, primary.intro, hashtags, lang),
        hashtags=hashtags,
    )


def _dedupe(values, key):
    seen: set[str] = set()
    out = []
    for v in values:
        k = normalize(key(v))
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


# --- pasted text → extractive structure -------------------------------------------------------

_HEADING_RE = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_BULLET_RE = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
_QUOTE_AUTHOR_RE = re.compile(r"^(.*?[.!?…\"»”])\s*[—–-]{1,2}\s*([^.!?]{2,60})$")
_LABEL = {
    "en": {"code": "Code", "section": "Part"},
    "ru": {"code": "Код", "section": "Часть"},
}


@dataclass
class _Section:
    heading: str | None
    sentences: list[str] = field(default_factory=list)
    code: list[str] = field(default_factory=list)
    first_index: int = 0


@dataclass
class _Parsed:
    title: str | None
    sections: list[_Section]
    quotes: list[Quote]


def _looks_like_heading(line: str) -> bool:
    """A short line without closing punctuation ("Why tests matter", "Итоги:")."""
    line = line.strip()
    return (
        bool(line)
        and len(line) <= 80
        and len(line.split()) <= 10
        and not re.search(r"[.,;!?…»\"”)]$", line)
        and not _BULLET_RE.match(line)
        and not line.startswith((">", "```"))
    )


def parse_source(text: str) -> _Parsed:
    """Split a pasted text into a title, sections (heading + sentences + code) and block quotes.

    * Markdown headings, and short unpunctuated lines standing alone before a paragraph, are
      headings; the first one, at the very top, is the title.
    * Under a heading, paragraphs and list items join the heading's section. Without a heading,
      each paragraph and each list item is a section of its own.
    * A text with no blank line at all is read line by line (chat messages are written that way).
    * ``> quote`` lines (with an optional ``— Author`` line) are quotes; fenced blocks are code.
    """
    lines = text.replace("\r\n", "\n").split("\n")
    filled = [i for i, ln in enumerate(lines) if ln.strip()]
    no_blank_lines = bool(filled) and all(lines[i].strip() for i in range(filled[0], filled[-1] + 1))
    sections: list[_Section] = []
    quotes: list[Quote] = []
    title: str | None = None
    current: _Section | None = None  # the open section under a heading
    paragraph: list[str] = []
    code: list[str] | None = None
    counter = 0
    seen_text = False

    def add_section(sec: _Section) -> None:
        sections.append(sec)

    def flush() -> None:
        nonlocal paragraph, counter, current
        if not paragraph:
            return
        found = [s for part in paragraph for s in sentences(part)]
        paragraph = []
        if current is not None:
            current.sentences.extend(found)
        else:
            add_section(_Section(None, found, [], counter))
        counter += len(found)

    for i, raw in enumerate(lines):
        stripped = raw.strip()
        if code is not None:
            if stripped.startswith("```"):
                snippet = "\n".join(code).strip("\n")
                if current is None:
                    current = _Section(None, [], [], counter)
                    add_section(current)
                    current.code.append(snippet)
                    current = None
                else:
                    current.code.append(snippet)
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
            continue
        prev_blank = i == 0 or not lines[i - 1].strip()
        next_text = next((ln.strip() for ln in lines[i + 1 :] if ln.strip()), None)
        md = _HEADING_RE.match(stripped)
        plain = (
            not md
            and (prev_blank or no_blank_lines)
            and not paragraph
            and next_text is not None
            and _looks_like_heading(stripped)
            and not _looks_like_heading(next_text)
        )
        if md or plain:
            flush()
            heading = (md.group(1) if md else stripped).strip().rstrip(":").strip()
            if title is None and not seen_text and not sections:
                title = heading
                seen_text = True
                continue
            current = _Section(heading, [], [], counter)
            add_section(current)
            seen_text = True
            continue
        seen_text = True
        if stripped.startswith(">"):
            flush()
            body = stripped.lstrip(">").strip()
            author_line = re.match(r"^[—–-]{1,2}\s*(\S.*)$", body)
            inline = _QUOTE_AUTHOR_RE.match(body)
            continuing = i > 0 and lines[i - 1].strip().startswith(">") and quotes
            if author_line and quotes and quotes[-1].author is None:
                quotes[-1] = Quote(text=quotes[-1].text, author=author_line.group(1).strip())
            elif continuing and quotes[-1].author is None and not inline:
                quotes[-1] = Quote(text=f"{quotes[-1].text} {body}".strip())
            elif inline:
                quotes.append(Quote(text=inline.group(1).strip(), author=inline.group(2).strip()))
            elif body:
                quotes.append(Quote(text=body))
            continue
        if _BULLET_RE.match(stripped):
            flush()
            paragraph.append(_BULLET_RE.sub("", stripped))
            flush()
            continue
        paragraph.append(stripped)
        if no_blank_lines:
            flush()
    if code:
        target = current or _Section(None, [], [], counter)
        if target is not current:
            add_section(target)
        target.code.append("\n".join(code).strip("\n"))
    flush()
    return _Parsed(title=title, sections=[s for s in sections if s.sentences or s.code], quotes=quotes)


class _Ranker:
    """Scores sentences by the document's term frequencies, their position and the topic."""

    def __init__(self, all_sentences: Sequence[str], topic: str | None):
        self.tf = Counter(t for s in all_sentences for t in tokens(s))
        self.topic = set(tokens(topic or ""))

    def score(self, sentence: str, *, first_in_section: bool, position: int) -> float:
        terms = set(tokens(sentence))
        if not terms:
            return 0.0
        base = sum(self.tf[t] for t in terms) / (len(terms) ** 0.5)
        if len(terms) < 3:
            base *= 0.5
        if first_in_section:
            base *= 1.25
        if position == 0:
            base *= 1.15
        return base * (1 + len(terms & self.topic))


def _fit(chosen: list[str], limit: int) -> str:
    """Sentences joined in order, within *limit*; a lone long sentence is shortened."""
    out = ""
    for s in chosen:
        candidate = f"{out} {s}".strip()
        if len(candidate) <= limit:
            out = candidate
    if not out and chosen:
        out = shorten(chosen[0], limit)
    return out


def _describe(sec_sentences: list[str], scores: dict[str, float], limit: int = BODY_MAX_CHARS) -> str:
    """The best sentences of a section that fit *limit*, in their original order."""
    ranked = sorted(sec_sentences, key=lambda s: -scores.get(s, 0.0))
    keep: list[str] = []
    used = 0
    for s in ranked:
        if used + len(s) + (1 if keep else 0) <= limit:
            keep.append(s)
            used += len(s) + (1 if len(keep) > 1 else 0)
    if not keep:
        return shorten(ranked[0], limit) if ranked else ""
    return " ".join(s for s in sec_sentences if s in keep)


def _split(sec: _Section) -> tuple[_Section, _Section]:
    half = (len(sec.sentences) + 1) // 2
    first = _Section(sec.heading, sec.sentences[:half], sec.code, sec.first_index)
    second_heading = f"{sec.heading} · 2" if sec.heading else None
    second = _Section(second_heading, sec.sentences[half:], [], sec.first_index + half)
    return first, second


_RU_VERBISH = re.compile(r"(ют|ят|ет|ит|ут|ать|ять|ить|еть|ите|йте|ется|ются|ться|лся|лась|ла|ли)$")


def _keywords(all_sentences: Sequence[str], headings: Sequence[str] = (), limit: int = 8) -> list[str]:
    """The text's salient words: frequent ones, those in headings first; verb-looking words last."""
    surface: dict[str, Counter[str]] = {}
    weight: Counter[str] = Counter()
    for text, w_each in [(h, 3) for h in headings] + [(s, 1) for s in all_sentences]:
        for w in words(text):
            if len(w) < 4 or w.isdigit():
                continue
            t = tokens(w)
            if not t:
                continue
            surface.setdefault(t[0], Counter())[w if w.isupper() else w.lower()] += 1
            weight[t[0]] += w_each
    for term, forms in surface.items():
        form = forms.most_common(1)[0][0]
        if (_RU_VERBISH.search(form) and re.search(r"[а-я]", form)) or re.search(r"[a-z]ly$", form):
            weight[term] -= 2
        if form.isupper() or any(ch.isupper() for ch in form[1:]):
            weight[term] += 1
    ranked = sorted(surface, key=lambda t: (-weight[t], -len(t), t))
    return [surface[t].most_common(1)[0][0] for t in ranked[:limit]]


def content_from_text(source_text: str, *, topic: str | None, language: str | None, slides_count: int) -> CarouselContent:
    """Structure a pasted text without inventing anything: every sentence on a slide is the source's.

    Headings become slide titles, their paragraphs the slide bodies (the best-ranked sentences that
    fit the budget, in their original order). A text without headings is cut by paragraphs, and a
    paragraph's title is its first sentence (shortened on a word boundary). When there are fewer
    sections than slides, the longest sections are split in two; when there are more, the
    best-ranked sections are kept, in their order. The cover's subtitle is a key sentence no slide
    uses (else the key words), the summary the best-ranked sentences.
    """
    lang = resolve_language(language, source_text, topic)
    parsed = parse_source(source_text)
    all_sentences = [s for sec in parsed.sections for s in sec.sentences]
    ranker = _Ranker(all_sentences, topic)
    scores: dict[str, float] = {}
    for sec in parsed.sections:
        for j, s in enumerate(sec.sentences):
            scores[s] = max(scores.get(s, 0.0), ranker.score(s, first_in_section=j == 0, position=sec.first_index + j))

    slots = max(slots_for(slides_count) - min(len(parsed.quotes), max(slots_for(slides_count) // 4, 0)), 1)
    sections = [s for s in parsed.sections if s.sentences or s.code]
    while len(sections) < slots:
        # A headed section splits into two bodies; a headless one needs two sentences per half
        # (one becomes the title), so that no half is a bare title.
        splittable = [s for s in sections if len(s.sentences) >= (2 if s.heading else 4)]
        if not splittable:
            break
        biggest = max(splittable, key=lambda s: len(s.sentences))
        i = sections.index(biggest)
        sections[i : i + 1] = list(_split(biggest))
    if len(sections) > slots:
        top_score = max(scores.values(), default=1.0)

        def weight(i: int) -> float:
            sec = sections[i]
            best_sentence = max((scores.get(s, 0.0) for s in sec.sentences), default=0.0)
            on_topic = len(ranker.topic & set(tokens(" ".join([sec.heading or "", *sec.sentences]))))
            return (
                best_sentence
                + top_score * on_topic  # the user's topic decides first
                + (0.5 * top_score if sec.code else 0.0)
                + (1.0 if i == 0 else 0.0)
            )

        best = sorted(range(len(sections)), key=lambda i: -weight(i))[:slots]
        sections = [sections[i] for i in sorted(best)]

    title_source = topic or parsed.title
    principles: list[Principle] = []
    concepts: list[Concept] = []
    used: set[str] = set()
    first_sentence = all_sentences[0] if all_sentences else ""
    if not title_source:
        title_source = first_sentence
        used.add(first_sentence)
    for sec in sections:
        pool = [s for s in sec.sentences if s not in used]
        if not pool and not sec.code:
            continue
        if sec.heading:
            heading = sec.heading
            body_sentences = pool
        elif len(pool) >= 2:
            heading = pool[0]
            used.add(heading)
            body_sentences = pool[1:]
        elif pool:
            heading = shorten(pool[0], SHORT_TITLE_CHARS)
            body_sentences = pool if heading != pool[0] else []
            used.add(pool[0])
        else:
            heading = _LABEL[lang]["code"]
            body_sentences = []
        description = _describe(body_sentences, scores) if body_sentences else ""
        for code in sec.code:
            concepts.append(Concept(term=shorten(sec.heading or _LABEL[lang]["code"], TITLE_MAX_CHARS), definition=description, code=code))
        if not pool and sec.code:
            continue
        principles.append(Principle(title=shorten(heading, TITLE_MAX_CHARS), description=description))
        used.update(s for s in body_sentences if s in description)

    ranked_all = sorted(all_sentences, key=lambda s: -scores.get(s, 0.0))
    unused = [s for s in ranked_all if s not in used]
    top = unused[:2] if len(unused) >= 2 else ranked_all[:2]
    summary = _fit([s for s in all_sentences if s in top], BODY_MAX_CHARS) if all_sentences else ""
    whole = {p.description for p in principles}
    subtitle_pool = [s for s in unused if s != title_source and s not in summary and s not in whole]
    keywords = _keywords(all_sentences, [h for h in [title_source if title_source != first_sentence else None, *(sec.heading for sec in parsed.sections)] if h])
    title_terms = set(tokens(title_source or ""))
    fresh_keywords = [k for k in keywords if not set(tokens(k)) & title_terms]
    subtitle = shorten(subtitle_pool[0], 200) if subtitle_pool else " · ".join(fresh_keywords[:4])
    title = topic_title(title_source) if title_source else _LABEL[lang]["section"]
    hashtags = make_hashtags(keywords[:5])
    return CarouselContent(
        title=title,
        subtitle=subtitle,
        emoji="📝",
        language=lang,
        principles=principles,
        quotes=[Quote(text=shorten(q.text, BODY_MAX_CHARS), author=q.author) for q in parsed.quotes],
        concepts=concepts,
        keywords=keywords,
        summary=summary,
        caption=make_caption(title, summary, hashtags, lang),
        hashtags=hashtags,
    )


def is_short_text(source_text: str) -> bool:
    """A "text" of one sentence and no structure is really a topic (e.g. a long chat message)."""
    if len(source_text.strip()) > TOPIC_MAX_CHARS:
        return False
    parsed = parse_source(source_text)
    found = [s for sec in parsed.sections for s in sec.sentences]
    return len(found) + (1 if parsed.title else 0) < 2 and not parsed.quotes and not any(sec.code for sec in parsed.sections)
