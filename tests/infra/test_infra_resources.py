"""Tables, bucket, API, dashboard and alarms; cdk-nag and cfn-lint on the synthesized template."""

from __future__ import annotations

import json
from pathlib import Path

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


def test_the_stage_traces_and_writes_access_logs(synth):
    (stage,) = synth.resources("AWS::ApiGateway::Stage").values()
    props = stage["Properties"]
    assert props["TracingEnabled"] is True
    assert "DestinationArn" in props["AccessLogSetting"] and "$context.requestId" in props["AccessLogSetting"]["Format"]
    synth.template.resource_count_is("AWS::ApiGateway::UsagePlan", 1)


def test_each_public_route_has_a_throttle_of_its_own_sized_for_its_caller(synth):
    from cdk.api import ROUTE_THROTTLES, TELEGRAM_SEND_RATE
    from tools.webhook import MAX_CONNECTIONS

    (stage,) = synth.resources("AWS::ApiGateway::Stage").values()
    # ResourcePath is "/" + the path with each "/" escaped as "~1" ("/~1telegram~1webhook"), or "/*" for all.
    settings = {(m["HttpMethod"], m["ResourcePath"].removeprefix("/").replace("~1", "/")): m
                for m in stage["Properties"]["MethodSettings"]}
    default = settings.pop(("*", "*"))  # the keyed routes (each key also limited by the usage plan)
    assert default["ThrottlingRateLimit"] > 0 and default["ThrottlingBurstLimit"] > 0
    assert set(settings) == PUBLIC_ROUTES == set(ROUTE_THROTTLES)
    webhook, health = settings[("POST", "/telegram/webhook")], settings[("GET", "/health")]
    # Telegram's parallel deliveries (setWebhook max_connections) pass at once; its rate is what the bot can answer.
    assert webhook["ThrottlingBurstLimit"] == MAX_CONNECTIONS and webhook["ThrottlingRateLimit"] == TELEGRAM_SEND_RATE
    # Anonymous health checks get far less than the webhook, and less than the keyed default.
    assert health["ThrottlingRateLimit"] < default["ThrottlingRateLimit"] < webhook["ThrottlingRateLimit"]
    assert health["ThrottlingBurstLimit"] < webhook["ThrottlingBurstLimit"]
    assert all(len(t.why) > 60 for t in ROUTE_THROTTLES.values())


def _methods(synth) -> dict[tuple[str, str], dict]:
    path_of = _paths(synth)
    return {(m["Properties"]["HttpMethod"], path_of(m["Properties"]["ResourceId"]) or "/"): m["Properties"]
            for m in synth.resources("AWS::ApiGateway::Method").values()}


CAROUSEL_BODIES = [  # (body, accepted by the api function)
    ({"topic": "TDD"}, True),
    ({"topic": "Functional Programming with TypeScript", "slidesCount": 7, "userId": "u1"}, True),
    ({"sourceText": "First paragraph.\n\nSecond paragraph.", "language": "ru", "style": "dark"}, True),
    ({"topic": "TDD", "language": None}, True),
    ({"topic": "x" * 200, "slidesCount": 20, "unknownField": 1}, True),
    ({}, False),
    ({"slidesCount": 5}, False),
    ({"topic": ""}, False),
    ({"topic": "   "}, False),
    ({"topic": None}, False),
    ({"topic": "x" * 201}, False),
    ({"topic": "TDD", "slidesCount": 0}, False),
    ({"topic": "TDD", "slidesCount": 21}, False),
    ({"topic": "TDD", "slidesCount": "5"}, False),
    ({"topic": "TDD", "slidesCount": True}, False),
    ({"topic": "TDD", "style": "Not A Style"}, False),
    ({"topic": "TDD", "language": "de"}, False),
    ({"topic": "TDD", "userId": ""}, False),
    ([{"topic": "TDD"}], False),
    ("TDD", False),
]
# Where API Gateway is stricter than the function, on input the API does not document (docs/operations.md):
# snake_case names (pydantic also takes field names) and an integer written as 5.0 (draft 4 has no such integer).
GATEWAY_STRICTER = [{"source_text": "First paragraph."}, {"topic": "TDD", "slidesCount": 5.0}]


