"""What an AWS call needs from IAM, and whether a role's policy grants it.

Standard library only, valid on Python 3.11 and 3.12: the harness uses it to report grants, and each
function's worker (local/deployed/worker.py) loads it by file path (never through the function's
import path) to authorize every call the function makes, the way IAM would.

- :func:`requests_for` turns one botocore call (service, operation, API parameters) into the
  authorization requests IAM evaluates: action, resource ARN, condition context. DynamoDB queries on
  an index need the index ARN, S3 object calls the object ARN, ``ListObjects`` the bucket with
  ``s3:prefix`` in the context, ``PutEvents`` the bus of each entry, secrets their full ARN.
- :func:`evaluate` applies identity-policy statements (Allow/Deny, Action/NotAction, Resource/
  NotResource with wildcards, Condition operators with ``IfExists``/``ForAllValues``/``ForAnyValue``)
  to one request: an explicit Deny wins, otherwise an Allow is needed.

A call this module cannot map raises :class:`Unmapped`: the harness refuses it instead of guessing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit


class Unmapped(Exception):
    """The harness does not know which IAM action or resource this call needs (add it here)."""


@dataclass(frozen=True)
class Request:
    action: str
    resource: str
    context: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"action": self.action, "resource": self.resource, "context": self.context}


@dataclass(frozen=True)
class Names:
    """What an ARN is built from: the account, the region, and the ARNs that carry a random suffix."""

    account: str
    region: str
    secret_arns: dict[str, str] = field(default_factory=dict)  # secret name → ARN (Secrets Manager adds -XXXXXX)
    partition: str = "aws"

    def arn(self, service: str, resource: str, region: bool = True, account: bool = True) -> str:
        return (f"arn:{self.partition}:{service}:{self.region if region else ''}:"
                f"{self.account if account else ''}:{resource}")


# --- calls → authorization requests ----------------------------------------------------------------

# IAM's action prefix where it differs from botocore's service name.
ACTION_PREFIX = {"monitoring": "cloudwatch"}

_S3_BUCKET_ACTIONS = {
    "ListObjects": "s3:ListBucket", "ListObjectsV2": "s3:ListBucket", "HeadBucket": "s3:ListBucket",
    "ListObjectVersions": "s3:ListBucketVersions", "ListMultipartUploads": "s3:ListBucketMultipartUploads",
}
_S3_OBJECT_ACTIONS = {
    "HeadObject": "s3:GetObject", "GetObject": "s3:GetObject", "PutObject": "s3:PutObject",
    "DeleteObject": "s3:DeleteObject", "CreateMultipartUpload": "s3:PutObject", "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject", "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListParts": "s3:ListMultipartUploadParts", "GetObjectTagging": "s3:GetObjectTagging",
    "PutObjectTagging": "s3:PutObjectTagging",
}
_DYNAMODB_TRANSACT = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem",
                      "ConditionCheck": "ConditionCheckItem", "Get": "GetItem"}
_NO_RESOURCE = {  # actions IAM authorizes on "*" only
    ("dynamodb", "ListTables"), ("sqs", "ListQueues"), ("s3", "ListBuckets"), ("events", "ListEventBuses"),
    ("secretsmanager", "ListSecrets"), ("secretsmanager", "GetRandomPassword"), ("xray", "PutTraceSegments"),
    ("xray", "PutTelemetryRecords"), ("sts", "GetCallerIdentity"), ("monitoring", "PutMetricData"),
}


def requests_for(service: str, operation: str, params: dict[str, Any], names: Names) -> list[Request]:
    """The authorization requests of one API call (what IAM checks before AWS does anything)."""
    prefix = ACTION_PREFIX.get(service, service)
    action = f"{prefix}:{operation}"
    if (service, operation) in _NO_RESOURCE:
        context = {"cloudwatch:namespace": params.get("Namespace")} if operation == "PutMetricData" else {}
        return [Request(action, "*", {k: v for k, v in context.items() if v is not None})]
    mapper = _MAPPERS.get(service)
    if mapper is None:
        raise Unmapped(f"no IAM mapping for the {service} service ({operation})")
    found = mapper(operation, params, names, action)
    if not found:
        raise Unmapped(f"no IAM mapping for {service}.{operation}")
    return found


def _table_arn(name: str, names: Names) -> str:
    return name if name.startswith("arn:") else names.arn("dynamodb", f"table/{name}")


def _dynamodb(operation: str, params: dict[str, Any], names: Names, action: str) -> list[Request]:
    if "TableName" in params:
        resource = _table_arn(params["TableName"], names)
        if params.get("IndexName") and operation in ("Query", "Scan"):
            resource += f"/index/{params['IndexName']}"
        return [Request(action, resource)]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [Request(action, _table_arn(table, names)) for table in params.get("RequestItems", {})]
    if operation in ("TransactWriteItems", "TransactGetItems"):
        found = []
        for item in params.get("TransactItems", []):
            for kind, body in item.items():
                found.append(Request(f"dynamodb:{_DYNAMODB_TRANSACT[kind]}", _table_arn(body["TableName"], names)))
        return found
    return []


def _s3(operation: str, params: dict[str, Any], names: Names, action: str) -> list[Request]:
    bucket = params.get("Bucket")
    if not bucket:
        return []
    bucket_arn = f"arn:{names.partition}:s3:::{bucket}"
    context = {"aws:SecureTransport": True}  # Lambda's SDK always speaks HTTPS to S3
    if operation in _S3_BUCKET_ACTIONS:
        if operation.startswith("ListObjects"):
            context |= {"s3:prefix": params.get("Prefix", ""), "s3:delimiter": params.get("Delimiter")}
            if "MaxKeys" in params:
                context["s3:max-keys"] = params["MaxKeys"]
        return [Request(_S3_BUCKET_ACTIONS[operation], bucket_arn, _present(context))]
    if operation in _S3_OBJECT_ACTIONS and "Key" in params:
        return [Request(_S3_OBJECT_ACTIONS[operation], f"{bucket_arn}/{params['Key']}", context)]
    if operation == "DeleteObjects":
        keys = [item["Key"] for item in params.get("Delete", {}).get("Objects", [])]
        return [Request("s3:DeleteObject", f"{bucket_arn}/{key}", context) for key in keys]
    if operation == "CopyObject":
        source = params.get("CopySource")
        if isinstance(source, dict):
            source = f"{source['Bucket']}/{source['Key']}"
        return [Request("s3:GetObject", f"arn:{names.partition}:s3:::{str(source).lstrip('/')}", context),
                Request("s3:PutObject", f"{bucket_arn}/{params['Key']}", context)]
    if operation.startswith(("GetBucket", "PutBucket", "DeleteBucket")) or operation in ("CreateBucket",):
        return [Request(action, bucket_arn, context)]
    return []


def _events(operation: str, params: dict[str, Any], names: Names, action: str) -> list[Request]:
    def bus_arn(name: str | None) -> str:
        name = name or "default"
        return name if name.startswith("arn:") else names.arn("events", f"event-bus/{name}")

    if operation == "PutEvents":
        buses = dict.fromkeys(bus_arn(entry.get("EventBusName")) for entry in params.get("Entries", []))
        return [Request(action, arn) for arn in buses]
    if operation in ("DescribeEventBus", "DeleteEventBus", "CreateEventBus"):
        return [Request(action, bus_arn(params.get("Name")))]
    if operation in ("PutRule", "DescribeRule", "DeleteRule", "PutTargets", "RemoveTargets", "ListTargetsByRule"):
        rule = params.get("Name") or params.get("Rule")
        bus = params.get("EventBusName")
        path = f"rule/{rule}" if not bus or bus == "default" else f"rule/{bus}/{rule}"
        return [Request(action, names.arn("events", path))]
    return []


def _secretsmanager(operation: str, params: dict[str, Any], names: Names, action: str) -> list[Request]:
    secret = params.get("SecretId")
    if not secret:
        return []
    if not secret.startswith("arn:"):
        # IAM evaluates the secret's full ARN (name + six random characters); an unknown name has none.
        secret = names.secret_arns.get(secret) or names.arn("secretsmanager", f"secret:{secret}")
    return [Request(action, secret)]


def _sqs(operation: str, params: dict[str, Any], names: Names, action: str) -> list[Request]:
    if "QueueUrl" in params:
        path = urlsplit(params["QueueUrl"]).path.strip("/").split("/")
        if len(path) != 2:
            raise Unmapped(f"cannot read account and queue name from {params['QueueUrl']!r}")
        account, queue = path
        arn = f"arn:{names.partition}:sqs:{names.region}:{account}:{queue}"
    elif "QueueName" in params:
        arn = names.arn("sqs", params["QueueName"])
    else:
        return []
    return [Request(action, arn)]


def _sns(operation: str, params: dict[str, Any], names: Names, action: str) -> list[Request]:
    topic = params.get("TopicArn") or params.get("TargetArn")
    return [Request(action, topic)] if topic else []


_MAPPERS = {"dynamodb": _dynamodb, "s3": _s3, "events": _events, "secretsmanager": _secretsmanager, "sqs": _sqs,
            "sns": _sns}


def _present(context: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in context.items() if value is not None}


# --- policy evaluation -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """One action pattern on one resource pattern of one statement: the unit 'never used' is reported in."""

    statement: str  # the statement's Sid, or its position
    action: str
    resource: str

    def to_json(self) -> dict[str, str]:
        return {"statement": self.statement, "action": self.action, "resource": self.resource}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    grants: tuple[Grant, ...] = ()  # the Allow grants that matched (empty when denied)


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for position, statement in enumerate(_as_list(document.get("Statement", []))):
        found.append({"Sid": statement.get("Sid") or f"#{position}", **statement})
    return found


def _wildcard(pattern: str, value: str, ignore_case: bool = False) -> bool:
    """IAM's ``*`` and ``?`` (no character classes: ``[`` is literal)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL) is not None


