"""boto3 clients, created once per process and only when first used (cold start).

Every client made here redacts secrets from what it writes (see ``vibecoder.redaction``): DynamoDB
items and update values, S3 object metadata and tags. The hook runs before boto3 serializes the
parameters, so it sees the same Python values the caller passed (resource or low-level client alike).
"""

from __future__ import annotations

from functools import cache
from typing import Any

# Operation → the parameters that carry data into storage (keys and expressions are ours, not data).
REDACTED_PARAMETERS = {
    "dynamodb": {"PutItem": ("Item", "ExpressionAttributeValues"), "UpdateItem": ("ExpressionAttributeValues",),
                 "BatchWriteItem": ("RequestItems",), "TransactWriteItems": ("TransactItems",)},
    "s3": {"PutObject": ("Metadata", "Tagging"), "CopyObject": ("Metadata", "Tagging"),
           "CreateMultipartUpload": ("Metadata", "Tagging"), "PutObjectTagging": ("Tagging",)},
}


def _redact_parameters(params: dict[str, Any], model: Any, **_: Any) -> None:
    from vibecoder.redaction import redact_value

    for name in REDACTED_PARAMETERS[model.service_model.endpoint_prefix].get(model.name, ()):
        if name in params:
            params[name] = redact_value(params[name])


def redacting(boto_client: Any) -> Any:
    """``boto_client`` with secrets redacted from what it writes (a no-op for other services)."""
    service = boto_client.meta.service_model.endpoint_prefix
    for operation in REDACTED_PARAMETERS.get(service, {}):
        boto_client.meta.events.register(f"before-parameter-build.{service}.{operation}", _redact_parameters,
                                         unique_id=f"vibecoder-redact-{service}-{operation}")
    return boto_client


@cache
def client(service: str) -> Any:
    import boto3  # boto3 honours AWS_ENDPOINT_URL, which points everything at a moto server locally

    return redacting(boto3.client(service))


@cache
def table(name: str) -> Any:
    import boto3

    resource = boto3.resource("dynamodb")
    redacting(resource.meta.client)
    return resource.Table(name)


def reset_clients() -> None:
    client.cache_clear()
    table.cache_clear()
