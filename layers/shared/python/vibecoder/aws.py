"""boto3 clients, created once per process and only when first used (cold start)."""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def client(service: str) -> Any:
    import boto3  # boto3 honours AWS_ENDPOINT_URL, which points everything at a moto server locally

    return boto3.client(service)


@cache
def table(name: str) -> Any:
    import boto3

    return boto3.resource("dynamodb").Table(name)


def reset_clients() -> None:
    client.cache_clear()
    table.cache_clear()