def _action_matches(pattern: str, action: str) -> bool:
    return _wildcard(pattern, action, ignore_case=True)


def arn_like(pattern: str, arn: str) -> bool:
    """IAM's ArnLike / resource matching: ``*`` and ``?`` wildcards, case-sensitive."""
    return pattern == "*" or _wildcard(pattern, arn)


def _string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_OPERATORS = {
    "StringEquals": lambda v, p: _string(v) == p,
    "StringNotEquals": lambda v, p: _string(v) != p,
    "StringEqualsIgnoreCase": lambda v, p: _string(v).lower() == p.lower(),
    "StringNotEqualsIgnoreCase": lambda v, p: _string(v).lower() != p.lower(),
    "StringLike": lambda v, p: _wildcard(p, _string(v)),
    "StringNotLike": lambda v, p: not _wildcard(p, _string(v)),
    "ArnEquals": lambda v, p: _string(v) == p,
    "ArnLike": lambda v, p: _wildcard(p, _string(v)),
    "ArnNotEquals": lambda v, p: _string(v) != p,
    "ArnNotLike": lambda v, p: not _wildcard(p, _string(v)),
    "Bool": lambda v, p: _string(v).lower() == str(p).lower(),
    "NumericEquals": lambda v, p: float(v) == float(p),
    "NumericNotEquals": lambda v, p: float(v) != float(p),
    "NumericLessThan": lambda v, p: float(v) < float(p),
    "NumericLessThanEquals": lambda v, p: float(v) <= float(p),
    "NumericGreaterThan": lambda v, p: float(v) > float(p),
    "NumericGreaterThanEquals": lambda v, p: float(v) >= float(p),
}
_NEGATED = {"StringNotEquals", "StringNotEqualsIgnoreCase", "StringNotLike", "ArnNotEquals", "ArnNotLike",
            "NumericNotEquals"}


