"""Code assets without Docker: function folders, the shared layer and the dependency layer.

The dependency layer is bundled locally from requirements.lock (``pip install --platform`` for the
Lambda architecture, hashes required, see tools/build_layer.py). CDK only bundles stacks named in the
context ``aws:cdk:bundling-stacks`` (default: all); tests pass ``[]`` so synthesis downloads nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aws_cdk as cdk
import jsii
from aws_cdk import aws_lambda as lambda_

from tools import build_layer

ROOT = Path(__file__).resolve().parent.parent
FUNCTIONS_DIR = ROOT / "functions"
SHARED_LAYER_DIR = ROOT / "layers" / "shared"
CACHES = ["__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache"]


@jsii.implements(cdk.ILocalBundling)
class PipLayerBundling:
    """Local bundling of requirements.lock into ``python/`` for the Lambda architecture."""

    def __init__(self, arch: str, python_version: str):
        self.arch = arch
        self.python_version = python_version

    def try_bundle(self, output_dir: str, options: Any = None) -> bool:  # noqa: ARG002 - jsii signature
        build_layer.build(Path(output_dir), self.arch, self.python_version)
        return True


def function_code(module: str) -> lambda_.Code:
    """functions/<module>/ only, kept as a package so the handler string is ``<module>.handler.lambda_handler``.

    Each function gets its own folder and nothing else (the renderer's fonts stay out of the others).
    """
    if not (FUNCTIONS_DIR / module / "handler.py").is_file():
        raise FileNotFoundError(f"functions/{module}/handler.py is missing")
    return lambda_.Code.from_asset(str(FUNCTIONS_DIR), exclude=["*", f"!{module}", f"!{module}/**", *CACHES])


def shared_layer_code() -> lambda_.Code:
    """layers/shared (python/vibecoder): mounted at /opt/python."""
    return lambda_.Code.from_asset(str(SHARED_LAYER_DIR), exclude=CACHES)


def dependency_layer_code(arch: str, python_version: str, bundle: bool = True) -> lambda_.Code:
    """requirements.lock (boto3 included), pip-installed for the target platform (no Docker); the asset
    hash is the lock's content with the target (:func:`tools.build_layer.fingerprint`).

    ``bundle=False`` (context ``skipLayerBundling``) stages the lock alone: a template to read or lint,
    not to deploy. (The CLI refuses user context under ``aws:``, so ``aws:cdk:bundling-stacks`` is for
    tests that build the App themselves.)
    """
    staged = ["*", f"!{build_layer.LOCK.name}"]
    if not bundle:
        return lambda_.Code.from_asset(str(ROOT), exclude=staged)
    runtime = lambda_.Runtime(f"python{python_version}", lambda_.RuntimeFamily.PYTHON)
    return lambda_.Code.from_asset(
        str(ROOT),
        exclude=staged,
        asset_hash_type=cdk.AssetHashType.CUSTOM,
        asset_hash=build_layer.fingerprint(arch, python_version),
        bundling=cdk.BundlingOptions(
            image=runtime.bundling_image,  # never pulled: local bundling always succeeds or raises
            local=PipLayerBundling(arch, python_version),
        ),
    )
