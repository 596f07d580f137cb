"""The nine Lambda functions: one per catalog service, each with its own role holding only what it uses.

Handler strings come from the catalog (``<module>.handler.lambda_handler``), code from
functions/<module>/ only, shared code and dependencies from the two layers. Memory, timeout and the
access map come from cdk/config.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import aws_cdk as cdk
from aws_cdk import aws_events as events
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from cdk import bundling
from cdk.config import (
    BRAND_PREFIX,
    FUNCTIONS,
    KNOWLEDGE_PREFIX,
    METRICS_NAMESPACE,
    PYTHON_VERSION,
    QUERY,
    SLIDES_ACTIONS,
    FunctionSpec,
)
from cdk.eventing import DeadLetterQueues
from cdk.nag import acknowledge
from cdk.secrets import SPECS as SECRET_SPECS
from cdk.secrets import Secrets
from cdk.storage import SlidesBucket, Tables
from vibecoder.events.catalog import CATALOG

RUNTIME = lambda_.Runtime.PYTHON_3_12
ARCHITECTURES = {"arm64": lambda_.Architecture.ARM_64, "x86_64": lambda_.Architecture.X86_64}


def function_logical_id(service: str) -> str:
    return "".join(part.title() for part in service.split("-")) + "Function"


@dataclass(frozen=True)
class FunctionsConfig:
    arch: str = "arm64"
    log_level: str = "INFO"
    log_retention: logs.RetentionDays = logs.RetentionDays.ONE_MONTH
    telegram_api_url: str = "https://api.telegram.org"
    openai_model: str = "gpt-4o-mini"
    bot_handle: str = "@BibleVibeCoderBot"
    bundle_layer: bool = True


class ServiceFunctions(Construct):
    def __init__(self, scope: Construct, id: str, *, config: FunctionsConfig, bus: events.IEventBus,
                 tables: Tables, slides: SlidesBucket, secrets: Secrets, dead_letters: DeadLetterQueues):
        super().__init__(scope, id)
        missing = set(CATALOG.services) - set(FUNCTIONS)
        if missing:
            raise ValueError(f"add a FunctionSpec to cdk/config.py for {sorted(missing)}")
        self.config = config
        self.bus, self.tables, self.slides, self.secrets, self.dead_letters = bus, tables, slides, secrets, dead_letters
        architecture = ARCHITECTURES[config.arch]
        self.shared_layer = lambda_.LayerVersion(
            self, "SharedLayer",
            code=bundling.shared_layer_code(),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[architecture],
            description="vibecoder: event catalog, envelope, bus, repositories, settings, Telegram client",
        )
        self.dependency_layer = lambda_.LayerVersion(
            self, "DependencyLayer",
            code=bundling.dependency_layer_code(config.arch, PYTHON_VERSION, config.bundle_layer),
            compatible_runtimes=[RUNTIME],
            compatible_architectures=[architecture],
            description="requirements.lock, boto3 included (the SDK the tests ran, not the runtime's)",
        )
        self.functions: dict[str, lambda_.Function] = {}
        self.roles: dict[str, iam.Role] = {}
        for name, service in CATALOG.services.items():
            spec = FUNCTIONS[name]
            log_group = logs.LogGroup(self, f"{name}-logs", retention=config.log_retention,
                                      removal_policy=cdk.RemovalPolicy.DESTROY)
            role = iam.Role(self, f"{name}-role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                            description=f"{name}: only what its code uses (cdk/config.py)")
            role.add_to_policy(iam.PolicyStatement(
                sid="Logs", actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[log_group.log_group_arn]))
            self._grant(role, spec)
            is_consumer = name in dead_letters.queues
            function = lambda_.Function(
                self, name,
                description=service.description,
                runtime=RUNTIME,
                architecture=architecture,
                handler=service.handler,
                code=bundling.function_code(service.module),
                layers=[self.shared_layer, self.dependency_layer],
                memory_size=spec.memory_mb,
                timeout=cdk.Duration.seconds(spec.timeout_seconds),
                tracing=lambda_.Tracing.ACTIVE,
                role=role,
                log_group=log_group,
                environment=self._environment(name, spec),
                # Async invokes (EventBridge): Lambda retries twice, then the event goes to the DLQ as is.
                dead_letter_queue=dead_letters.queues[name] if is_consumer else None,
                retry_attempts=2 if is_consumer else None,
                max_event_age=cdk.Duration.hours(1) if is_consumer else None,
            )
            # A readable, stable logical ID: `sam local invoke -t cdk.out/<stack>.template.json TelegramGatewayFunction`.
            resource = function.node.default_child
            resource.override_logical_id(function_logical_id(name))
            # CDK makes the function depend on its role and the role's policy; the role is already implied
            # by GetAtt Role.Arn (cfn-lint W3005, which fails `sam validate --lint`): keep the policy only.
            resource.add_override("DependsOn", [self._logical_id(role.node.find_child("DefaultPolicy"))])
            acknowledge(function, "AwsSolutions-L1",
                        "Python 3.12 on purpose: the dependency layer is built for cp312 wheels and the code is "
                        "tested on 3.12; moving runtimes is a deliberate change of layer, tests and this line.")
            acknowledge(role, "AwsSolutions-IAM5[Resource::*]",
                        "X-Ray active tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no "
                        "resource-level permissions, so '*' is the only possible resource.")
            self.functions[name] = function
            self.roles[name] = role

    # --- permissions -------------------------------------------------------------------------------

    def _grant(self, role: iam.Role, spec: FunctionSpec) -> None:
        role.add_to_policy(iam.PolicyStatement(sid="PublishEvents", actions=["events:PutEvents"],
                                               resources=[self.bus.event_bus_arn]))
        for name, actions in spec.tables.items():
            role.add_to_policy(iam.PolicyStatement(
                sid=f"Table{name.title()}", actions=list(actions), resources=[self.tables.tables[name].table_arn]))
        for name, indexes in spec.indexes.items():
            role.add_to_policy(iam.PolicyStatement(
                sid=f"Table{name.title()}Indexes", actions=[QUERY],
                resources=[self.tables.index_arn(name, index) for index in indexes]))
        bucket = self.slides.bucket
        if spec.slides:
            role.add_to_policy(iam.PolicyStatement(
                sid="Slides", actions=[a for level in spec.slides for a in SLIDES_ACTIONS[level]],
                resources=[self.slides.objects_arn()]))
            acknowledge(role, f"AwsSolutions-IAM5[Resource::<{self._logical_id(bucket)}.Arn>/"
                              f"{self.slides.prefix}/*]",
                        f"Object-level access limited to the slides prefix '{self.slides.prefix}/': keys are "
                        f"'{self.slides.prefix}/<request id>/slide-NN.<ext>', unknown until a request is made.")
        if spec.brand_images:
            role.add_to_policy(iam.PolicyStatement(
                sid="BrandImages", actions=[a for level in spec.brand_images for a in SLIDES_ACTIONS[level]],
                resources=[bucket.arn_for_objects(f"{BRAND_PREFIX}/*")]))
            acknowledge(role, f"AwsSolutions-IAM5[Resource::<{self._logical_id(bucket)}.Arn>/{BRAND_PREFIX}/*]",
                        f"Object-level access limited to the users' brand images under '{BRAND_PREFIX}/': keys are "
                        f"'{BRAND_PREFIX}/<user id>/avatar|logo', unknown until a user sets them.")
        if spec.lists_slides or spec.health_checks:
            role.add_to_policy(self._list_prefix("ListSlides", self.slides.prefix))
        if spec.secrets:
            role.add_to_policy(iam.PolicyStatement(
                sid="ReadSecrets", actions=["secretsmanager:GetSecretValue"],
                resources=[self.secrets.secrets[key].secret_arn for key in spec.secrets]))
        if spec.health_checks:
            role.add_to_policy(iam.PolicyStatement(
                sid="HealthTables", actions=["dynamodb:DescribeTable"],
                resources=[table.table_arn for table in self.tables.tables.values()]))
            role.add_to_policy(iam.PolicyStatement(
                sid="HealthBus", actions=["events:DescribeEventBus"], resources=[self.bus.event_bus_arn]))
        if spec.reads_knowledge:
            role.add_to_policy(self._list_prefix("KnowledgeList", KNOWLEDGE_PREFIX))
            role.add_to_policy(iam.PolicyStatement(
                sid="KnowledgeRead", actions=["s3:GetObject"],
                resources=[bucket.arn_for_objects(f"{KNOWLEDGE_PREFIX}/*")]))
            acknowledge(role, f"AwsSolutions-IAM5[Resource::<{self._logical_id(bucket)}.Arn>/{KNOWLEDGE_PREFIX}/*]",
                        f"Read-only access to the operator's knowledge-base notes under '{KNOWLEDGE_PREFIX}/'; "
                        "their names are chosen by the operator.")
        if spec.reads_dead_letters:
            role.add_to_policy(iam.PolicyStatement(
                sid="CountDeadLetters", actions=["sqs:GetQueueAttributes"],
                resources=[queue.queue_arn for queue in self.dead_letters.queues.values()]))

    def _list_prefix(self, sid: str, prefix: str) -> iam.PolicyStatement:
        """ListBucket on the slides bucket, for listings under ``prefix/`` only."""
        return iam.PolicyStatement(sid=sid, actions=["s3:ListBucket"], resources=[self.slides.bucket.bucket_arn],
                                   conditions={"StringLike": {"s3:prefix": [f"{prefix}/*"]}})

    def _logical_id(self, construct: Construct) -> str:
        return cdk.Stack.of(self).get_logical_id(construct.node.default_child)

    # --- environment -------------------------------------------------------------------------------

    def _environment(self, name: str, spec: FunctionSpec) -> dict[str, str]:
        env = {
            "POWERTOOLS_SERVICE_NAME": name,
            "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
            "POWERTOOLS_LOG_LEVEL": self.config.log_level,
            "POWERTOOLS_LOGGER_LOG_EVENT": "false",
            "POWERTOOLS_TRACER_CAPTURE_RESPONSE": "false",  # responses carry user text; keep it out of X-Ray
            "EVENT_BUS_NAME": self.bus.event_bus_name,
            "TELEGRAM_API_URL": self.config.telegram_api_url,
            "BOT_HANDLE": self.config.bot_handle,
        }
        table_names = self.tables.tables if spec.health_checks else {**spec.tables, **spec.indexes}
        for table in table_names:
            env[self.tables.env_var(table)] = self.tables.tables[table].table_name
        for variable, table in spec.table_env.items():
            env[variable] = self.tables.tables[table].table_name
        if spec.slides or spec.health_checks:
            env["SLIDES_BUCKET"] = self.slides.bucket.bucket_name
        for key in spec.secrets:
            env[SECRET_SPECS[key].env] = self.secrets.name(key)
        if spec.secrets:  # Powertools Parameters cache: one GetSecretValue per secret and instance per 5 min
            env["POWERTOOLS_PARAMETERS_MAX_AGE"] = "300"
        if "openai_api_key" in spec.secrets:
            env["OPENAI_MODEL"] = self.config.openai_model
        if spec.reads_dead_letters:
            env["DEAD_LETTER_QUEUES"] = self.dead_letters.urls()
        if spec.reads_knowledge:
            env["KNOWLEDGE_S3_URI"] = f"s3://{self.slides.bucket.bucket_name}/{KNOWLEDGE_PREFIX}/"
        return env
