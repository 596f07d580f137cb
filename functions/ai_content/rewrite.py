"""One slide rewritten on the user's instruction ("shorter", "add an example", "make it a question").

Only a model can follow an instruction: without one (no key, or the offline provider chosen) the answer
is an honest ``needs_ai``, and the gateway tells the user what works without it (``Title | body``). The
model answers a small strict schema, within the slide size's text budget, in the carousel's language.
"""

from __future__ import annotations

import json
import logging

from pydantic import BaseModel, ConfigDict, ValidationError

from vibecoder.content import Slide, text_budget
from vibecoder.events.models import SlideRewriteRequested, SlideRewritten

from .text import strip_markdown

logger = logging.getLogger(__name__)

NEEDS_AI = "needs_ai"


class RewrittenSlide(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    body: str


def messages_for(request: SlideRewriteRequested) -> list[dict[str, str]]:
    budget = text_budget(request.size)
    current = request.current
    return [
        {"role": "system", "content": (
            "You edit one slide of an Instagram carousel. Apply the user's instruction to the slide and answer "
            f"JSON {{\"title\": ..., \"body\": ...}} only. The title has at most {budget.title} characters, the "
            f"body at most {budget.body}; plain text, no markdown, no hashtags. Keep the slide's language "
            f"({request.language}) unless the instruction asks for another, and keep it true to the carousel.")},
        {"role": "user", "content": json.dumps({
            "carousel": request.title, "slide": {"title": current.title, "body": current.content},
            "instruction": request.instruction}, ensure_ascii=False)},
    ]


def rewrite_slide(request: SlideRewriteRequested, settings) -> SlideRewritten:
    """The slide as the model rewrote it, or why it was not (never raises for a model failure)."""
    base = dict(request.ref(), edit_id=request.edit_id, slide=request.slide, instruction=request.instruction)
    if settings.provider == "offline" or not settings.openai_api_key:
        return SlideRewritten(**base, provider="offline", failure=NEEDS_AI)
    from .openai_provider import client_for, strict_schema  # noqa: PLC0415 - openai costs ~400 ms to import

    try:
        completion = client_for(settings).chat.completions.create(
            model=settings.openai_model, messages=messages_for(request), max_completion_tokens=600,
            response_format={"type": "json_schema", "json_schema": {
                "name": "slide", "strict": True, "schema": strict_schema(RewrittenSlide)}})
        answer = RewrittenSlide.model_validate_json(completion.choices[0].message.content or "")
    except (ValidationError, ValueError) as error:
        logger.warning("the model's rewrite was not a slide: %s", error)
        return SlideRewritten(**base, provider="openai", failure="ai_failed: malformed_response")
    except Exception as error:  # noqa: BLE001 - timeouts, 429s, 5xx: the slide stays as it is, and the user is told
        logger.warning("the model could not rewrite the slide: %s", error)
        return SlideRewritten(**base, provider="openai", failure=f"ai_failed: {type(error).__name__}")
    title = strip_markdown(answer.title).strip() or request.current.title
    rewritten = Slide(type=request.current.type, title=title, content=strip_markdown(answer.body).strip(),
                      emoji=request.current.emoji)
    return SlideRewritten(**base, rewritten=rewritten, provider="openai", model=getattr(completion, "model", None))
