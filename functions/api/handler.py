"""api: REST routes for health, statistics and carousels (Powertools Event Handler, OpenAPI-validated)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from api import logic
from vibecoder.aws import client
from vibecoder.bus import default_publisher
from vibecoder.lambda_kit import observability
from vibecoder.redaction import redact_response
from vibecoder.repositories import CarouselRepository, DeliveryLog, EventStore, SlideRepository
from vibecoder.settings import get_settings

SERVICE = logic.SERVICE
logger, tracer, metrics = observability(SERVICE)
app = APIGatewayRestResolver(enable_validation=True)


def deps() -> logic.ApiDeps:
    settings = get_settings()
    return logic.ApiDeps(settings=settings, carousels=CarouselRepository(settings.carousels_table),
                         deliveries=DeliveryLog(settings.deliveries_table), events=EventStore(settings.events_table),
                         slides=SlideRepository(settings.slides_bucket), sqs=client("sqs"))


@app.exception_handler(RequestValidationError)
def bad_request(error: RequestValidationError) -> Response[dict[str, Any]]:
    problems = [f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in error.errors()]
    return Response(status_code=400, content_type=content_types.APPLICATION_JSON,
                    body=logic.ErrorResponse(error="invalid request", details=problems).to_wire())


BAD_REQUEST: dict = {400: {"description": "The body is invalid; details name each field",
                     "content": {"application/json": {"model": logic.ErrorResponse}}}}


@app.get("/health", summary="Dependencies and services", responses={
    200: {"description": "Healthy"}, 503: {"description": "A dependency is failing"}})
def get_health() -> Response[dict[str, Any]]:
    body, healthy = logic.health(deps())
    return Response(status_code=200 if healthy else 503, content_type=content_types.APPLICATION_JSON, body=body)


@app.get("/stats", summary="Counts by event type and status, latency, dead letters, recent errors")
def get_stats() -> dict[str, Any]:
    return logic.stats(deps())


_ACCEPTED: dict = {202: {"description": "Accepted: poll GET /carousels/{id}",
                   "content": {"application/json": {"model": logic.AcceptedResponse}}},
                   415: {"description": "The body is not JSON"}} | BAD_REQUEST


@app.post("/carousels", summary="Request a carousel", responses=_ACCEPTED)
@app.post("/test-carousel", summary="The seed's path for POST /carousels", responses=_ACCEPTED)
def post_carousel(body: logic.CarouselRequestBody) -> Response[logic.AcceptedResponse]:
    events = logic.accept_carousel(body, deps())
    default_publisher().publish(events)
    metrics.add_metric(name="CarouselRequested", unit=MetricUnit.Count, value=1)
    accepted = logic.AcceptedResponse(request_id=events[0].data.request_id)
    return Response(status_code=202, content_type=content_types.APPLICATION_JSON, body=accepted.to_wire())


@app.get("/carousels/<request_id>", summary="A carousel's status, timings and slides", responses={
    200: {"description": "The carousel", "content": {"application/json": {"model": logic.CarouselView}}},
    404: {"description": "No such carousel"}})
def get_carousel(request_id: str) -> dict[str, Any]:
    dependencies = deps()
    view = logic.find_carousel(request_id, dependencies)
    if view is None:
        raise NotFoundError(f"no carousel {request_id}")
    return view.to_wire()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    metrics.add_metric(name="ApiRequest", unit=MetricUnit.Count, value=1)
    return redact_response(logic.reject_unreadable_body(event) or app.resolve(event, context))
