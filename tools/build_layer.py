"""Build the dependency layer without Docker: ``pip install --platform`` for Lambda's architecture.

``python -m tools.build_layer --out build/deps-layer [--arch arm64|x86_64]`` writes ``OUT/python/``
(the layer layout) from requirements.txt, minus what the Lambda runtime already has (boto3,
botocore, s3transfer). The CDK app calls :func:`build` from its local bundling, so ``cdk synth``
builds the same thing; the asset hash covers requirements.txt and these options, so the layer is
rebuilt only when they change.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
PYTHON_VERSION = "3.12"
# The Lambda Python runtime ships these: a second copy only makes the layer bigger.
PROVIDED_BY_RUNTIME = ("boto3", "botocore", "s3transfer")
# Lambda's Python 3.12 image is Amazon Linux 2023 (glibc 2.34): any wheel up to manylinux_2_34 runs.
_MANYLINUX = ("manylinux2014", "manylinux_2_28", "manylinux_2_34")
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
BUILDER_VERSION = "1"  # bump when the way the layer is built changes (it is part of the asset hash)


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def layer_requirements(requirements: Path = REQUIREMENTS) -> list[str]:
    """The requirement lines that go into the layer (comments, options and runtime packages dropped)."""
    lines = []
    for raw in requirements.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-") and _name(line) not in PROVIDED_BY_RUNTIME:
            lines.append(line)
    return lines


def platforms(arch: str) -> list[str]:
    machine = MACHINES[arch]
    return [f"{tag}_{machine}" for tag in _MANYLINUX]


def fingerprint(arch: str, python_version: str = PYTHON_VERSION, requirements: Path = REQUIREMENTS) -> str:
    """What the built layer depends on: its requirements, the target platform, this builder."""
    data = "\n".join([BUILDER_VERSION, arch, python_version, *layer_requirements(requirements)])
    return hashlib.sha256(data.encode()).hexdigest()


def pip_command(target: Path, arch: str, python_version: str = PYTHON_VERSION,
                requirements: Path = REQUIREMENTS) -> list[str]:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
               "--target", str(target), "--implementation", "cp", "--python-version", python_version,
               "--only-binary=:all:", "--upgrade"]
    for platform in platforms(arch):
        command += ["--platform", platform]
    return command + layer_requirements(requirements)


def prune(target: Path) -> None:
    """Drop what the runtime provides (pulled in transitively, e.g. by aws-xray-sdk) and caches."""
    for path in list(target.iterdir()):
        name = path.name.lower()
        package = name.split("-", 1)[0].replace("_", "-") if name.endswith((".dist-info", ".egg-info")) else name
        if package in PROVIDED_BY_RUNTIME:
            shutil.rmtree(path) if path.is_dir() else path.unlink()
    for cache in list(target.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(target / "bin", ignore_errors=True)


def build(out: Path, arch: str = "arm64", python_version: str = PYTHON_VERSION,
          requirements: Path = REQUIREMENTS) -> Path:
    """Install the layer into ``out/python`` and return that folder."""
    target = Path(out) / "python"
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(pip_command(target, arch, python_version, requirements), check=True)
    prune(target)
    return target


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "deps-layer")
    parser.add_argument("--arch", choices=sorted(MACHINES), default="arm64")
    parser.add_argument("--python-version", default=PYTHON_VERSION)
    args = parser.parse_args(argv)
    if args.out.exists():
        shutil.rmtree(args.out)
    target = build(args.out, args.arch, args.python_version)
    print(f"{target}: {_size(target) / 1e6:.1f} MB unzipped ({args.arch}, Python {args.python_version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
