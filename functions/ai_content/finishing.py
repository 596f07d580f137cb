"""What every provider finishes a carousel with: its text budget, language, labels, hashtags, caption and
closing slide.

Labels are the few words the bot itself puts on a slide (the closing slide's title, "Part 2", a
quote's title when it has no author). They exist in the languages below; a carousel in another
language gets no label at all rather than an English one (see :func:`label`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from vibecoder.content import Slide, SlideType, TextBudget, text_budget
from vibecoder.events.models import AiContentRequested

from .text import detect_language, fit_text, shorten, unique, words

CAPTION_MAX_CHARS = 1000  # a Telegram album caption holds 1024
MAX_HASHTAGS = 8

LABELS: dict[str, dict[str, str]] = {
    "en": {"summary": "Key takeaways", "quote": "Quote", "code": "Code", "part": "Part {n}"},
    "ru": {"summary": "Главное", "quote": "Цитата", "code": "Код", "part": "Часть {n}"},
    "uk": {"summary": "Головне", "quote": "Цитата", "code": "Код", "part": "Частина {n}"},
    "de": {"summary": "Das Wichtigste", "quote": "Zitat", "code": "Code", "part": "Teil {n}"},
    "es": {"summary": "Lo esencial", "quote": "Cita", "code": "Código", "part": "Parte {n}"},
    "fr": {"summary": "L'essentiel", "quote": "Citation", "code": "Code", "part": "Partie {n}"},
    "it": {"summary": "In sintesi", "quote": "Citazione", "code": "Codice", "part": "Parte {n}"},
    "pt": {"summary": "O essencial", "quote": "Citação", "code": "Código", "part": "Parte {n}"},
    "nl": {"summary": "De kern", "quote": "Citaat", "code": "Code", "part": "Deel {n}"},
    "pl": {"summary": "Najważniejsze", "quote": "Cytat", "code": "Kod", "part": "Część {n}"},
    "tr": {"summary": "Özetle", "quote": "Alıntı", "code": "Kod", "part": "Bölüm {n}"},
    "zh": {"summary": "要点", "quote": "引言", "code": "代码", "part": "第{n}部分"},
    "ja": {"summary": "まとめ", "quote": "引用", "code": "コード", "part": "パート{n}"},
    "ko": {"summary": "핵심 정리", "quote": "인용", "code": "코드", "part": "{n}부"},
    "ar": {"summary": "الخلاصة", "quote": "اقتباس", "code": "الكود", "part": "الجزء {n}"},
    "he": {"summary": "השורה התחתונה", "quote": "ציטוט", "code": "קוד", "part": "חלק {n}"},
    "hi": {"summary": "मुख्य बातें", "quote": "उद्धरण", "code": "कोड", "part": "भाग {n}"},
}
# The offline provider's call to action (it writes Russian and English only).
CTA = {"en": "Save this for later 📌", "ru": "Сохраните, чтобы не потерять 📌"}
CAPTION_CTA = {
    "en": "Save this carousel and share it with someone who codes 📌",
    "ru": "Сохраните карусель и поделитесь с тем, кто пишет код 📌",
}


def request_budget(request: AiContentRequested) -> TextBudget:
    """The text budget for the request's slide size (the default size until requests carry one)."""
    return text_budget(getattr(request, "size", None))


def resolve_language(requested: str | None, *texts: str | None) -> str:
    """The user's choice (``/lang``) when given, else the language *texts* are written in."""
    if requested:
        return requested
    return detect_language(*texts, default="en")


def label(language: str, key: str, **values: object) -> str | None:
    """A label in *language*, or None when the bot does not speak it (nothing English slips in)."""
    table = LABELS.get(language)
    return table[key].format(**values) if table else None


def slots_for(slides_count: int) -> int:
    """How many content slides sit between the cover and the closing slide for *slides_count*."""
    return max(slides_count - 2, 1) if slides_count >= 2 else 0


def topic_title(topic: str, limit: int) -> str:
    topic = re.sub(r"\s+", " ", topic).strip().strip(".!?")
    if topic[:1].islower():
        topic = topic[:1].upper() + topic[1:]
    return shorten(topic, limit)


def closing_slide(summary: str, budget: TextBudget, language: str, *, title: str | None = None,
                  cta: str = "", fallback_title: str = "") -> Slide | None:
    """The closing slide: the summary (whole sentences within the budget) and, when it still fits, the
    call to action on its own line. None when there is nothing to say."""
    summary = fit_text(summary.strip(), budget.body) if summary.strip() else ""
    cta = cta.strip()
    body = f"{summary}\n\n{cta}" if summary and cta and len(summary) + len(cta) + 2 <= budget.body else summary or cta
    if not body:
        return None
    heading = title or label(language, "summary") or fallback_title
    return Slide(type=SlideType.SUMMARY, title=shorten(heading, budget.title) if heading else "✅", content=body,
                 emoji="✅")


# --- hashtags and captions ----------------------------------------------------------------------


def hashtag(phrase: str) -> str | None:
    """``#CamelCase`` for a Latin phrase, ``#словосочетание`` otherwise; None for what cannot be one."""
    parts = words(phrase.lstrip("#"))
    if not parts:
        return None
    if len(parts) == 1:
        tag = parts[0]
    elif all(re.fullmatch(r"[A-Za-z0-9]+", p) for p in parts):
        tag = "".join(p if p.isupper() else p[:1].upper() + p[1:] for p in parts)
    else:
        tag = "".join(p.lower() for p in parts)
    tag = re.sub(r"[^\w]", "", tag)
    if len(tag) < 2 or tag.isdigit() or len(tag) > 30:
        return None
    return "#" + tag


def make_hashtags(phrases: Sequence[str], limit: int = MAX_HASHTAGS) -> list[str]:
    tags = [t for t in (hashtag(p) for p in phrases) if t]
    return unique(tags, key=lambda t: t.lower())[:limit]


def make_caption(title: str, lead: str, hashtags: Sequence[str], *, cta: str = "") -> str:
    """Title, a lead paragraph (whole sentences), the call to action and the hashtags, within the
    album caption's limit (the hashtags and the call to action are kept whole)."""
    tail = ("\n\n" + cta if cta else "") + ("\n\n" + " ".join(hashtags) if hashtags else "")
    room = CAPTION_MAX_CHARS - len(tail) - len(title) - 2
    body = fit_text(lead, room) if lead and room > 40 else ""
    return (title + ("\n\n" + body if body else "") + tail).strip()


def caption_with_hashtags(caption: str, hashtags: Sequence[str]) -> str:
    """A provider's own caption, with the hashtags appended when it does not carry them yet."""
    caption = caption.strip()
    tail = "\n\n" + " ".join(hashtags) if hashtags and not all(h in caption for h in hashtags) else ""
    return fit_text(caption, CAPTION_MAX_CHARS - len(tail)) + tail
