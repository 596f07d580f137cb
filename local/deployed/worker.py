"""The Lambda runtime's part, for one function in one Python 3.12 interpreter (standard library only).

Started by local/deployed/process.py as ``python3.12 -I -S [-B | -X pycache_prefix=DIR] worker.py
SPEC.json``: isolated (no PYTHON* variables, no user or site packages, not even this file's folder on
the path). The worker then does what Lambda's bootstrap does before the function's code runs:

- ``sys.path`` becomes the code asset (``/var/task``), the merged layers (``/opt/python`` and its
  ``lib/python3.12/site-packages``), the runtime's own packages (boto3, as Lambda provides it) and the
  standard library: nothing else, so a file missing from an asset cannot be found anywhere else;
- the code and layer folders are read-only (an audit hook refuses writes there, as ``EROFS`` would);
- what the function prints goes to its log (stderr); results travel on the original stdout;
- the handler is imported once (the init phase, timed), then invoked once per request line.

Every AWS call is seen before it is sent (a botocore handler added when botocore loads, so import
times stay the function's own), turned into IAM requests by access.py and checked against the
function's role: a call the role does not allow raises AccessDenied as AWS would, and every call is
reported with the invocation's result.
"""

import errno
import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import sys
import time
import traceback

_PROTOCOL = None  # the original stdout: one JSON document per line
_CALLS = []  # the AWS calls of the current invocation (or of the init phase)
_WRITES = frozenset({"open", "os.remove", "os.rename", "os.replace", "os.mkdir", "os.rmdir", "os.chmod",
                     "os.chown", "os.link", "os.symlink", "os.truncate", "os.utime", "shutil.rmtree"})
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def send(message):
    _PROTOCOL.write(json.dumps(message, default=str) + "\n")
    _PROTOCOL.flush()


# --- the file system as Lambda mounts it -------------------------------------------------------------


def guard_read_only(roots):
    """Refuse writes under ``roots`` (Lambda mounts the code and the layers read-only)."""
    roots = tuple(os.path.realpath(root) + os.sep for root in roots)

    def refuse_if_inside(path):
        if isinstance(path, int) or path is None:
            return
        real = os.path.realpath(os.fsdecode(path))
        if (real + os.sep).startswith(roots):
            raise OSError(errno.EROFS, "Read-only file system", os.fsdecode(path))

    def hook(event, args):
        if event not in _WRITES:
            return
        if event == "open":
            path, mode, flags = args
            writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & _WRITE_FLAGS)
            if writes:
                refuse_if_inside(path)
        elif event in ("os.rename", "os.replace", "os.link", "os.symlink"):
            refuse_if_inside(args[0])
            refuse_if_inside(args[1])
        else:
            refuse_if_inside(args[0])

    sys.addaudithook(hook)


# --- AWS calls, authorized against the role ----------------------------------------------------------


def load_access(path):
    """access.py by file path, under a private name: it never appears on the function's import path."""
    spec = importlib.util.spec_from_file_location("_deployed_harness_access", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


class CallRecorder:
    def __init__(self, access, policy, names, principal, enforce):
        self.access = access
        self.policy = policy
        self.names = names
        self.principal = principal  # the assumed-role ARN AWS names in its AccessDenied messages
        self.enforce = enforce

    def __call__(self, params, model, context, **_):
        service, operation = model.service_model.service_name, model.name
        presign = bool((context or {}).get("is_presign_request"))
        call = {"service": service, "operation": operation, "presign": presign, "requests": [], "allowed": True}
        try:
            requests = self.access.requests_for(service, operation, params, self.names)
        except self.access.Unmapped as error:
            call.update(allowed=False, reason=str(error))
            _CALLS.append(call)
            self._deny(operation, str(error), presign)
            return
        denied = None
        for request in requests:
            decision = self.access.evaluate(self.policy, request)
            call["requests"].append({**request.to_json(), "allowed": decision.allowed, "reason": decision.reason,
                                     "grants": [grant.to_json() for grant in decision.grants]})
            if not decision.allowed and denied is None:
                denied = decision.reason
        call["allowed"] = denied is None
        _CALLS.append(call)
        if denied is not None:
            self._deny(operation, denied, presign)

    def _deny(self, operation, reason, presign):
        if presign or not self.enforce:  # a presigned URL is refused later, when it is used
            return
        from botocore.exceptions import ClientError

        message = f"User: {self.principal} is not authorized to perform this call because {reason}"
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": message},
                           "ResponseMetadata": {"HTTPStatusCode": 403}}, operation)


