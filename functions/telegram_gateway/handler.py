"""telegram-gateway: ``POST /telegram/webhook`` — verify, parse, act once per update, answer 200 fast."""

from __future__ import annotations

import hmac
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.idempotency.exceptions import IdempotencyAlreadyInProgressError
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import ValidationError

from telegram_gateway import inline, logic, paste
from telegram_gateway.identity import BotIdentity, bot_fingerprint
from vibecoder.bus import default_publisher
from vibecoder.events.catalog import CATALOG
from vibecoder.lambda_kit import BusConsumer, observability, once_per_key, register_lambda_context, report_error
from vibecoder.redaction import redact_response
from vibecoder.repositories import AnalyticsRepository, CarouselRepository, DeliveryLog, UserRepository
from vibecoder.settings import get_settings
from vibecoder.telegram import TelegramError, bot_api_from_settings
from vibecoder.telegram_updates import Update

SERVICE = logic.SERVICE
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
logger, tracer, metrics = observability(SERVICE)
app = APIGatewayRestResolver()


def _json(status: int, body: dict[str, Any]) -> Response:
    return Response(status_code=status, content_type=content_types.APPLICATION_JSON, body=body)


def gateway_deps() -> logic.GatewayDeps:
    settings = get_settings()
    bot = bot_api_from_settings(settings, purpose="webhook")  # short: the answer is due within 29 s
    return logic.GatewayDeps(
        users=UserRepository(settings.users_table), carousels=CarouselRepository(settings.carousels_table),
        limits=AnalyticsRepository(settings.analytics_table), bot=bot,
        max_slides=settings.carousel_max_slides, rate_limit_per_hour=settings.carousel_rate_limit_per_hour,
        bot_username=settings.bot_handle.lstrip("@"), deliveries=DeliveryLog(settings.deliveries_table),
        identity=BotIdentity(bot, bot_fingerprint(settings.telegram_bot_token, settings.telegram_api_url),
                             fallback=settings.bot_handle.lstrip("@")),
    )


# The gateway's own delayed event (a long paste's part, from its SQS delay queue): join the parts.
consume = BusConsumer(SERVICE, lambda envelope: paste.join(envelope, gateway_deps(), logic.start_joined_paste),
                      logger)


@once_per_key(SERVICE, "process_update", key_path="update_id")
def process_update(*, data: dict[str, Any]) -> list[dict[str, Any]]:
    """Act on one update; a redelivered update_id returns the stored events and sends nothing."""
    deps = gateway_deps()
    update = Update.model_validate(data)
    inline_mode = update.inline_query is not None or update.chosen_inline_result is not None
    outcome = (inline.handle_update if inline_mode else logic.handle_update)(update, deps)
    metrics.add_metric(name=f"Update.{outcome.action}", unit=MetricUnit.Count, value=1)
    return [e.to_wire() for e in outcome.events]


def _secret_ok() -> Response | None:
    """The secret token set with setWebhook, compared in constant time; None when it matches."""
    expected = get_settings().telegram_webhook_secret
    given = app.current_event.headers.get(SECRET_HEADER) or ""  # case-insensitive
    if not expected:
        logger.error("TELEGRAM_WEBHOOK_SECRET is not set: refusing every update")
        return _json(403, {"ok": False, "error": "webhook secret not configured"})
    if not hmac.compare_digest(given.encode(), expected.encode()):
        return _json(401 if not given else 403, {"ok": False, "error": "invalid secret token"})
    return None


@app.post("/telegram/webhook")
def webhook() -> Response:
    refused = _secret_ok()
    if refused is not None:
        return refused
    try:
        update = Update.model_validate(app.current_event.json_body)
        if all(kind is None for kind in (update.message, update.callback_query, update.inline_query,
                                         update.chosen_inline_result)):
            metrics.add_metric(name="Update.ignored", unit=MetricUnit.Count, value=1)
            return _json(200, {"ok": True, "ignored": update.kind})  # nothing to do, nothing to remember
        payload = update.model_dump(mode="json", by_alias=True, exclude_none=True)
    except (ValidationError, ValueError, TypeError, RecursionError):
        # Never a 5xx for a body Telegram sent: it would retry it forever.
        logger.warning("ignoring a malformed update")
        metrics.add_metric(name="Update.malformed", unit=MetricUnit.Count, value=1)
        return _json(200, {"ok": True, "ignored": "malformed update"})
    try:
        events = process_update(data=payload)
    except IdempotencyAlreadyInProgressError:
        return _json(503, {"ok": False, "retry": "the same update is being processed"})
    except TelegramError as error:
        if error.retryable:  # Telegram delivers the update again; idempotency makes that safe
            logger.warning("Telegram unavailable", extra={"update_id": update.update_id, "error": str(error)})
            return _json(503, {"ok": False})
        logger.warning("Telegram refused a reply", extra={"update_id": update.update_id, "error": str(error)})
        return _json(200, {"ok": True, "ignored": "reply refused"})
    except RecursionError:  # absurdly nested content that still parsed
        logger.warning("ignoring an update nested too deeply", extra={"update_id": update.update_id})
        return _json(200, {"ok": True, "ignored": "malformed update"})
    except Exception as error:
        logger.exception("update failed", extra={"update_id": update.update_id})
        report_error(SERVICE, error, None, logger, request_id=f"update-{update.update_id}")
        return _json(500, {"ok": False})  # Telegram redelivers; idempotency makes the retry safe
    if events:
        default_publisher().publish([CATALOG.parse(e) for e in events])
    return _json(200, {"ok": True})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    register_lambda_context(context)
    if "Records" in event or "detail-type" in event:  # its delay queue (deployed) or the local router
        return consume(event, context)
    return redact_response(app.resolve(event, context))
