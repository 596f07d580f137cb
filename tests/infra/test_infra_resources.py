"""Tables, bucket, API, dashboard and alarms; cdk-nag and cfn-lint on the synthesized template."""

from __future__ import annotations

import json

from aws_cdk import assertions

from cdk.api import PUBLIC_ROUTES
from cdk.functions import function_logical_id
from vibecoder.events.catalog import CATALOG
from vibecoder.tables import TABLES

EMF_METRICS = ("CarouselRequested", "CarouselCompleted", "CarouselFailed", "EndToEndLatency", "TokensUsed",
               "RenderTime", "SlidesRendered")


def test_tables_come_from_TABLES_on_demand_with_pitr_and_ttl(synth):
    for name, spec in TABLES.items():
        props = synth.data["Resources"][synth.logical_id(synth.stack.tables.tables[name])]["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        keys = {k["KeyType"]: k["AttributeName"] for k in props["KeySchema"]}
        assert keys == {"HASH": spec.partition_key, **({"RANGE": spec.sort_key} if spec.sort_key else {})}
        if spec.ttl_attribute:
            assert props["TimeToLiveSpecification"] == {"AttributeName": spec.ttl_attribute, "Enabled": True}
        else:
            assert "TimeToLiveSpecification" not in props
        indexes = {i["IndexName"]: i for i in props.get("GlobalSecondaryIndexes", [])}
        assert set(indexes) == {i.name for i in spec.indexes}
        assert props["DeletionProtectionEnabled"] is True  # data is retained by default


def test_the_slides_bucket_is_private_encrypted_tls_only_and_expires_slides(synth):
    bucket_id = synth.logical_id(synth.stack.slides.bucket)
    props = synth.data["Resources"][bucket_id]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True, "RestrictPublicBuckets": True}
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"}
    rules = {r["Id"]: r for r in props["LifecycleConfiguration"]["Rules"]}
    from vibecoder.repositories.carousels import RETENTION_DAYS

    # slides live as long as the carousel record that links them (GET /carousels/{id})
    assert rules["expire-slides"]["ExpirationInDays"] == RETENTION_DAYS and rules["expire-slides"]["Prefix"] == "carousels/"
    synth.template.has_resource_properties("AWS::S3::BucketPolicy", {
        "Bucket": {"Ref": bucket_id},
        "PolicyDocument": {"Statement": assertions.Match.array_with([assertions.Match.object_like({
            "Effect": "Deny", "Condition": {"Bool": {"aws:SecureTransport": "false"}}})])},
    })


def _paths(synth):
    resources = synth.resources("AWS::ApiGateway::Resource")
    by_id = {k: v["Properties"] for k, v in resources.items()}

    def path_of(ref):
        if "Fn::GetAtt" in ref:  # the root resource
            return ""
        props = by_id[ref["Ref"]]
        return f"{path_of(props['ParentId'])}/{props['PathPart']}"

    return path_of


