"""tools/webhook.py against a fake Bot API on 127.0.0.1, and the layer builder without any download."""

from __future__ import annotations

import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tools import build_layer, webhook

TOKEN = "123456:TEST-token"


class FakeBotApi:
    """Records each Bot API call (method, JSON body); answers like Telegram."""

    def __init__(self):
        self.calls: list[tuple[str, dict]] = []
        self.fail: dict[str, tuple[int, str]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                prefix, _, method = self.path.rpartition("/")
                if prefix != f"/bot{TOKEN}":
                    return self._answer(404, {"ok": False, "error_code": 404, "description": "Not Found"})
                fake.calls.append((method, body))
                if method in fake.fail:
                    status, description = fake.fail[method]
                    return self._answer(status, {"ok": False, "error_code": status, "description": description})
                result = True
                if method == "getWebhookInfo":
                    set_webhook = next(b for m, b in reversed(fake.calls) if m == "setWebhook")
                    result = {"url": set_webhook["url"], "pending_update_count": 0,
                              "allowed_updates": set_webhook["allowed_updates"]}
                return self._answer(200, {"ok": True, "result": result})

            def _answer(self, status, payload):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]


@pytest.fixture
def bot_api(monkeypatch):
    fake = FakeBotApi()
    fake.thread.start()
    monkeypatch.setenv("TELEGRAM_API_URL", fake.url)
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


@pytest.fixture
def outputs(tmp_path) -> Path:
    path = tmp_path / "cdk-outputs.json"
    path.write_text(json.dumps({"BibleVibeCoder": {
        "WebhookUrl": "https://abc.execute-api.eu-central-1.amazonaws.com/v1/telegram/webhook",
        "TelegramBotTokenSecretName": "BibleVibeCoder/telegram/bot-token",
        "TelegramWebhookSecretSecretName": "BibleVibeCoder/telegram/webhook-secret",
    }}))
    return path


def test_registers_the_webhook_from_the_stack_output_and_the_command_menu(bot_api, outputs, capsys):
    code = webhook.main(["--outputs", str(outputs), "--token", TOKEN, "--secret", "s3cr3t_-X",
                         "--drop-pending-updates"])

    assert code == 0
    assert bot_api.methods() == ["setWebhook", "setMyCommands", "setMyCommands", "getWebhookInfo"]
    set_webhook = bot_api.calls[0][1]
    assert set_webhook == {"url": "https://abc.execute-api.eu-central-1.amazonaws.com/v1/telegram/webhook",
                           "secret_token": "s3cr3t_-X",
                           "allowed_updates": ["message", "callback_query", "inline_query", "chosen_inline_result"],
                           "drop_pending_updates": True, "max_connections": 40}
    english, russian = bot_api.calls[1][1], bot_api.calls[2][1]
    assert "language_code" not in english and russian["language_code"] == "ru"
    assert [c["command"] for c in english["commands"]] == ["carousel", "style", "lang", "history", "brand", "size",
                                                          "edit", "move", "drop", "help", "start"]
    assert [c["command"] for c in russian["commands"]] == [c["command"] for c in english["commands"]]
    assert "webhook: https://abc" in capsys.readouterr().out


def test_token_and_secret_come_from_the_environment_and_options_pass_through(bot_api, monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "from-env")

    code = webhook.main(["--url", "https://example.org/hook", "--allowed-updates", "message",
                         "--max-connections", "5"])

    assert code == 0
    body = bot_api.calls[0][1]
    assert (body["secret_token"], body["allowed_updates"], body["drop_pending_updates"], body["max_connections"]) == (
        "from-env", ["message"], False, 5)


def test_from_secrets_reads_the_secrets_named_in_the_outputs(bot_api, outputs, monkeypatch):
    read = []
    values = {"BibleVibeCoder/telegram/bot-token": TOKEN, "BibleVibeCoder/telegram/webhook-secret": "generated"}
    monkeypatch.setattr(webhook, "read_secret", lambda name: read.append(name) or values[name])

    assert webhook.main(["--outputs", str(outputs), "--from-secrets"]) == 0
    assert sorted(read) == sorted(values)
    assert bot_api.calls[0][1]["secret_token"] == "generated"


