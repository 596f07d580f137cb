"""Turn structured carousel content into the slides the renderer draws, as the provider ordered them.

``build_slides(content, n)``: the cover (the title, the subtitle and the content's emoji), then the
content's own slides in their order, ending with its closing slide when it has one. The provider
decides what is said and how many content slides it takes (it was asked for ``n``; a pasted text's
list items may need more, a short answer gives fewer): an honest shorter carousel, never padded.
With ``n`` of 1 only the cover is kept, with 2 the cover and the first content slide.

What is checked here, whatever the provider: no slide without a title, no two slides alike (the
same title and body, or the same body), no body that merely repeats its title, and every field
within the hard limits (``TITLE_MAX_CHARS``, ``BODY_MAX_CHARS``: what the renderer fits at its
smallest size); a provider keeps to the far smaller text budgets itself, so these cuts are a last
resort (prose on a word boundary with an ellipsis, code by whole lines).
"""

from __future__ import annotations

import re

from vibecoder.content import BODY_MAX_CHARS, MAX_SLIDES, TITLE_MAX_CHARS, CarouselContent, Slide, SlideType

ELLIPSIS = "…"


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


def _within_limits(slide: Slide) -> Slide:
    body = shorten_code(slide.content) if slide.type is SlideType.CODE else shorten(slide.content, BODY_MAX_CHARS)
    return slide.model_copy(update={"title": shorten(slide.title, TITLE_MAX_CHARS), "content": body})


def _distinct(slides: list[Slide]) -> list[Slide]:
    """The slides without repeats: a body equal to its title is dropped (the title stays), then any
    slide with the same title and body, or the same non-empty body, as an earlier one."""
    out: list[Slide] = []
    pairs: set[tuple[str, str]] = set()
    bodies: set[str] = set()
    for slide in slides:
        if not slide.title.strip():
            continue
        if slide.content.strip() and _key(slide.content) == _key(slide.title):
            slide = slide.model_copy(update={"content": ""})
        title, body = _key(slide.title), _key(slide.content)
        if (title, body) in pairs or (body and body in bodies):
            continue
        pairs.add((title, body))
        if body:
            bodies.add(body)
        out.append(slide)
    return out


def build_slides(content: CarouselContent, slides_count: int) -> list[Slide]:
    """The cover, then the content's slides in order (see the module docstring); at least one slide."""
    cover = Slide(type=SlideType.COVER, title=content.title.strip() or "✨", content=content.subtitle,
                  emoji=content.emoji)
    slides = _distinct([_within_limits(cover), *(_within_limits(s) for s in content.slides)])
    cover, body = slides[0], slides[1:]
    if slides_count <= 1:
        return [cover]
    middle = [s for s in body if s.type is not SlideType.SUMMARY]
    closing = [s for s in body if s.type is SlideType.SUMMARY][-1:]
    if slides_count == 2:
        return [cover, *(middle or closing)[:1]]
    return [cover, *middle[: MAX_SLIDES - 1 - len(closing)], *closing]
