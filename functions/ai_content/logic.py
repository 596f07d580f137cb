"""ai-content's logic: a request in, structured carousel content (or an honest "not covered") out.

``generate_content`` picks the provider: OpenAI when a key is set and the circuit is closed; else
the offline ones: a pasted text is structured extractively (provider ``text``), a topic is looked
up in the knowledge notes (provider ``offline``). It never raises for a provider failure: it falls
back and says why in ``fallback_reason``. A topic the notes do not cover ends with ``failure``
``topic_not_covered…`` and no content, and the subjects they do cover, for the user.
"""

from __future__ import annotations

import logging
import os
import time
from collections import Counter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vibecoder.content import CarouselContent
from vibecoder.events.catalog import FollowUp
from vibecoder.events.envelope import EventEnvelope
from vibecoder.events.models import AiAnalysisCompleted, AiContentRequested, CarouselContentAnalyzed
from vibecoder.settings import resolve_secret

from . import knowledge
from .extractive import content_from_text, is_short_text
from .finishing import request_budget
from .topic import NotCovered, content_from_topic

logger = logging.getLogger(__name__)

SERVICE = "ai-content"
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


class ContentSettings(BaseModel):
    """Everything ai-content reads from its environment (see :meth:`from_env`)."""

    model_config = ConfigDict(frozen=True)

    provider: Literal["auto", "offline", "openai"] = "auto"
    openai_api_key: str | None = None
    openai_base_url: str | None = None
    openai_model: str = DEFAULT_OPENAI_MODEL
    openai_timeout_s: float = 30.0  # per attempt (a 10-slide answer takes 10-20 s to generate)
    openai_max_retries: int = 2  # retries after the first attempt, on 429/5xx/timeouts
    openai_deadline_s: float = 50.0  # no retry starts unless it can finish (timeout included) by then
    openai_backoff_s: float = 0.5  # first retry delay; doubles, with jitter, capped at 8 s
    openai_max_tokens: int = 2500
    openai_price_in_per_mtok: float | None = None  # USD per million tokens; None: the built-in table
    openai_price_out_per_mtok: float | None = None
    knowledge_dirs: tuple[str, ...] = ()
    knowledge_s3_uri: str | None = None
    include_bundled_knowledge: bool = True
    circuit_table: str | None = None  # DynamoDB table for the shared breaker; in-memory when None
    circuit_failure_threshold: int = Field(default=3, ge=1)
    circuit_cooldown_s: float = 300.0

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ContentSettings:
        env = os.environ if environ is None else environ
        values: dict = {
            "provider": env.get("CONTENT_PROVIDER", "auto") or "auto",
            "openai_api_key": _openai_key(env),
            "openai_base_url": env.get("OPENAI_BASE_URL") or None,
            "openai_model": env.get("OPENAI_MODEL") or DEFAULT_OPENAI_MODEL,
            "knowledge_dirs": tuple(p for p in env.get("KNOWLEDGE_DIR", "").split(os.pathsep) if p.strip()),
            "knowledge_s3_uri": env.get("KNOWLEDGE_S3_URI") or None,
            "include_bundled_knowledge": env.get("KNOWLEDGE_BUNDLED", "1").lower() not in ("0", "false", "no"),
            "circuit_table": env.get("CIRCUIT_TABLE") or None,
        }
        for key, name in (
            ("openai_timeout_s", "OPENAI_TIMEOUT_S"),
            ("openai_max_retries", "OPENAI_MAX_RETRIES"),
            ("openai_deadline_s", "OPENAI_DEADLINE_S"),
            ("openai_backoff_s", "OPENAI_BACKOFF_S"),
            ("openai_max_tokens", "OPENAI_MAX_TOKENS"),
            ("openai_price_in_per_mtok", "OPENAI_PRICE_IN_PER_MTOK"),
            ("openai_price_out_per_mtok", "OPENAI_PRICE_OUT_PER_MTOK"),
            ("circuit_failure_threshold", "CIRCUIT_FAILURE_THRESHOLD"),
            ("circuit_cooldown_s", "CIRCUIT_COOLDOWN_S"),
        ):
            if env.get(name):
                values[key] = env[name]
        return cls.model_validate(values)

    def knowledge_sources(self) -> list[knowledge.KnowledgeSource]:
        return knowledge.sources_from_settings(
            self.knowledge_dirs, include_bundled=self.include_bundled_knowledge, s3_uri=self.knowledge_s3_uri
        )


def _openai_key(env) -> str | None:
    """The OpenAI key, or None (offline content) when Secrets Manager cannot give it: an outage of it
    must not take ai-content down (at init this would be an import error on every cold start)."""
    try:
        return resolve_secret("OPENAI_API_KEY", env)
    except Exception as error:  # noqa: BLE001 - denied, throttled, unreachable: all mean "no key for now"
        logger.warning("OPENAI_API_KEY unavailable, offline content for now (%s: %s)", type(error).__name__, error)
        unavailable_secrets["OPENAI_API_KEY"] += 1
        return None


unavailable_secrets: Counter[str] = Counter()  # failed reads since the handler last reported them


