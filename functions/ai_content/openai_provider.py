"""The OpenAI provider: a carousel in the format the model picks, checked, repaired once, or honestly dropped.

Imported only when an API key is set (the ``openai`` package costs ~400 ms of cold start). Any
OpenAI-compatible server works through ``OPENAI_BASE_URL``:

* the answer is asked for as strict ``json_schema`` structured output; a server that refuses that
  response format gets ``json_object``, then a plain request with the schema in the prompt (the
  working mode is remembered per server and model), and an answer wrapped in a ```json fence or in
  prose is read all the same;
* the model picks the format (list, how-to, myth vs fact, X vs Y, story, principles) and orders the
  slides; its order is kept. The cover is its hook, each slide one idea, the last slide its summary
  and call to action; quotes are optional; every length comes from the renderer's text budget;
* the answer is checked: markdown is stripped; a wrong language, too few slides or fields longer
  than the budget get one repair request (a follow-up turn that says exactly what to fix). After
  it, a field still too long is shortened on sentence boundaries, a short answer becomes an honest
  shorter carousel (never padded with anything else), and a wrong language is a failure;
* failures (timeouts, 429/5xx, malformed or empty answers) are retried with backoff within the
  deadline; a ``Retry-After`` that does not fit the remaining time (or is longer than the backoff
  cap) ends the attempts at once. Every failure becomes an :class:`OpenAIOutcome` with a ``reason``;
  nothing here raises for a provider problem, and the caller falls back, saying why.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import openai
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from vibecoder.content import TITLE_MAX_CHARS, CarouselContent, CarouselFormat, Slide, SlideType, TextBudget
from vibecoder.events.models import AiContentRequested

from .circuit import CircuitBreaker, breaker_for
from .finishing import (
    caption_with_hashtags,
    closing_slide,
    label,
    make_caption,
    make_hashtags,
    request_budget,
    slots_for,
)
from .text import detect_language, fit_text, guess_language, language_scores, strip_markdown

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
BACKOFF_CAP_S = 8.0
CTA_MAX_CHARS = 60
LANGUAGE_NAMES = {
    "en": "English", "ru": "Russian", "uk": "Ukrainian", "de": "German", "es": "Spanish", "fr": "French",
    "it": "Italian", "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "tr": "Turkish", "zh": "Chinese",
    "ja": "Japanese", "ko": "Korean", "ar": "Arabic", "he": "Hebrew", "hi": "Hindi", "th": "Thai", "el": "Greek",
    "ka": "Georgian", "hy": "Armenian", "be": "Belarusian", "kk": "Kazakh", "cs": "Czech", "sv": "Swedish",
}
ModelFormat = Literal["list", "how_to", "myth_vs_fact", "x_vs_y", "story", "principles"]


# --- the wire model ---------------------------------------------------------------------------
# Defaults make parsing lenient (a server without structured output may leave a field out); the
# strict JSON schema sent to the model is derived from these models without them (strict structured
# output rejects ``default`` on some servers, Azure among them), see ``strict_schema``.


class DraftSlide(BaseModel):
    model_config = ConfigDict(extra="ignore")

    kind: Literal["point", "definition", "practice", "quote", "code"] = "point"
    title: str = ""
    body: str = ""
    code: str | None = None
    emoji: str | None = None


class CarouselDraft(BaseModel):
    """What the model returns: the carousel, slide by slide, in its order."""

    model_config = ConfigDict(extra="ignore")

    format: ModelFormat = "principles"
    hook: str = ""
    subtitle: str = ""
    emoji: str | None = None
    slides: list[DraftSlide] = Field(default_factory=list)
    closing_title: str = ""
    summary: str = ""
    cta: str = ""
    caption: str = ""
    hashtags: list[str] = Field(default_factory=list)

    def texts(self) -> list[str]:
        """The prose of the answer (code aside), for the language check."""
        return [self.hook, self.subtitle, *(f"{s.title} {s.body}" for s in self.slides), self.summary, self.cta]

    def cleaned(self) -> CarouselDraft:
        """The same answer without markdown in any prose field (code is left as it is)."""
        def slide(s: DraftSlide) -> DraftSlide:
            return s.model_copy(update={"title": strip_markdown(s.title), "body": strip_markdown(s.body)})

        return self.model_copy(update={
            "hook": strip_markdown(self.hook), "subtitle": strip_markdown(self.subtitle),
            "slides": [slide(s) for s in self.slides if s.title.strip() or s.body.strip() or (s.code or "").strip()],
            "closing_title": strip_markdown(self.closing_title), "summary": strip_markdown(self.summary),
            "cta": strip_markdown(self.cta), "caption": strip_markdown(self.caption),
            "hashtags": [h.strip() for h in self.hashtags if h.strip()],
        })


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """*model*'s JSON schema for strict structured output: every property required, no defaults,
    no extra properties."""
    schema = model.model_json_schema()

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            node.pop("default", None)
            if node.get("type") == "object" and "properties" in node:
                node["required"] = list(node["properties"])
                node["additionalProperties"] = False
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(schema)
    return schema


# --- prompts ----------------------------------------------------------------------------------


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def target_language(request: AiContentRequested) -> str | None:
    """The language the carousel must be in: a pasted text's own; for a topic the user's ``/lang``,
    else the topic's; None when a short topic gives no clue (the model then follows the topic)."""
    if request.source_text and request.source_text.strip():
        return guess_language(request.source_text) or request.language
    return request.language or guess_language(request.topic)


