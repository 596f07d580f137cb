"""The harness's own tests: a deployment that lacks one permission, one variable or one file must fail here.

Each test changes exactly one thing of the synthesized assembly the way a careless edit of cdk/ would
(a grant removed, a condition narrowed, an environment variable dropped, a file left out of an
asset) and runs the affected function on its sample event (events/samples/): the harness must report
that function's denied call, its failed invocation or its failed cold start. Without the change the
same function succeeds (test_flows.py). Changes to different functions share a stack (each function
is its own process with its own role, so one change cannot hide or cause another's failure); the
files left out of the layers, which every function mounts, are each used by one function only.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import pytest

from local.deployed.process import InitError
from tests.fakes.telegram_api import FakeClock

SAMPLES = Path(__file__).resolve().parents[2] / "events" / "samples"
PROBE_MODULE_SOURCE = '''
import errno, os, pathlib, tempfile


def lambda_handler(event, context):
    found = {"cwd": os.getcwd(), "tmp": None, "own_folder": None, "imports": {}}
    try:
        (pathlib.Path(__file__).parent / "written.txt").write_text("x")
        found["own_folder"] = "written"
    except OSError as error:
        found["own_folder"] = errno.errorcode[error.errno]
    with tempfile.NamedTemporaryFile() as scratch:
        scratch.write(b"x")
        found["tmp"] = os.path.dirname(scratch.name)
    for module in ("moto", "pytest", "telegram_gateway", "vibecoder", "boto3", "PIL"):
        try:
            __import__(module)
            found["imports"][module] = "ok"
        except ImportError:
            found["imports"][module] = "missing"
    found["env"] = sorted(os.environ)
    return found
'''


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


@contextmanager
def fresh_stack(prepared, workdir: Path, data: dict | None = None, assembly=None, **options):
    assembly = assembly or (prepared.assembly if data is None else prepared.assembly.with_template(data))
    clock = FakeClock()
    stack = prepared.stack(workdir, assembly, seed=7, clock=clock, sleep=clock.sleep, **options).start()
    try:
        yield stack
    finally:
        stack.stop()


def function_logical(data: dict, name: str) -> str:
    return next(logical for logical, r in data["Resources"].items() if r["Type"] == "AWS::Lambda::Function"
                and r.get("Metadata", {}).get("aws:cdk:path", "").endswith(f"/{name}/Resource"))


def role_statements(data: dict, name: str) -> list[dict]:
    role = data["Resources"][function_logical(data, name)]["Properties"]["Role"]["Fn::GetAtt"][0]
    (policy,) = [r for r in data["Resources"].values() if r["Type"] == "AWS::IAM::Policy"
                 and {"Ref": role} in r["Properties"]["Roles"]]
    return policy["Properties"]["PolicyDocument"]["Statement"]


def as_list(value):
    return value if isinstance(value, list) else [value]


def revoke(data: dict, name: str, action: str, resource_part: str) -> None:
    """Take exactly ``action`` on the resources whose definition contains ``resource_part`` out of the role."""
    statements = role_statements(data, name)
    revoked = False
    for statement in list(statements):
        actions, resources = as_list(statement["Action"]), as_list(statement["Resource"])
        matching = [r for r in resources if resource_part in json.dumps(r)]
        if action not in actions or not matching:
            continue
        revoked = True
        statements.remove(statement)
        if len(actions) > 1:
            statements.append({**statement, "Action": [a for a in actions if a != action]})
        if len(matching) < len(resources):
            statements.append({**statement, "Sid": f"{statement.get('Sid', 'S')}Rest", "Action": action,
                               "Resource": [r for r in resources if r not in matching]})
    assert revoked, f"{name} was not granted {action} on *{resource_part}*"


def table_arn(data: dict, table: str) -> dict:
    (logical,) = [k for k, r in data["Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"
                  and k.startswith(f"Tables{table.title()}")]
    return {"Fn::GetAtt": [logical, "Arn"]}


def asset_key(data: dict, name: str, layer: str | None = None) -> str:
    properties = data["Resources"][function_logical(data, name)]["Properties"]
    if layer is None:
        return properties["Code"]["S3Key"]
    (ref,) = [ref["Ref"] for ref in properties["Layers"] if layer in ref["Ref"]]
    return data["Resources"][ref]["Properties"]["Content"]["S3Key"]


def denied(stack, function: str) -> list[tuple[str, str]]:
    return [(r["action"], r["resource"]) for call in stack.violations if call.function == function
            for r in call.requests if not r["allowed"]]


def failure(stack, function: str, event: dict) -> dict:
    """The error of the function's first invocation: at its cold start (init) or in the handler."""
    try:
        invocation = stack.invoke(function, event)
    except InitError as error:
        return error.error | {"phase": "init"}
    assert not invocation.ok, f"{function} succeeded: {invocation.result}"
    return invocation.error | {"phase": "invoke"}


