"""The deployed shape (local/deployed/): one synthesis, one stack for the flows, fresh stacks for the self-tests.

``make deployed-test`` runs this folder on its own (``make test`` runs it after the rest when Node.js
is present): the synthesis and the stack are shared by every test of the session, so the folder is
left out of the parallel run. Each flow test fails when any call it caused was denied by a role or
the harness found a deployment defect; the session writes build/deployed/report.json and prints
the grants no call used.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.fakes.telegram_api import FakeClock, FakeTelegram
from tests.fakes.telegram_harness import BotUnderTest

if os.environ.get("PYTEST_XDIST_WORKER"):  # one synthesis and one stack per session: never in the parallel run
    collect_ignore_glob = ["test_*.py"]

REQUIRED = os.environ.get("DEPLOYED_TEST_REQUIRED") == "1"  # make deployed-test: missing tools fail, not skip


@pytest.fixture(scope="session")
def telegram():
    """The fake Bot API, on the port the last synthesis named when that port is free (the synthesis is reused)."""
    from local.deployed.prepare import previous_telegram_port

    fake = FakeTelegram()
    try:
        fake.start(previous_telegram_port())
    except OSError:  # taken: any port, and a new synthesis naming it
        fake.start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture(scope="session")
def prepared(telegram):
    from local.deployed.prepare import prepare, prerequisites

    _, problems = prerequisites()
    if problems:
        message = "the deployed shape cannot run here: " + "; ".join(problems)
        pytest.fail(message) if REQUIRED else pytest.skip(message)
    return prepare(telegram.api_url)


@pytest.fixture(scope="session")
def stack(prepared, telegram, tmp_path_factory):
    from local.deployed.prepare import BUILD

    clock = FakeClock()  # Lambda's retries wait 1 and 2 minutes: on this clock, only as long as it takes
    running = prepared.stack(tmp_path_factory.mktemp("deployed"), clock=clock, sleep=clock.sleep).start()
    # The operator's step after `cdk deploy` (docs/operations.md): the bot token goes into its secret.
    token_secret = running.functions["telegram-sender"].environment["TELEGRAM_BOT_TOKEN_PARAM"]
    running.client("secretsmanager").put_secret_value(SecretId=token_secret, SecretString=telegram.token)
    try:
        yield running
    finally:
        report = running.report()
        (BUILD / "report.json").write_text(json.dumps(report, indent=2))
        _SESSION_REPORTS.append(report)
        running.stop()


@pytest.fixture
def deployed(stack):
    """The session's stack; the test fails if a call it caused was denied or a deployment defect appeared."""
    calls_before, defects_before = len(stack.calls), len(stack.defects)
    yield stack
    denied = [call.describe() for call in stack.calls[calls_before:] if not call.allowed]
    defects = stack.defects[defects_before:]
    assert not denied, "calls the roles do not allow:\n" + "\n".join(denied)
    assert not defects, "deployment defects:\n" + "\n".join(defects)


class DeployedBot(BotUnderTest):
    """The Telegram harness of the e2e tests, in front of the deployed shape (events from the bus's archive)."""

    def events(self, event_type: str | None = None) -> list[dict]:
        return self.runtime.published(event_type)


@pytest.fixture
def bot(deployed, telegram):
    secret_name = deployed.functions["telegram-gateway"].environment["TELEGRAM_WEBHOOK_SECRET_PARAM"]
    secret = deployed.client("secretsmanager").get_secret_value(SecretId=secret_name)["SecretString"]
    return DeployedBot(deployed, telegram, telegram.clock, f"{deployed.url}/telegram/webhook", secret=secret)


_SESSION_REPORTS: list[dict] = []


def pytest_terminal_summary(terminalreporter):
    for report in _SESSION_REPORTS:
        terminalreporter.section("deployed shape: grants no call used (reported, not failed)")
        for name, function in report["functions"].items():
            unused = sorted({g["action"] for g in function["unusedGrants"]})
            terminalreporter.write_line(f"{name}: {function['invocations']} invocations, "
                                        f"{len(function['coldStarts'])} instance(s), peak {function['maxRssMb']} "
                                        f"of {function['memoryMb']} MB; unused: {', '.join(unused) or 'none'}")
        terminalreporter.write_line("full report (resources of each grant, cold starts): build/deployed/report.json; "
                                    "cold-start figures: python bench/deployed_coldstart_bench.py")