_SYSTEM = """You write Instagram carousels for the Telegram bot Bible VibeCoder: concrete, useful, worth saving.
{language}

Pick the format that fits best and name it in "format":
- list: "7 habits of …", one item a slide;
- how_to: the steps, in the order they are done;
- myth_vs_fact: a common myth as the title ("Myth: …"), the fact that corrects it as the body;
- x_vs_y: a comparison, one aspect a slide;
- story: the problem, what happened, the solution;
- principles: the key ideas of a subject.
The slides follow the format, in your order.

- hook: the cover's headline, a promise or a number in about 8-10 words, not just the topic's name; at most {cover_title} characters. subtitle: one line under it, at most {cover_body} characters.
- slides: exactly {count} content slides, one idea each. title: at most {title} characters. body: plain sentences, at most {body} characters.
  kind "point" for most slides; "definition" for a term; "practice" for something to try; "code" for a snippet (code: at most {lines} lines of at most {width} characters; body empty); "quote" only for a real quote you are sure of (title: its author's real name; body: the exact words, at most {quote} characters). No quote at all is fine.
- closing_title (at most {title} characters), summary (the takeaway, at most {summary} characters) and cta (a short call to action, at most {cta} characters) make the last slide.
- caption: two or three sentences for the post, no hashtags. hashtags: three to six, each starting with #.
No invented statistics, numbers, studies or quotes. No markdown anywhere: no **, no #, no backticks, no bullets."""

_TOPIC = "Topic: {topic}"
_TEXT = (
    "Turn the following text into the carousel. Use only what it says: its headings, lists and paragraphs become "
    "the slides; keep every list item, word for word; add no facts, quotes or examples that are not in it.{title}"
    "\n\n---\n{text}"
)
_JSON_SHAPE = "Answer with one JSON object only, with exactly these fields (JSON Schema):\n{schema}"


def budget_numbers(budget: TextBudget) -> dict[str, int]:
    return {"cover_title": budget.cover_title, "cover_body": budget.cover_body, "title": budget.title,
            "body": budget.body, "quote": budget.quote, "lines": budget.code_lines, "width": budget.code_width,
            "summary": budget.body - CTA_MAX_CHARS - 2, "cta": CTA_MAX_CHARS}


def build_messages(request: AiContentRequested, language: str | None, budget: TextBudget, *,
                   schema_in_prompt: bool = False) -> list[dict[str, str]]:
    if language:
        instruction = f"Write every text field in {language_name(language)}."
    else:
        instruction = "Write every text field in the language the topic is written in (English if you cannot tell)."
    system = _SYSTEM.format(language=instruction, count=max(slots_for(request.slides_count), 1),
                            **budget_numbers(budget))
    if schema_in_prompt:
        system += "\n\n" + _JSON_SHAPE.format(schema=json.dumps(strict_schema(CarouselDraft), ensure_ascii=False))
    if request.source_text and request.source_text.strip():
        title = f" Its title: {request.topic.strip()}." if request.topic and request.topic.strip() else ""
        user = _TEXT.format(title=title, text=request.source_text.strip())
    else:
        user = _TOPIC.format(topic=(request.topic or "").strip())
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


