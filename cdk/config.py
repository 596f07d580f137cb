"""What each function needs: memory and timeout (with the reason), and what it may touch.

The access map is least privilege written down from the code (functions/*/handler.py, logic.py and
the repositories they use); ``tests/infra`` checks the synthesized policies against its own copy.
A new service adds one entry here (the catalog gives its triggers and subscriptions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Where the renderer writes slides ("<prefix>/<request id>/slide-NN.<ext>"): the only S3 prefix granted.
from vibecoder.slides import SLIDES_PREFIX as SLIDES_PREFIX

# Operators extend ai-content's knowledge base by uploading markdown here, in the slides bucket (never expires).
KNOWLEDGE_PREFIX = "knowledge"

METRICS_NAMESPACE = "BibleVibeCoder"
PYTHON_VERSION = "3.12"

READ, WRITE, READ_WRITE, DELETE = "read", "write", "read-write", "delete"

# DynamoDB actions per access level; queries are granted on the table and each of its indexes.
TABLE_ACTIONS = {
    READ: ("dynamodb:GetItem", "dynamodb:Query"),
    WRITE: ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"),
}
TABLE_ACTIONS[READ_WRITE] = TABLE_ACTIONS[READ] + TABLE_ACTIONS[WRITE]
SLIDES_ACTIONS = {READ: ("s3:GetObject",), WRITE: ("s3:PutObject",), DELETE: ("s3:DeleteObject",)}


@dataclass(frozen=True)
class FunctionSpec:
    memory_mb: int
    timeout_seconds: int
    why: str  # the reason for memory and timeout (docs/operations.md repeats it)
    tables: dict[str, str] = field(default_factory=dict)  # TABLES key → READ | WRITE | READ_WRITE
    slides: tuple[str, ...] = ()  # READ, WRITE, DELETE on s3://<slides bucket>/SLIDES_PREFIX/*
    secrets: tuple[str, ...] = ()  # keys of Secrets.SPECS
    health_checks: bool = False  # DescribeTable on every table, HeadBucket, DescribeEventBus
    reads_dead_letters: bool = False  # GetQueueAttributes on every DLQ (GET /stats)
    reads_knowledge: bool = False  # List/Get s3://<slides bucket>/KNOWLEDGE_PREFIX/ (extra knowledge-base notes)
    table_env: dict[str, str] = field(default_factory=dict)  # extra env var → TABLES key (in ``tables``)


IDEMPOTENT = {"idempotency": READ_WRITE}  # Powertools Idempotency: Get/Put/Update/DeleteItem

FUNCTIONS: dict[str, FunctionSpec] = {
    "telegram-gateway": FunctionSpec(
        512, 25,
        "Answers Telegram within its webhook timeout: 512 MB buys the CPU for a ~0.4 s cold start "
        "(Powertools, pydantic, requests); 25 s stays under API Gateway's 29 s integration limit and "
        "leaves room for one Bot API retry of the immediate 'Generating…' reply.",
        # users: profile and preferences; carousels: create, /history (byUser), restyle/resend a carousel;
        # analytics: the per-user hourly rate limit (a conditional counter update).
        tables={"users": READ_WRITE, "carousels": READ_WRITE, "analytics": WRITE, **IDEMPOTENT},
        secrets=("telegram_bot_token", "telegram_webhook_secret"),
    ),
    "api": FunctionSpec(
        512, 20,
        "Interactive HTTP: 512 MB for a fast cold start; /health makes seven sequential AWS calls and "
        "/stats pages through two indexes, 20 s is far above both and under API Gateway's 29 s.",
        tables={"carousels": READ_WRITE, "events": READ},
        slides=(READ,),  # presigned GET URLs are signed with this role
        health_checks=True,
        reads_dead_letters=True,
    ),
    "carousel-generator": FunctionSpec(
        256, 30,
        "A saga step: a few DynamoDB calls and a PutEvents, no heavy imports; 256 MB is enough and "
        "30 s covers DynamoDB/EventBridge retries.",
        tables={"carousels": READ_WRITE, **IDEMPOTENT},
    ),
    "ai-content": FunctionSpec(
        512, 90,
        "Waits on OpenAI (30 s per attempt, no retry started past its 50 s deadline) and falls back to the "
        "offline knowledge base; openai imports in ~0.4 s and BM25 over the notes is CPU work, so 512 MB. "
        "90 s = the 50 s deadline plus a last attempt's tail and the offline fallback.",
        # analytics (pk/sk) holds the circuit breaker's state, shared by all concurrent instances.
        tables={"analytics": READ_WRITE, **IDEMPOTENT},
        secrets=("openai_api_key",),
        table_env={"CIRCUIT_TABLE": "analytics"},
        reads_knowledge=True,
    ),
    "image-renderer": FunctionSpec(
        1769, 60,
        "CPU-bound Pillow rendering: 1769 MB is exactly one full vCPU (the renderer is single-threaded, "
        "more memory only adds a second vCPU it would not use); 60 s covers a cold start that loads "
        "13 MB of fonts plus ten S3 uploads.",
        tables=dict(IDEMPOTENT),
        slides=(WRITE,),
    ),
    "telegram-sender": FunctionSpec(
        512, 90,
        "Downloads up to ten slides from S3 and uploads them to Telegram as one album; network-bound, "
        "and the Bot API may ask to wait (retry_after up to 30 s) before a retry: 90 s.",
        # carousels: reads the carousel, records each delivery step; users: the user's language
        tables={"carousels": READ_WRITE, "users": READ, **IDEMPOTENT},
        slides=(READ,),
        secrets=("telegram_bot_token",),
    ),
    "data-persistence": FunctionSpec(
        256, 15,
        "Two or three DynamoDB writes per event: 256 MB, 15 s.",
        tables={"users": READ_WRITE, **IDEMPOTENT},
    ),
    "analytics": FunctionSpec(
        256, 15,
        "Counter updates and EMF metrics: 256 MB, 15 s.",
        tables={"analytics": READ_WRITE, **IDEMPOTENT},
    ),
    "event-orchestrator": FunctionSpec(
        256, 60,
        "Audits every event (one write each); every 5 minutes it sweeps stuck requests through the "
        "byStatus index and health-checks the dependencies: 60 s bounds the sweep.",
        tables={"events": READ_WRITE, "carousels": READ_WRITE},  # audit writes are idempotent by key
        slides=(DELETE,),  # removes a failed request's slides (lists them through the health-check ListBucket)
        health_checks=True,
    ),
}
