"""Execution environments: one Python 3.12 process per warm instance of a function, kept between invocations.

A :class:`Worker` is one execution environment (local/deployed/worker.py inside): started with the
function's environment and nothing else, initialised once (the handler imported: the cold start),
then fed one invocation per line on stdin. Its log (stderr) goes to a file per instance, like a log
stream. The function's timeout is enforced: an invocation that outlives it kills the instance, as
Lambda does. A :class:`FunctionPool` hands each concurrent invocation its own instance (a busy one
is never shared) and starts another when all are busy: Lambda's scaling, in miniature.
"""

from __future__ import annotations

import collections
import json
import os
import queue
import secrets
import signal
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

WORKER = Path(__file__).with_name("worker.py")
ACCESS_MODULE = Path(__file__).with_name("access.py")
LOG_TAIL_LINES = 200


class InitError(RuntimeError):
    """The function could not be initialised (import error, missing handler, crash)."""

    def __init__(self, function: str, error: dict[str, Any], log: str):
        self.function = function
        self.error = error
        self.log = log
        super().__init__(f"{function}: {error.get('errorType')}: {error.get('errorMessage')}\n{log[-3000:]}")


class FunctionError(RuntimeError):
    """The function's invocation failed (Lambda's FunctionError: Unhandled)."""

    def __init__(self, function: str, error: dict[str, Any]):
        self.function = function
        self.error = error
        super().__init__(f"{function}: {error.get('errorType')}: {error.get('errorMessage')}")


@dataclass
class Invocation:
    function: str
    ok: bool
    result: Any
    error: dict[str, Any] | None
    duration_ms: float
    calls: list[dict[str, Any]]
    cold: bool
    max_rss_kb: int = 0


@dataclass
class ColdStart:
    function: str
    init_ms: float  # the handler's import, measured inside the interpreter (Lambda's Init Duration, minus start-up)
    start_ms: float  # from spawning the interpreter to the handler being ready
    max_rss_kb: int
    python: str = ""
    sys_path: list[str] = field(default_factory=list)
    outside_roots: list[str] = field(default_factory=list)  # modules loaded from elsewhere (must be none)


@dataclass
class WorkerSpec:
    """Everything one function's instances are started with."""

    name: str
    handler: str
    timeout_seconds: int
    function_arn: str
    path: list[str]  # the import path before the standard library: /var/task, /opt/python…, the runtime
    read_only: list[str]
    environment: dict[str, str]  # the template's variables plus what the Lambda runtime sets
    policy: list[dict[str, Any]]
    names: dict[str, Any]  # access.Names fields
    principal: str
    python: Path
    workdir: Path  # this function's working directory, HOME and TMPDIR live here
    pycache_prefix: Path | None = None  # None: no bytecode written or read beside the sources, as deployed
    enforce: bool = True
    on_calls: Any = None  # callable(function, calls) for the init phase's calls
    xray: bool = False  # TracingConfig Active: a local UDP "daemon" receives the segments
    extra: dict[str, Any] = field(default_factory=dict)


def trace_header() -> str:
    root = f"1-{int(time.time()):08x}-{secrets.token_hex(12)}"
    return f"Root={root};Parent={secrets.token_hex(8)};Sampled=1"


