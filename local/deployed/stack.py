"""The synthesized stack, running on this machine: moto for AWS, one Python 3.12 process per function instance.

:class:`DeployedStack` starts a moto server of its own and creates the template's resources on it,
reads every function from the template (local/deployed/lambdas.py), and wires them the way the
template does:

- events: each ``AWS::Events::Rule`` is created in moto's EventBridge with its own pattern on its
  own bus. A Lambda target becomes that function's asynchronous-invocation queue (a harness SQS queue
  standing for Lambda's internal one), drained by the local runtime's router (local/router.py) with
  the function's ``EventInvokeConfig`` retries and its ``DeadLetterConfig`` queue. A target the
  function does not permit (no ``AWS::Lambda::Permission`` for the rule) gets its events in the
  target's own dead-letter queue, as EventBridge would after its retries. Other targets (the alarm
  topic) become a probe queue with the target's input transformer, so what they would receive can be
  read. Scheduled rules run on :meth:`run_schedule`.
- HTTP: the template's REST API (local/deployed/gateway.py).
- IAM: each function's calls are authorized in its own process against its role; the platform's
  own calls on the function's behalf (log stream and events, X-Ray segments, a dead letter sent
  with the function's role) are authorized here. :attr:`violations` holds every denied call,
  :meth:`report` the grants no call used.
"""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3

from local.deployed import access
from local.deployed.assembly import Assembly
from local.deployed.gateway import DeployedApi, read_rest_api
from local.deployed.lambdas import DeployedFunction, read_functions
from local.deployed.moto_server import MotoServer
from local.deployed.process import ColdStart, FunctionError, FunctionPool, Invocation, WorkerSpec
from local.deployed.provision import Provisioner
from local.deployed.sandbox import mount
from local.deployed.template import TemplateError
from local.router import EventRouter, FunctionQueues

ADMIN_KEY = "harness-admin"
ASYNC_QUEUE = "harness-{function}-async-invocations"
TAP_QUEUE = "harness-bus-tap"
PROBE_QUEUE = "harness-target-{rule}"


@dataclass
class Call:
    """One AWS call a function made (or the platform made with its role), as authorized."""

    function: str
    service: str
    operation: str
    allowed: bool
    requests: list[dict[str, Any]]
    presign: bool = False
    platform: bool = False
    reason: str = ""

    def describe(self) -> str:
        denied = [r for r in self.requests if not r.get("allowed")]
        if denied:
            details = "; ".join(f"{r['action']} on {r['resource']}: {r['reason']}" for r in denied)
        else:
            details = self.reason
        kind = "presigned " if self.presign else "platform " if self.platform else ""
        return f"{self.function}: {kind}{self.service}.{self.operation} denied — {details}"


@dataclass
class StackOptions:
    python: Path
    runtime_packages: Path  # what Lambda's Python runtime provides (boto3 …): sandbox.runtime_packages()
    workdir: Path  # mounts, instance folders and logs of this stack
    pycache_prefix: Path | None = None  # bytecode outside the assets (faster reruns); None: none, as deployed
    enforce: bool = True  # a call the role does not allow raises AccessDenied inside the function
    seed: int = 0
    without: dict[str, frozenset[str]] = field(default_factory=dict)  # asset key → files left out (self-tests)
    mounts: Path | None = None  # where /var/task and /opt mounts are kept (shared between stacks: bytecode reuse)
    clock: Callable[[], float] | None = None  # the router's time for Lambda's retry delays (default: real time;
    sleep: Callable[[float], None] | None = None  # tests pass a fake clock whose sleep only moves it forward)


@dataclass
class Schedule:
    rule: str
    rule_arn: str
    function: str


