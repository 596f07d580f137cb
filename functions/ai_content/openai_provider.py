"""The OpenAI provider: structured output straight into the content model, with retries and a breaker.

Imported only when an API key is set (the ``openai`` package costs ~400 ms of cold start). Any
OpenAI-compatible server works through ``OPENAI_BASE_URL``. Every failure is turned into an
:class:`OpenAIOutcome` with a ``reason``; nothing here raises for a provider problem, and the
caller falls back to the offline provider.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vibecoder.content import BODY_MAX_CHARS, TITLE_MAX_CHARS, CarouselContent, Concept, Principle, Quote
from vibecoder.events.models import AiContentRequested

from .circuit import CircuitBreaker, breaker_for
from .offline import CAPTION_MAX_CHARS, make_caption, make_hashtags, resolve_language, slots_for, topic_title
from .text import shorten

logger = logging.getLogger(__name__)

# USD per million tokens (input, output). Unknown models cost 0 unless the settings give prices.
PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-5": (1.25, 10.00),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5-nano": (0.05, 0.40),
}
MAX_CODE_LINES = 8
BACKOFF_CAP_S = 8.0


# --- the wire model ---------------------------------------------------------------------------
# The content model itself carries Python defaults (``subtitle: str = ""``, ``language = "en"``),
# and strict structured output rejects ``default`` in a schema on some servers (Azure among them).
# This model mirrors ``CarouselContent`` field for field, with no defaults and with the slide
# budget in each description; ``to_content`` turns it into the content model (a unit test checks
# the two stay in step).


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftPrinciple(_Strict):
    title: str = Field(description=f"A short imperative headline, at most {TITLE_MAX_CHARS} characters.")
    description: str = Field(description=f"One or two plain sentences, at most {BODY_MAX_CHARS} characters.")
    emoji: str | None = Field(description="One emoji that fits the principle.")


class DraftQuote(_Strict):
    text: str = Field(description=f"The exact quote, at most {BODY_MAX_CHARS} characters.")
    author: str | None = Field(description="The real author of the quote; null if the quote is unattributed.")


class DraftConcept(_Strict):
    term: str = Field(description=f"The term, at most {TITLE_MAX_CHARS} characters.")
    definition: str = Field(description=f"A plain definition, at most {BODY_MAX_CHARS} characters.")
    code: str | None = Field(description=f"An optional snippet, at most {MAX_CODE_LINES} short lines; null if none.")


class CarouselDraft(_Strict):
    """What the model returns: the carousel content, field for field."""

    title: str = Field(description=f"The carousel's title, at most {TITLE_MAX_CHARS} characters.")
    subtitle: str = Field(description="A one-sentence hook for the cover, at most 160 characters.")
    emoji: str | None = Field(description="One emoji for the cover.")
    principles: list[DraftPrinciple]
    quotes: list[DraftQuote]
    concepts: list[DraftConcept]
    keywords: list[str] = Field(description="5 to 8 key terms of the topic.")
    summary: str = Field(description=f"The closing slide's takeaway, at most {BODY_MAX_CHARS} characters.")
    caption: str = Field(description="An Instagram caption: 2-3 sentences and a call to action, no hashtags.")
    hashtags: list[str] = Field(description="5 to 8 hashtags, each starting with #.")

    def to_content(self, language: str) -> CarouselContent:
        def code(snippet: str | None) -> str | None:
            if not snippet or not snippet.strip():
                return None
            lines = snippet.strip("\n").splitlines()[:MAX_CODE_LINES]
            return shorten("\n".join(lines), BODY_MAX_CHARS) if len("\n".join(lines)) > BODY_MAX_CHARS else "\n".join(lines)

        return CarouselContent(
            title=shorten(self.title, TITLE_MAX_CHARS),
            subtitle=shorten(self.subtitle, BODY_MAX_CHARS),
            emoji=(self.emoji or None),
            language=language,
            principles=[
                Principle(title=shorten(p.title, TITLE_MAX_CHARS), description=shorten(p.description, BODY_MAX_CHARS),
                          emoji=p.emoji or None)
                for p in self.principles if p.title.strip()
            ],
            quotes=[Quote(text=shorten(q.text, BODY_MAX_CHARS), author=(q.author or None)) for q in self.quotes if q.text.strip()],
            concepts=[
                Concept(term=shorten(c.term, TITLE_MAX_CHARS), definition=shorten(c.definition, BODY_MAX_CHARS), code=code(c.code))
                for c in self.concepts if c.term.strip()
            ],
            keywords=[k.strip() for k in self.keywords if k.strip()][:10],
            summary=shorten(self.summary, BODY_MAX_CHARS),
            caption=self.caption.strip(),
            hashtags=[h.strip() for h in self.hashtags if h.strip()][:10],
        )


# --- prompts ----------------------------------------------------------------------------------


def plan(slides_count: int) -> tuple[int, int, int]:
    """(principles, concepts, quotes) that fill the slides between the cover and the summary."""
    slots = slots_for(slides_count)
    quotes = max(1 if slots >= 3 else 0, slots // 4)
    concepts = max(1 if slots >= 2 else 0, round((slots - quotes) / 3))
    return max(slots - quotes - concepts, 0), concepts, quotes


_SYSTEM = {
    "en": (
        "You write Instagram carousels about software development for the Telegram bot Bible VibeCoder. "
        "Write in English, concretely and practically, for working developers. The carousel has exactly {n} slides: "
        "the cover (title and subtitle), {slots} content slides and a closing summary slide. For the content slides "
        "give exactly {p} principles, {c} concepts and {q} quotes. Budgets, strictly: every title and term at most "
        f"{TITLE_MAX_CHARS} characters; every description, definition, quote and the summary at most {BODY_MAX_CHARS} "
        "characters; code at most {lines} short lines. Quotes must be real and correctly attributed; if you are not "
        "sure of a quote, return fewer quotes rather than invent one. No markdown inside fields."
    ),
    "ru": (
        "Ты пишешь карусели для Instagram о разработке программ для Telegram-бота Bible VibeCoder. "
        "Пиши по-русски, конкретно и практично, для работающих разработчиков. В карусели ровно {n} слайдов: "
        "обложка (заголовок и подзаголовок), {slots} содержательных слайдов и итоговый слайд. Для содержательных "
        "слайдов дай ровно {p} принципов, {c} понятий и {q} цитат. Строгие лимиты: заголовок и термин — не более "
        f"{TITLE_MAX_CHARS} символов; описание, определение, цитата и итог — не более {BODY_MAX_CHARS} символов; "
        "код — не более {lines} коротких строк. Цитаты должны быть настоящими и с верным автором; если не уверен "
        "в цитате, дай меньше цитат, но не выдумывай. Без markdown внутри полей."
    ),
}
_USER_TOPIC = {"en": "Topic: {topic}", "ru": "Тема: {topic}"}
_USER_TEXT = {
    "en": (
        "Structure the following text into the carousel. Use only what the text says: its headings and paragraphs "
        "become slides; add no facts, quotes or examples that are not in it.{topic}\n\n---\n{text}"
    ),
    "ru": (
        "Разложи следующий текст по слайдам карусели. Используй только то, что сказано в тексте: заголовки и абзацы "
        "становятся слайдами; не добавляй фактов, цитат и примеров, которых в нём нет.{topic}\n\n---\n{text}"
    ),
}


def build_messages(request: AiContentRequested, language: str) -> list[dict[str, str]]:
    p, c, q = plan(request.slides_count)
    system = _SYSTEM[language].format(n=request.slides_count, slots=slots_for(request.slides_count), p=p, c=c, q=q,
                                      lines=MAX_CODE_LINES)
    if request.source_text and request.source_text.strip():
        topic = ""
        if request.topic:
            topic = (" Title: " if language == "en" else " Заголовок: ") + request.topic.strip()
        user = _USER_TEXT[language].format(topic=topic, text=request.source_text.strip())
    else:
        user = _USER_TOPIC[language].format(topic=(request.topic or "").strip())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


# --- the call ---------------------------------------------------------------------------------


@dataclass
class OpenAIOutcome:
    result: object | None = None  # a logic.ContentResult on success
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 0
    circuit_open: bool = False


class _Failure(Exception):
    def __init__(self, reason: str, *, retryable: bool, counts: bool = True, retry_after: float | None = None):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.counts = counts  # does it count against the circuit breaker?
        self.retry_after = retry_after


_clients: dict[tuple, openai.OpenAI] = {}
_clients_lock = threading.Lock()


def client_for(settings) -> openai.OpenAI:
    """One client per (key, base URL, timeout) per process: connection reuse across invocations."""
    key = (settings.openai_api_key, settings.openai_base_url, settings.openai_timeout_s)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                api_key=settings.openai_api_key,
                base_url=settings.openai_base_url or None,
                timeout=settings.openai_timeout_s,
                max_retries=0,  # retries are ours: counted, bounded by a deadline, visible in the result
            )
            _clients[key] = client
    return client


def cost_of(model: str, prompt_tokens: int, completion_tokens: int, settings=None) -> float:
    prices = None
    if settings is not None and settings.openai_price_in_per_mtok is not None:
        prices = (settings.openai_price_in_per_mtok, settings.openai_price_out_per_mtok or 0.0)
    if prices is None:
        base = model.split("/")[-1]
        prices = PRICES_PER_MTOK.get(base) or next(
            (v for k, v in sorted(PRICES_PER_MTOK.items(), key=lambda kv: -len(kv[0])) if base.startswith(k + "-")), None
        )
    if prices is None:
        return 0.0
    return round((prompt_tokens * prices[0] + completion_tokens * prices[1]) / 1_000_000, 8)


def _retry_after(exc: openai.APIStatusError) -> float | None:
    try:
        value = exc.response.headers.get("retry-after")
        return float(value) if value else None
    except (AttributeError, ValueError, TypeError):
        return None


def _classify(exc: Exception) -> _Failure:
    if isinstance(exc, openai.APITimeoutError):
        return _Failure("timeout", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return _Failure("connection_error", retryable=True)
    if isinstance(exc, openai.RateLimitError):
        return _Failure("rate_limited", retryable=True, retry_after=_retry_after(exc))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if status >= 500 or status in (408, 409):
            return _Failure(f"server_error_{status}", retryable=True, retry_after=_retry_after(exc))
        return _Failure(f"http_{status}", retryable=False)
    if isinstance(exc, openai.LengthFinishReasonError):
        return _Failure("truncated", retryable=False)
    if isinstance(exc, openai.ContentFilterFinishReasonError):
        return _Failure("content_filter", retryable=False, counts=False)
    if isinstance(exc, ValidationError | ValueError):  # JSON that does not parse or fit the schema
        return _Failure("malformed_response", retryable=True)
    return _Failure(f"error_{type(exc).__name__}", retryable=False)


def _usage(completion) -> tuple[int, int]:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return 0, 0
    return int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)


def run_openai(
    request: AiContentRequested,
    settings,
    *,
    breaker: CircuitBreaker | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> OpenAIOutcome:
    """One request through OpenAI: retries with backoff on 429/5xx/timeouts/malformed output."""
    from .logic import ContentResult  # noqa: PLC0415 - logic imports this module lazily

    breaker = breaker or breaker_for(settings)
    outcome = OpenAIOutcome()
    if not breaker.allow():
        outcome.reason, outcome.circuit_open = "circuit_open", True
        return outcome

    language = resolve_language(request.language, request.source_text, request.topic)
    messages = build_messages(request, language)
    client = client_for(settings)
    started = clock()
    failure: _Failure | None = None
    for attempt in range(settings.openai_max_retries + 1):
        outcome.attempts = attempt + 1
        try:
            completion = client.chat.completions.parse(
                model=settings.openai_model,
                messages=messages,
                response_format=CarouselDraft,
                max_completion_tokens=settings.openai_max_tokens,
            )
            tokens_in, tokens_out = _usage(completion)
            outcome.prompt_tokens += tokens_in
            outcome.completion_tokens += tokens_out
            message = completion.choices[0].message
            if getattr(message, "refusal", None):
                raise _Failure("refusal", retryable=False, counts=False)
            draft = message.parsed
            if draft is None:
                raise _Failure("malformed_response", retryable=True)
            content = draft.to_content(language)
            if not (content.principles or content.concepts):
                raise _Failure("empty_content", retryable=True)
            content = _complete(content, request, language)
            content = _top_up(content, request, settings)
            breaker.record_success()
            outcome.cost_usd = cost_of(settings.openai_model, outcome.prompt_tokens, outcome.completion_tokens, settings)
            outcome.result = ContentResult(
                content=content,
                provider="openai",
                model=getattr(completion, "model", None) or settings.openai_model,
                prompt_tokens=outcome.prompt_tokens,
                completion_tokens=outcome.completion_tokens,
                cost_usd=outcome.cost_usd,
                attempts=outcome.attempts,
            )
            return outcome
        except _Failure as exc:
            failure = exc
        except Exception as exc:  # noqa: BLE001 - classified; nothing escapes
            failure = _classify(exc)
            logger.warning("openai attempt %d failed: %s (%s)", attempt + 1, failure.reason, exc)
        if not failure.retryable or attempt >= settings.openai_max_retries:
            break
        delay = min(BACKOFF_CAP_S, settings.openai_backoff_s * (2**attempt)) * (0.5 + random.random() / 2)  # noqa: S311
        if failure.retry_after is not None:
            delay = max(delay, min(failure.retry_after, BACKOFF_CAP_S))
        if clock() - started + delay + settings.openai_timeout_s > settings.openai_deadline_s:
            break
        sleep(delay)

    assert failure is not None
    if failure.counts:
        state = breaker.record_failure()
        if state.open_until:
            logger.warning("openai circuit opened after %d consecutive failures", state.failures)
    outcome.reason = failure.reason
    outcome.cost_usd = cost_of(settings.openai_model, outcome.prompt_tokens, outcome.completion_tokens, settings)
    return outcome


def _complete(content: CarouselContent, request: AiContentRequested, language: str) -> CarouselContent:
    """Fill what the model left empty (title, caption, hashtags) from the request and the content."""
    update: dict = {}
    if not content.title.strip():
        update["title"] = topic_title(request.topic or (content.keywords[0] if content.keywords else "Carousel"))
    hashtags = [h if h.startswith("#") else f"#{h}" for h in content.hashtags]
    hashtags = make_hashtags([h.lstrip("#") for h in hashtags]) or make_hashtags(content.keywords[:6])
    update["hashtags"] = hashtags
    title = update.get("title", content.title)
    if not content.caption.strip():
        update["caption"] = make_caption(title, content.subtitle or content.summary, hashtags, language)
    elif not any(h in content.caption for h in hashtags):
        tail = "\n\n" + " ".join(hashtags) if hashtags else ""
        update["caption"] = shorten(content.caption, CAPTION_MAX_CHARS - len(tail)) + tail
    else:
        update["caption"] = shorten(content.caption, CAPTION_MAX_CHARS)
    return content.model_copy(update=update)


def _top_up(content: CarouselContent, request: AiContentRequested, settings) -> CarouselContent:
    """When the model returned fewer items than the slides need, add the offline provider's."""
    have = len(content.principles) + len(content.concepts) + len(content.quotes)
    if have >= slots_for(request.slides_count):
        return content
    from .logic import generate_offline  # noqa: PLC0415 - logic imports this module lazily

    extra = generate_offline(request, settings)
    if extra.language != content.language:
        return content
    seen = {shorten(p.title, TITLE_MAX_CHARS).lower() for p in content.principles}
    seen |= {c.term.lower() for c in content.concepts}
    quotes_seen = {q.text.lower() for q in content.quotes}
    return content.model_copy(update={
        "principles": content.principles + [p for p in extra.principles if p.title.lower() not in seen],
        "concepts": content.concepts + [c for c in extra.concepts if c.term.lower() not in seen],
        "quotes": content.quotes + [q for q in extra.quotes if q.text.lower() not in quotes_seen],
    })