# --- one permission (and one grant too many) ---------------------------------------------------------


@pytest.fixture(scope="module")
def iam_changed(prepared, tmp_path_factory):
    """One stack, one IAM change per function (each function runs with its own role in its own process)."""
    data = prepared.assembly.template_copy()
    revoke(data, "image-renderer", "s3:PutObject", "/carousels/*")
    revoke(data, "event-orchestrator", "dynamodb:Query", "/index/byStatus")
    knowledge = next(s for s in role_statements(data, "ai-content")
                     if "s3:ListBucket" in as_list(s["Action"]) and "Condition" in s)
    knowledge["Condition"] = {"StringLike": {"s3:prefix": ["other/*"]}}
    role_statements(data, "api").append({"Sid": "NeverUsed", "Effect": "Allow", "Action": "dynamodb:Scan",
                                         "Resource": table_arn(data, "carousels")})
    rule = next(logical for logical, r in data["Resources"].items() if r["Type"] == "AWS::Events::Rule"
                and r["Properties"].get("Name") == "data-persistence-carousel.completed")
    del data["Resources"][next(logical for logical, r in data["Resources"].items()
                               if r["Type"] == "AWS::Lambda::Permission"
                               and r["Properties"].get("SourceArn") == {"Fn::GetAtt": [rule, "Arn"]})]
    with fresh_stack(prepared, tmp_path_factory.mktemp("iam"), data) as stack:
        yield stack


def test_a_missing_grant_fails_the_call_and_names_action_and_resource(iam_changed):
    error = failure(iam_changed, "image-renderer", sample("image-renderer"))

    assert "AccessDenied" in error["errorMessage"], error
    (action, resource), *_ = denied(iam_changed, "image-renderer")
    bucket = iam_changed.functions["image-renderer"].environment["SLIDES_BUCKET"]
    assert action == "s3:PutObject" and resource.startswith(f"arn:aws:s3:::{bucket}/carousels/")


def test_an_index_arn_is_a_resource_of_its_own(iam_changed):
    iam_changed.run_schedule()  # the sweep queries carousels by status

    assert any(action == "dynamodb:Query" and resource.endswith("/index/byStatus")
               for action, resource in denied(iam_changed, "event-orchestrator"))
    # The failed schedule event ended in the function's own DLQ, sent there with the function's role.
    assert "event-orchestrator" in [letter.function for letter in iam_changed.router.dead_letters()]
    assert any(c.platform and c.operation == "SendMessage" and c.allowed for c in iam_changed.calls
               if c.function == "event-orchestrator")


def test_a_condition_is_evaluated(iam_changed):
    # It lists its notes at cold start; since #11 a denied listing is survived (the bundled notes serve),
    # so the denial shows in the harness's record, not as a failed invocation.
    iam_changed.invoke("ai-content", sample("ai-content"))
    (call,) = [c for c in iam_changed.violations if c.function == "ai-content"]
    assert (call.service, call.operation) == ("s3", "ListObjectsV2")
    assert "StringLike s3:prefix='knowledge/'" in call.describe()


def test_a_grant_no_call_uses_is_reported_not_failed(iam_changed):
    invocation = iam_changed.invoke("api", sample("api"))  # GET /health

    assert invocation.ok  # 200, or 503 "degraded" for what the shape lacks (see the closing note); never denied
    assert denied(iam_changed, "api") == []
    unused = iam_changed.report()["functions"]["api"]["unusedGrants"]
    assert any(g["statement"].endswith("/NeverUsed") and g["action"] == "dynamodb:Scan" for g in unused)