def test_post_routes_validate_their_body_against_the_model_of_the_openapi_description(synth):
    from cdk.api import request_body_schema

    methods = _methods(synth)
    models = {k: v["Properties"] for k, v in synth.resources("AWS::ApiGateway::Model").items()}
    (validator_id,) = synth.resources("AWS::ApiGateway::RequestValidator")
    openapi = json.loads((Path(__file__).resolve().parents[2] / "docs" / "openapi.json").read_text())
    for route in [("POST", "/carousels"), ("POST", "/test-carousel")]:
        props = methods[route]
        assert props["RequestValidatorId"] == {"Ref": validator_id}, route
        (model_id,) = [ref["Ref"] for ref in props["RequestModels"].values()]
        assert list(props["RequestModels"]) == ["application/json"]
        schema = models[model_id]["Schema"]
        assert schema == request_body_schema(*route)
        assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
        reference = openapi["paths"][route[1]]["post"]["requestBody"]["content"]["application/json"]["schema"]
        assert {k: v for k, v in schema.items() if k != "$schema"} == openapi["components"]["schemas"][
            reference["$ref"].rsplit("/", 1)[1]]  # CarouselRequestBody needs no conversion: it is the same schema
    assert len(models) == 1  # one model, shared by both routes
    # The webhook is not validated by API Gateway: telegram-gateway answers 200 even to an update it cannot
    # read (a 4xx makes Telegram deliver it again); GET routes have no body.
    for route, props in methods.items():
        if route not in {("POST", "/carousels"), ("POST", "/test-carousel")}:
            assert "RequestModels" not in props, route
    assert "RequestValidatorId" not in methods[("POST", "/telegram/webhook")]


def test_the_body_model_accepts_what_the_api_function_accepts():
    import jsonschema
    from pydantic import ValidationError

    from api.logic import CarouselRequestBody
    from cdk.api import request_body_schema

    schema = request_body_schema("POST", "/carousels")
    jsonschema.Draft4Validator.check_schema(schema)
    validator = jsonschema.Draft4Validator(schema)
    for body, accepted in CAROUSEL_BODIES:
        assert validator.is_valid(body) is accepted, body
        try:
            CarouselRequestBody.model_validate(body)
            function_accepts = True
        except ValidationError:
            function_accepts = False
        assert function_accepts is accepted, body
    for body in GATEWAY_STRICTER:
        assert not validator.is_valid(body), body
        CarouselRequestBody.model_validate(body)  # the function would take it: documented, and only these


def test_openapi_schemas_become_self_contained_draft4_models_or_an_error():
    import pytest

    from cdk.api import as_draft4_model

    components = {"Slide": {"type": "object", "properties": {"n": {"type": "integer", "exclusiveMinimum": 0}}},
                  "Kind": {"const": "cover"}}
    schema = {"type": "object", "properties": {"slide": {"$ref": "#/components/schemas/Slide"},
                                               "kind": {"$ref": "#/components/schemas/Kind"}}}
    assert as_draft4_model(schema, components) == {"type": "object", "properties": {
        "slide": {"type": "object", "properties": {"n": {"type": "integer", "minimum": 0, "exclusiveMinimum": True}}},
        "kind": {"enum": ["cover"]}}}
    with pytest.raises(ValueError, match="prefixItems"):  # draft 4 would ignore it: the model would check less
        as_draft4_model({"type": "array", "prefixItems": [{"type": "string"}]}, {})
    with pytest.raises(ValueError, match="recursive"):
        as_draft4_model({"$ref": "#/components/schemas/Tree"},
                        {"Tree": {"properties": {"children": {"items": {"$ref": "#/components/schemas/Tree"}}}}})