class _AfterBotocoreHandlers(importlib.abc.MetaPathFinder):
    """Adds the recorder to botocore's built-in handlers as botocore loads (every session gets it)."""

    def __init__(self, recorder):
        self.recorder = recorder

    def find_spec(self, name, path, target=None):
        if name != "botocore.handlers":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None:
            return None
        original = spec.loader.exec_module
        recorder = self.recorder

        def exec_module(module):
            original(module)
            module.BUILTIN_HANDLERS.append(("before-parameter-build", recorder))

        spec.loader.exec_module = exec_module
        return spec


# --- the Lambda context and the invocation loop -----------------------------------------------------


class LambdaContext:
    def __init__(self, request, deadline):
        self.function_name = os.environ["AWS_LAMBDA_FUNCTION_NAME"]
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"))
        self.invoked_function_arn = request["invokedFunctionArn"]
        self.aws_request_id = request["requestId"]
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def error_of(exc, error_type=None):
    return {"errorType": error_type or type(exc).__name__, "errorMessage": str(exc),
            "stackTrace": traceback.format_tb(exc.__traceback__)}


def load_handler(handler):
    module_name, _, attribute = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise _InitError(exc, "Runtime.ImportModuleError") from exc
    except Exception as exc:  # noqa: BLE001 - any failure of the module's own code is the init error
        raise _InitError(exc, "Runtime.UserCodeSyntaxError" if isinstance(exc, SyntaxError) else None) from exc
    function = getattr(module, attribute, None)
    if not callable(function):
        raise _InitError(AttributeError(f"Handler '{attribute}' missing on module '{module_name}'"),
                         "Runtime.HandlerNotFound")
    return function


class _InitError(Exception):
    def __init__(self, cause, error_type=None):
        super().__init__(str(cause))
        self.cause = cause
        self.error_type = error_type


def outside_roots(roots, harness_files):
    """Modules loaded from anywhere but the allowed roots and the harness's own two files (there must be none)."""
    allowed = tuple(os.path.realpath(root) + os.sep for root in roots)
    harness = {os.path.realpath(path) for path in harness_files}
    found = []
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if not file:
            continue
        real = os.path.realpath(file)
        if real not in harness and not (real + os.sep).startswith(allowed):
            found.append(f"{name}: {file}")
    return sorted(found)


def peak_rss_kb():
    """This interpreter's own peak resident memory (ru_maxrss would include the harness, from before exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    global _PROTOCOL
    with open(sys.argv[1], encoding="utf-8") as spec_file:
        spec = json.load(spec_file)
    _PROTOCOL = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # print() and C-level writes to stdout land in the function's log
    sys.stdout.reconfigure(line_buffering=True)
    stdlib = [path for path in sys.path if path]
    sys.path[:] = [*spec["path"], *stdlib]
    guard_read_only(spec["read_only"])

    access = load_access(spec["access_module"])
    names = access.Names(**spec["names"])
    recorder = CallRecorder(access, spec["policy"], names, spec["principal"], spec.get("enforce", True))
    sys.meta_path.insert(0, _AfterBotocoreHandlers(recorder))

    started = time.perf_counter()
    try:
        handler = load_handler(spec["handler"])
    except _InitError as failure:
        send({"ready": False, "error": error_of(failure.cause, failure.error_type),
              "initMs": (time.perf_counter() - started) * 1000, "calls": _CALLS})
        return 1
    init_ms = (time.perf_counter() - started) * 1000
    send({"ready": True, "initMs": init_ms, "calls": list(_CALLS), "sysPath": sys.path,
          "outsideRoots": outside_roots([*spec["path"], *spec["read_only"], *stdlib],
                                         [__file__, spec["access_module"]]), "python": sys.version.split()[0],
          "maxRssKb": peak_rss_kb()})
    _CALLS.clear()

    for line in sys.stdin:
        request = json.loads(line)
        os.environ["_X_AMZN_TRACE_ID"] = request["traceId"]  # set per invocation, as the runtime does
        context = LambdaContext(request, time.monotonic() + request["timeoutSeconds"])
        started = time.perf_counter()
        try:
            result = handler(request["event"], context)
            payload = json.dumps(result)  # Lambda serializes the result; an unserializable one is an error
            reply = {"ok": True, "result": json.loads(payload)}
        except Exception as exc:  # noqa: BLE001 - the function's error is the invocation's result
            traceback.print_exc()
            reply = {"ok": False, "error": error_of(exc)}
        reply.update(durationMs=(time.perf_counter() - started) * 1000, calls=list(_CALLS),
                     maxRssKb=peak_rss_kb())
        _CALLS.clear()
        send(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