def test_a_rule_its_function_does_not_permit_sends_its_events_to_the_targets_dead_letter_queue(iam_changed):
    assert any("data-persistence-carousel.completed may not invoke data-persistence" in d
               for d in iam_changed.defects)
    bus = iam_changed.functions["api"].environment["EVENT_BUS_NAME"]
    targets = iam_changed.client("events").list_targets_by_rule(Rule="data-persistence-carousel.completed",
                                                                EventBusName=bus)["Targets"]
    assert [t["Arn"] for t in targets] == [iam_changed.functions["data-persistence"].dead_letter_arn]


# --- one environment variable, one file of a function's asset, the sandbox ------------------------------


@pytest.fixture(scope="module")
def asset_changed(prepared, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("assets")
    data = prepared.assembly.template_copy()
    del data["Resources"][function_logical(data, "carousel-generator")]["Properties"]["Environment"]["Variables"][
        "CAROUSELS_TABLE"]
    module = data["Resources"][function_logical(data, "api")]["Properties"]["Handler"].split(".")[0]
    probe = workdir / "probe-asset"
    (probe / module).mkdir(parents=True)
    (probe / module / "__init__.py").write_text("")
    (probe / module / "handler.py").write_text(PROBE_MODULE_SOURCE)
    assembly = prepared.assembly.with_template(data).with_asset_folder(asset_key(data, "api"), probe)
    without = {asset_key(data, "image-renderer"): frozenset({"image_renderer/fonts"})}
    with fresh_stack(prepared, workdir / "stack", assembly=assembly, without=without) as stack:
        yield stack, probe / module


def test_a_missing_environment_variable_fails_the_function(asset_changed):
    asset_changed, _ = asset_changed
    error = failure(asset_changed, "carousel-generator", sample("carousel-generator"))

    assert "AccessDenied" in error["errorMessage"]
    (action, resource), *_ = denied(asset_changed, "carousel-generator")
    # Without CAROUSELS_TABLE it falls back to the local runtime's table name, which the role does not name.
    assert action.startswith("dynamodb:") and resource.endswith(":table/vibecoder-carousels"), resource


def test_a_file_missing_from_the_code_asset_fails_the_function(asset_changed):
    asset_changed, _ = asset_changed
    error = failure(asset_changed, "image-renderer", sample("image-renderer"))

    assert error["errorType"] in ("OSError", "FileNotFoundError", "FontsNotInstalled"), error
    assert denied(asset_changed, "image-renderer") == []


def test_the_code_folder_is_read_only_and_nothing_outside_the_assets_imports(asset_changed):
    asset_changed, probe = asset_changed
    invocation = asset_changed.invoke("api", {})

    assert invocation.ok, invocation.error
    found = invocation.result
    assert found["own_folder"] == "EROFS" and not (probe / "written.txt").exists()
    workdir = str(asset_changed.options.workdir)
    assert found["tmp"].startswith(workdir) and found["cwd"].startswith(workdir)
    assert found["imports"] == {"moto": "missing", "pytest": "missing", "telegram_gateway": "missing",
                                "vibecoder": "ok", "boto3": "ok", "PIL": "ok"}
    template = set(asset_changed.functions["api"].environment)
    assert set(found["env"]) - template <= {
        "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
        "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
        "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_EXECUTION_ENV", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "_HANDLER", "_X_AMZN_TRACE_ID", "TZ", "LANG",
        "PATH", "HOME", "TMPDIR", "AWS_ENDPOINT_URL", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
        "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT", "LC_CTYPE",
    }


# --- one file of each layer (every function mounts both: each removal is seen by the one function using it) --


@pytest.fixture(scope="module")
def layers_changed(prepared, tmp_path_factory):
    data = prepared.assembly.template_copy()
    without = {asset_key(data, "api", "SharedLayer"): frozenset({"python/vibecoder/health.py"}),
               asset_key(data, "image-renderer", "DependencyLayer"): frozenset({"python/PIL"})}
    with fresh_stack(prepared, tmp_path_factory.mktemp("layers"), without=without) as stack:
        yield stack


@pytest.mark.parametrize("function, module", [("api", "vibecoder.health"), ("image-renderer", "PIL")])
def test_a_file_missing_from_a_layer_fails_the_function(layers_changed, function, module):
    error = failure(layers_changed, function, sample(function))

    assert error["errorType"] in ("Runtime.ImportModuleError", "ModuleNotFoundError"), error
    assert f"No module named '{module}'" in error["errorMessage"], error