def test_a_body_the_model_refuses_gets_the_api_functions_error_shape(synth):
    (response,) = synth.resources("AWS::ApiGateway::GatewayResponse").values()
    props = response["Properties"]
    assert props["ResponseType"] == "BAD_REQUEST_BODY" and props["StatusCode"] == "400"
    body = props["ResponseTemplates"]["application/json"].replace("$context.error.validationErrorString", "why")
    from api.logic import ErrorResponse

    assert ErrorResponse.model_validate_json(body).details == ["why"]


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
    for logical_id, resource in [*synth.data["Resources"].items(), *synth.account_data["Resources"].items()]:
        for rule in resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", []):
            acknowledged.append((logical_id, rule["id"]))
            assert len(rule["reason"]) >= 40, (logical_id, rule)
    rules = {rule for _, rule in acknowledged}
    assert "AwsSolutions-IAM5[Resource::*]" in rules  # X-Ray, on each function role
    assert not any(rule.startswith("AwsSolutions-IAM4") for rule in rules)  # no managed policies at all


def empty_values(value, path=""):
    """Paths of empty-string values in a template (a Fn::Join separator excepted): a property CDK wrote
    without a value, which CloudFormation reads as "set to nothing" rather than "not set"."""
    if value == "":
        return [path]
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in empty_values(item, f"{path}/{key}")]
    if isinstance(value, list):
        return [p for i, item in enumerate(value) if not (path.endswith("/Fn::Join") and i == 0)
                for p in empty_values(item, f"{path}[{i}]")]
    return []


def test_no_property_is_an_empty_string(synth):
    assert empty_values(synth.data["Resources"]) == []


def test_cfn_lint_finds_nothing_at_all(synth):
    from cfnlint.api import ManualArgs, lint_file

    for stack in (synth.stack, synth.account):
        template = synth.outdir / f"{stack.artifact_id}.template.json"
        matches = lint_file(template, config=ManualArgs(regions=["us-east-1", "eu-central-1"]))
        assert [f"{m.rule.id} {m.message}" for m in matches] == [], stack.stack_name  # W3005 included: sam lint passes


def test_functions_wait_for_their_policy_without_a_redundant_role_dependency(synth):
    for name, role in synth.stack.functions.roles.items():
        function = synth.data["Resources"][function_logical_id(name)]
        policy = synth.stack.get_logical_id(role.node.find_child("DefaultPolicy").node.default_child)
        assert function["DependsOn"] == [policy]


# --- the region's API Gateway logging role ------------------------------------------------------------