class ContentResult(BaseModel):
    content: CarouselContent | None  # None when the request cannot be served (see ``failure``)
    provider: str  # "openai" | "offline" (the knowledge notes) | "text" (a pasted text, extractively)
    model: str | None = None
    prompt_tokens: int = 0
    completion_tokens: int = 0
    duration_ms: float = 0.0
    fallback_reason: str | None = None  # why OpenAI was not used although configured
    cost_usd: float = 0.0
    attempts: int = 0  # OpenAI calls made (retries and repair requests included)
    circuit_open: bool = False
    failure: str | None = None  # "topic_not_covered…": no carousel, and why
    covered_subjects: list[str] = Field(default_factory=list)  # what the offline notes can write about


def warm_up(settings: ContentSettings | None = None) -> float:
    """Build the knowledge index (and import openai when a key is set); return the time taken in ms.

    Call it at module level in the handler: Lambda's init phase runs at full CPU and is not
    part of the first request's latency.
    """
    settings = settings or ContentSettings.from_env()
    started = time.perf_counter()
    knowledge_index(settings)
    if settings.openai_api_key and settings.provider != "offline":
        from . import openai_provider  # noqa: F401, PLC0415 - pay the ~400 ms import during init, not on a request
    return round((time.perf_counter() - started) * 1000, 2)


def knowledge_index(settings: ContentSettings | None = None) -> knowledge.KnowledgeIndex:
    """The process-wide knowledge index for *settings* (built on first use)."""
    settings = settings or ContentSettings.from_env()
    return knowledge.get_index(settings.knowledge_sources())


def generate_offline(request: AiContentRequested, settings: ContentSettings) -> tuple[str, CarouselContent | NotCovered]:
    """(provider, content) without a model: extractive structure for a pasted text ("text"), the
    knowledge notes for a topic ("offline"; :class:`NotCovered` when they do not cover it).

    A pasted "text" of a single sentence with no topic is treated as the topic: there is nothing
    to structure.
    """
    budget = request_budget(request)
    text = (request.source_text or "").strip()
    if text and not (not request.topic and is_short_text(text)):
        return "text", content_from_text(text, topic=request.topic, language=request.language,
                                         slides_count=request.slides_count, budget=budget)
    return "offline", content_from_topic(text if text else request.topic or "", language=request.language,
                                         slides_count=request.slides_count, index=knowledge_index(settings),
                                         budget=budget)


def generate_content(request: AiContentRequested, *, settings: ContentSettings | None = None) -> ContentResult:
    """Structured content for *request*. Never raises because a provider failed."""
    settings = settings or ContentSettings.from_env()
    started = time.perf_counter()
    fallback_reason: str | None = None
    usage = None
    wants_openai = settings.provider == "openai" or (settings.provider == "auto" and settings.openai_api_key)
    if wants_openai:
        if not settings.openai_api_key:
            fallback_reason = "openai_not_configured"
        else:
            try:
                from .openai_provider import run_openai  # noqa: PLC0415 - openai costs ~400 ms to import

                outcome = run_openai(request, settings)
            except Exception as exc:  # noqa: BLE001 - a provider bug must not lose the request
                logger.exception("openai provider crashed")
                fallback_reason = f"provider_error: {type(exc).__name__}"
            else:
                if outcome.content is not None:
                    return ContentResult(
                        content=outcome.content, provider="openai", model=outcome.model,
                        prompt_tokens=outcome.prompt_tokens, completion_tokens=outcome.completion_tokens,
                        cost_usd=outcome.cost_usd, attempts=outcome.attempts,
                        duration_ms=round((time.perf_counter() - started) * 1000, 2),
                    )
                fallback_reason = outcome.reason
                usage = outcome
    provider, content = generate_offline(request, settings)
    if isinstance(content, NotCovered):
        result = ContentResult(content=None, provider=provider, fallback_reason=fallback_reason,
                               failure=content.reason, covered_subjects=content.subjects)
    else:
        result = ContentResult(content=content, provider=provider, fallback_reason=fallback_reason)
    if usage is not None:
        result.prompt_tokens, result.completion_tokens = usage.prompt_tokens, usage.completion_tokens
        result.cost_usd, result.attempts, result.circuit_open = usage.cost_usd, usage.attempts, usage.circuit_open
    if fallback_reason:
        logger.warning("openai unavailable, %s content used: %s", provider, fallback_reason)
    result.duration_ms = round((time.perf_counter() - started) * 1000, 2)
    return result


def handle(event: EventEnvelope) -> list[FollowUp]:
    """The content for one request (or why there is none), and what producing it took; or one slide
    rewritten on the user's instruction."""
    if event.type == "ai.slide.rewrite.requested":
        from .rewrite import rewrite_slide  # noqa: PLC0415 - edits are rare; keep the content path's imports

        return [FollowUp("carousel.slide.rewritten", rewrite_slide(event.data, ContentSettings.from_env()))]
    request: AiContentRequested = event.data
    result = generate_content(request)
    ref = request.ref()
    provenance = {"provider": result.provider, "fallbackReason": result.fallback_reason,
                  "circuitOpen": result.circuit_open}
    analyzed = CarouselContentAnalyzed(
        **ref, content=result.content, slides_count=request.slides_count, style=request.style,
        provider=result.provider, model=result.model, fallback_reason=result.fallback_reason,
        failure=result.failure, covered_subjects=result.covered_subjects, language=request.language,
    )
    completed = AiAnalysisCompleted(**ref, **result.model_dump(exclude={"content", "covered_subjects"}))  # same names
    return [FollowUp("carousel.content.analyzed", analyzed, metadata=provenance),
            FollowUp("ai.analysis.completed", completed, metadata=provenance)]
