"""``python -m local serve``: the API routes and the Telegram webhook on 127.0.0.1, the bus behind them."""

from __future__ import annotations

import contextlib
import signal
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from local import apigw
from local.runtime import LocalRuntime


class _HttpServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of clients must not see connection resets


class LocalServer:
    def __init__(self, runtime: LocalRuntime, host: str = "127.0.0.1", port: int = 8080):
        self.runtime = runtime
        self.httpd = _HttpServer((host, port), self._handler_class())

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def dispatch(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                 client_ip: str) -> tuple[int, dict[str, str], bytes]:
        """One HTTP request → (status, headers, body), as the REST API answers it."""
        found = apigw.match(method, url.split("?", 1)[0])
        if found is None:
            return apigw.missing_route()
        route, params = found
        event = apigw.proxy_event(route, params, method, url, headers, body, client_ip)
        return apigw.respond(self.runtime.invoke, route, event)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                self._send(*server.dispatch(self.command, self.path, dict(self.headers.items()), body,
                                            self.client_address[0]))

            def _send(self, status: int, headers: dict[str, str], data: bytes) -> None:
                self.send_response(status)
                for key, value in headers.items():
                    if key.lower() not in ("content-length", "connection"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def __getattr__(self, name: str):  # every method reaches the router, as at API Gateway
                if name.startswith("do_"):
                    return self._handle
                raise AttributeError(name)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
                if getattr(server.runtime, "verbose", False):
                    super().log_message(format, *args)

        return Handler

    def start(self) -> None:
        self.runtime.start_router()
        threading.Thread(target=self.httpd.serve_forever, name="http", daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.runtime.router.stop()


def serve(host: str, port: int, out_dir: Path, verbose: bool = False) -> int:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    with LocalRuntime(out_dir=out_dir, verbose=verbose) as runtime:
        server = LocalServer(runtime, host, port)
        server.start()
        print(f"listening on {server.url}", flush=True)
        print(f"routes: {', '.join(f'{r.method} {r.resource}' for r in apigw.routes())}", flush=True)
        print(f"webhook secret header X-Telegram-Bot-Api-Secret-Token: {runtime.settings.telegram_webhook_secret}",
              flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stopped.wait()
        server.stop()
    return 0