def test_a_stack_of_its_own_sets_the_regions_api_gateway_logging_role(synth):
    resources = synth.account_data["Resources"]
    (account,) = [r for r in resources.values() if r["Type"] == "AWS::ApiGateway::Account"]
    (role_id,) = [k for k, r in resources.items() if r["Type"] == "AWS::IAM::Role"]
    assert account["Properties"]["CloudWatchRoleArn"] == {"Fn::GetAtt": [role_id, "Arn"]}
    role = resources[role_id]
    assert role["DeletionPolicy"] == "Retain"  # the setting must never point at a deleted role
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"} and trust["Action"] == "sts:AssumeRole"
    # Inline, so the policy is in place when the setting is made (API Gateway checks the role then).
    assert not [r for r in resources.values() if r["Type"] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy")]
    assert "ManagedPolicyArns" not in role["Properties"]
    (policy,) = role["Properties"]["Policies"]
    (statement,) = policy["PolicyDocument"]["Statement"]
    assert {"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} <= set(statement["Action"])
    assert json.dumps(statement["Resource"]).endswith(':log-group:*"]]}')  # this account and region only


def test_the_app_stack_deploys_after_the_logging_role_and_does_not_set_it_itself(synth):
    from cdk.account import ACCOUNT_STACK_NAME

    manifest = json.loads((synth.outdir / "manifest.json").read_text())
    assert synth.account.artifact_id in manifest["artifacts"][synth.stack.artifact_id]["dependencies"]
    assert synth.account.stack_name == ACCOUNT_STACK_NAME  # one per region, whatever the app's stackName
    assert synth.resources("AWS::ApiGateway::Account") == {}
    assert not any(r["Properties"].get("AssumeRolePolicyDocument", {}).get("Statement", [{}])[0].get("Principal")
                   == {"Service": "apigateway.amazonaws.com"} for r in synth.resources("AWS::IAM::Role").values())


# --- service principals ---------------------------------------------------------------------------------


def _service_statements(document):
    return [s for s in document["Statement"] if s["Effect"] == "Allow" and "Service" in s.get("Principal", {})]


def _condition_keys(statement) -> set[str]:
    return {key for operator in statement.get("Condition", {}).values() for key in operator}


def test_the_alarm_topic_and_its_key_serve_this_stacks_alarms_only(synth):
    monitoring = synth.stack.monitoring
    key = synth.data["Resources"][synth.logical_id(monitoring.key)]["Properties"]["KeyPolicy"]
    (topic_policy,) = synth.resources("AWS::SNS::TopicPolicy").values()
    documents = {"key": key, "topic": topic_policy["Properties"]["PolicyDocument"]}
    for name, document in documents.items():
        (statement,) = _service_statements(document)  # EventBridge publishes through a role, not a grant
        assert statement["Principal"] == {"Service": "cloudwatch.amazonaws.com"}, name
        assert statement["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}, name
        alarms = json.dumps(statement["Condition"]["ArnLike"]["aws:SourceArn"])
        assert f":alarm:{synth.stack.stack_name}-*" in alarms, alarms  # the alarms' names (all of them) start so
    alarm_names = [a["Properties"]["AlarmName"] for a in synth.resources("AWS::CloudWatch::Alarm").values()]
    assert alarm_names and all(n.startswith(f"{synth.stack.stack_name}-") for n in alarm_names)


def test_eventbridge_publishes_alerts_through_a_role_only_the_alert_rule_may_assume(synth):
    from cdk.monitoring import ALERTS_RULE

    (rule,) = [r["Properties"] for r in synth.resources("AWS::Events::Rule").values()
               if r["Properties"].get("Name") == ALERTS_RULE]
    (target,) = rule["Targets"]
    role_id = target["RoleArn"]["Fn::GetAtt"][0]
    role = synth.data["Resources"][role_id]["Properties"]
    (trust,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "events.amazonaws.com"}
    assert trust["Condition"]["StringEquals"] == {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}
    source = json.dumps(trust["Condition"]["ArnEquals"]["aws:SourceArn"])
    assert f':rule/", {{"Ref": "{synth.logical_id(synth.stack.events.bus)}"}}, "/{ALERTS_RULE}"' in source
    statements = [s for p in synth.resources("AWS::IAM::Policy").values() if {"Ref": role_id} in p["Properties"]["Roles"]
                  for s in p["Properties"]["PolicyDocument"]["Statement"]]
    granted = {(a, json.dumps(s["Resource"])) for s in statements for a in (s["Action"] if isinstance(s["Action"], list)
                                                                             else [s["Action"]])}
    topic = json.dumps({"Ref": synth.logical_id(synth.stack.monitoring.topic)})
    key = json.dumps({"Fn::GetAtt": [synth.logical_id(synth.stack.monitoring.key), "Arn"]})
    assert granted == {("sns:Publish", topic), ("kms:Decrypt", key), ("kms:GenerateDataKey*", key)}


def test_every_service_principal_grant_names_its_source(synth):
    """Resource policies across the stack: a service may act for one of this stack's resources only."""
    documents = [r["Properties"]["PolicyDocument"] for r in synth.resources("AWS::SQS::QueuePolicy").values()]
    documents += [r["Properties"]["PolicyDocument"] for r in synth.resources("AWS::SNS::TopicPolicy").values()]
    documents += [r["Properties"]["KeyPolicy"] for r in synth.resources("AWS::KMS::Key").values()]
    statements = [s for d in documents for s in _service_statements(d)]
    assert statements
    for statement in statements:
        assert "aws:SourceArn" in _condition_keys(statement), statement
    for permission in synth.resources("AWS::Lambda::Permission").values():
        assert "SourceArn" in permission["Properties"], permission  # API Gateway and EventBridge invokes


def test_no_role_may_list_the_bucket_beyond_a_prefix(synth):
    for policy in synth.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if "s3:ListBucket" in statement["Action"]:
                assert statement["Action"] == "s3:ListBucket"
                assert list(statement["Condition"]) == ["StringLike"], statement
                assert list(statement["Condition"]["StringLike"]) == ["s3:prefix"], statement
