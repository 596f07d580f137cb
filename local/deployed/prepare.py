"""Everything a deployed-shape run needs, built once and cached under build/deployed/.

``python -m local.deployed check`` says whether this machine can run it (Node.js for ``cdk synth``,
a Python 3.12) and exits 2 when it cannot; ``make test`` uses it to skip the deployed tests with the
reason printed, ``make deployed-test`` to fail with it.
"""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from local.deployed import sandbox
from local.deployed.assembly import CDK_CLI, ROOT, Assembly, machine_architecture, reusable_context, synthesize
from local.deployed.stack import DeployedStack, StackOptions

BUILD = ROOT / "build" / "deployed"


def prerequisites() -> tuple[Path | None, list[str]]:
    """(Python 3.12, problems): no problems means a run can start; each problem says what is missing."""
    python, _, problems = sandbox.machine_support()
    if not problems and not CDK_CLI.exists():
        problems.append(f"{CDK_CLI.relative_to(ROOT)} is missing (npm ci installs it: `make synth`)")
    return python, problems


@dataclass
class Prepared:
    python: Path
    assembly: Assembly
    runtime_packages: Path
    architecture: str
    cache: Path  # mounts and bytecode of this assembly's assets (build/deployed/shape/<assets hash>)

    def options(self, workdir: Path, **kwargs) -> StackOptions:
        """Stack options; unless told otherwise, mounts and bytecode are shared through ``cache``."""
        kwargs.setdefault("mounts", self.cache / "mounts")
        kwargs.setdefault("pycache_prefix", self.cache / "pycache")
        return StackOptions(python=self.python, runtime_packages=self.runtime_packages, workdir=workdir, **kwargs)

    def stack(self, workdir: Path, assembly: Assembly | None = None, **kwargs) -> DeployedStack:
        return DeployedStack(assembly or self.assembly, self.options(workdir, **kwargs))


def previous_telegram_port(build: Path = BUILD) -> int:
    """The Bot API port of the last synthesis when it can be reused (0: none), so a rerun needs no new one."""
    context = reusable_context(build / "cdk.out") or {}
    port = urlsplit(context.get("telegramApiUrl", "")).port
    return port if port and context.get("architecture") == machine_architecture() else 0


def prepare(telegram_api_url: str | None, build: Path = BUILD) -> Prepared:
    """Synthesize for this machine (the layer for its architecture) and install the runtime's packages.

    ``telegram_api_url`` None: any Bot API URL will do (no function calls it), so a reusable
    synthesis is taken as it is.
    """
    python, problems = prerequisites()
    if problems:
        raise RuntimeError("the deployed shape cannot run here: " + "; ".join(problems))
    build = build.resolve()
    architecture = machine_architecture()
    if telegram_api_url is None:
        telegram_api_url = (reusable_context(build / "cdk.out") or {}).get("telegramApiUrl", "http://127.0.0.1:9")
    assembly = synthesize(build / "cdk.out", {"architecture": architecture, "telegramApiUrl": telegram_api_url})
    runtime = sandbox.runtime_packages(python, architecture, build)
    return Prepared(python, assembly, runtime, architecture, shape_cache(build, assembly))


def shape_cache(build: Path, assembly: Assembly) -> Path:
    """The cache folder of this assembly's assets; those of earlier assets are removed."""
    key = hashlib.sha256("\n".join(sorted(assembly.assets)).encode()).hexdigest()[:16]
    root = build / "shape"
    for stale in root.glob("*"):
        if stale.name != key:
            shutil.rmtree(stale, ignore_errors=True)
    (root / key).mkdir(parents=True, exist_ok=True)
    return root / key