class Worker:
    def __init__(self, spec: WorkerSpec, number: int):
        self.spec = spec
        self.number = number
        self.log_path = spec.workdir / f"instance-{number}.log"
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._log_tail: collections.deque[str] = collections.deque(maxlen=LOG_TAIL_LINES)
        self._process: subprocess.Popen | None = None
        self._daemon: socket.socket | None = None
        self.segments = 0
        self.invocations = 0
        self.cold_start: ColdStart | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> ColdStart:
        spec = self.spec
        home = spec.workdir / f"instance-{self.number}"
        (home / "tmp").mkdir(parents=True, exist_ok=True)
        environment = dict(spec.environment)
        environment.update(HOME=str(home), TMPDIR=str(home / "tmp"),
                           AWS_LAMBDA_LOG_STREAM_NAME=f"{time.strftime('%Y/%m/%d')}/[$LATEST]{uuid.uuid4().hex}")
        if spec.xray:
            self._daemon = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self._daemon.bind(("127.0.0.1", 0))
            address = f"127.0.0.1:{self._daemon.getsockname()[1]}"
            environment.update(AWS_XRAY_DAEMON_ADDRESS=address, _AWS_XRAY_DAEMON_ADDRESS="127.0.0.1",
                               _AWS_XRAY_DAEMON_PORT=address.rsplit(":", 1)[1])
            threading.Thread(target=self._receive_segments, daemon=True, name=f"xray-{spec.name}").start()
        spec_file = home / "spec.json"
        spec_file.write_text(json.dumps({
            "handler": spec.handler, "path": spec.path, "read_only": spec.read_only, "policy": spec.policy,
            "names": spec.names, "principal": spec.principal, "enforce": spec.enforce,
            "access_module": str(ACCESS_MODULE),
        }))
        bytecode = ["-X", f"pycache_prefix={spec.pycache_prefix}"] if spec.pycache_prefix else ["-B"]
        started = time.perf_counter()
        self._process = subprocess.Popen(
            [str(spec.python), "-I", "-S", *bytecode, str(WORKER), str(spec_file)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=home, env=environment,
            start_new_session=True,
        )
        threading.Thread(target=self._read_protocol, daemon=True, name=f"{spec.name}-out").start()
        threading.Thread(target=self._read_log, daemon=True, name=f"{spec.name}-log").start()
        message = self._next(timeout=max(60, spec.timeout_seconds))
        start_ms = (time.perf_counter() - started) * 1000
        if spec.on_calls and message and message.get("calls"):  # the init phase's calls, failed or not
            spec.on_calls(spec.name, message["calls"])
        if message is None or not message.get("ready"):
            error = (message or {}).get("error") or {"errorType": "Runtime.ExitError",
                                                     "errorMessage": "the interpreter exited during init"}
            self.stop()
            raise InitError(spec.name, error, self.log())
        self.cold_start = ColdStart(spec.name, message["initMs"], start_ms, message.get("maxRssKb", 0),
                                    message.get("python", ""), message.get("sysPath", []),
                                    message.get("outsideRoots", []))
        return self.cold_start

    def stop(self) -> None:
        if self._process and self._process.poll() is None:
            try:
                self._process.stdin.close()
                self._process.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                os.killpg(self._process.pid, signal.SIGKILL)
                self._process.wait(timeout=5)
        if self._daemon:
            self._daemon.close()
            self._daemon = None

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def log(self) -> str:
        return "".join(self._log_tail)

    # --- invoking ------------------------------------------------------------------------------

    def invoke(self, event: Any) -> Invocation:
        spec = self.spec
        request = {"event": event, "requestId": str(uuid.uuid4()), "traceId": trace_header(),
                   "timeoutSeconds": spec.timeout_seconds, "invokedFunctionArn": spec.function_arn}
        cold = self.invocations == 0
        self.invocations += 1
        started = time.perf_counter()
        try:
            self._process.stdin.write((json.dumps(request) + "\n").encode())
            self._process.stdin.flush()
        except (BrokenPipeError, OSError):
            return self._crashed(started, cold, "the instance's interpreter is gone")
        reply = self._next(timeout=spec.timeout_seconds)
        if reply is None:
            if self.alive:  # Lambda stops an invocation at the function's timeout and discards the instance
                os.killpg(self._process.pid, signal.SIGKILL)
                return self._crashed(started, cold, f"Task timed out after {spec.timeout_seconds:.2f} seconds",
                                     "Sandbox.Timedout")
            return self._crashed(started, cold, "the interpreter exited during the invocation")
        return Invocation(spec.name, reply["ok"], reply.get("result"), reply.get("error"), reply["durationMs"],
                          reply.get("calls", []), cold, reply.get("maxRssKb", 0))

    def _crashed(self, started: float, cold: bool, message: str, error_type: str = "Runtime.ExitError") -> Invocation:
        self.stop()
        error = {"errorType": error_type, "errorMessage": message, "log": self.log()[-3000:]}
        return Invocation(self.spec.name, False, None, error, (time.perf_counter() - started) * 1000, [], cold)

    # --- pipes ---------------------------------------------------------------------------------

    def _next(self, timeout: float) -> dict[str, Any] | None:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            return None
        return None if line is None else json.loads(line)

    def _read_protocol(self) -> None:
        for line in self._process.stdout:
            self._lines.put(line.decode())
        self._lines.put(None)

    def _read_log(self) -> None:
        with open(self.log_path, "a", encoding="utf-8") as log:
            for raw in self._process.stderr:
                line = raw.decode(errors="replace")
                log.write(line)
                log.flush()
                self._log_tail.append(line)

    def _receive_segments(self) -> None:
        daemon = self._daemon
        while daemon is not None:
            try:
                daemon.recvfrom(65536)
            except OSError:
                return
            self.segments += 1


class FunctionPool:
    """The instances of one function: an idle one serves the next invocation, a new one starts when all are busy."""

    def __init__(self, spec: WorkerSpec):
        self.spec = spec
        self.cold_starts: list[ColdStart] = []
        self.invocations: list[Invocation] = []
        self._idle: list[Worker] = []
        self._all: list[Worker] = []
        self._lock = threading.Lock()

    def _acquire(self) -> Worker:
        with self._lock:
            while self._idle:
                worker = self._idle.pop()
                if worker.alive:
                    return worker
            worker = Worker(self.spec, len(self._all) + 1)
            self._all.append(worker)
        self.cold_starts.append(worker.start())
        return worker

    def warm(self) -> ColdStart:
        """An instance ready for the next invocation (started when none is): how it started."""
        worker = self._acquire()
        with self._lock:
            self._idle.append(worker)
        return worker.cold_start

    def invoke(self, event: Any) -> Invocation:
        worker = self._acquire()
        try:
            invocation = worker.invoke(event)
        finally:
            if worker.alive:
                with self._lock:
                    self._idle.append(worker)
        with self._lock:
            self.invocations.append(invocation)
        return invocation

    @property
    def xray_segments(self) -> int:
        return sum(worker.segments for worker in self._all)

    def log(self) -> str:
        return "\n".join(f"--- instance {w.number} ---\n{w.log()}" for w in self._all)

    def stop(self) -> None:
        with self._lock:
            workers, self._idle = list(self._all), []
        for worker in workers:
            worker.stop()
