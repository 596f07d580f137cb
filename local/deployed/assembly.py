"""The cloud assembly ``cdk synth`` writes (cdk.out): the stack's template and each asset's folder.

:func:`synthesize` runs the project's pinned CDK CLI (the same command as ``make synth``) into a
folder of its own with the harness's context: this machine's architecture, so the dependency layer
is pip-installed for it, and the Bot API URL of the fake Telegram server. The layer is bundled once
per input hash: CDK keeps ``asset.<hash>`` and skips bundling when it exists; and the whole synthesis
is reused while the files the app reads (:data:`SYNTH_INPUTS`) and the context are unchanged.
:class:`Assembly` finds
the folder behind every ``Code``/``Content`` of the template through the asset manifest, as ``cdk
deploy`` does when it uploads them.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from local.deployed.template import Template, TemplateError

ROOT = Path(__file__).resolve().parents[2]
CDK_CLI = ROOT / "node_modules" / ".bin" / "cdk"
CDK_ENV = {"CDK_DISABLE_VERSION_CHECK": "1", "CDK_DISABLE_CLI_TELEMETRY": "true",
           "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
MACHINE_ARCHITECTURES = {"x86_64": "x86_64", "amd64": "x86_64", "aarch64": "arm64", "arm64": "arm64"}


def machine_architecture() -> str:
    """This machine's Lambda architecture name: the dependency layer must load here."""
    machine = platform.machine().lower()
    if machine not in MACHINE_ARCHITECTURES:
        raise RuntimeError(f"no Lambda architecture for this machine ({machine})")
    return MACHINE_ARCHITECTURES[machine]


class SynthError(RuntimeError):
    pass


# What the CDK app reads: a synthesis is reused while these files and the context are unchanged.
SYNTH_INPUTS = ("cdk", "functions", "layers", "tools/build_layer.py", "requirements.txt", "requirements.lock",
                "requirements-dev.txt", "cdk.json", "package.json", "package-lock.json")
SYNTH_RECORD = "harness-synth.json"


def inputs_digest() -> str:
    """A digest of every file the synthesis depends on (bytecode caches aside)."""
    digest = hashlib.sha256()
    for name in SYNTH_INPUTS:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(
            p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc")
        for file in files:
            digest.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes() + b"\0")
    return digest.hexdigest()


def reusable_context(outdir: Path) -> dict[str, str] | None:
    """The context of the synthesis in ``outdir`` if its inputs are still the current ones."""
    record = outdir / SYNTH_RECORD
    if not record.exists() or not (outdir / "manifest.json").exists():
        return None
    saved = json.loads(record.read_text())
    return saved["context"] if saved.get("inputs") == inputs_digest() else None


def synthesize(outdir: Path, context: dict[str, str]) -> Assembly:
    """``cdk synth`` into ``outdir`` with ``context`` (reused while inputs and context are unchanged)."""
    if reusable_context(outdir) == context:
        return Assembly.load(outdir)
    if not CDK_CLI.exists():
        raise SynthError(f"{CDK_CLI} is missing: run `make synth` (npm ci) first")
    (outdir / SYNTH_RECORD).unlink(missing_ok=True)
    digest = inputs_digest()  # before the synthesis: an edit during it must not pass for synthesized
    command = [str(CDK_CLI), "synth", "-q", "--no-notices", "-o", str(outdir)]
    for key, value in context.items():
        command += ["-c", f"{key}={value}"]
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **CDK_ENV}, capture_output=True, text=True,
                            timeout=900)
    if result.returncode != 0:
        raise SynthError(f"cdk synth failed ({result.returncode}):\n{result.stderr[-4000:]}")
    assembly = Assembly.load(outdir)
    assembly.remove_stale_assets()
    (outdir / SYNTH_RECORD).write_text(json.dumps({"inputs": digest, "context": context}))
    return assembly


@dataclass(frozen=True)
class Assembly:
    directory: Path
    template: Template
    assets: dict[str, Path]  # the asset's object key (what the template names) → its staged folder
    overrides: dict[str, Path] = field(default_factory=dict)  # harness self-tests replace an asset's folder

    @classmethod
    def load(cls, directory: Path, stack_name: str | None = None) -> Assembly:
        directory = Path(directory)
        manifest = json.loads((directory / "manifest.json").read_text())
        artifacts = manifest.get("artifacts", {})
        stacks = {name: a for name, a in artifacts.items() if a.get("type") == "aws:cloudformation:stack"}
        templates = {name: json.loads((directory / a["properties"]["templateFile"]).read_text())
                     for name, a in stacks.items()}
        if stack_name is None:  # the app's stack: the one with the functions (the other sets up the account)
            with_functions = [name for name, t in templates.items()
                              if any(r["Type"] == "AWS::Lambda::Function" for r in t.get("Resources", {}).values())]
            if len(with_functions) != 1:
                raise SynthError(f"expected one stack with functions in {directory}, found {with_functions}")
            stack_name = with_functions[0]
        stack, template = stacks[stack_name], templates[stack_name]
        assets: dict[str, Path] = {}
        for dependency in stack.get("dependencies", []):
            artifact = artifacts.get(dependency, {})
            if artifact.get("type") != "cdk:asset-manifest":
                continue
            asset_manifest = json.loads((directory / artifact["properties"]["file"]).read_text())
            for entry in asset_manifest.get("files", {}).values():
                for destination in entry["destinations"].values():
                    assets[destination["objectKey"]] = directory / entry["source"]["path"]
        name = stack.get("properties", {}).get("stackName", stack_name)
        return cls(directory, Template(template, name), assets)

    def asset_folder(self, code: dict[str, Any], where: str) -> Path:
        """The staged folder of a ``Code`` (Lambda::Function) or ``Content`` (LayerVersion) property."""
        key = code.get("S3Key")
        if not isinstance(key, str) or key not in self.assets:
            raise TemplateError(f"{where}: no staged asset for {code!r}")
        folder = self.overrides.get(key, self.assets[key])
        if not folder.is_dir():
            raise TemplateError(f"{where}: asset {key} is not an unzipped folder ({folder})")
        return folder

    def with_template(self, data: dict[str, Any]) -> Assembly:
        return replace(self, template=Template(data, self.template.stack_name))

    def with_asset_folder(self, key: str, folder: Path) -> Assembly:
        return replace(self, overrides={**self.overrides, key: folder})

    def template_copy(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.template.data))

    def remove_stale_assets(self) -> None:
        """Drop ``asset.*`` folders of earlier syntheses (the output folder is kept for its bundle cache)."""
        current = {path.name for path in self.assets.values()}
        for path in self.directory.glob("asset.*"):
            if path.name not in current:
                shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