def test_api_routes_are_the_catalogs_http_triggers_proxied_to_their_functions(synth):
    path_of = _paths(synth)
    methods = {}
    for method in synth.resources("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        path = path_of(props["ResourceId"]) or "/"
        target = json.dumps(props["Integration"]["Uri"])
        (function,) = [name for name in CATALOG.services if f'"{function_logical_id(name)}"' in target]
        methods[(props["HttpMethod"], path)] = (function, props)
    expected = {(t.split(" ")[0], t.split(" ")[1]): s.name
                for s in CATALOG.services.values() for t in s.triggers if t.startswith(("GET ", "POST "))}
    assert {k: v[0] for k, v in methods.items()} == expected
    for route, (_, props) in methods.items():
        assert props["Integration"]["Type"] == "AWS_PROXY"
        assert props["ApiKeyRequired"] is (route not in PUBLIC_ROUTES), route
    assert methods[("GET", "/carousels/{id}")][1]["RequestParameters"] == {"method.request.path.id": True}


def test_the_stage_throttles_traces_and_writes_access_logs(synth):
    (stage,) = synth.resources("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["TracingEnabled"] is True
    assert "DestinationArn" in props["AccessLogSetting"] and "$context.requestId" in props["AccessLogSetting"]["Format"]
    (throttle,) = props["MethodSettings"]
    assert throttle["ThrottlingRateLimit"] > 0 and throttle["ThrottlingBurstLimit"] > 0
    synth.template.resource_count_is("AWS::ApiGateway::UsagePlan", 1)


def dashboard_metrics(synth) -> list[list]:
    """Every metric line of the dashboard (tokens shown as "Ref:<id>" / "GetAtt:<id>.<attr>")."""
    (dashboard,) = synth.resources("AWS::CloudWatch::Dashboard").values()
    parts = []
    for part in dashboard["Properties"]["DashboardBody"]["Fn::Join"][1]:
        if isinstance(part, str):
            parts.append(part)
        elif "Ref" in part:
            parts.append(f"Ref:{part['Ref']}")
        else:
            parts.append("GetAtt:" + ".".join(part["Fn::GetAtt"]))
    body = json.loads("".join(parts))
    return [m for w in body["widgets"] for m in w.get("properties", {}).get("metrics", [])]


def test_the_dashboard_shows_the_flow_latency_render_errors_throttles_dlqs_and_tokens(synth):
    metrics = dashboard_metrics(synth)
    ours = {(m[1], m[-1].get("stat")) for m in metrics if m[0] == "BibleVibeCoder"}
    assert {name for name, _ in ours} >= set(EMF_METRICS)
    assert {("EndToEndLatency", "p50"), ("EndToEndLatency", "p95")} <= ours
    for name in CATALOG.services:
        function = ["AWS/Lambda", None, "FunctionName", f"Ref:{function_logical_id(name)}"]
        for metric in ("Errors", "Throttles"):
            function[1] = metric
            assert any(m[:4] == function for m in metrics), (name, metric)
    for queue in synth.stack.dead_letters.queues.values():
        line = ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName",
                f"GetAtt:{synth.logical_id(queue)}.QueueName"]
        assert any(m[:4] == line for m in metrics)
    assert any(m[:2] == ["AWS/ApiGateway", "5XXError"] for m in metrics)


def test_alarms_cover_failure_rate_dead_letters_api_5xx_and_latency_and_notify_sns(synth):
    topic_id = synth.logical_id(synth.stack.monitoring.topic)
    alarms = synth.resources("AWS::CloudWatch::Alarm")
    assert all(a["Properties"]["AlarmActions"] == [{"Ref": topic_id}] for a in alarms.values())
    text = json.dumps(alarms)
    assert "CarouselFailed" in text and "CarouselCompleted" in text  # the failure rate
    assert "5XXError" in text
    assert "EndToEndLatency" in text and "Latency" in text
    dlq_alarms = [a for a in alarms.values() if a["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"]
    assert len(dlq_alarms) == len(synth.stack.dead_letters.queues)
    assert all(a["Properties"]["Threshold"] == 1 for a in dlq_alarms)
    topic = synth.data["Resources"][topic_id]["Properties"]
    assert "KmsMasterKeyId" in topic
    (policy,) = synth.resources("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    assert any(s["Effect"] == "Allow" and s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}
               and s["Action"] == "sns:Publish" for s in statements)  # alarms can publish to the encrypted topic


def test_cdk_nag_passed_and_every_acknowledgment_has_a_reason(synth):
    report = (synth.outdir / "validation-report.json").read_text()
    assert json.loads(report)["pluginReports"] == []  # synth raised otherwise; no report means no failure
    acknowledged = []
    for logical_id, resource in synth.data["Resources"].items():
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            acknowledged.append((logical_id, rule["id"]))
            assert len(rule["reason"]) >= 40, (logical_id, rule)
    rules = {rule for _, rule in acknowledged}
    assert "AwsSolutions-IAM5[Resource::*]" in rules  # X-Ray, on each function role
    assert not any(rule.startswith("AwsSolutions-IAM4") for rule in rules)  # no managed policies at all


def test_cfn_lint_finds_nothing_at_all(synth):
    from cfnlint.api import ManualArgs, lint_file

    template = synth.outdir / f"{synth.stack.artifact_id}.template.json"
    matches = lint_file(template, config=ManualArgs(regions=["us-east-1", "eu-central-1"]))
    assert [f"{m.rule.id} {m.message}" for m in matches] == []  # W3005 included: `sam validate --lint` passes


def test_functions_wait_for_their_policy_without_a_redundant_role_dependency(synth):
    for name, role in synth.stack.functions.roles.items():
        function = synth.data["Resources"][function_logical_id(name)]
        policy = synth.stack.get_logical_id(role.node.find_child("DefaultPolicy").node.default_child)
        assert function["DependsOn"] == [policy]
