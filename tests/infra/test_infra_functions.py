"""The nine functions: runtime, tracing, Powertools env, code assets, and least-privilege IAM.

The expected access below is written from the functions' code, independently of cdk/config.py: a
change in either that the other does not follow fails here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from cdk.config import BRAND_PREFIX, FUNCTIONS, KNOWLEDGE_PREFIX, SLIDES_PREFIX
from cdk.functions import function_logical_id
from vibecoder.events.catalog import CATALOG
from vibecoder.tables import TABLES

ALL_TABLES = set(TABLES)
GET, PUT, UPDATE, DELETE, QUERY, BATCH_GET = "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", \
    "dynamodb:DeleteItem", "dynamodb:Query", "dynamodb:BatchGetItem"
IDEMPOTENCY = {"idempotency": {GET, PUT, UPDATE, DELETE}}  # Powertools: its record, deleted when a handler fails


@dataclass(frozen=True)
class Access:
    """What a function's code calls (read from functions/<module>/ and the repository methods it uses)."""

    tables: dict[str, set[str]]  # table → item actions on the table itself
    indexes: dict[str, set[str]] = field(default_factory=dict)  # table → indexes it queries
    slides: set[str] = field(default_factory=set)  # actions on carousels/* objects
    secrets: set[str] = field(default_factory=set)  # env vars naming its secrets
    health: bool = False  # DescribeTable on every table, the slides listing, DescribeEventBus
    lists: set[str] = field(default_factory=set)  # prefixes it lists (ListBucket with an s3:prefix condition)
    brand_images: set[str] = field(default_factory=set)  # actions on brands/* objects (avatars and logos)
    delayed: set[str] = field(default_factory=set)  # event types it reads from their delay queue (SQS event source)


