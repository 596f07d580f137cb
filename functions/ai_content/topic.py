"""The offline provider for a topic: the knowledge notes that cover it, or an honest "not covered".

A topic is covered when the notes are about it (``KnowledgeIndex.covering``: the query's specific
words, not one shared weak word). The carousel then takes the main note's items ranked by what was
asked ("Git rebase vs merge" starts with rebase), fills in with the rest of that note in its own
order (two principles, a concept, a quote now and then), and adds from the other covering notes
only what mentions the topic. A topic the notes do not cover, or one in a language they are not
written in, gets :class:`NotCovered`: no carousel rather than an unrelated one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vibecoder.content import (
    TITLE_MAX_CHARS,
    CarouselContent,
    CarouselFormat,
    Slide,
    SlideType,
    TextBudget,
    cover_body_budget,
)
from vibecoder.events.models import TOPIC_NOT_COVERED, failure_reason

from .finishing import CAPTION_CTA, CTA, closing_slide, label, make_caption, make_hashtags, slots_for, topic_title
from .knowledge import Concept, KnowledgeIndex, Principle, Quote
from .text import fit_sentences, fit_text, guess_language, tokens, unique

QUOTE_EVERY = 4  # at most one quote per this many content slides


@dataclass
class NotCovered:
    """Why there is no carousel, and what the offline provider can write about instead."""

    reason: str  # begins with "topic_not_covered"
    subjects: list[str] = field(default_factory=list)  # the notes' subjects, in the request's language


@dataclass
class _Item:
    value: Principle | Concept | Quote
    note_rank: int
    order: int
    relevance: float = 0.0

    def title(self) -> str:
        v = self.value
        return v.title if isinstance(v, Principle) else v.term if isinstance(v, Concept) else ""

    def text(self) -> str:
        v = self.value
        if isinstance(v, Principle):
            return f"{v.title} {v.description}"
        if isinstance(v, Concept):
            return f"{v.term} {v.definition}"
        return v.text


def _relevance(index: KnowledgeIndex, query_terms: list[str], title: str, text: str, note_title: str) -> float:
    """How much of what was asked an item mentions: the weights of the query terms in its text, twice
    in its title. The note's own title words count nothing when the query has others (every item of
    the Git note is about Git; the ones about rebasing are what "Git rebase vs merge" asks for)."""
    own = set(tokens(note_title))
    in_title, in_text = set(tokens(title)), set(tokens(text))
    score = 0.0
    for term in query_terms:
        variants = {v for v, _ in index.expand(term)} | {term}
        if variants & own:
            continue
        if variants & in_title:
            score += 2 * index.weight(term)
        elif variants & in_text:
            score += index.weight(term)
    return score


def _slides_of(item: _Item, language: str, budget: TextBudget, with_code: bool) -> list[Slide]:
    v = item.value
    if isinstance(v, Principle):
        return [Slide(type=SlideType.PRINCIPLE, title=fit_text(v.title, TITLE_MAX_CHARS),
                      content=fit_text(v.description, budget.body), emoji=v.emoji)]
    if isinstance(v, Quote):
        return [Slide(type=SlideType.QUOTE, title=v.author or label(language, "quote") or "“”",
                      content=fit_text(v.text, budget.quote), emoji="💬")]
    slides = [Slide(type=SlideType.CONCEPT, title=fit_text(v.term, TITLE_MAX_CHARS),
                    content=fit_text(v.definition, budget.body), emoji="💡")]
    if with_code and v.code and v.code.strip():
        lines = v.code.strip("\n").splitlines()[: budget.code_lines]
        slides.append(Slide(type=SlideType.CODE, title=slides[0].title, content="\n".join(lines), emoji="💻"))
    return slides


def _pleasant_order(items: list[_Item], slots: int) -> list[_Item]:
    """The rest of a note in its own order, mixed: two principles, then a concept; a quote now and then."""
    principles = [i for i in items if isinstance(i.value, Principle)]
    concepts = [i for i in items if isinstance(i.value, Concept)]
    quotes = [i for i in items if isinstance(i.value, Quote)][: max(1, slots // QUOTE_EVERY) if slots >= 3 else 0]
    out: list[_Item] = []
    while principles or concepts:
        out += principles[:2]
        principles = principles[2:]
        if concepts:
            out.append(concepts.pop(0))
    for n, quote in enumerate(quotes, start=1):
        out.insert(min(len(out), n * QUOTE_EVERY - 1), quote)
    return out


def content_from_topic(topic: str, *, language: str | None, slides_count: int, index: KnowledgeIndex,
                       budget: TextBudget) -> CarouselContent | NotCovered:
    """The carousel the notes give for *topic*, or :class:`NotCovered` (see the module docstring)."""
    lang = language or guess_language(topic) or "en"
    languages = {n.language for n in index.notes}
    if lang not in languages:
        return NotCovered(failure_reason(TOPIC_NOT_COVERED, f"the offline notes are not written in {lang}"),
                          index.subjects("en"))
    hits = index.covering(topic, language=lang)
    # The covering notes' subjects, each in the requested language (every subject has a note in each).
    by_topic = {n.topic: n for n in index.notes if n.language == lang}
    notes = unique([by_topic.get(h.note.topic, h.note) for h in hits], key=lambda n: n.id)  # type: ignore[arg-type]
    notes = [n for n in notes if n.language == lang]
    if not notes:
        return NotCovered(TOPIC_NOT_COVERED, index.subjects(lang))

    slots = slots_for(slides_count)
    query = list(dict.fromkeys(tokens(topic)))
    items: list[_Item] = []
    for rank, note in enumerate(notes):
        for order, value in enumerate([*note.principles, *note.concepts, *note.quotes]):
            item = _Item(value, rank, order)
            item.relevance = _relevance(index, query, item.title(), item.text(), note.title)
            if rank == 0 or item.relevance > 0:  # the other notes only add what mentions the topic
                items.append(item)
    # What was asked first (its most relevant items), then the main note in its own order.
    asked = sorted((i for i in items if i.relevance > 0 and not isinstance(i.value, Quote)),
                   key=lambda i: (-i.relevance, i.note_rank, i.order))[:slots]
    rest = _pleasant_order([i for i in items if i.note_rank == 0 and i not in asked], slots)
    ordered = [*asked, *[i for i in rest if i not in asked]]

    slides: list[Slide] = []
    for position, item in enumerate(ordered):
        room = slots - len(slides)
        if room <= 0:
            break
        # A concept's code follows its definition when there is room to spare for it.
        with_code = room >= 2 and len(ordered) - position < room
        slides.extend(_slides_of(item, lang, budget, with_code)[:room])
    slides = _unique_slides(slides)

    primary = notes[0]
    title = topic_title(topic, TITLE_MAX_CHARS) if len(topic.strip()) <= TITLE_MAX_CHARS else primary.title
    subtitle = fit_sentences(primary.intro, cover_body_budget(budget, title))  # the note's hook, whole sentences
    keywords = unique([*primary.keywords, *(k for n in notes[1:] for k in n.keywords[:3])])[:10]
    hashtags = make_hashtags([*keywords[:2], primary.title, *keywords[2:]])
    closing = closing_slide(primary.summary or primary.intro, budget, lang, cta=CTA.get(lang, ""))
    if closing is not None and slides_count >= 3:
        slides.append(closing)
    return CarouselContent(
        title=title,
        subtitle=subtitle,
        emoji=primary.emoji,
        language=lang,
        format=CarouselFormat.PRINCIPLES,
        slides=slides,
        keywords=keywords,
        caption=make_caption(title, primary.intro, hashtags, cta=CAPTION_CTA.get(lang, "")),
        hashtags=hashtags,
    )


def _unique_slides(slides: list[Slide]) -> list[Slide]:
    seen: set[tuple[str, str]] = set()
    out = []
    for s in slides:
        key = (s.title.lower(), s.content.lower())
        if key not in seen:
            seen.add(key)
            out.append(s)
    return out

