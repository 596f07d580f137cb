"""One synthesis of the whole app for the infra tests (session-scoped), offline and without bundling."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass
class Synthesized:
    stack: Any  # cdk.stack.VibeCoderStack
    template: Any  # aws_cdk.assertions.Template
    data: dict[str, Any]  # the template as JSON
    outdir: Path
    seconds: float
    account: Any  # cdk.account.ApiGatewayAccountStack
    account_data: dict[str, Any]  # its template

    def resources(self, type_: str) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.data["Resources"].items() if v["Type"] == type_}

    def logical_id(self, construct: Any) -> str:
        return self.stack.get_logical_id(construct.node.default_child)


@pytest.fixture(scope="session")
def synth(tmp_path_factory) -> Synthesized:
    from aws_cdk import assertions

    from cdk.account import ACCOUNT_STACK_NAME
    from cdk.app import build_app

    outdir = tmp_path_factory.mktemp("cdk.out")
    started = time.perf_counter()
    # No bundling: the dependency layer is not pip-installed, nothing is downloaded.
    # Asset metadata on, as the CLI does (SAM local reads it).
    app, stack = build_app(context={"aws:cdk:bundling-stacks": [], "aws:cdk:enable-asset-metadata": True},
                           outdir=str(outdir))
    assembly = app.synth()  # cdk-nag runs here: an unacknowledged finding raises
    seconds = time.perf_counter() - started
    artifact = assembly.get_stack_artifact(stack.artifact_id)
    data = json.loads((outdir / artifact.template_file).read_text())
    account = app.node.find_child(ACCOUNT_STACK_NAME)
    account_data = json.loads((outdir / assembly.get_stack_artifact(account.artifact_id).template_file).read_text())
    return Synthesized(stack, assertions.Template.from_json(data), data, outdir, seconds, account, account_data)