EXPECTED = {
    # users.get/set_preferences/set_brand; carousels.get/list_by_user (read only; byUser holds keys: BatchGetItem);
    # deliveries.get_many (which album photo a reply answers); the rate limit's increment_within
    # analytics also holds a long paste's join window: add_paste_part/set_paste_status/take_paste are UpdateItems;
    # the parts' delayed event comes from its delay queue
    "telegram-gateway": Access({"users": {GET, UPDATE}, "carousels": {GET, BATCH_GET}, "analytics": {UPDATE},
                                "deliveries": {BATCH_GET}, **IDEMPOTENCY}, {"carousels": {"byUser"}},
                               secrets={"TELEGRAM_BOT_TOKEN_PARAM", "TELEGRAM_WEBHOOK_SECRET_PARAM"},
                               delayed={"telegram.paste.part.received"}),
    # carousels.get/list_by_status; deliveries.get; events.list/services_seen/count_by_type/latest_of_type
    # (both indexes hold keys, byType and source: the listed items through BatchGetItem); presigned GETs
    "api": Access({"carousels": {GET, BATCH_GET}, "deliveries": {GET}, "events": {QUERY, BATCH_GET}},
                  {"carousels": {"byStatus"}, "events": {"byType"}},
                  slides={"s3:GetObject"}, health=True, lists={"carousels/*"},
                  secrets={"TELEGRAM_BOT_TOKEN_PARAM"}),  # /health: is the bot token set
    # carousels: the only writer; a timed-out request's partial slides
    "carousel-generator": Access({"carousels": {GET, PUT, UPDATE}, **IDEMPOTENCY}, slides={"s3:DeleteObject"},
                                 lists={"carousels/*"}),
    "ai-content": Access({"analytics": {GET, UPDATE}, **IDEMPOTENCY},  # the circuit breaker's item
                         secrets={"OPENAI_API_KEY_PARAM"}, lists={"knowledge/*"}),
    "image-renderer": Access(dict(IDEMPOTENCY), slides={"s3:PutObject"}, brand_images={"s3:GetObject"}),
    # carousels.get; deliveries (its own log) get/claim/release/settle/record_step/advance_progress; users.get and
    # set_brand_image; the avatar or logo it fetched
    "telegram-sender": Access({"carousels": {GET}, "deliveries": {GET, UPDATE}, "users": {GET, UPDATE}, **IDEMPOTENCY},
                              slides={"s3:GetObject"}, secrets={"TELEGRAM_BOT_TOKEN_PARAM"},
                              brand_images={"s3:PutObject"}),
    "data-persistence": Access({"users": {GET, PUT, UPDATE}, **IDEMPOTENCY}),  # users.touch/add_history
    "analytics": Access({"analytics": {PUT, UPDATE, QUERY}, **IDEMPOTENCY}),  # claim, increment, counters
    # events.append/list/of_type_between; carousels.get/list_by_status; deliveries.list_pending
    "event-orchestrator": Access({"events": {PUT, QUERY, BATCH_GET}, "carousels": {GET, BATCH_GET},
                                  "deliveries": {BATCH_GET}},
                                 {"carousels": {"byStatus"}, "deliveries": {"byState"}, "events": {"byType"}},
                                 health=True, lists={"carousels/*"}),
}
SECRET_VALUES_ENV = {"TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "OPENAI_API_KEY"}


def function_props(synth, name):
    return synth.data["Resources"][function_logical_id(name)]["Properties"]


def role_statements(synth, name):
    role_id = synth.logical_id(synth.stack.functions.roles[name])
    statements = []
    for policy in synth.resources("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            statements += policy["Properties"]["PolicyDocument"]["Statement"]
    return statements


def as_list(value):
    return value if isinstance(value, list) else [value]


def test_there_is_one_function_per_catalog_service_with_its_handler(synth):
    functions = synth.resources("AWS::Lambda::Function")
    assert set(functions) == {function_logical_id(name) for name in CATALOG.services}
    assert set(FUNCTIONS) == set(CATALOG.services)
    for name, service in CATALOG.services.items():
        props = function_props(synth, name)
        assert props["Handler"] == service.handler
        assert props["Runtime"] == "python3.12"
        assert props["Architectures"] == ["arm64"]
        assert props["TracingConfig"] == {"Mode": "Active"}
        assert props["MemorySize"] == FUNCTIONS[name].memory_mb and props["Timeout"] == FUNCTIONS[name].timeout_seconds
        assert len(props["Layers"]) == 2  # the shared layer and the dependency layer


def test_memory_and_timeout_are_explained_and_fit_their_triggers(synth):
    for name, spec in FUNCTIONS.items():
        assert len(spec.why) > 40, name
    for name, service in CATALOG.services.items():
        if any(t.split(" ")[0].isupper() for t in service.triggers if " " in t):  # behind API Gateway
            assert FUNCTIONS[name].timeout_seconds < 29, name  # API Gateway's integration timeout


def test_every_function_has_the_powertools_environment_and_only_secret_names(synth):
    for name in CATALOG.services:
        env = function_props(synth, name)["Environment"]["Variables"]
        assert env["POWERTOOLS_SERVICE_NAME"] == name
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "BibleVibeCoder"
        assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
        assert not SECRET_VALUES_ENV & set(env), name  # never a plaintext secret
        access = EXPECTED[name]
        assert {k for k in env if k.endswith("_PARAM")} == access.secrets, name
        table_env = {TABLES[t].settings_field.upper() for t in (ALL_TABLES if access.health else access.tables)}
        extra = {"CIRCUIT_TABLE"} if name == "ai-content" else set()
        assert {k for k in env if k.endswith("_TABLE")} == table_env | extra, name


def test_secret_params_name_secrets_of_the_stack(synth):
    names = set(synth.stack.secrets.names.values())
    for name in CATALOG.services:
        env = function_props(synth, name)["Environment"]["Variables"]
        assert {v for k, v in env.items() if k.endswith("_PARAM")} <= names
    secrets = synth.resources("AWS::SecretsManager::Secret")
    assert {s["Properties"]["Name"] for s in secrets.values()} == names
    generated = [s for s in secrets.values() if "GenerateSecretString" in s["Properties"]]
    assert len(generated) == 1  # the webhook secret; Telegram allows A-Z a-z 0-9 _ -
    assert generated[0]["Properties"]["GenerateSecretString"]["ExcludePunctuation"] is True


def test_no_iam_statement_has_a_wildcard_action(synth):
    # The one exception: CDK's SSE-topic publish grant (kms:GenerateDataKey*, on the alarm key only).
    alerts_publisher = {"Ref": synth.logical_id(synth.stack.monitoring.alerts_publisher)}
    for policy_id, policy in synth.resources("AWS::IAM::Policy").items():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            for action in as_list(statement["Action"]):
                if action == "kms:GenerateDataKey*" and policy["Properties"]["Roles"] == [alerts_publisher]:
                    continue
                assert "*" not in action, (policy_id, action)
    for role_id, role in synth.resources("AWS::IAM::Role").items():
        assert "ManagedPolicyArns" not in role["Properties"], role_id
        for policy in role["Properties"].get("Policies", []):
            for statement in policy["PolicyDocument"]["Statement"]:
                assert all("*" not in a for a in as_list(statement["Action"])), role_id


def test_the_only_wildcard_resource_is_x_ray_which_has_no_resource_level_permissions(synth):
    for name in CATALOG.services:
        for statement in role_statements(synth, name):
            if "*" in as_list(statement["Resource"]):
                assert set(as_list(statement["Action"])) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}


def _resource_ids(resource) -> set[str]:
    """Logical IDs a (possibly joined) resource expression refers to."""
    text = json.dumps(resource)
    return {part.split('"')[0] for part in text.split('"Ref": "')[1:]} | {
        part.split('"')[0] for part in text.split('"Fn::GetAtt": ["')[1:]}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_function_may_call_exactly_what_its_code_calls_on_its_own_resources(synth, name):
    access = EXPECTED[name]
    stack = synth.stack
    table_ids = {synth.logical_id(t): key for key, t in stack.tables.tables.items()}
    bucket_id = synth.logical_id(stack.slides.bucket)
    secret_ids = {synth.logical_id(s): key for key, s in stack.secrets.secrets.items()}
    queue_ids = {synth.logical_id(q): key for key, q in stack.dead_letters.queues.items()}
    delay_queue_ids = {synth.logical_id(q): rule for rule, q in stack.subscriptions.delay_queues.items()}
    rules = {sub.rule_name: sub for sub in CATALOG.subscriptions()}
    delayed = set()
    bus_id = synth.logical_id(stack.events.bus)
    log_group_id = synth.logical_id(stack.functions.functions[name].log_group)

    table_actions: dict[str, set[str]] = {}
    indexes: dict[str, set[str]] = {}
    described, s3_actions, listed, queues, brand_actions = set(), set(), set(), set(), set()
    for statement in role_statements(synth, name):
        actions = set(as_list(statement["Action"]))
        for resource in as_list(statement["Resource"]):
            if resource == "*":
                continue
            ids = _resource_ids(resource)
            assert len(ids) == 1, resource
            (ref,) = ids
            if ref in table_ids:
                table = table_ids[ref]
                if actions == {"dynamodb:DescribeTable"}:
                    described.add(table)
                elif "/index/" in json.dumps(resource):
                    assert actions == {QUERY}, resource
                    indexes.setdefault(table, set()).add(resource["Fn::Join"][1][1].split("/index/")[1])
                else:
                    assert resource == {"Fn::GetAtt": [ref, "Arn"]}, resource
                    table_actions.setdefault(table, set()).update(actions)
            elif ref == bucket_id:
                if actions == {"s3:ListBucket"}:  # always limited to a prefix
                    assert resource == {"Fn::GetAtt": [bucket_id, "Arn"]}
                    (prefixes,) = statement["Condition"]["StringLike"].values()
                    assert list(statement["Condition"]["StringLike"]) == ["s3:prefix"]
                    listed.update(prefixes)
                elif statement.get("Sid") == "BrandImages":
                    assert resource["Fn::Join"][1][1] == f"/{BRAND_PREFIX}/*", resource
                    brand_actions |= actions
                elif statement.get("Sid", "").startswith("Knowledge"):  # ai-content's extra notes, read-only
                    assert name == "ai-content" and actions == {"s3:GetObject"}
                    assert resource["Fn::Join"][1][1] == f"/{KNOWLEDGE_PREFIX}/*", resource
                else:
                    assert resource["Fn::Join"][1][1] == f"/{SLIDES_PREFIX}/*", resource
                    s3_actions |= actions
            elif ref in secret_ids:
                assert actions == {"secretsmanager:GetSecretValue"}
                from cdk.secrets import SPECS

                assert SPECS[secret_ids[ref]].env in access.secrets, (name, secret_ids[ref])
            elif ref in queue_ids:
                queues.add(queue_ids[ref])
            elif ref in delay_queue_ids:  # what Lambda's SQS event source needs, on its function's delay queue only
                assert actions == {"sqs:ReceiveMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueUrl",
                                   "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, actions
                sub = rules[delay_queue_ids[ref]]
                assert sub.function == name
                delayed.update(sub.event_types)
            elif ref == bus_id:
                assert actions <= {"events:PutEvents", "events:DescribeEventBus"}
                assert access.health or actions == {"events:PutEvents"}
            elif ref == log_group_id:
                assert actions == {"logs:CreateLogStream", "logs:PutLogEvents"}
            else:
                raise AssertionError(f"{name} may touch an unexpected resource {ref}")

    assert table_actions == access.tables
    assert indexes == access.indexes
    assert described == (ALL_TABLES if access.health else set())
    assert s3_actions == access.slides
    assert brand_actions == access.brand_images
    assert listed == access.lists
    assert delayed == access.delayed
    if name == "api":
        assert queues == set(stack.dead_letters.queues)  # GET /stats counts dead letters
    else:
        assert queues <= {name}  # its own DLQ for async failures, nothing else


def test_only_idempotency_records_are_ever_deleted(synth):
    deleters = {name for name, access in EXPECTED.items() for table, actions in access.tables.items()
                if DELETE in actions and table != "idempotency"}
    assert deleters == set()
    for policy in synth.resources("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if DELETE in as_list(statement["Action"]):
                assert _resource_ids(statement["Resource"]) == {synth.logical_id(synth.stack.tables.tables["idempotency"])}


WRITES = {PUT, UPDATE, DELETE, "dynamodb:BatchWriteItem"}


def _writers(synth, table: str) -> set[str]:
    """The functions whose role may write ``table`` (from the synthesized policies, not from EXPECTED)."""
    table_id = synth.logical_id(synth.stack.tables.tables[table])
    return {name for name in synth.stack.functions.functions for statement in role_statements(synth, name)
            if WRITES & set(as_list(statement["Action"]))
            and table_id in {ref for resource in as_list(statement["Resource"]) for ref in _resource_ids(resource)}}


@pytest.mark.parametrize(("table", "owner"), [("carousels", "carousel-generator"), ("deliveries", "telegram-sender"),
                                              ("events", "event-orchestrator")])
def test_each_record_has_exactly_one_writer(synth, table, owner):
    assert _writers(synth, table) == {owner}


def test_each_event_type_keeps_the_producers_the_design_intends():
    from vibecoder.events.catalog import CATALOG

    produced = {name: set(spec.producers) for name, spec in CATALOG.event_types.items()}
    assert produced["carousel.slides.generated"] == {"carousel-generator"}  # a restyle too: the gateway asks
    assert produced["carousel.restyle.requested"] == {"telegram-gateway"}
    assert produced["carousel.timed.out"] == {"event-orchestrator"}  # the sweep asks, the generator decides
    assert produced["carousel.failed"] == {"carousel-generator", "image-renderer"}
    assert produced["carousel.completed"] == {"carousel-generator"}
    assert produced["telegram.delivery.overdue"] == {"event-orchestrator"}
    # An edit is a request to the generator, like a restyle: it alone changes the record and emits the result.
    assert produced["carousel.edit.requested"] == {"telegram-gateway"}
    assert produced["carousel.edited"] == produced["carousel.edit.failed"] == {"carousel-generator"}
    assert produced["carousel.slide.rewritten"] == {"ai-content"}
    assert {name for name, spec in CATALOG.event_types.items() if "carousel-generator" in spec.consumers} == {
        "carousel.generate.requested", "carousel.restyle.requested", "carousel.content.analyzed",
        "carousel.images.rendered", "carousel.failed", "carousel.timed.out", "carousel.edit.requested",
        "carousel.slide.rewritten"}


def test_only_the_renderer_writes_slides_and_the_prefix_is_the_renderers():
    from vibecoder.slides import slide_key

    assert slide_key("request-1", 1, "jpg").startswith(f"{SLIDES_PREFIX}/")
    writers = [name for name, access in EXPECTED.items() if "s3:PutObject" in access.slides]
    assert writers == ["image-renderer"]
    # Brand images are the sender's to write (fetched from Telegram) and the renderer's to read.
    assert [name for name, access in EXPECTED.items() if access.brand_images] == ["image-renderer", "telegram-sender"]


def test_each_function_code_asset_holds_only_its_own_folder(synth):
    for name, service in CATALOG.services.items():
        metadata = synth.data["Resources"][function_logical_id(name)]["Metadata"]
        asset = synth.outdir / metadata["aws:asset:path"]
        assert sorted(p.name for p in asset.iterdir()) == [service.module], name
        assert (asset / service.module / "handler.py").is_file()
        fonts = [p for p in asset.rglob("*") if p.suffix in {".ttf", ".otf"}]
        assert bool(fonts) == (name == "image-renderer"), name
        assert not list(asset.rglob("__pycache__"))


def test_the_shared_layer_holds_the_vibecoder_package(synth):
    layers = synth.resources("AWS::Lambda::LayerVersion")
    assert len(layers) == 2
    paths = [Path(synth.outdir / layer["Metadata"]["aws:asset:path"]) for layer in layers.values()]
    shared = [p for p in paths if (p / "python" / "vibecoder" / "events" / "catalog.py").is_file()]
    assert len(shared) == 1
    for layer in layers.values():
        assert layer["Properties"]["CompatibleRuntimes"] == ["python3.12"]
        assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]


def test_operations_doc_matches_the_stack():
    """docs/operations.md: memory/timeout per function as configured; a SAM command for every function and sample."""
    import re

    root = Path(__file__).resolve().parents[2]
    doc = (root / "docs" / "operations.md").read_text()
    for name, spec in FUNCTIONS.items():
        assert re.search(rf"^\| {re.escape(name)} \| {spec.memory_mb} MB \| {spec.timeout_seconds} s \|", doc, re.M), name
        assert f"invoke -t cdk.out/BibleVibeCoder.template.json {function_logical_id(name)} -e" in doc, name
    for sample in (root / "events" / "samples").glob("*.json"):
        assert f"-e events/samples/{sample.name}`" in doc, sample.name


def test_ai_content_reads_operator_notes_from_the_knowledge_prefix(synth):
    env = function_props(synth, "ai-content")["Environment"]["Variables"]
    bucket = {"Ref": synth.logical_id(synth.stack.slides.bucket)}
    assert env["KNOWLEDGE_S3_URI"] == {"Fn::Join": ["", ["s3://", bucket, f"/{KNOWLEDGE_PREFIX}/"]]}
