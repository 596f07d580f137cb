"""A local OpenAI-compatible HTTP server for tests: real HTTP on 127.0.0.1, scripted answers.

Each POST to ``/v1/chat/completions`` takes the next scripted :class:`Reply` (the last one repeats)
and records the request (headers and JSON body) so tests can check what the client sent. A scripted
reply may also be a function of the request's JSON body that returns the :class:`Reply`: a server that
answers by what it was asked (e.g. one that rejects ``json_schema`` response formats).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    body: dict | str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


def completion(content: str | None, *, refusal: str | None = None, prompt_tokens: int = 321,
               completion_tokens: int = 654, model: str = "gpt-4o-mini-2024-07-18", finish_reason: str = "stop") -> Reply:
    return Reply(body={
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_764_000_000,
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": content, "refusal": refusal},
            "finish_reason": finish_reason,
            "logprobs": None,
        }],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    })


def error(status: int, message: str = "error", *, headers: dict[str, str] | None = None) -> Reply:
    kind = {429: "rate_limit_exceeded", 401: "invalid_api_key"}.get(status, "server_error")
    return Reply(status=status, body={"error": {"message": message, "type": kind, "code": kind, "param": None}},
                 headers=headers or {})


Scripted = Reply | Callable[[dict], Reply]


class FakeOpenAI:
    def __init__(self, *replies: Scripted):
        self.replies = list(replies)
        self.requests: list[dict] = []
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def do_POST(self):  # noqa: N802 - http.server's naming
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                with fake._lock:
                    body = json.loads(raw or b"{}")
                    fake.requests.append({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "json": body})
                    index = min(len(fake.requests) - 1, len(fake.replies) - 1)
                    reply = fake.replies[index] if fake.replies else error(500, "no reply scripted")
                if callable(reply):
                    reply = reply(body)
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                text = reply.body if isinstance(reply.body, str) else json.dumps(reply.body or {})
                data = text.encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def __enter__(self) -> FakeOpenAI:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
