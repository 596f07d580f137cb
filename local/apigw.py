"""The API Gateway emulator: HTTP requests → REST API proxy events, routed by the catalog's triggers."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from vibecoder.events.catalog import CATALOG

STAGE = "prod"
HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Route:
    method: str
    resource: str  # API Gateway's resource path, e.g. /carousels/{id}
    function: str

    @property
    def pattern(self) -> re.Pattern:
        return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.resource) + "$")


def routes() -> list[Route]:
    found = []
    for service in CATALOG.services.values():
        for trigger in service.triggers:
            method, _, path = trigger.partition(" ")
            if method in HTTP_METHODS:
                found.append(Route(method, path, service.name))
    return found


def match(method: str, path: str) -> tuple[Route, dict[str, str]] | None:
    for route in routes():
        found = route.pattern.match(path)
        if found and route.method == method:
            return route, found.groupdict()
    return None


def missing_route() -> tuple[int, dict[str, str], bytes]:
    """What a REST API answers for a method or path it does not define."""
    return 403, {"Content-Type": "application/json", "x-amzn-ErrorType": "MissingAuthenticationTokenException"}, \
        json.dumps({"message": "Missing Authentication Token"}).encode()


def proxy_event(route: Route, params: dict[str, str], method: str, url: str, headers: dict[str, str],
                body: bytes | None, source_ip: str = "127.0.0.1", *, stage: str = STAGE,
                account: str = "123456789012", api_id: str = "local") -> dict[str, Any]:
    parts = urlsplit(url)
    query = parse_qs(parts.query, keep_blank_values=True)
    text_body, is_base64 = None, False
    if body:
        try:
            text_body = body.decode("utf-8")
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(body).decode("ascii"), True
    return {
        "resource": route.resource,
        "path": parts.path,
        "httpMethod": method,
        "headers": dict(headers),
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "pathParameters": params or None,
        "stageVariables": None,
        "requestContext": {
            "resourcePath": route.resource,
            "httpMethod": method,
            "path": f"/{stage}{parts.path}",
            "stage": stage,
            "requestId": str(uuid.uuid4()),
            "accountId": account,
            "apiId": api_id,
            "protocol": "HTTP/1.1",
            "domainName": headers.get("Host", "localhost"),
            "requestTimeEpoch": int(time.time() * 1000),
            "identity": {"sourceIp": source_ip, "userAgent": headers.get("User-Agent", "")},
        },
        "body": text_body,
        "isBase64Encoded": is_base64,
    }


def response_parts(result: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """A Lambda proxy response → status, headers, body bytes."""
    headers = {k: v for k, v in (result.get("headers") or {}).items()}
    for key, values in (result.get("multiValueHeaders") or {}).items():
        headers[key] = ", ".join(values)
    body = result.get("body") or ""
    data = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode("utf-8")
    return int(result.get("statusCode", 200)), headers, data


def respond(invoke: Callable[[str, dict[str, Any]], Any], route: Route,
            event: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    """What API Gateway answers for one proxy event: the function's response, or 502 when it crashed."""
    try:
        return response_parts(invoke(route.function, event))
    except Exception as error:  # noqa: BLE001 - API Gateway turns a crashed Lambda into a 502
        return 502, {"Content-Type": "application/json"}, json.dumps(
            {"message": "Internal server error", "error": type(error).__name__}).encode()
