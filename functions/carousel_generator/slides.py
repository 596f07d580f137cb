"""Cut structured carousel content into exactly N slides that fit the renderer's budget.

Layout for ``build_slides(content, n)``:

* slide 1 is the cover: the title, the subtitle (or the summary) and the content's emoji;
* when ``n >= 3`` the last slide is the summary: ``content.summary`` (or, when empty, the titles of
  the principles shown, else a call to action);
* the slides in between are drawn from principles, concepts (``CODE`` when the concept carries a
  snippet) and quotes, mixed (about one quote in four, one concept in three of the rest) and never
  repeated.

When the content runs short the middle is filled, in this order, with: the definition of a concept
already shown as code (a ``CONCEPT`` slide next to its ``CODE`` slide), a "key terms" slide from
the keywords, a hashtags slide, then distinct call-to-action slides, and as a last resort numbered
"notes" slides built from the keywords. The count is always honoured and no two slides share the
same title and content (nor the same non-empty body).

Every title is at most ``TITLE_MAX_CHARS`` and every body at most ``BODY_MAX_CHARS``: prose is
shortened on a word boundary with an ellipsis, code by whole lines.
"""

from __future__ import annotations

import re

from vibecoder.content import (
    BODY_MAX_CHARS,
    TITLE_MAX_CHARS,
    CarouselContent,
    Concept,
    Principle,
    Quote,
    Slide,
    SlideType,
)

ELLIPSIS = "…"

_LABELS = {
    "en": {
        "quote": "Quote",
        "summary": "Key takeaways",
        "keywords": "Key terms",
        "hashtags": "Hashtags",
        "notes": "Note",
        "cover": "Carousel",
        "cta": [
            ("Save it", "Save this carousel so you can come back to it when you need it."),
            ("Share it", "Send it to a teammate who would find it useful."),
            ("Try it today", "Pick one idea from these slides and apply it in your next task."),
            ("Your turn", "Which of these ideas do you already use? Tell us in the comments."),
        ],
        "summary_cta": "Save this carousel and try one idea today.",
    },
    "ru": {
        "quote": "Цитата",
        "summary": "Главное",
        "keywords": "Ключевые понятия",
        "hashtags": "Хэштеги",
        "notes": "Заметка",
        "cover": "Карусель",
        "cta": [
            ("Сохраните", "Сохраните карусель, чтобы вернуться к ней, когда понадобится."),
            ("Поделитесь", "Отправьте её коллеге, которому это пригодится."),
            ("Попробуйте сегодня", "Выберите одну идею из этих слайдов и примените её в следующей задаче."),
            ("Ваша очередь", "Какие из этих идей вы уже используете? Расскажите в комментариях."),
        ],
        "summary_cta": "Сохраните карусель и попробуйте одну идею уже сегодня.",
    },
}

_EMOJI = {
    SlideType.CONCEPT: "💡",
    SlideType.CODE: "💻",
    SlideType.QUOTE: "💬",
    SlideType.SUMMARY: "✅",
}


def shorten(text: str, limit: int) -> str:
    """*text* within *limit* characters, cut on a word boundary and ended with an ellipsis."""
    text = re.sub(r"[ \t]+", " ", (text or "").strip())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit // 3:
        cut = cut[:space]
    return cut.rstrip(" \n,;:—–-(") + ELLIPSIS


def shorten_code(code: str, limit: int = BODY_MAX_CHARS) -> str:
    """Whole lines of *code* within *limit*; a trailing ``…`` line marks what was left out."""
    code = code.rstrip()
    if len(code) <= limit:
        return code
    kept: list[str] = []
    for line in code.splitlines():
        if len("\n".join([*kept, line, ELLIPSIS])) > limit:
            break
        kept.append(line)
    if not kept:  # a single enormous line
        return shorten(code, limit)
    return "\n".join([*kept, ELLIPSIS])


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


class _Deck:
    """Slides collected so far, refusing repeats."""

    def __init__(self) -> None:
        self.slides: list[Slide] = []
        self._pairs: set[tuple[str, str]] = set()
        self._bodies: set[str] = set()

    def fits(self, slide: Slide) -> bool:
        body = _key(slide.content)
        return (_key(slide.title), body) not in self._pairs and not (body and body in self._bodies)

    def add(self, slide: Slide) -> bool:
        if not slide.title.strip() or not self.fits(slide):
            return False
        self.slides.append(slide)
        self._pairs.add((_key(slide.title), _key(slide.content)))
        if slide.content.strip():
            self._bodies.add(_key(slide.content))
        return True


def _slide(kind: SlideType, title: str, content: str, emoji: str | None = None) -> Slide:
    body = shorten_code(content) if kind is SlideType.CODE else shorten(content, BODY_MAX_CHARS)
    return Slide(type=kind, title=shorten(title, TITLE_MAX_CHARS) or "…", content=body, emoji=emoji)


def _principle(p: Principle) -> Slide:
    return _slide(SlideType.PRINCIPLE, p.title, p.description, p.emoji)


