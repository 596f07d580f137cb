"""The stack: composes one construct per concern; every knob is a CDK context value (cdk.json)."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk.api import RestApi
from cdk.eventing import SCHEDULE_DLQ, DeadLetterQueues, EventBus, Subscriptions, consuming_functions
from cdk.functions import FunctionsConfig, ServiceFunctions
from cdk.monitoring import ALERTS_DLQ, Monitoring
from cdk.secrets import Secrets
from cdk.storage import SlidesBucket, Tables
from vibecoder.repositories.carousels import RETENTION_DAYS as CAROUSEL_RETENTION_DAYS
from vibecoder.tables import REPLAY_WINDOW_DAYS

DEFAULTS: dict[str, Any] = {
    "architecture": "arm64",
    "logLevel": "INFO",
    "logRetention": "ONE_MONTH",  # a logs.RetentionDays name
    "telegramApiUrl": "https://api.telegram.org",
    "openaiModel": "gpt-4o-mini",
    "botHandle": "@BibleVibeCoderBot",
    "apiKeyRequired": True,
    "apiRateLimit": 20,
    "apiBurstLimit": 40,
    "slideRetentionDays": CAROUSEL_RETENTION_DAYS,  # GET /carousels/{id} links slides while the record lives
    "archiveRetentionDays": REPLAY_WINDOW_DAYS,  # at most that: consumers remember events this long
    "dataRemovalPolicy": "retain",
    "alarmEmail": "",
    "skipLayerBundling": False,  # true: synthesize without pip-installing the dependency layer (not deployable)
}


def _flag(value: Any) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


class VibeCoderStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str, **kwargs: Any):
        super().__init__(scope, id, description="Bible VibeCoder: Telegram bot → Instagram carousels "
                                                "(API Gateway, Lambda, EventBridge, DynamoDB, S3)", **kwargs)
        ctx = {key: self.node.try_get_context(key) for key in DEFAULTS}
        ctx = {key: DEFAULTS[key] if value is None else value for key, value in ctx.items()}
        removal = (cdk.RemovalPolicy.DESTROY if str(ctx["dataRemovalPolicy"]).lower() == "destroy"
                   else cdk.RemovalPolicy.RETAIN)
        retention = logs.RetentionDays[str(ctx["logRetention"])]

        self.tables = Tables(self, "Tables", removal_policy=removal)
        self.slides = SlidesBucket(self, "Slides", retention_days=int(ctx["slideRetentionDays"]),
                                   removal_policy=removal)
        self.secrets = Secrets(self, "Secrets", prefix=self.stack_name)
        self.events = EventBus(self, "Events", bus_name=f"{self.stack_name}-bus",
                               archive_days=int(ctx["archiveRetentionDays"]))
        self.dead_letters = DeadLetterQueues(self, "DeadLetters", functions=consuming_functions(),
                                             others=[SCHEDULE_DLQ, ALERTS_DLQ])
        self.functions = ServiceFunctions(
            self, "Functions",
            config=FunctionsConfig(arch=ctx["architecture"], log_level=ctx["logLevel"], log_retention=retention,
                                   telegram_api_url=ctx["telegramApiUrl"], openai_model=ctx["openaiModel"],
                                   bot_handle=ctx["botHandle"], bundle_layer=not _flag(ctx["skipLayerBundling"])),
            bus=self.events.bus, tables=self.tables, slides=self.slides, secrets=self.secrets,
            dead_letters=self.dead_letters,
        )
        self.subscriptions = Subscriptions(self, "Subscriptions", bus=self.events.bus,
                                           functions=self.functions.functions, dead_letters=self.dead_letters)
        self.api = RestApi(self, "Http", functions=self.functions.functions,
                           rate_limit=int(ctx["apiRateLimit"]), burst_limit=int(ctx["apiBurstLimit"]),
                           api_key_required=_flag(ctx["apiKeyRequired"]), log_retention=retention)
        self.monitoring = Monitoring(self, "Monitoring", functions=self.functions.functions,
                                     dead_letters=self.dead_letters.queues, api=self.api.api,
                                     alarm_email=ctx["alarmEmail"] or None)
        self.monitoring.route_alerts(self.events.bus, self.dead_letters.queues[ALERTS_DLQ])
        self._outputs()

    def _outputs(self) -> None:
        outputs = {
            "ApiUrl": (self.api.api.url, "Base URL of the REST API"),
            "WebhookUrl": (self.api.webhook_url, "Give this to 'python -m tools.webhook'"),
            "ApiKeyId": (self.api.api_key.key_id,
                         "aws apigateway get-api-key --include-value --api-key <id> for POST /carousels"),
            "EventBusName": (self.events.bus.event_bus_name, "The custom event bus"),
            "EventArchiveName": (self.events.archive.archive_name, "The bus archive: 'python -m tools.archive_replay'"),
            "SlidesBucketName": (self.slides.bucket.bucket_name, "Rendered slides"),
            "DashboardName": (self.monitoring.dashboard.dashboard_name, "CloudWatch dashboard"),
            "AlarmTopicArn": (self.monitoring.topic.topic_arn, "Subscribe to get alarms"),
        }
        for key, name in self.secrets.names.items():
            title = "".join(part.title() for part in key.split("_"))
            outputs[f"{title}SecretName"] = (name, f"Secrets Manager secret for {key}")
        for key, (value, description) in outputs.items():
            cdk.CfnOutput(self, key, value=value, description=description)
