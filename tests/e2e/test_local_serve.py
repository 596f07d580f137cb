"""``python -m local serve`` over real HTTP: 202 with a request id, then the carousel completes."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, method="GET", body=None):
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = free_port()
    out = tmp_path_factory.mktemp("serve-out")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_ENDPOINT", "TELEGRAM_BOT"))}
    process = subprocess.Popen([sys.executable, "-m", "local", "serve", "--port", str(port), "--out", str(out)],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = process.stdout.readline()  # blocks until the server is listening (or died)
    assert line.startswith("listening on"), line + process.stdout.read()
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


def wait_for_terminal(server, request_id, deadline_seconds=60):
    deadline = time.monotonic() + deadline_seconds
    while time.monotonic() < deadline:
        status, body = call(f"{server}/carousels/{request_id}")
        if status == 200 and body["status"] in ("completed", "failed"):
            return body
        time.sleep(0.1)
    raise AssertionError(f"{request_id} did not finish: {body}")


def test_post_then_get_reaches_completed(server):
    status, accepted = call(f"{server}/carousels", "POST", {"topic": "Test-Driven Development", "slidesCount": 4,
                                                            "userId": "u-http"})
    assert status == 202 and accepted["status"] == "requested"

    carousel = wait_for_terminal(server, accepted["requestId"])
    assert carousel["status"] == "completed"
    assert len(carousel["slides"]) == 4
    assert all(s["imageUrl"] and s["title"] for s in carousel["slides"])
    assert carousel["timings"]["completed"] > 0


def test_the_seeds_test_carousel_path_and_body_work(server):
    status, accepted = call(f"{server}/test-carousel", "POST", {"topic": "Serverless", "slidesCount": 3,
                                                                "userId": "seed"})
    assert status == 202
    assert wait_for_terminal(server, accepted["requestId"])["status"] == "completed"


def test_bad_bodies_get_400_naming_the_field_and_unknown_ids_404(server):
    status, body = call(f"{server}/carousels", "POST", {"topic": "x" * 201})
    assert status == 400 and any("topic" in d for d in body["details"])
    status, body = call(f"{server}/carousels", "POST", {"topic": "TDD", "slidesCount": 0})
    assert status == 400 and any("slidesCount" in d for d in body["details"])
    assert call(f"{server}/carousels/does-not-exist")[0] == 404


def test_health_and_stats(server):
    status, health = call(f"{server}/health")
    assert status == 200 and health["status"] == "healthy"
    assert health["eventBus"]["status"] == "ok" and "timestamp" in health

    status, stats = call(f"{server}/stats")
    assert status == 200
    assert stats["eventBus"]["totalEventsProcessed"] == sum(stats["eventBus"]["eventCountsByType"].values())
    assert "deadLetters" in stats["eventBus"]