# --- reading and checking an answer -----------------------------------------------------------

_FENCE = re.compile(r"```(?:json|JSON)?\s*(\{.*\})\s*```", re.S)


def parse_answer(content: str | None) -> CarouselDraft:
    """The draft in a model's answer: bare JSON, JSON in a ```json fence, or JSON inside prose.
    Raises ValueError (or ValidationError) when there is none."""
    text = (content or "").strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1)
    elif not text.startswith("{"):
        start, end = text.find("{"), text.rfind("}")
        if start < 0 or end <= start:
            raise ValueError("no JSON object in the answer")
        text = text[start : end + 1]
    return CarouselDraft.model_validate(json.loads(text)).cleaned()


@dataclass
class Problems:
    wrong_language: str | None = None  # the language the answer is in, when it is not the one asked for
    missing: int = 0  # content slides short of what was asked
    overlong: list[tuple[str, int, int]] | None = None  # (field, length, limit)

    def __bool__(self) -> bool:
        return bool(self.wrong_language or self.missing or self.overlong)

    def request(self, language: str | None, wanted: int) -> str:
        """The repair request: exactly what to fix, then the whole answer again."""
        lines = ["Your answer needs one more pass. Fix exactly this and answer with the whole JSON object again:"]
        if self.wrong_language and language:
            lines.append(f"- Write every text field in {language_name(language)}; the answer is in "
                         f"{language_name(self.wrong_language)}.")
        if self.missing:
            lines.append(f"- Give exactly {wanted} content slides: add {self.missing} more that fit the format, "
                         "each a new idea (no repeats, no padding).")
        for name, length, limit in self.overlong or []:
            lines.append(f"- {name} has {length} characters; rewrite it in at most {limit}, same meaning, whole words.")
        return "\n".join(lines)


def answer_language(draft: CarouselDraft) -> str | None:
    """The answer's language, when its prose leaves no doubt (a strong lead over the others)."""
    scores = language_scores(*draft.texts())
    if not scores:
        return None
    best = max(scores, key=lambda lang: scores[lang])
    second = max((v for k, v in scores.items() if k != best), default=0.0)
    return best if scores[best] >= 3 and scores[best] >= 2 * second else None


def check(draft: CarouselDraft, language: str | None, wanted: int, budget: TextBudget) -> Problems:
    problems = Problems(overlong=[])
    found = answer_language(draft)
    if language and found and found != language:
        problems.wrong_language = found
    problems.missing = max(0, wanted - len(draft.slides))
    limits = budget_numbers(budget)
    fields = [("hook", draft.hook, budget.cover_title), ("subtitle", draft.subtitle, budget.cover_body),
              ("closing_title", draft.closing_title, budget.title), ("summary", draft.summary, limits["summary"]),
              ("cta", draft.cta, CTA_MAX_CHARS)]
    for i, s in enumerate(draft.slides):
        fields.append((f"slides[{i}].title", s.title, budget.title))
        fields.append((f"slides[{i}].body", s.body, budget.quote if s.kind == "quote" else budget.body))
        if s.code and len(s.code.strip("\n").splitlines()) > budget.code_lines:
            problems.overlong.append((f"slides[{i}].code (lines)", len(s.code.strip("\n").splitlines()), budget.code_lines))
    problems.overlong += [(name, len(value), limit) for name, value, limit in fields if len(value) > limit]
    return problems