class DeployedStack:
    def __init__(self, assembly: Assembly, options: StackOptions):
        self.assembly = assembly
        self.options = options
        self.moto = MotoServer()
        self.provisioner: Provisioner | None = None
        self.functions: dict[str, DeployedFunction] = {}
        self.pools: dict[str, FunctionPool] = {}
        self.calls: list[Call] = []
        self.defects: list[str] = []
        self.schedules: list[Schedule] = []
        self.probes: dict[str, str] = {}  # rule name → probe queue URL (targets that are not functions)
        self.delivery_delays: dict[str, float] = {}  # detail-type → its rule's delay queue's DelaySeconds
        self.sqs_sourced: set[str] = set()  # functions a delay queue feeds (through their SQS event source)
        self._queue_delays: dict[str, float] = {}  # delay queue ARN → DelaySeconds
        self.router: EventRouter | None = None
        self.api: DeployedApi | None = None
        self.mounts: dict[str, list[str]] = {}  # function → layer files a later layer replaced
        self._published: list[dict[str, Any]] = []
        self._tap_url = ""
        self._dead_letter_owner: dict[str, str] = {}  # DLQ URL → function whose role sends there
        self._platform_seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    # --- lifecycle ---------------------------------------------------------------------------------

    def start(self) -> DeployedStack:
        self.moto.start()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def _start(self) -> None:
        self.provisioner = Provisioner(self.assembly.template, self.client, seed=self.options.seed)
        self.provisioner.create_all()
        self.functions = read_functions(self.assembly, self.provisioner)
        for function in self.functions.values():
            self._check_function(function)
            self.pools[function.name] = FunctionPool(self._worker_spec(function))
        queues = self._route_events()
        router_sqs = self._new_client("sqs")
        router_sqs.meta.events.register("before-parameter-build.sqs.SendMessage", self._dead_letter_sent)
        timing = {k: v for k, v in (("clock", self.options.clock), ("sleep", self.options.sleep)) if v is not None}
        self.router = EventRouter(router_sqs, queues, self._invoke_async, delivery_delays=self.delivery_delays,
                                  **timing)
        retries = {self.functions[name].max_retries for name in queues}
        if len(retries) > 1 or not retries <= set(range(len(self.router.retry_delays) + 1)):
            raise TemplateError(f"asynchronous retries {sorted(retries)}: the local router runs Lambda's schedule "
                                f"of up to {len(self.router.retry_delays)}, one count for every function")
        if retries:  # MaximumRetryAttempts of the functions' EventInvokeConfig: the first delays of Lambda's schedule
            self.router.retry_delays = self.router.retry_delays[:retries.pop()]
        model = read_rest_api(self)
        if model is not None:
            self.api = DeployedApi(self, model)
            threading.Thread(target=self.api.httpd.serve_forever, name="deployed-api", daemon=True).start()

    def stop(self) -> None:
        if self.api:
            self.api.httpd.shutdown()
            self.api.httpd.server_close()
            self.api = None
        if self.pools:  # each instance takes a moment to exit: all at once
            with ThreadPoolExecutor(max_workers=len(self.pools)) as stopping:
                list(stopping.map(FunctionPool.stop, self.pools.values()))
        self.moto.stop()

    def __enter__(self) -> DeployedStack:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # --- AWS, as the harness (not as a function) ---------------------------------------------------

    def _new_client(self, service: str) -> Any:
        session = boto3.session.Session(aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_KEY,
                                        region_name=self.provisioner.region if self.provisioner else "us-east-1")
        return session.client(service, endpoint_url=self.moto.url)

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = self._new_client(service)
        return self._clients[service]

    def table(self, environment_variable: str, function: str) -> Any:
        """A DynamoDB table by the name a function's environment gives it."""
        session = boto3.session.Session(aws_access_key_id=ADMIN_KEY, aws_secret_access_key=ADMIN_KEY,
                                        region_name=self.provisioner.region)
        name = self.functions[function].environment[environment_variable]
        return session.resource("dynamodb", endpoint_url=self.moto.url).Table(name)

    def physical(self, logical: str) -> str:
        return self.provisioner.ref(logical)

    def defect(self, message: str) -> None:
        with self._lock:
            if message not in self.defects:
                self.defects.append(message)

    # --- functions ---------------------------------------------------------------------------------

    def _check_function(self, function: DeployedFunction) -> None:
        if not function.trusted_by_lambda:
            self.defect(f"{function.name}: its role {function.role_name} does not trust lambda.amazonaws.com")
        for arn in function.unevaluated_policies:
            self.defect(f"{function.name}: managed policy {arn} cannot be evaluated offline (its grants count as none)")
        if function.runtime != "python3.12":
            self.defect(f"{function.name}: runtime {function.runtime}, the harness runs Python 3.12")

    def _worker_spec(self, function: DeployedFunction) -> WorkerSpec:
        """/var/task, /opt and the runtime's packages as mounts of the staged assets; the environment Lambda sets."""
        root = self.options.workdir / function.name
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        without, mounts = self.options.without, self.options.mounts or self.options.workdir / "mounts"
        task, _ = mount(mounts, [function.code], without.get(function.asset_keys["code"], frozenset()))
        layer_without = frozenset(path for logical, _ in function.layers
                                  for path in without.get(function.asset_keys[logical], frozenset()))
        opt, self.mounts[function.name] = mount(mounts, [folder for _, folder in function.layers], layer_without)
        python_dir = "python3.12"
        path = [str(task), str(opt / "python" / "lib" / python_dir / "site-packages"), str(opt / "python"),
                str(self.options.runtime_packages)]
        read_only = [str(task), str(opt), str(function.code), *(str(folder) for _, folder in function.layers),
                     str(self.options.runtime_packages)]
        region, account = self.provisioner.region, self.provisioner.account
        key = "ASIA" + uuid.uuid5(uuid.NAMESPACE_DNS, function.name).hex[:16].upper()  # one key per function
        environment = {
            **function.environment,
            "AWS_REGION": region, "AWS_DEFAULT_REGION": region,
            "AWS_LAMBDA_FUNCTION_NAME": function.physical_name,
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb),
            "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
            "AWS_LAMBDA_LOG_GROUP_NAME": function.log_group_name,
            "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
            "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
            "AWS_ACCESS_KEY_ID": key, "AWS_SECRET_ACCESS_KEY": f"secret-{key}", "AWS_SESSION_TOKEN": f"token-{key}",
            "LAMBDA_TASK_ROOT": str(task), "LAMBDA_RUNTIME_DIR": str(self.options.runtime_packages),
            "_HANDLER": function.handler, "TZ": ":UTC", "LANG": "en_US.UTF-8",
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            # Not Lambda's: every AWS client of the function talks to this stack's moto server.
            "AWS_ENDPOINT_URL": self.moto.url,
        }
        if function.tracing:
            environment["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR"
        names = {"account": account, "region": region, "secret_arns": self._secret_arns()}
        principal = f"arn:aws:sts::{account}:assumed-role/{function.role_name}/{function.physical_name}"
        return WorkerSpec(
            name=function.name, handler=function.handler, timeout_seconds=function.timeout_seconds,
            function_arn=function.arn, path=path, read_only=read_only, environment=environment,
            policy=function.policy, names=names, principal=principal, python=self.options.python, workdir=root,
            pycache_prefix=self.options.pycache_prefix, enforce=self.options.enforce, on_calls=self._record_calls,
            xray=function.tracing,
        )

    def _secret_arns(self) -> dict[str, str]:
        arns = {}
        for logical in self.assembly.template.of_type("AWS::SecretsManager::Secret"):
            arn = self.provisioner.ref(logical)
            arns[self.client("secretsmanager").describe_secret(SecretId=arn)["Name"]] = arn
        return arns

    def warm(self, function: str) -> ColdStart:
        """An instance of ``function`` ready (started if none was: its cold start), without invoking it."""
        start = self.pools[function].warm()
        self._platform(function, "logs", "CreateLogStream", [self._log_stream_request(function)])
        return start

    def warm_all(self) -> dict[str, ColdStart]:
        """Every function's instance, started side by side (each is its own process)."""
        with ThreadPoolExecutor(max_workers=len(self.pools) or 1) as pool:
            starts = dict(zip(self.pools, pool.map(self.warm, self.pools), strict=True))
        return starts

    def invoke(self, function: str, event: Any) -> Invocation:
        """A synchronous invocation (API Gateway's, or ``aws lambda invoke``)."""
        pool = self.pools[function]
        invocation = pool.invoke(event)
        self._platform(function, "logs", "CreateLogStream", [self._log_stream_request(function)])
        self._platform(function, "logs", "PutLogEvents", [self._log_stream_request(function, "logs:PutLogEvents")])
        if self.functions[function].tracing and pool.xray_segments:  # the daemon sends segments and telemetry
            self._platform(function, "xray", "PutTraceSegments", [access.Request("xray:PutTraceSegments", "*")])
            self._platform(function, "xray", "PutTelemetryRecords", [access.Request("xray:PutTelemetryRecords", "*")])
        self._record_calls(function, invocation.calls)
        return invocation

    def _invoke_async(self, function: str, event: dict[str, Any]) -> Any:
        if function in self.sqs_sourced and "Records" not in event:  # as Lambda's SQS poller: a batch of one
            event = {"Records": [{"messageId": str(uuid.uuid4()), "receiptHandle": "harness", "body": json.dumps(event),
                                  "attributes": {}, "messageAttributes": {}, "eventSource": "aws:sqs",
                                  "awsRegion": self.provisioner.region}]}
        invocation = self.invoke(function, event)
        if not invocation.ok:
            raise FunctionError(function, invocation.error or {})
        if isinstance(invocation.result, dict) and invocation.result.get("batchItemFailures"):
            raise FunctionError(function, {"errorType": "BatchItemFailures",
                                           "errorMessage": json.dumps(invocation.result)})
        return invocation.result

    # --- IAM bookkeeping ---------------------------------------------------------------------------

    def _record_calls(self, function: str, calls: list[dict[str, Any]]) -> None:
        records = [Call(function, c["service"], c["operation"], c["allowed"], c.get("requests", []),
                        presign=c.get("presign", False), reason=c.get("reason", "")) for c in calls]
        with self._lock:
            self.calls += records

    def _log_stream_request(self, function: str, action: str = "logs:CreateLogStream") -> access.Request:
        arn = self.functions[function].log_group_arn
        return access.Request(action, f"{arn}:log-stream:harness")

    def _platform(self, function: str, service: str, operation: str, requests: list[access.Request]) -> None:
        """A call Lambda or the X-Ray daemon makes with the function's role (recorded once per function)."""
        with self._lock:
            if (function, operation) in self._platform_seen:
                return
            self._platform_seen.add((function, operation))
        policy = self.functions[function].policy
        evaluated = []
        for request in requests:
            decision = access.evaluate(policy, request)
            evaluated.append({**request.to_json(), "allowed": decision.allowed, "reason": decision.reason,
                              "grants": [g.to_json() for g in decision.grants]})
        call = Call(function, service, operation, all(r["allowed"] for r in evaluated), evaluated, platform=True)
        with self._lock:
            self.calls.append(call)

    def _dead_letter_sent(self, params: dict[str, Any], **_: Any) -> None:
        """Lambda sends a failed asynchronous event to the function's DLQ with the function's role."""
        function = self._dead_letter_owner.get(params.get("QueueUrl", ""))
        if function is None:
            return
        names = access.Names(self.provisioner.account, self.provisioner.region)
        with self._lock:
            self._platform_seen.discard((function, "SendMessage"))  # every dead letter is a call of its own
        self._platform(function, "sqs", "SendMessage", access.requests_for("sqs", "SendMessage", params, names))

    @property
    def violations(self) -> list[Call]:
        with self._lock:
            return [call for call in self.calls if not call.allowed]

    # --- events ------------------------------------------------------------------------------------

    def _route_events(self) -> dict[str, FunctionQueues]:
        template, sqs, events = self.assembly.template, self.client("sqs"), self.client("events")
        by_arn = {function.arn: function for function in self.functions.values()}
        queues: dict[str, FunctionQueues] = {}
        arns: dict[str, str] = {}

        def inbox(function: DeployedFunction) -> str:
            if function.name not in queues:
                url = sqs.create_queue(QueueName=ASYNC_QUEUE.format(function=function.name))["QueueUrl"]
                arns[function.name] = self._queue_arn(url)
                if function.dead_letter_arn:
                    dead_letters = self._queue_url(function.dead_letter_arn)
                else:
                    self.defect(f"{function.name} is an event target without a dead-letter queue: failed events "
                                "are dropped after the retries")
                    dead_letters = sqs.create_queue(QueueName=f"harness-{function.name}-dropped")["QueueUrl"]
                self._dead_letter_owner[dead_letters] = function.name
                queues[function.name] = FunctionQueues(url, dead_letters)
            return arns[function.name]

        permissions = self._event_permissions()
        sources = self._queue_event_sources()  # queue ARN → the function its SQS event source feeds
        for logical, rule in template.of_type("AWS::Events::Rule").items():
            p = self.provisioner.props(logical, rule["Properties"])
            name = p.get("Name") or self.provisioner.ref(logical).split("|")[-1]
            rule_arn = self.provisioner.attribute(logical, "Arn")
            bus = (p.get("EventBusName") or "default").rsplit("/", 1)[-1]
            request = {"Name": name, "EventBusName": bus, "State": p.get("State", "ENABLED")}
            if "EventPattern" in p:
                request["EventPattern"] = json.dumps(p["EventPattern"])
            if "ScheduleExpression" in p:
                request["ScheduleExpression"] = p["ScheduleExpression"]
            events.put_rule(**request)
            targets = []
            for target in p.get("Targets", []):
                function = by_arn.get(target["Arn"])
                routed = {k: v for k, v in target.items() if k in ("Id", "Input", "InputPath", "InputTransformer")}
                if target["Arn"] in sources:  # a delay queue: held for its DelaySeconds, then an SQS batch
                    function = sources[target["Arn"]]
                    routed["Arn"] = inbox(function)
                    for detail_type in p.get("EventPattern", {}).get("detail-type", []):
                        self.delivery_delays[detail_type] = self._queue_delays[target["Arn"]]
                    self.sqs_sourced.add(function.name)
                elif function is None:
                    url = sqs.create_queue(QueueName=PROBE_QUEUE.format(rule=name.replace(".", "-")))["QueueUrl"]
                    self.probes[name] = url
                    routed["Arn"] = self._queue_arn(url)
                elif (function.arn, rule_arn) in permissions or (function.arn, None) in permissions:
                    routed["Arn"] = inbox(function)
                    if "ScheduleExpression" in p:
                        self.schedules.append(Schedule(name, rule_arn, function.name))
                else:
                    self.defect(f"rule {name} may not invoke {function.name} (no AWS::Lambda::Permission): "
                                "its events end in the target's dead-letter queue")
                    dead_letter = target.get("DeadLetterConfig", {}).get("Arn")
                    if not dead_letter:
                        continue
                    routed["Arn"] = dead_letter
                targets.append(routed)
            if targets and "EventPattern" in p:
                events.put_targets(Rule=name, EventBusName=bus, Targets=targets)
        self._tap_archives()
        return queues

    def _queue_event_sources(self) -> dict[str, DeployedFunction]:
        """The template's SQS event source mappings: Lambda polls the queue with the function's role (its
        receive and delete grants are checked here) and invokes it with batches of the queue's messages."""
        by_name = {function.physical_name: function for function in self.functions.values()}
        by_arn = {function.arn: function for function in self.functions.values()}
        queues = {self.provisioner.attribute(logical, "Arn"): logical
                  for logical in self.assembly.template.of_type("AWS::SQS::Queue")}
        names = access.Names(self.provisioner.account, self.provisioner.region)
        found: dict[str, DeployedFunction] = {}
        for logical, mapping in self.assembly.template.of_type("AWS::Lambda::EventSourceMapping").items():
            p = self.provisioner.props(logical, mapping["Properties"])
            function = by_name.get(p["FunctionName"]) or by_arn.get(p["FunctionName"])
            queue = p.get("EventSourceArn")
            if function is None or queue not in queues:
                self.defect(f"event source mapping {logical}: the harness runs SQS sources of its own functions only")
                continue
            if "ReportBatchItemFailures" not in p.get("FunctionResponseTypes", []):
                self.defect(f"{function.name}: its SQS event source retries a whole batch for one failed message")
            attributes = self.provisioner.props(queues[queue], self.assembly.template.resources[queues[queue]]
                                                .get("Properties", {}))
            if "RedrivePolicy" not in attributes:
                self.defect(f"{function.name}: its event source queue has no dead-letter queue")
            self._queue_delays[queue] = float(attributes.get("DelaySeconds", 0))
            url = self._queue_url(queue)
            for operation in ("ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes"):
                self._platform(function.name, "sqs", operation,
                               access.requests_for("sqs", operation, {"QueueUrl": url}, names))
            found[queue] = function
        return found

    def _event_permissions(self) -> set[tuple[str, str | None]]:
        found = set()
        by_name = {function.physical_name: function.arn for function in self.functions.values()}
        for logical, permission in self.assembly.template.of_type("AWS::Lambda::Permission").items():
            p = self.provisioner.props(logical, permission["Properties"])
            if p.get("Principal") == "events.amazonaws.com" and p.get("Action") in ("lambda:InvokeFunction", "lambda:*"):
                found.add((by_name.get(p["FunctionName"], p["FunctionName"]), p.get("SourceArn")))
        return found

    def _tap_archives(self) -> None:
        """Every event an archive of the template keeps, copied to a harness queue: what was published."""
        sqs, events = self.client("sqs"), self.client("events")
        self._tap_url = sqs.create_queue(QueueName=TAP_QUEUE)["QueueUrl"]
        for logical, archive in self.assembly.template.of_type("AWS::Events::Archive").items():
            p = self.provisioner.props(logical, archive["Properties"])
            bus = p["SourceArn"].rsplit("/", 1)[-1]
            name = f"harness-archive-{logical}"[:64]
            events.put_rule(Name=name, EventBusName=bus,
                            EventPattern=json.dumps(p.get("EventPattern") or {"source": [{"prefix": ""}]}))
            events.put_targets(Rule=name, EventBusName=bus,
                               Targets=[{"Id": "tap", "Arn": self._queue_arn(self._tap_url)}])

    def _queue_arn(self, url: str) -> str:
        return self.client("sqs").get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def _queue_url(self, arn: str) -> str:
        *_, account, name = arn.split(":")
        return self.client("sqs").get_queue_url(QueueName=name, QueueOwnerAWSAccountId=account)["QueueUrl"]

    def drain(self) -> int:
        """Run the bus until every function's queue is empty."""
        return self.router.drain()

    def published(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """Every envelope on the bus so far (first publication of each id), optionally of one type."""
        sqs = self.client("sqs")
        while True:
            messages = sqs.receive_message(QueueUrl=self._tap_url, MaxNumberOfMessages=10).get("Messages", [])
            if not messages:
                break
            for message in messages:
                self._published.append(json.loads(message["Body"]).get("detail", {}))
                sqs.delete_message(QueueUrl=self._tap_url, ReceiptHandle=message["ReceiptHandle"])
        seen, found = set(), []
        for envelope in self._published:
            if envelope.get("id") not in seen and (event_type is None or envelope.get("type") == event_type):
                seen.add(envelope.get("id"))
                found.append(envelope)
        return found

    def probe(self, rule: str) -> list[Any]:
        """What a non-function target of ``rule`` received (after its input transformer)."""
        sqs, found = self.client("sqs"), []
        while messages := sqs.receive_message(QueueUrl=self.probes[rule], MaxNumberOfMessages=10).get("Messages"):
            for message in messages:
                found.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.probes[rule], ReceiptHandle=message["ReceiptHandle"])
        return found

    @contextmanager
    def events_lost(self, function: str) -> Iterator[None]:
        """Inside, ``function``'s events wait unseen; after, they are gone (an outage beyond EventBridge's retries)."""
        queues = self.router.queues.pop(function)
        try:
            yield
        finally:
            self.router.queues[function] = queues
            self.client("sqs").purge_queue(QueueUrl=queues.queue_url)

    def run_schedule(self) -> None:
        """Every scheduled rule fires once (EventBridge would, on its rate): the event goes to its target's queue."""
        sqs = self.client("sqs")
        for schedule in self.schedules:
            event = {"version": "0", "id": str(uuid.uuid4()), "detail-type": "Scheduled Event",
                     "source": "aws.events", "account": self.provisioner.account,
                     "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "region": self.provisioner.region,
                     "resources": [schedule.rule_arn], "detail": {}}
            sqs.send_message(QueueUrl=self.router.queues[schedule.function].queue_url, MessageBody=json.dumps(event))
        self.drain()

    # --- HTTP --------------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The REST API's base URL (the stage's invoke URL)."""
        return self.api.url

    def api_key(self) -> str:
        """An API key of the stage's usage plan (``aws apigateway get-api-key --include-value``)."""
        return next(iter(self.api.model.api_keys))

    # --- what was seen -----------------------------------------------------------------------------

    def report(self) -> dict[str, Any]:
        """Per function: calls by action, denials, grants no call used, cold starts, memory, X-Ray segments."""
        functions = {}
        for name, function in self.functions.items():
            pool = self.pools[name]
            calls = [c for c in self.calls if c.function == name]
            used = {access.Grant(**g) for c in calls for r in c.requests for g in r.get("grants", [])}
            actions: dict[str, int] = {}
            for call in calls:
                for request in call.requests:
                    actions[request["action"]] = actions.get(request["action"], 0) + 1
            functions[name] = {
                "physicalName": function.physical_name,
                "invocations": len(pool.invocations),
                "failedInvocations": sum(1 for i in pool.invocations if not i.ok),
                "coldStarts": [{"initMs": round(c.init_ms, 1), "startMs": round(c.start_ms, 1)} for c in pool.cold_starts],
                "maxRssMb": round(max([i.max_rss_kb for i in pool.invocations] + [0]) / 1024, 1),
                "memoryMb": function.memory_mb,
                "actions": dict(sorted(actions.items())),
                "denied": [c.describe() for c in calls if not c.allowed],
                "unusedGrants": [g.to_json() for g in access.unused(function.policy, used)],
                "xraySegments": pool.xray_segments,
                "layerFilesReplaced": self.mounts.get(name, []),
            }
        return {"functions": functions, "defects": list(self.defects)}

    def logs(self, function: str) -> str:
        return self.pools[function].log()
