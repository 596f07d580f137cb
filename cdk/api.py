"""The REST API: one route per HTTP trigger in the event catalog ("METHOD /path"), proxied to its function.

JSON access logs and X-Ray tracing on the stage; a throttle per public route (below); the POST routes'
bodies validated by API Gateway against models taken from docs/openapi.json, the description the api
function generates from the pydantic model it validates with, so the schema is written once. The
Telegram webhook and /health are public (Telegram authenticates with the secret token header, checked
by telegram-gateway; uptime monitors need /health); the other routes need an API key of the usage plan
unless the context ``apiKeyRequired`` is false.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.nag import acknowledge
from tools.webhook import MAX_CONNECTIONS
from vibecoder.events.catalog import CATALOG

PUBLIC_ROUTES = {("POST", "/telegram/webhook"), ("GET", "/health")}
STAGE = "v1"
OPENAPI = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"

# The Bot API takes about 30 messages a second from one bot ("avoid sending more than 30 messages per
# second", Telegram's bot FAQ), and every update the gateway acts on answers with at least one.
TELEGRAM_SEND_RATE = 30


@dataclass(frozen=True)
class Throttle:
    rate: int  # requests per second, steady
    burst: int  # requests at once
    why: str


# A throttle of its own for each public route. API Gateway applies the stage's default to every method
# separately, but one default (the keyed routes' 20/s, burst 40) fits neither caller: it would refuse
# Telegram's full parallelism and let anonymous /health traffic run to 20 Lambda calls a second.
ROUTE_THROTTLES: dict[tuple[str, str], Throttle] = {
    ("POST", "/telegram/webhook"): Throttle(
        TELEGRAM_SEND_RATE, MAX_CONNECTIONS,
        f"Telegram keeps at most max_connections={MAX_CONNECTIONS} updates in flight (setWebhook), so a burst of "
        f"{MAX_CONNECTIONS} is never refused; {TELEGRAM_SEND_RATE}/s is what the bot can answer (the Bot API's "
        "per-bot send rate). A refused update is not lost: Telegram delivers it again."),
    ("GET", "/health"): Throttle(
        2, 10,
        "Uptime monitors and people, a few calls a minute; each is a Lambda invocation and seven AWS calls, "
        "so anonymous callers get 2/s (burst 10), far from the webhook's share of Lambda concurrency."),
}


def http_routes() -> list[tuple[str, str, str]]:
    """(method, path, service) for every HTTP trigger in the catalog."""
    routes = []
    for service in CATALOG.services.values():
        for trigger in service.triggers:
            method, _, path = trigger.partition(" ")
            if path.startswith("/") and method.isupper():
                routes.append((method, path, service.name))
    return routes


# JSON Schema draft 4, API Gateway's dialect: the keywords a model may use.
DRAFT4_KEYWORDS = {
    "type", "properties", "required", "additionalProperties", "patternProperties", "dependencies", "items",
    "additionalItems", "enum", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format", "minItems", "maxItems", "uniqueItems", "minProperties",
    "maxProperties", "allOf", "anyOf", "oneOf", "not", "title", "description", "default",
}


def as_draft4_model(schema: Any, components: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """An OpenAPI 3.1 schema as a self-contained draft-4 document: ``$ref``s inlined, ``const`` as an
    ``enum``, numeric exclusive bounds as draft 4's boolean ones. Anything else that draft 4 would
    silently ignore is an error, so a model never validates less than the function does."""
    if isinstance(schema, list):
        return [as_draft4_model(item, components, seen) for item in schema]
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        if name in seen:
            raise ValueError(f"recursive schema {name}: API Gateway models cannot inline it")
        return as_draft4_model(components[name], components, (*seen, name))
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "const":
            out["enum"] = [value]
        elif key in ("exclusiveMinimum", "exclusiveMaximum") and not isinstance(value, bool):
            out["minimum" if key == "exclusiveMinimum" else "maximum"] = value
            out[key] = True
        elif key == "properties":
            out[key] = {name: as_draft4_model(item, components, seen) for name, item in value.items()}
        elif key in DRAFT4_KEYWORDS:
            out[key] = value if key in ("enum", "default", "required") else as_draft4_model(value, components, seen)
        else:
            raise ValueError(f"draft 4 has no keyword {key!r}: the model would not check it")
    return out


def request_body_schema(method: str, path: str, openapi: Path = OPENAPI) -> dict[str, Any] | None:
    """The JSON body schema docs/openapi.json gives this route, as an API Gateway (draft 4) model; None
    when the route takes no JSON body there (the webhook: Telegram's update is the gateway's to judge,
    and it answers 200 even to one it cannot read, since Telegram would resend a 4xx)."""
    document = json.loads(openapi.read_text(encoding="utf-8"))
    operation = document["paths"].get(path, {}).get(method.lower(), {})
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body is None:
        return None
    schema = as_draft4_model(body["schema"], document.get("components", {}).get("schemas", {}))
    return {"$schema": "http://json-schema.org/draft-04/schema#", **schema}


class RestApi(Construct):
    def __init__(self, scope: Construct, id: str, *, functions: dict[str, lambda_.IFunction],
                 rate_limit: int, burst_limit: int, api_key_required: bool,
                 log_retention: logs.RetentionDays):
        super().__init__(scope, id)
        self.access_logs = logs.LogGroup(self, "AccessLogs", retention=log_retention,
                                         removal_policy=cdk.RemovalPolicy.DESTROY)
        self.api = apigateway.RestApi(
            self, "Api",
            rest_api_name=f"{cdk.Stack.of(self).stack_name}-api",
            description="Bible VibeCoder: Telegram webhook, health, stats, carousels",
            endpoint_types=[apigateway.EndpointType.REGIONAL],
            cloud_watch_role=False,  # the region's logging role is the ApiGatewayAccount stack's (cdk/account.py)
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=rate_limit,  # the default: the keyed routes (plus the usage plan's per key)
                throttling_burst_limit=burst_limit,
                method_options={f"{path}/{method}": apigateway.MethodDeploymentOptions(
                    throttling_rate_limit=throttle.rate, throttling_burst_limit=throttle.burst)
                    for (method, path), throttle in ROUTE_THROTTLES.items()},
                tracing_enabled=True,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=False),
            ),
        )
        self.validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True)
        # A body the model refuses gets the api function's own 400 shape: {"error", "details": [...]}.
        self.api.add_gateway_response(
            "InvalidBody", type=apigateway.ResponseType.BAD_REQUEST_BODY, status_code="400",
            templates={"application/json": '{"error": "invalid request", '
                                           '"details": ["$context.error.validationErrorString"]}'})
        integrations = {name: apigateway.LambdaIntegration(fn, allow_test_invoke=False)
                        for name, fn in functions.items()}
        self.routes = http_routes()
        self.models: dict[str, apigateway.Model] = {}
        self.methods: dict[tuple[str, str], apigateway.Method] = {}
        for method, path, service in self.routes:
            resource = self.api.root.resource_for_path(path)
            public = (method, path) in PUBLIC_ROUTES
            parameters = {f"method.request.path.{p}": True for p in re.findall(r"{(\w+)}", path)}
            body = request_body_schema(method, path)
            models = {"application/json": self._model(body)} if body else None
            self.methods[(method, path)] = resource.add_method(
                method, integrations[service],
                api_key_required=api_key_required and not public,
                request_validator=self.validator if models or parameters else None,
                request_parameters=parameters or None,
                request_models=models,
            )
        self.usage_plan = self.api.add_usage_plan(
            "UsagePlan",
            description="Clients of /carousels and /stats",
            throttle=apigateway.ThrottleSettings(rate_limit=max(1, rate_limit // 5), burst_limit=max(1, burst_limit // 5)),
            quota=apigateway.QuotaSettings(limit=2000, period=apigateway.Period.DAY),
        )
        self.usage_plan.add_api_stage(stage=self.api.deployment_stage)
        self.api_key = self.api.add_api_key("ClientKey", description="Key for POST /carousels, GET /stats …")
        self.usage_plan.add_api_key(self.api_key)
        self._acknowledge(api_key_required)

    def _model(self, schema: dict[str, Any]) -> apigateway.Model:
        """One API Gateway model per schema title (POST /carousels and /test-carousel share theirs)."""
        name = re.sub(r"\W", "", schema["title"])
        if name not in self.models:
            model = self.api.add_model(name, model_name=name, content_type="application/json",
                                       schema=apigateway.JsonSchema(schema=apigateway.JsonSchemaVersion.DRAFT4))
            # The document as it is: CDK's JsonSchema would need the schema rewritten field by field.
            model.node.default_child.add_property_override("Schema", schema)
            self.models[name] = model
        return self.models[name]

    @property
    def webhook_url(self) -> str:
        return self.api.url_for_path("/telegram/webhook")

    def _acknowledge(self, api_key_required: bool) -> None:
        acknowledge(self.api, "AwsSolutions-APIG3",
                    "No WAF web ACL by default (about $5/month plus rules for a low-traffic bot): the stage "
                    "throttles, the webhook checks Telegram's secret token and other routes need an API key; "
                    "attach an account-level WAF policy where one exists.")
        acknowledge(self.api.deployment_stage, "AwsSolutions-APIG6",
                    "Execution logs stay off: for Lambda proxy routes they add little to the JSON access log (status, "
                    "latency) and X-Ray, and full request logging would write Telegram's secret-token header and "
                    "users' texts to CloudWatch.")
        for (method, path), resource in self.methods.items():
            if (method, path) == ("POST", "/telegram/webhook"):
                reason = ("Telegram calls the webhook without AWS credentials; telegram-gateway authenticates each "
                          "update by the X-Telegram-Bot-Api-Secret-Token header (constant-time compare).")
            elif (method, path) == ("GET", "/health"):
                reason = "Public health check for uptime monitors: returns dependency status only, no user data."
            elif api_key_required:
                reason = ("Clients authenticate with an API key of the usage plan (per-client throttle and quota); "
                          "there are no end-user identities for a Cognito or IAM authorizer.")
            else:
                reason = ("apiKeyRequired=false was chosen for this deployment (a demo): the route is open and "
                          "limited by the stage throttle only.")
            acknowledge(resource, "AwsSolutions-APIG4", reason)
            acknowledge(resource, "AwsSolutions-COG4", reason)
