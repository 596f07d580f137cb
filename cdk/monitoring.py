"""The CloudWatch dashboard and the alarms (to an SNS topic).

Plain CDK L2 rather than cdk-monitoring-constructs: the dashboard is a dozen widgets over metrics we
name ourselves (the EMF metrics of functions/analytics and functions/image_renderer), and a second
jsii library pinned to aws-cdk-lib would cost install time and upgrade coupling for little.

Business metrics (namespace BibleVibeCoder, dimension ``service``): analytics counts every
``carousel.generate.requested``/``completed``/``failed`` and ``system.error.occurred`` on the bus and
records ``EndToEndLatency`` (ms) and ``SlidesGenerated``; ai-content records ``TokensUsed`` (with a
``provider`` dimension: only OpenAI uses tokens); image-renderer records ``RenderTime`` (ms) and
``SlidesRendered``.
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from cdk.config import METRICS_NAMESPACE
from cdk.nag import acknowledge
from vibecoder.events.catalog import CATALOG

FIVE_MINUTES = cdk.Duration.minutes(5)
FAILURE_RATE_PERCENT = 20
E2E_P95_MS = 30_000
API_P95_MS = 3_000


def business_metric(name: str, service: str = "analytics", statistic: str = "Sum",
                    label: str | None = None, **dimensions: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace=METRICS_NAMESPACE, metric_name=name,
                             dimensions_map={"service": service, **dimensions},
                             statistic=statistic, period=FIVE_MINUTES, label=label or name)


# What a publisher to an SSE topic needs on its key (SNS's documentation; CDK's topic.grantPublish grants the same).
TOPIC_KEY_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey*")
ALERT_EVENT = "analytics.alert.triggered"
ALERTS_DLQ = "alerts"
ALERTS_RULE = "alerts-to-topic"


class Monitoring(Construct):
    def __init__(self, scope: Construct, id: str, *, functions: dict[str, lambda_.Function],
                 dead_letters: dict[str, sqs.Queue], api: apigateway.RestApi, alarm_email: str | None):
        super().__init__(scope, id)
        stack = cdk.Stack.of(self)
        self.alarm_name_prefix = f"{stack.stack_name}-"
        # CloudWatch acts for this stack's alarms only (confused-deputy protection on both grants below).
        from_our_alarms = iam.ServicePrincipal("cloudwatch.amazonaws.com", conditions={
            "StringEquals": {"aws:SourceAccount": stack.account},
            "ArnLike": {"aws:SourceArn": stack.format_arn(
                service="cloudwatch", resource="alarm", resource_name=f"{self.alarm_name_prefix}*",
                arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)}})
        # CloudWatch alarms can publish to an encrypted topic only with a customer-managed key it may use.
        self.key = kms.Key(self, "AlarmsKey", enable_key_rotation=True, removal_policy=cdk.RemovalPolicy.DESTROY,
                           description="Encrypts the alarm topic")
        self.key.grant(from_our_alarms, *TOPIC_KEY_ACTIONS)
        self.topic = sns.Topic(self, "Alarms", master_key=self.key, enforce_ssl=True,
                               display_name="Bible VibeCoder alarms")
        # The topic policy CDK writes (enforce_ssl) replaces SNS's default one: let this stack's alarms publish.
        self.topic.add_to_resource_policy(iam.PolicyStatement(
            sid="AlarmsPublish", principals=[from_our_alarms], actions=["sns:Publish"],
            resources=[self.topic.topic_arn]))
        if alarm_email:
            self.topic.add_subscription(subscriptions.EmailSubscription(alarm_email))
        self.alarms: list[cloudwatch.Alarm] = []
        self._alarms(dead_letters, api)
        self.dashboard = cloudwatch.Dashboard(
            self, "Dashboard", dashboard_name=f"{cdk.Stack.of(self).stack_name}-flow",
            default_interval=cdk.Duration.hours(6))
        self._widgets(functions, dead_letters, api)

    def route_alerts(self, bus: events.IEventBus, dead_letter_queue: sqs.IQueue) -> events.Rule:
        """analytics.alert.triggered (e.g. the hourly failure rate) reaches the same topic as the alarms."""
        spec = CATALOG.get(ALERT_EVENT)
        stack = cdk.Stack.of(self)
        # EventBridge publishes through a role only this rule may assume, not through a grant to its service
        # principal: a KMS key policy cannot tie events.amazonaws.com to one rule (EventBridge does not pass
        # aws:SourceArn to KMS), a role's trust policy can. The rule's ARN is built from names (no cycle).
        rule_arn = stack.format_arn(service="events", resource="rule",
                                    resource_name=f"{bus.event_bus_name}/{ALERTS_RULE}")
        self.alerts_publisher = iam.Role(
            self, "AlertsPublisher", description=f"EventBridge rule {ALERTS_RULE}: publish to the alarm topic",
            assumed_by=iam.ServicePrincipal("events.amazonaws.com", conditions={
                "StringEquals": {"aws:SourceAccount": stack.account}, "ArnEquals": {"aws:SourceArn": rule_arn}}))
        rule = events.Rule(
            self, "AlertsToTopic", event_bus=bus, rule_name=ALERTS_RULE, description=f"{ALERT_EVENT} → the alarm topic",
            event_pattern=events.EventPattern(detail_type=[ALERT_EVENT],
                                              source=[CATALOG.service(p).source for p in spec.producers]))
        rule.add_target(targets.SnsTopic(
            self.topic, role=self.alerts_publisher, dead_letter_queue=dead_letter_queue, retry_attempts=8,
            max_event_age=cdk.Duration.hours(2),
            message=events.RuleTargetInput.from_text(
                f"Bible VibeCoder alert {events.EventField.from_path('$.detail.data.alert')}: "
                f"{events.EventField.from_path('$.detail.data.message')}")))
        acknowledge(self.alerts_publisher, "AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                    "CDK's grant for publishing to an SSE topic (topic.grantPublish), as SNS documents it: "
                    "GenerateDataKey* on the alarm topic's own key only, which encrypts nothing else.")
        return rule

    # --- alarms ------------------------------------------------------------------------------------

    def _alarm(self, id: str, metric: cloudwatch.IMetric, *, threshold: float, description: str,
               evaluation_periods: int = 1,
               comparison=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD) -> cloudwatch.Alarm:
        alarm = metric.create_alarm(
            self, id, alarm_name=f"{self.alarm_name_prefix}{id}", threshold=threshold, evaluation_periods=evaluation_periods, comparison_operator=comparison,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING, alarm_description=description)
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
        self.alarms.append(alarm)
        return alarm

    def _alarms(self, dead_letters: dict[str, sqs.Queue], api: apigateway.RestApi) -> None:
        failure_rate = cloudwatch.MathExpression(
            expression="IF(completed + failed > 0, 100 * failed / (completed + failed), 0)",
            using_metrics={"completed": business_metric("CarouselCompleted"),
                           "failed": business_metric("CarouselFailed")},
            period=cdk.Duration.minutes(15), label="Failure rate (%)")
        self._alarm("FailureRate", failure_rate, threshold=FAILURE_RATE_PERCENT,
                    description=f"More than {FAILURE_RATE_PERCENT}% of carousels failed in 15 minutes")
        for name, queue in dead_letters.items():
            self._alarm(f"DeadLetters-{name}", queue.metric_approximate_number_of_messages_visible(
                period=cdk.Duration.minutes(1), statistic="Maximum"), threshold=1,
                description=f"{name}: an event is in its dead-letter queue (redrive after fixing)")
        self._alarm("Api5xx", api.metric_server_error(period=FIVE_MINUTES, statistic="Sum"), threshold=1,
                    description="The API answered 5xx (Telegram retries webhook updates that fail)")
        self._alarm("EndToEndLatencyP95", business_metric("EndToEndLatency", statistic="p95"),
                    threshold=E2E_P95_MS, evaluation_periods=2,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    description=f"p95 request → album latency above {E2E_P95_MS / 1000:.0f} s for 10 minutes")
        self._alarm("ApiLatencyP95", api.metric_latency(period=FIVE_MINUTES, statistic="p95"),
                    threshold=API_P95_MS, evaluation_periods=2,
                    comparison=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
                    description=f"API p95 latency above {API_P95_MS / 1000:.0f} s for 10 minutes")

    # --- dashboard ---------------------------------------------------------------------------------

    def _widgets(self, functions: dict[str, lambda_.Function], dead_letters: dict[str, sqs.Queue],
                 api: apigateway.RestApi) -> None:
        names = list(functions)
        self.dashboard.add_widgets(
            cloudwatch.TextWidget(markdown="# Bible VibeCoder — carousel flow", width=24, height=1),
            cloudwatch.GraphWidget(title="Carousels", width=8, left=[
                business_metric("CarouselRequested", label="requested"),
                business_metric("CarouselCompleted", label="completed"),
                business_metric("CarouselFailed", label="failed"),
                business_metric("SystemError", label="system errors")]),
            cloudwatch.GraphWidget(title="End-to-end latency (ms)", width=8, left=[
                business_metric("EndToEndLatency", statistic="p50", label="p50"),
                business_metric("EndToEndLatency", statistic="p95", label="p95")]),
            cloudwatch.GraphWidget(title="Render time (ms) and slides", width=8, left=[
                business_metric("RenderTime", "image-renderer", "p50", "render p50"),
                business_metric("RenderTime", "image-renderer", "p95", "render p95")], right=[
                business_metric("SlidesRendered", "image-renderer", label="slides rendered")]),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Tokens used", width=8, left=[
                business_metric("TokensUsed", "ai-content", label="tokens", provider="openai")]),
            cloudwatch.GraphWidget(title="API requests and errors", width=8, left=[
                api.metric_count(period=FIVE_MINUTES, label="requests")], right=[
                api.metric_client_error(period=FIVE_MINUTES, label="4xx"),
                api.metric_server_error(period=FIVE_MINUTES, label="5xx")]),
            cloudwatch.GraphWidget(title="Dead-letter queue depth", width=8, left=[
                queue.metric_approximate_number_of_messages_visible(period=cdk.Duration.minutes(1),
                                                                    statistic="Maximum", label=name)
                for name, queue in dead_letters.items()]),
        )
        self.dashboard.add_widgets(
            cloudwatch.GraphWidget(title="Lambda errors per function", width=8, left=[
                functions[n].metric_errors(period=FIVE_MINUTES, label=n) for n in names]),
            cloudwatch.GraphWidget(title="Lambda throttles per function", width=8, left=[
                functions[n].metric_throttles(period=FIVE_MINUTES, label=n) for n in names]),
            cloudwatch.GraphWidget(title="Lambda duration p95 (ms)", width=8, left=[
                functions[n].metric_duration(period=FIVE_MINUTES, statistic="p95", label=n) for n in names]),
        )
        self.dashboard.add_widgets(
            cloudwatch.AlarmStatusWidget(title="Alarms", width=24, height=4, alarms=self.alarms))