def _condition_holds(conditions: dict[str, Any], context: dict[str, Any]) -> tuple[bool, str]:
    """All operators must hold; within one, every key; a key holds when any of its values matches."""
    for raw_operator, keys in conditions.items():
        qualifier, _, operator = raw_operator.rpartition(":")
        if_exists = operator.endswith("IfExists")
        operator = operator.removesuffix("IfExists")
        for key, expected in keys.items():
            present = key in context
            if operator == "Null":
                if (not present) != (str(expected).lower() == "true"):
                    return False, f"{raw_operator} {key}"
                continue
            test = _OPERATORS.get(operator)
            if test is None:
                return False, f"condition operator {raw_operator} is not modelled by the harness"
            if not present:
                if if_exists:
                    continue
                return False, f"condition key {key} is absent from the request"
            values = [str(p) for p in _as_list(expected)]
            actual = _as_list(context[key])
            if qualifier == "ForAllValues":
                holds = all(any(test(a, p) for p in values) for a in actual)
            elif operator in _NEGATED:  # a negated operator holds when the value matches none of the patterns
                holds = all(all(test(a, p) for p in values) for a in actual)
            else:
                holds = any(test(a, p) for a in actual for p in values)
            if not holds:
                return False, f"{raw_operator} {key}={context[key]!r} is not {expected!r}"
    return True, ""


