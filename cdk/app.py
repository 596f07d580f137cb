"""The CDK app: ``python -m cdk.app`` (cdk.json runs it; CDK_OUTDIR says where to write).

Two stacks: the app (``stackName``, default BibleVibeCoder) and the region's API Gateway logging role
(cdk/account.py), which the app's stage needs and so depends on. Context
``aws:cdk:bundling-stacks=[]`` skips bundling the dependency layer (tests; nothing is downloaded).
cdk-nag's AwsSolutions checks run at synthesis: an unacknowledged finding fails it.
"""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk

from cdk import ROOT
from cdk.account import ApiGatewayAccountStack
from cdk.nag import apply_checks
from cdk.stack import VibeCoderStack

STACK_NAME = "BibleVibeCoder"


def project_context() -> dict[str, Any]:
    """cdk.json's context (feature flags): the CLI passes it on; a direct run or a test reads it here."""
    return json.loads((ROOT / "cdk.json").read_text()).get("context", {})


def build_app(context: dict[str, Any] | None = None, outdir: str | None = None) -> tuple[cdk.App, VibeCoderStack]:
    app = cdk.App(context={**project_context(), **(context or {})}, outdir=outdir)
    stack_name = app.node.try_get_context("stackName") or STACK_NAME
    account = ApiGatewayAccountStack(app)
    stack = VibeCoderStack(app, stack_name)
    stack.add_stack_dependency(account, "the stage's access logs need the account's API Gateway CloudWatch role")
    cdk.Tags.of(app).add("project", "bible-vibecoder")
    apply_checks(app)
    return app, stack


def main() -> None:
    app, _ = build_app()
    app.synth()


if __name__ == "__main__":
    main()