def test_a_refusal_is_reported_with_telegrams_description(bot_api, outputs, capsys):
    bot_api.fail["setWebhook"] = (400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")

    code = webhook.main(["--outputs", str(outputs), "--token", TOKEN, "--secret", "x"])

    assert code == 1
    assert "HTTPS url must be provided" in capsys.readouterr().err
    assert bot_api.methods() == ["setWebhook"]


def test_delete_removes_the_webhook(bot_api):
    assert webhook.main(["--delete", "--token", TOKEN, "--drop-pending-updates"]) == 0
    assert bot_api.calls == [("deleteWebhook", {"drop_pending_updates": True})]


def test_missing_token_or_secret_is_a_usage_error(bot_api, outputs):
    assert webhook.main(["--outputs", str(outputs)]) == 2
    assert webhook.main(["--outputs", str(outputs), "--token", TOKEN]) == 2
    assert bot_api.calls == []


# --- the dependency layer builder ----------------------------------------------------------------


def test_the_lock_is_made_from_requirements_txt_as_it_is_now():
    stale = "requirements.txt changed after requirements.lock was written: run `make lock`"
    assert build_layer.recorded_digest() == build_layer.requirements_digest(), stale
    locked = build_layer.locked_packages()
    for requirement in build_layer.requirement_lines():
        name, _, version = requirement.partition("==")
        assert version, f"requirements.txt pins every package with ==: {requirement}"
        assert locked[build_layer._name(name)][0] == version, (requirement, stale)


def test_every_package_in_the_lock_is_pinned_with_its_hashes_and_the_sdk_is_among_them():
    locked = build_layer.locked_packages()
    assert len(locked) >= len(build_layer.requirement_lines())  # the transitive packages too
    for name, (version, hashes) in locked.items():
        assert re.fullmatch(r"[0-9][0-9A-Za-z.+!-]*", version) and hashes, name
    # boto3 ships in the layer: the SDK the tests ran against, not whichever one the runtime has today.
    assert {"boto3", "botocore", "s3transfer"} <= set(locked)
    assert locked["boto3"][0] == dict(r.split("==") for r in build_layer.requirement_lines())["boto3"]


def test_the_digest_ignores_comments_order_and_spacing_but_not_a_version(tmp_path):
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    first.write_text("# runtime\npydantic==2.14.4\nboto3==1.44.8  # the SDK\n")
    second.write_text("boto3 == 1.44.8\n\npydantic==2.14.4\n")
    assert build_layer.requirements_digest(first) == build_layer.requirements_digest(second)
    second.write_text("boto3==1.44.9\npydantic==2.14.4\n")
    assert build_layer.requirements_digest(first) != build_layer.requirements_digest(second)


def test_a_lock_entry_without_a_pin_or_a_hash_is_refused(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("pydantic==2.14.4 \\\n    --hash=sha256:" + "a" * 64 + "\n    # via -r requirements.txt\nboto3>=1.44\n")
    with pytest.raises(ValueError, match="boto3>=1.44"):
        build_layer.locked_packages(lock)


def test_the_lock_is_uvs_resolution_for_lambda_on_both_architectures_or_nothing(tmp_path):
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("pydantic==2.14.4\n")
    lock = tmp_path / "requirements.lock"
    resolutions = {"aarch64": "pydantic==2.14.4 \\\n    --hash=sha256:" + "b" * 64 + "\n"}
    resolutions["x86_64"] = resolutions["aarch64"]
    commands = []

    def uv(command, check, cwd):
        commands.append((command, cwd))
        platform = command[command.index("--python-platform") + 1]
        Path(command[command.index("--output-file") + 1]).write_text(resolutions[platform.split("-")[0]])

    build_layer.write_lock(requirements, lock, run=uv)

    assert [c[0][1:5] for c in commands] == [["-m", "uv", "pip", "compile"]] * 2
    for command, cwd in commands:
        assert cwd == tmp_path and command[5] == "requirements.txt"  # the lock names the file, not a path
        assert "--generate-hashes" in command and command[command.index("--python-version") + 1] == "3.12"
        assert command[command.index("--only-binary") + 1] == ":all:"
    assert sorted(c[0][c[0].index("--python-platform") + 1] for c in commands) == [
        "aarch64-manylinux_2_34", "x86_64-manylinux_2_34"]
    assert build_layer.recorded_digest(lock) == build_layer.requirements_digest(requirements)
    assert build_layer.locked_packages(lock) == {"pydantic": ("2.14.4", ["b" * 64])}

    resolutions["x86_64"] = "pydantic==2.14.4 \\\n    --hash=sha256:" + "c" * 64 + "\n"
    with pytest.raises(RuntimeError, match="resolve differently"):
        build_layer.write_lock(requirements, tmp_path / "other.lock", run=uv)
    assert not (tmp_path / "other.lock").exists()


def test_pip_installs_exactly_the_locked_wheels_for_lambdas_platform(tmp_path):
    command = build_layer.pip_command(tmp_path / "python", "arm64", "3.12")

    assert command[1:4] == ["-m", "pip", "install"]
    assert {"--only-binary=:all:", "--no-deps", "--require-hashes"} <= set(command)
    assert command[command.index("--requirement") + 1] == str(build_layer.LOCK)
    assert command[command.index("--target") + 1] == str(tmp_path / "python")
    assert command[command.index("--implementation") + 1] == "cp"
    assert command[command.index("--python-version") + 1] == "3.12"
    platforms = [command[i + 1] for i, arg in enumerate(command) if arg == "--platform"]
    assert "manylinux2014_aarch64" in platforms and all(p.endswith("_aarch64") for p in platforms)
    assert build_layer.platforms("x86_64")[0] == "manylinux2014_x86_64"


def test_prune_drops_caches_and_scripts_only(tmp_path):
    for name in ("boto3", "botocore-1.44.8.dist-info", "pydantic/__pycache__", "bin"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "pydantic" / "main.py").write_text("")

    build_layer.prune(tmp_path)

    assert sorted(p.name for p in tmp_path.iterdir()) == ["boto3", "botocore-1.44.8.dist-info", "pydantic"]
    assert [p.name for p in (tmp_path / "pydantic").iterdir()] == ["main.py"]


def test_the_fingerprint_changes_with_the_lock_and_platform(tmp_path):
    lock = tmp_path / "requirements.lock"
    lock.write_text("pydantic==2.14.4 \\\n    --hash=sha256:" + "a" * 64 + "\n")
    first = build_layer.fingerprint("arm64", "3.12", lock)
    lock.write_text("pydantic==2.14.4 \\\n    --hash=sha256:" + "d" * 64 + "\n")

    assert build_layer.fingerprint("arm64", "3.12", lock) != first
    assert build_layer.fingerprint("x86_64", "3.12", lock) != build_layer.fingerprint("arm64", "3.12", lock)


def test_the_layer_asset_hash_is_the_locks_fingerprint_and_nothing_else(monkeypatch):
    import aws_cdk as cdk
    from aws_cdk import aws_lambda as lambda_

    from cdk import bundling

    def s3_key(fingerprint: str) -> str:
        monkeypatch.setattr(build_layer, "fingerprint", lambda arch, version: fingerprint)
        stack = cdk.Stack(cdk.App(context={"aws:cdk:bundling-stacks": []}), "Layer")
        layer = lambda_.LayerVersion(stack, "Dependencies", code=bundling.dependency_layer_code("arm64", "3.12"))
        return stack.resolve(layer.node.default_child.content)["s3Key"]

    # The source folder (the repository) is not hashed: only the fingerprint of the lock and the target.
    assert s3_key("lock-a") == s3_key("lock-a") != s3_key("lock-b")


def test_local_bundling_builds_into_the_output_dir(tmp_path, monkeypatch):
    from cdk.bundling import PipLayerBundling

    built = []
    monkeypatch.setattr(build_layer, "build", lambda out, arch, version: built.append((out, arch, version)))

    assert PipLayerBundling("arm64", "3.12").try_bundle(str(tmp_path), None) is True
    assert built == [(tmp_path, "arm64", "3.12")]