def to_content(draft: CarouselDraft, language: str, wanted: int, budget: TextBudget, topic: str | None) -> CarouselContent:
    """The content model from a checked draft: the model's slides in its order (at most *wanted*),
    every field within its budget (whole sentences; see ``fit_text``)."""
    slides: list[Slide] = []
    for s in draft.slides[:wanted]:
        if s.kind == "code":
            code = "\n".join((s.code or s.body).strip("\n").splitlines()[: budget.code_lines])
            if code.strip():
                slides.append(Slide(type=SlideType.CODE, title=fit_text(s.title or label(language, "code") or "</>",
                                                                         TITLE_MAX_CHARS), content=code, emoji=s.emoji or "💻"))
            continue
        kind = {"point": SlideType.PRINCIPLE, "definition": SlideType.CONCEPT, "practice": SlideType.PRACTICE,
                "quote": SlideType.QUOTE}[s.kind]
        title = s.title or (label(language, "quote") if kind is SlideType.QUOTE else "") or ""
        body = fit_text(s.body, budget.quote if kind is SlideType.QUOTE else budget.body)
        if not title.strip():
            continue
        slides.append(Slide(type=kind, title=fit_text(title, TITLE_MAX_CHARS), content=body, emoji=s.emoji))
    hook = draft.hook.strip() or (topic or "").strip() or (slides[0].title if slides else "✨")
    closing = closing_slide(draft.summary, budget, language, title=draft.closing_title.strip() or None,
                            cta=fit_text(draft.cta, CTA_MAX_CHARS), fallback_title=hook)
    if closing is not None and wanted >= 1 and len(slides) >= 1:
        slides.append(closing)
    hashtags = make_hashtags(draft.hashtags)
    caption = caption_with_hashtags(draft.caption, hashtags) if draft.caption.strip() else \
        make_caption(hook, draft.subtitle or draft.summary, hashtags)
    return CarouselContent(
        title=fit_text(hook, TITLE_MAX_CHARS),
        subtitle=fit_text(draft.subtitle, budget.cover_body),
        emoji=draft.emoji or None,
        language=language,
        format=CarouselFormat(draft.format),
        slides=slides,
        keywords=[h.lstrip("#") for h in hashtags],
        caption=caption,
        hashtags=hashtags,
    )


# --- the call ---------------------------------------------------------------------------------


@dataclass
class OpenAIOutcome:
    content: CarouselContent | None = None  # on success; else ``reason`` says why not
    model: str | None = None  # the model that answered
    reason: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    attempts: int = 0
    circuit_open: bool = False