def _concept(c: Concept) -> Slide:
    if c.code and c.code.strip():
        return _slide(SlideType.CODE, c.term, c.code, _EMOJI[SlideType.CODE])
    return _slide(SlideType.CONCEPT, c.term, c.definition, _EMOJI[SlideType.CONCEPT])


def _quote(q: Quote, labels: dict) -> Slide:
    return _slide(SlideType.QUOTE, q.author or labels["quote"], q.text, _EMOJI[SlideType.QUOTE])


def _mix(content: CarouselContent, slots: int, labels: dict) -> list[Slide]:
    """Principles, concepts and quotes in a pleasant order, as many as *slots* allows (plus spares)."""
    principles = [_principle(p) for p in content.principles if p.title.strip()]
    concepts = [_concept(c) for c in content.concepts if c.term.strip()]
    quotes = [_quote(q, labels) for q in content.quotes if q.text.strip()]

    n_quotes = min(len(quotes), max(1 if slots >= 3 else 0, slots // 4))
    n_concepts = min(len(concepts), max(1 if slots >= 2 else 0, round((slots - n_quotes) / 3)))
    n_principles = min(len(principles), slots - n_quotes - n_concepts)
    spare = slots - n_quotes - n_concepts - n_principles
    for name in ("concepts", "quotes", "principles"):  # top up from whatever is left
        if spare <= 0:
            break
        if name == "concepts":
            extra = min(spare, len(concepts) - n_concepts)
            n_concepts += extra
        elif name == "quotes":
            extra = min(spare, len(quotes) - n_quotes)
            n_quotes += extra
        else:
            extra = min(spare, len(principles) - n_principles)
            n_principles += extra
        spare -= extra

    body: list[Slide] = []
    ps, cs = principles[:n_principles], concepts[:n_concepts]
    while ps or cs:  # two principles, then a concept
        body += ps[:2]
        ps = ps[2:]
        if cs:
            body.append(cs.pop(0))
    chosen_quotes = quotes[:n_quotes]
    for i, q in enumerate(chosen_quotes):
        at = round((i + 1) * (len(body) + i + 1) / (len(chosen_quotes) + 1))
        body.insert(min(at, len(body)), q)
    # Spares (not placed) go last: used only if some of the above turn out to be repeats.
    spares = principles[n_principles:] + concepts[n_concepts:] + quotes[n_quotes:]
    return body + spares


def _fillers(content: CarouselContent, labels: dict) -> list[Slide]:
    out: list[Slide] = []
    for c in content.concepts:  # the explanation of a concept already shown as code
        if c.code and c.code.strip() and c.definition.strip():
            out.append(_slide(SlideType.CONCEPT, c.term, c.definition, _EMOJI[SlideType.CONCEPT]))
    if content.keywords:
        out.append(_slide(SlideType.CONCEPT, labels["keywords"], " · ".join(content.keywords), "🔑"))
    if content.hashtags:
        out.append(_slide(SlideType.SUMMARY, labels["hashtags"], " ".join(content.hashtags), "#️⃣"))
    out += [_slide(SlideType.SUMMARY, title, body, "📌") for title, body in labels["cta"]]
    return out


def _summary(content: CarouselContent, shown: list[Slide], labels: dict) -> Slide:
    if content.summary.strip():
        body = content.summary
    else:
        points = [s.title for s in shown if s.type is SlideType.PRINCIPLE][:5]
        body = "\n".join(f"• {p}" for p in points) if points else labels["summary_cta"]
    return _slide(SlideType.SUMMARY, labels["summary"], body, _EMOJI[SlideType.SUMMARY])


def build_slides(content: CarouselContent, slides_count: int) -> list[Slide]:
    """Exactly ``slides_count`` slides (at least one) for *content*; see the module docstring."""
    count = max(int(slides_count), 1)
    labels = _LABELS.get(content.language, _LABELS["en"])
    deck = _Deck()
    cover_body = content.subtitle or content.summary
    deck.add(_slide(SlideType.COVER, content.title or labels["cover"], cover_body, content.emoji))
    if count == 1:
        return deck.slides

    with_summary = count >= 3
    slots = count - 1 - (1 if with_summary else 0)
    middle: list[Slide] = []

    def take(candidates: list[Slide]) -> None:
        for slide in candidates:
            if len(middle) >= slots:
                return
            if deck.add(slide):
                middle.append(slide)

    take(_mix(content, slots, labels))
    summary = _summary(content, middle, labels) if with_summary else None
    if summary is not None and not deck.fits(summary):
        summary = _slide(SlideType.SUMMARY, labels["summary"], labels["summary_cta"], _EMOJI[SlideType.SUMMARY])
    if summary is not None:  # reserve the summary's body so no filler repeats it
        deck._bodies.add(_key(summary.content))
        deck._pairs.add((_key(summary.title), _key(summary.content)))
    take(_fillers(content, labels))
    n = 1
    pool = content.keywords or [content.title]
    while len(middle) < slots:  # last resort: numbered notes, distinct by construction
        word = pool[(n - 1) % len(pool)]
        take([_slide(SlideType.CONCEPT, f"{labels['notes']} {n}", word if n <= len(pool) else "", "📝")])
        n += 1
    slides = deck.slides
    if summary is not None:
        slides.append(summary)
    return slides
