"""What each function needs: memory and timeout (with the reason), and what it may touch.

The access map is least privilege written down from the code (functions/*/handler.py, logic.py and
the repositories they use); ``tests/infra`` checks the synthesized policies against its own copy.
A new service adds one entry here (the catalog gives its triggers and subscriptions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Where the renderer writes slides ("<prefix>/<request id>/slide-NN.<ext>"): the only S3 prefix granted.
from vibecoder.slides import BRAND_PREFIX as BRAND_PREFIX
from vibecoder.slides import SLIDES_PREFIX as SLIDES_PREFIX

# Operators extend ai-content's knowledge base by uploading markdown here, in the slides bucket (never expires).
KNOWLEDGE_PREFIX = "knowledge"

METRICS_NAMESPACE = "BibleVibeCoder"
PYTHON_VERSION = "3.12"

# DynamoDB item actions, granted per table as the function's code calls them (the repository methods
# in vibecoder/repositories/ map onto them: get → GetItem, create/claim/append → PutItem, update/touch/
# add_history/increment… → UpdateItem, list/counters/services_seen → Query, the records an index of keys
# listed (list_by_user, list_by_status, latest_of_type) → BatchGetItem). Nothing deletes items but
# Powertools Idempotency, which removes its record when the handler fails.
GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM, QUERY, BATCH_GET_ITEM = (
    "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:Query",
    "dynamodb:BatchGetItem")

READ, WRITE, DELETE = "read", "write", "delete"
SLIDES_ACTIONS = {READ: ("s3:GetObject",), WRITE: ("s3:PutObject",), DELETE: ("s3:DeleteObject",)}


@dataclass(frozen=True)
class FunctionSpec:
    memory_mb: int
    timeout_seconds: int
    why: str  # the reason for memory and timeout (docs/operations.md repeats it)
    tables: dict[str, tuple[str, ...]] = field(default_factory=dict)  # TABLES key → the item actions it calls
    indexes: dict[str, tuple[str, ...]] = field(default_factory=dict)  # TABLES key → the indexes it queries
    slides: tuple[str, ...] = ()  # READ, WRITE, DELETE on s3://<slides bucket>/SLIDES_PREFIX/*
    lists_slides: bool = False  # ListBucket under SLIDES_PREFIX/ (the health check, a request's slides)
    brand_images: tuple[str, ...] = ()  # READ or WRITE on s3://<slides bucket>/BRAND_PREFIX/* (users' avatars, logos)
    secrets: tuple[str, ...] = ()  # keys of Secrets.SPECS
    health_checks: bool = False  # DescribeTable on every table, a listing of the slides prefix, DescribeEventBus
    reads_dead_letters: bool = False  # GetQueueAttributes on every DLQ (GET /stats)
    reads_knowledge: bool = False  # List/Get s3://<slides bucket>/KNOWLEDGE_PREFIX/ (extra knowledge-base notes)
    table_env: dict[str, str] = field(default_factory=dict)  # extra env var → TABLES key (in ``tables``)


# Powertools Idempotency (DynamoDBPersistenceLayer): get, put (conditional), update, delete its record.
IDEMPOTENT = {"idempotency": (GET_ITEM, PUT_ITEM, UPDATE_ITEM, DELETE_ITEM)}

FUNCTIONS: dict[str, FunctionSpec] = {
    "telegram-gateway": FunctionSpec(
        512, 25,
        "Answers Telegram within its webhook timeout: 512 MB buys the CPU for a ~0.4 s cold start "
        "(Powertools, pydantic, requests); 25 s stays under API Gateway's 29 s integration limit and "
        "leaves room for one Bot API retry of the immediate 'Generating…' reply.",
        # users: get, set_preferences, set_brand; carousels (read only: requests go to the generator as events): get
        # (restyle/resend), /history (byUser, then the records it lists); deliveries (read only, the sender's):
        # get_many, which album photo a reply to a slide answers; analytics: increment_within, the per-user hourly
        # rate limit (a conditional counter update; a refusal returns the old item with
        # ReturnValuesOnConditionCheckFailure), and a long paste's join window (add_paste_part, set_paste_status,
        # take_paste: conditional updates that return the old item). Its delay queue (the parts' delayed event)
        # is its SQS event source: the consume grant comes with it (cdk/eventing.py).
        tables={"users": (GET_ITEM, UPDATE_ITEM), "carousels": (GET_ITEM, BATCH_GET_ITEM), "analytics": (UPDATE_ITEM,),
                "deliveries": (BATCH_GET_ITEM,), **IDEMPOTENT},
        indexes={"carousels": ("byUser",)},
        secrets=("telegram_bot_token", "telegram_webhook_secret"),
    ),
    "api": FunctionSpec(
        512, 20,
        "Interactive HTTP: 512 MB for a fast cold start; /health makes seven sequential AWS calls and "
        "/stats pages through two indexes, 20 s is far above both and under API Gateway's 29 s.",
        # carousels: get (GET /carousels/{id}), list_by_status (/stats: byStatus, then the records it lists);
        # deliveries: get (its delivery); events: list (a request not recorded yet), services_seen (/health),
        # count_by_type and latest_of_type (/stats: byType, then the envelopes it lists).
        tables={"carousels": (GET_ITEM, BATCH_GET_ITEM), "deliveries": (GET_ITEM,), "events": (QUERY, BATCH_GET_ITEM)},
        indexes={"carousels": ("byStatus",), "events": ("byType",)},
        slides=(READ,),  # presigned GET URLs are signed with this role
        # /health reports a deployment whose bot token was never put into its secret (only whether it is set).
        secrets=("telegram_bot_token",),
        health_checks=True,
        reads_dead_letters=True,
    ),
    "carousel-generator": FunctionSpec(
        256, 30,
        "A saga step: a few DynamoDB calls and a PutEvents, no heavy imports; 256 MB is enough and "
        "30 s covers DynamoDB/EventBridge retries.",
        # carousels, its only writer: get, start (put), advance (update)
        tables={"carousels": (GET_ITEM, PUT_ITEM, UPDATE_ITEM), **IDEMPOTENT},
        slides=(DELETE,),  # a timed-out request's partial slides, listed under carousels/<request id>/
        lists_slides=True,
    ),
    "ai-content": FunctionSpec(
        512, 90,
        "Waits on OpenAI (30 s per attempt, no retry started past its 50 s deadline) and falls back to the "
        "offline knowledge base; openai imports in ~0.4 s and BM25 over the notes is CPU work, so 512 MB. "
        "90 s = the 50 s deadline plus a last attempt's tail and the offline fallback.",
        # analytics (pk/sk) holds the circuit breaker's state, shared by all concurrent instances.
        tables={"analytics": (GET_ITEM, UPDATE_ITEM), **IDEMPOTENT},  # the circuit: get, record_failure/success
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
        brand_images=(READ,),  # the avatar and logo of the request's brand kit
    ),
    "telegram-sender": FunctionSpec(
        512, 90,
        "Downloads up to ten slides from S3 and uploads them to Telegram as one album; network-bound, "
        "and the Bot API may ask to wait (retry_after up to 30 s) before a retry: 90 s.",
        # carousels: get (read only); deliveries, its own log: get, claim/release/settle/record_step and
        # advance_progress (updates); users: get (the user's language), set_brand_image (a fetched avatar or logo)
        tables={"carousels": (GET_ITEM,), "deliveries": (GET_ITEM, UPDATE_ITEM), "users": (GET_ITEM, UPDATE_ITEM),
                **IDEMPOTENT},
        slides=(READ,),
        brand_images=(WRITE,),  # the avatar and logo it fetches from Telegram
        secrets=("telegram_bot_token",),
    ),
    "data-persistence": FunctionSpec(
        256, 15,
        "Two or three DynamoDB writes per event: 256 MB, 15 s.",
        tables={"users": (GET_ITEM, PUT_ITEM, UPDATE_ITEM), **IDEMPOTENT},  # touch (put, else update + get), add_history
    ),
    "analytics": FunctionSpec(
        256, 15,
        "Counter updates and EMF metrics: 256 MB, 15 s.",
        tables={"analytics": (PUT_ITEM, UPDATE_ITEM, QUERY), **IDEMPOTENT},  # claim, increment, counters
    ),
    "event-orchestrator": FunctionSpec(
        256, 60,
        "Audits every event (one write each); every 5 minutes it sweeps stuck requests through the "
        "byStatus index, undelivered ones through the deliveries' byState, and health-checks the "
        "dependencies: 60 s bounds the sweep.",
        # events: append (a put; idempotent by key), list, of_type_between (byType, then the envelopes it
        # lists); carousels: get, list_by_status (byStatus, then the records it lists); deliveries:
        # list_pending (byState, then the records it lists). It writes neither: the sweeps ask the
        # generator and the sender by event.
        tables={"events": (PUT_ITEM, QUERY, BATCH_GET_ITEM), "carousels": (GET_ITEM, BATCH_GET_ITEM),
                "deliveries": (BATCH_GET_ITEM,)},
        indexes={"carousels": ("byStatus",), "deliveries": ("byState",), "events": ("byType",)},
        health_checks=True,
    ),
}