class _Failure(Exception):
    def __init__(self, reason: str, *, retryable: bool, counts: bool = True, retry_after: float | None = None,
                 unsupported_format: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        self.counts = counts  # does it count against the circuit breaker?
        self.retry_after = retry_after
        self.unsupported_format = unsupported_format  # the server refused the response_format


_clients: dict[tuple, openai.OpenAI] = {}
_clients_lock = threading.Lock()
RESPONSE_FORMATS = ("json_schema", "json_object", "prompt")
_format_for: dict[tuple, str] = {}  # (base URL, model) → the response format that server accepts


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


def _refuses_format(exc: openai.APIStatusError) -> bool:
    """A 400/415/422 that names the response format: the server does not support it."""
    text = str(getattr(exc, "message", "") or exc).lower()
    return exc.status_code in (400, 415, 422) and any(w in text for w in ("response_format", "json_schema", "json_object"))


def _classify(exc: Exception) -> _Failure:
    if isinstance(exc, openai.APITimeoutError):
        return _Failure("timeout", retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return _Failure("connection_error", retryable=True)
    if isinstance(exc, openai.RateLimitError):
        return _Failure("rate_limited", retryable=True, retry_after=_retry_after(exc))
    if isinstance(exc, openai.APIStatusError):
        status = exc.status_code
        if _refuses_format(exc):
            return _Failure(f"http_{status}", retryable=True, counts=False, unsupported_format=True)
        if status >= 500 or status in (408, 409):
            return _Failure(f"server_error_{status}", retryable=True, retry_after=_retry_after(exc))
        return _Failure(f"http_{status}", retryable=False)
    if isinstance(exc, ValidationError | ValueError):  # JSON that does not parse or fit the schema
        return _Failure("malformed_response", retryable=True)
    return _Failure(f"error_{type(exc).__name__}", retryable=False)


def _usage(completion) -> tuple[int, int]:
    usage = getattr(completion, "usage", None)
    if usage is None:
        return 0, 0
    return int(usage.prompt_tokens or 0), int(usage.completion_tokens or 0)


class _Conversation:
    """The calls of one request: the response format that works, tokens, attempts."""

    def __init__(self, request: AiContentRequested, settings, language: str | None, budget: TextBudget,
                 outcome: OpenAIOutcome):
        self.settings = settings
        self.client = client_for(settings)
        self.server = (settings.openai_base_url or "", settings.openai_model)
        self.request, self.language, self.budget, self.outcome = request, language, budget, outcome
        self.model: str | None = None

    @property
    def response_format(self) -> str:
        return _format_for.get(self.server, RESPONSE_FORMATS[0])

    def messages(self) -> list[dict[str, str]]:
        return build_messages(self.request, self.language, self.budget,
                              schema_in_prompt=self.response_format != "json_schema")

    def ask(self, messages: list[dict[str, str]]) -> tuple[str, CarouselDraft]:
        """One call; the raw answer and its draft. Raises :class:`_Failure`; a refused response
        format moves this server to the next one and raises a retryable failure."""
        mode = self.response_format
        params: dict[str, Any] = {"model": self.settings.openai_model, "messages": messages,
                                  "max_completion_tokens": self.settings.openai_max_tokens}
        if mode == "json_schema":
            params["response_format"] = {"type": "json_schema", "json_schema": {
                "name": "carousel", "strict": True, "schema": strict_schema(CarouselDraft)}}
        elif mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        self.outcome.attempts += 1
        try:
            completion = self.client.chat.completions.create(**params)
        except Exception as exc:  # noqa: BLE001 - classified below
            failure = _classify(exc)
            if failure.unsupported_format and mode != RESPONSE_FORMATS[-1]:
                _format_for[self.server] = RESPONSE_FORMATS[RESPONSE_FORMATS.index(mode) + 1]
                logger.warning("the server refused response_format %s; trying %s", mode, _format_for[self.server])
            raise failure from exc
        tokens_in, tokens_out = _usage(completion)
        self.outcome.prompt_tokens += tokens_in
        self.outcome.completion_tokens += tokens_out
        self.model = getattr(completion, "model", None) or self.model
        choice = completion.choices[0]
        if getattr(choice.message, "refusal", None):
            raise _Failure("refusal", retryable=False, counts=False)
        if choice.finish_reason == "content_filter":
            raise _Failure("content_filter", retryable=False, counts=False)
        raw = choice.message.content or ""
        try:
            return raw, parse_answer(raw)
        except (ValueError, ValidationError) as exc:
            reason = "truncated" if choice.finish_reason == "length" else "malformed_response"
            raise _Failure(reason, retryable=reason != "truncated") from exc


def run_openai(
    request: AiContentRequested,
    settings,
    *,
    budget: TextBudget | None = None,
    breaker: CircuitBreaker | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> OpenAIOutcome:
    """One request through OpenAI (see the module docstring)."""
    budget = budget or request_budget(request)
    breaker = breaker or breaker_for(settings)
    outcome = OpenAIOutcome()
    if not breaker.allow():
        outcome.reason, outcome.circuit_open = "circuit_open", True
        return outcome

    language = target_language(request)
    wanted = max(slots_for(request.slides_count), 1)
    talk = _Conversation(request, settings, language, budget, outcome)
    started = clock()

    def time_left() -> float:
        return settings.openai_deadline_s - (clock() - started)

    answer = _first_answer(talk, sleep, time_left)
    if isinstance(answer, _Failure):
        return _given_up(outcome, answer, breaker, settings)
    messages, raw, draft = answer
    problems = check(draft, language, wanted, budget)
    if problems and settings.openai_timeout_s <= time_left():
        draft, problems = _repaired(talk, messages, raw, draft, problems, wanted)
    breaker.record_success()  # the server answered; what the answer is worth is decided below
    outcome.cost_usd = cost_of(settings.openai_model, outcome.prompt_tokens, outcome.completion_tokens, settings)
    return _accepted(talk, draft, problems, wanted)


def _first_answer(talk: _Conversation, sleep: Callable[[float], None],
                  time_left: Callable[[], float]) -> tuple[list[dict[str, str]], str, CarouselDraft] | _Failure:
    """The first answer with slides (its messages, raw text and draft), asked again with backoff
    while the failures allow it; else the last failure."""
    retries = 0
    while True:
        messages = talk.messages()
        mode = talk.response_format
        try:
            raw, draft = talk.ask(messages)
            if not draft.slides:
                raise _Failure("empty_content", retryable=True)
            return messages, raw, draft
        except _Failure as exc:
            failure = exc
            if exc.reason not in ("malformed_response",):
                logger.warning("openai attempt %d failed: %s", talk.outcome.attempts, exc.reason)
        if failure.unsupported_format and talk.response_format != mode:
            continue  # the next response format, at once (not a retry: the server said what it takes)
        delay = _retry_delay(failure, retries, talk.settings, time_left)
        if delay is None:
            return failure
        retries += 1
        sleep(delay)


def _retry_delay(failure: _Failure, retries: int, settings, time_left: Callable[[], float]) -> float | None:
    """The wait before the next attempt (jittered exponential backoff, at least the server's
    ``Retry-After``); None when there is no next attempt: the failure is final, the retries are
    spent, or the wait and one more call do not fit the deadline."""
    if not failure.retryable or retries >= settings.openai_max_retries:
        return None
    delay = min(BACKOFF_CAP_S, settings.openai_backoff_s * (2**retries)) * (0.5 + random.random() / 2)  # noqa: S311
    if failure.retry_after is not None:
        if failure.retry_after > BACKOFF_CAP_S or failure.retry_after + settings.openai_timeout_s > time_left():
            return None  # the server asks for longer than this request can wait: fall back now
        delay = max(delay, failure.retry_after)
    if delay + settings.openai_timeout_s > time_left():
        return None
    return delay


def _given_up(outcome: OpenAIOutcome, failure: _Failure, breaker: CircuitBreaker, settings) -> OpenAIOutcome:
    """The outcome of a request that got no answer: the failure's reason, counted by the breaker."""
    if failure.counts:
        state = breaker.record_failure()
        if state.open_until:
            logger.warning("openai circuit opened after %d consecutive failures", state.failures)
    outcome.reason = failure.reason
    outcome.cost_usd = cost_of(settings.openai_model, outcome.prompt_tokens, outcome.completion_tokens, settings)
    return outcome


def _repaired(talk: _Conversation, messages: list[dict[str, str]], raw: str, draft: CarouselDraft,
              problems: Problems, wanted: int) -> tuple[CarouselDraft, Problems]:
    """The draft after one repair turn (the answer, then exactly what to fix) and its problems. The
    repaired answer is kept only when it is no worse: no fewer slides (up to *wanted*), and not in a
    wrong language the first answer was not in."""
    repair = [*messages, {"role": "assistant", "content": raw},
              {"role": "user", "content": problems.request(talk.language, wanted)}]
    try:
        _, repaired = talk.ask(repair)
    except _Failure as exc:
        logger.warning("openai repair request failed: %s; keeping the first answer", exc.reason)
        return draft, problems
    fixed = check(repaired, talk.language, wanted, talk.budget)
    no_worse = len(repaired.slides) >= min(len(draft.slides), wanted)
    if no_worse and not (fixed.wrong_language and not problems.wrong_language):
        return repaired, fixed
    return draft, problems


def _accepted(talk: _Conversation, draft: CarouselDraft, problems: Problems, wanted: int) -> OpenAIOutcome:
    """The outcome of an answered request: its content, unless it is still in the wrong language."""
    outcome, language = talk.outcome, talk.language
    if problems.wrong_language:
        outcome.reason = "wrong_language"
        logger.warning("openai answered in %s instead of %s, after a repair request", problems.wrong_language, language)
        return outcome
    content_language = language or answer_language(draft) or detect_language(*draft.texts(), default="en")
    outcome.content = to_content(draft, content_language, wanted, talk.budget, talk.request.topic)
    outcome.model = talk.model or talk.settings.openai_model
    return outcome
