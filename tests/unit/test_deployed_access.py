"""IAM as the deployed-shape harness applies it (local/deployed/access.py): calls → requests → decisions."""

from __future__ import annotations

import pytest

from local.deployed.access import Grant, Names, Request, Unmapped, evaluate, requests_for, statements, unused

NAMES = Names("123456789012", "us-east-1", {"Stack/telegram/bot-token": "arn:aws:secretsmanager:us-east-1:"
                                                                       "123456789012:secret:Stack/telegram/bot-token-AbCdEf"})
TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/Carousels-X"


def policy(*items: dict) -> list[dict]:
    return statements({"Statement": list(items)})


def allow(action, resource, **extra) -> dict:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


# --- which requests a call makes ------------------------------------------------------------------


@pytest.mark.parametrize("service, operation, params, expected", [
    ("dynamodb", "GetItem", {"TableName": "Carousels-X", "Key": {}}, [("dynamodb:GetItem", TABLE)]),
    ("dynamodb", "Query", {"TableName": "Carousels-X", "IndexName": "byUser"},
     [("dynamodb:Query", f"{TABLE}/index/byUser")]),
    ("dynamodb", "BatchWriteItem", {"RequestItems": {"Carousels-X": [], "Users-Y": []}},
     [("dynamodb:BatchWriteItem", TABLE), ("dynamodb:BatchWriteItem", TABLE.replace("Carousels-X", "Users-Y"))]),
    ("dynamodb", "TransactWriteItems", {"TransactItems": [{"Put": {"TableName": "Carousels-X"}},
                                                          {"ConditionCheck": {"TableName": "Carousels-X"}}]},
     [("dynamodb:PutItem", TABLE), ("dynamodb:ConditionCheckItem", TABLE)]),
    ("s3", "HeadObject", {"Bucket": "b", "Key": "carousels/r/1.jpg"}, [("s3:GetObject", "arn:aws:s3:::b/carousels/r/1.jpg")]),
    ("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "knowledge/"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
    ("s3", "HeadBucket", {"Bucket": "b"}, [("s3:ListBucket", "arn:aws:s3:::b")]),
    ("s3", "DeleteObjects", {"Bucket": "b", "Delete": {"Objects": [{"Key": "x"}, {"Key": "y"}]}},
     [("s3:DeleteObject", "arn:aws:s3:::b/x"), ("s3:DeleteObject", "arn:aws:s3:::b/y")]),
    ("events", "PutEvents", {"Entries": [{"EventBusName": "bus"}, {"EventBusName": "bus"}, {}]},
     [("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/bus"),
      ("events:PutEvents", "arn:aws:events:us-east-1:123456789012:event-bus/default")]),
    ("secretsmanager", "GetSecretValue", {"SecretId": "Stack/telegram/bot-token"},
     [("secretsmanager:GetSecretValue", NAMES.secret_arns["Stack/telegram/bot-token"])]),
    ("sqs", "GetQueueAttributes", {"QueueUrl": "http://127.0.0.1:5000/123456789012/dlq-1"},
     [("sqs:GetQueueAttributes", "arn:aws:sqs:us-east-1:123456789012:dlq-1")]),
    ("monitoring", "PutMetricData", {"Namespace": "N"}, [("cloudwatch:PutMetricData", "*")]),
])
def test_each_call_becomes_the_requests_iam_evaluates(service, operation, params, expected):
    found = requests_for(service, operation, params, NAMES)
    assert [(r.action, r.resource) for r in found] == expected


def test_list_objects_carries_its_prefix_as_a_condition_key():
    (request,) = requests_for("s3", "ListObjectsV2", {"Bucket": "b", "Prefix": "knowledge/"}, NAMES)
    assert request.context["s3:prefix"] == "knowledge/" and request.context["aws:SecureTransport"] is True


def test_a_call_the_harness_cannot_map_is_refused_not_guessed():
    with pytest.raises(Unmapped, match="no IAM mapping for the lambda service"):
        requests_for("lambda", "Invoke", {"FunctionName": "f"}, NAMES)


# --- the decision --------------------------------------------------------------------------------


def test_allow_needs_action_and_resource_to_match():
    rules = policy(allow(["dynamodb:GetItem", "dynamodb:Query"], TABLE))
    assert evaluate(rules, Request("dynamodb:GetItem", TABLE)).allowed
    assert not evaluate(rules, Request("dynamodb:PutItem", TABLE)).allowed
    index = evaluate(rules, Request("dynamodb:Query", f"{TABLE}/index/byUser"))
    assert not index.allowed and "no identity-based policy allows" in index.reason


def test_wildcards_and_case():
    rules = policy(allow("S3:Get*", "arn:aws:s3:::b/carousels/*"))
    assert evaluate(rules, Request("s3:GetObject", "arn:aws:s3:::b/carousels/r/1.jpg")).allowed
    assert not evaluate(rules, Request("s3:GetObject", "arn:aws:s3:::b/knowledge/n.md")).allowed
    assert not evaluate(rules, Request("s3:GetObject", "arn:aws:s3:::B/carousels/x")).allowed  # ARNs are case-sensitive


def test_an_explicit_deny_wins():
    rules = policy(allow("s3:*", "*"), {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"})
    assert not evaluate(rules, Request("s3:DeleteObject", "arn:aws:s3:::b/x")).allowed
    assert evaluate(rules, Request("s3:GetObject", "arn:aws:s3:::b/x")).allowed


def test_not_action_and_not_resource():
    rules = policy({"Effect": "Allow", "NotAction": "s3:DeleteObject", "NotResource": "arn:aws:s3:::secret/*"})
    assert evaluate(rules, Request("s3:GetObject", "arn:aws:s3:::b/x")).allowed
    assert not evaluate(rules, Request("s3:DeleteObject", "arn:aws:s3:::b/x")).allowed
    assert not evaluate(rules, Request("s3:GetObject", "arn:aws:s3:::secret/x")).allowed


@pytest.mark.parametrize("condition, context, allowed", [
    ({"StringLike": {"s3:prefix": ["knowledge/*"]}}, {"s3:prefix": "knowledge/"}, True),
    ({"StringLike": {"s3:prefix": ["knowledge/*"]}}, {"s3:prefix": ""}, False),
    ({"StringLike": {"s3:prefix": ["knowledge/*"]}}, {}, False),  # an absent key never matches
    ({"StringLikeIfExists": {"s3:prefix": ["knowledge/*"]}}, {}, True),
    ({"StringNotEquals": {"s3:prefix": ["a", "b"]}}, {"s3:prefix": "c"}, True),
    ({"StringNotEquals": {"s3:prefix": ["a", "b"]}}, {"s3:prefix": "b"}, False),
    ({"Bool": {"aws:SecureTransport": "false"}}, {"aws:SecureTransport": True}, False),
    ({"ForAllValues:StringEquals": {"k": ["a", "b"]}}, {"k": ["a", "b"]}, True),
    ({"ForAllValues:StringEquals": {"k": ["a"]}}, {"k": ["a", "b"]}, False),
    ({"ForAnyValue:StringEquals": {"k": ["b"]}}, {"k": ["a", "b"]}, True),
    ({"NumericLessThanEquals": {"s3:max-keys": "100"}}, {"s3:max-keys": 50}, True),
    ({"Null": {"s3:prefix": "true"}}, {}, True),
    ({"DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}, {"aws:CurrentTime": "x"}, False),
])
def test_conditions(condition, context, allowed):
    rules = policy(allow("s3:ListBucket", "arn:aws:s3:::b", Condition=condition))
    assert evaluate(rules, Request("s3:ListBucket", "arn:aws:s3:::b", context)).allowed is allowed


def test_a_failed_condition_is_named_in_the_reason():
    rules = policy(allow("s3:ListBucket", "arn:aws:s3:::b", Sid="KnowledgeList",
                         Condition={"StringLike": {"s3:prefix": ["knowledge/*"]}}))
    decision = evaluate(rules, Request("s3:ListBucket", "arn:aws:s3:::b", {"s3:prefix": "other/"}))
    assert "KnowledgeList: StringLike s3:prefix='other/'" in decision.reason


def test_the_grants_no_request_used_are_reported():
    rules = policy(allow(["dynamodb:GetItem", "dynamodb:Scan"], TABLE, Sid="T"))
    decision = evaluate(rules, Request("dynamodb:GetItem", TABLE))
    assert decision.grants == (Grant("T", "dynamodb:GetItem", TABLE),)
    assert unused(rules, set(decision.grants)) == [Grant("T", "dynamodb:Scan", TABLE)]
