"""The REST API: one route per HTTP trigger in the event catalog ("METHOD /path"), proxied to its function.

Stage throttling, JSON access logs and X-Ray tracing on the stage. The Telegram webhook and /health
are public (Telegram authenticates with the secret token header, checked by telegram-gateway; uptime
monitors need /health); the other routes need an API key of the usage plan unless the context
``apiKeyRequired`` is false.
"""

from __future__ import annotations

import re

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.nag import acknowledge
from vibecoder.events.catalog import CATALOG

PUBLIC_ROUTES = {("POST", "/telegram/webhook"), ("GET", "/health")}
STAGE = "v1"


def http_routes() -> list[tuple[str, str, str]]:
    """(method, path, service) for every HTTP trigger in the catalog."""
    routes = []
    for service in CATALOG.services.values():
        for trigger in service.triggers:
            method, _, path = trigger.partition(" ")
            if path.startswith("/") and method.isupper():
                routes.append((method, path, service.name))
    return routes


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
            cloud_watch_role=False,
            deploy_options=apigateway.StageOptions(
                stage_name=STAGE,
                throttling_rate_limit=rate_limit,
                throttling_burst_limit=burst_limit,
                tracing_enabled=True,
                access_log_destination=apigateway.LogGroupLogDestination(self.access_logs),
                access_log_format=apigateway.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=False),
            ),
        )
        self.validator = self.api.add_request_validator(
            "Validator", validate_request_body=True, validate_request_parameters=True)
        integrations = {name: apigateway.LambdaIntegration(fn, allow_test_invoke=False)
                        for name, fn in functions.items()}
        self.routes = http_routes()
        self.methods: dict[tuple[str, str], apigateway.Method] = {}
        for method, path, service in self.routes:
            resource = self.api.root.resource_for_path(path)
            public = (method, path) in PUBLIC_ROUTES
            parameters = {f"method.request.path.{p}": True for p in re.findall(r"{(\w+)}", path)}
            self.methods[(method, path)] = resource.add_method(
                method, integrations[service],
                api_key_required=api_key_required and not public,
                request_validator=self.validator,
                request_parameters=parameters or None,
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

    @property
    def webhook_url(self) -> str:
        return self.api.url_for_path("/telegram/webhook")

    def _acknowledge(self, api_key_required: bool) -> None:
        acknowledge(self.api, "AwsSolutions-APIG3",
                    "No WAF web ACL by default (about $5/month plus rules for a low-traffic bot): the stage "
                    "throttles, the webhook checks Telegram's secret token and other routes need an API key; "
                    "attach an account-level WAF policy where one exists.")
        acknowledge(self.api.deployment_stage, "AwsSolutions-APIG6",
                    "Execution logging needs the account-wide API Gateway CloudWatch role, which this app does "
                    "not own (cloud_watch_role=False); every request is in the JSON access log and in X-Ray.")
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