def _statement_applies(statement: dict[str, Any], request: Request) -> tuple[list[Grant], str]:
    """The grants of this statement that cover the request ([] and why not, when none)."""
    if "Action" in statement:
        actions = [a for a in _as_list(statement["Action"]) if _action_matches(a, request.action)]
        if not actions:
            return [], "action"
    else:
        if any(_action_matches(a, request.action) for a in _as_list(statement.get("NotAction", []))):
            return [], "action"
        actions = [f"NotAction:{','.join(_as_list(statement.get('NotAction', [])))}"]
    if "Resource" in statement:
        resources = [r for r in _as_list(statement["Resource"]) if arn_like(r, request.resource)]
        if not resources:
            return [], "resource"
    else:
        if any(arn_like(r, request.resource) for r in _as_list(statement.get("NotResource", []))):
            return [], "resource"
        resources = [f"NotResource:{','.join(_as_list(statement.get('NotResource', [])))}"]
    holds, why = _condition_holds(statement.get("Condition", {}), request.context)
    if not holds:
        return [], why
    return [Grant(statement["Sid"], a, r) for a in actions for r in resources], ""


def evaluate(policy: list[dict[str, Any]], request: Request) -> Decision:
    """IAM's identity-policy logic for one request: explicit Deny, else Allow, else implicit deny."""
    allowed: list[Grant] = []
    near_misses: list[str] = []
    for statement in policy:
        grants, why = _statement_applies(statement, request)
        if grants and statement.get("Effect") == "Deny":
            return Decision(False, f"explicitly denied by statement {statement['Sid']}")
        if grants:
            allowed += grants
        elif why not in ("action", "resource") and statement.get("Effect") == "Allow":
            near_misses.append(f"{statement['Sid']}: {why}")
    if allowed:
        return Decision(True, "allowed", tuple(allowed))
    reason = f"no identity-based policy allows the {request.action} action on {request.resource}"
    if near_misses:
        reason += " (conditions not met: " + "; ".join(near_misses) + ")"
    return Decision(False, reason)


def all_grants(policy: list[dict[str, Any]]) -> list[Grant]:
    """Every (action, resource) pair the Allow statements name: what 'never used' is measured against."""
    found = []
    for statement in policy:
        if statement.get("Effect") != "Allow":
            continue
        actions = _as_list(statement.get("Action", [f"NotAction:{statement.get('NotAction')}"]))
        resources = _as_list(statement.get("Resource", [f"NotResource:{statement.get('NotResource')}"]))
        found += [Grant(statement["Sid"], a, r) for a in actions for r in resources]
    return found


def unused(policy: list[dict[str, Any]], used: set[Grant]) -> list[Grant]:
    return [grant for grant in all_grants(policy) if grant not in used]
