"""The dependency layer, built without Docker from a lock file with hashes.

``python -m tools.build_layer --out build/deps-layer [--arch arm64|x86_64]`` writes ``OUT/python/`` (the
layer layout): exactly the packages of requirements.lock, each wheel checked against its sha256, for
Lambda's Python and architecture (``pip install --platform … --only-binary=:all: --no-deps
--require-hashes``). The CDK app calls :func:`build` from its local bundling, so ``cdk synth`` builds the
same thing; the layer's asset hash is the lock's content plus these options (:func:`fingerprint`), so it
is rebuilt exactly when the lock (or the target) changes.

``python -m tools.build_layer --lock`` (``make lock``) writes requirements.lock from requirements.txt
with uv, resolved for CPython 3.12 on manylinux_2_34 (Lambda's python3.12 image is Amazon Linux 2023,
glibc 2.34) for both architectures, which must resolve alike so that one lock serves either; uv writes
the hash of every file of each pinned release, so the same lock installs on arm64 and x86_64. The lock
records a digest of the requirements it was made from: tests/infra fails when requirements.txt changed
and the lock did not.

boto3, botocore and s3transfer are in the layer on purpose, though the runtime has its own: the
runtime's copy changes whenever AWS updates the runtime, so the SDK deployed would not be the one the
tests ran against. The layer's /opt/python comes before the runtime's packages on sys.path, so the
pinned SDK is the one imported (docs/operations.md has the sizes).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "requirements.lock"
PYTHON_VERSION = "3.12"
# Lambda's Python 3.12 image is Amazon Linux 2023 (glibc 2.34): any wheel up to manylinux_2_34 runs.
_MANYLINUX = ("manylinux2014", "manylinux_2_28", "manylinux_2_34")
LOCK_PLATFORM = "manylinux_2_34"
MACHINES = {"arm64": "aarch64", "x86_64": "x86_64"}
BUILDER_VERSION = "2"  # bump when the way the layer is built changes (it is part of the asset hash)
DIGEST_LINE = "# requirements sha256: "


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~;\s]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def requirement_lines(requirements: Path = REQUIREMENTS) -> list[str]:
    """The requirements themselves: comments, blank lines and options dropped, whitespace normalised."""
    lines = []
    for raw in requirements.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(re.sub(r"\s+", "", line))
    return lines


def requirements_digest(requirements: Path = REQUIREMENTS) -> str:
    """What the lock was made from: comments and order do not count."""
    return hashlib.sha256("\n".join(sorted(requirement_lines(requirements))).encode()).hexdigest()


def recorded_digest(lock: Path = LOCK) -> str | None:
    for line in lock.read_text().splitlines():
        if line.startswith(DIGEST_LINE):
            return line.removeprefix(DIGEST_LINE).strip()
    return None


def locked_packages(lock: Path = LOCK) -> dict[str, tuple[str, list[str]]]:
    """name → (version, sha256 hashes) for every entry of a lock."""
    packages: dict[str, tuple[str, list[str]]] = {}
    text = lock.read_text().replace("\\\n", " ")
    for line in text.splitlines():
        entry = line.split("#", 1)[0].strip()
        if not entry:
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)((?:\s+--hash=sha256:[0-9a-f]{64})*)", entry)
        if match is None:
            raise ValueError(f"{lock.name}: not a pinned, hashed requirement: {entry}")
        hashes = re.findall(r"sha256:([0-9a-f]{64})", match.group(3))
        packages[_name(match.group(1))] = (match.group(2), hashes)
    return packages


def lock_command(arch: str, output: Path, python_version: str = PYTHON_VERSION,
                 requirements: Path = REQUIREMENTS) -> list[str]:
    """uv's resolution for one architecture; run it in the requirements' folder (the lock names the file only)."""
    return [sys.executable, "-m", "uv", "pip", "compile", requirements.name, "--output-file", str(output),
            "--generate-hashes", "--python-version", python_version,
            "--python-platform", f"{MACHINES[arch]}-{LOCK_PLATFORM}", "--only-binary", ":all:",
            "--no-header", "--quiet"]


def lock_header(digest: str, python_version: str = PYTHON_VERSION) -> str:
    return (f"# The dependency layer's lock: requirements.txt resolved for AWS Lambda (CPython {python_version}, "
            f"{LOCK_PLATFORM};\n# arm64 and x86_64 resolve alike), with the sha256 of every file of each release. "
            "Written by `make lock`\n# (python -m tools.build_layer --lock); do not edit by hand.\n"
            f"{DIGEST_LINE}{digest}\n")


def write_lock(requirements: Path = REQUIREMENTS, lock: Path = LOCK, python_version: str = PYTHON_VERSION,
               run: Callable[..., object] = subprocess.run) -> Path:
    """Resolve ``requirements`` for every architecture; one lock when they agree, an error when not."""
    resolved: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for arch in MACHINES:
            output = Path(scratch) / f"{arch}.txt"
            run(lock_command(arch, output, python_version, requirements), check=True, cwd=requirements.parent)
            resolved[arch] = output.read_text()
    if len(set(resolved.values())) != 1:
        raise RuntimeError(f"requirements resolve differently per architecture ({', '.join(resolved)}): "
                           "one lock cannot serve both")
    lock.write_text(lock_header(requirements_digest(requirements), python_version) + resolved["arm64"])
    return lock


def platforms(arch: str) -> list[str]:
    machine = MACHINES[arch]
    return [f"{tag}_{machine}" for tag in _MANYLINUX]


def fingerprint(arch: str, python_version: str = PYTHON_VERSION, lock: Path = LOCK) -> str:
    """What the built layer depends on: the lock's content, the target platform, this builder."""
    data = "\n".join([BUILDER_VERSION, arch, python_version, lock.read_text()])
    return hashlib.sha256(data.encode()).hexdigest()


def pip_command(target: Path, arch: str, python_version: str = PYTHON_VERSION, lock: Path = LOCK) -> list[str]:
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
               "--target", str(target), "--implementation", "cp", "--python-version", python_version,
               "--only-binary=:all:", "--upgrade", "--no-deps", "--require-hashes"]
    for platform in platforms(arch):
        command += ["--platform", platform]
    return [*command, "--requirement", str(lock)]


def prune(target: Path) -> None:
    """Drop what the layer never runs: byte-code caches and console scripts."""
    for cache in list(target.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(target / "bin", ignore_errors=True)


def build(out: Path, arch: str = "arm64", python_version: str = PYTHON_VERSION, lock: Path = LOCK) -> Path:
    """Install the layer into ``out/python`` and return that folder."""
    target = Path(out) / "python"
    target.mkdir(parents=True, exist_ok=True)
    subprocess.run(pip_command(target, arch, python_version, lock), check=True)
    prune(target)
    return target


def _size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "deps-layer")
    parser.add_argument("--arch", choices=sorted(MACHINES), default="arm64")
    parser.add_argument("--python-version", default=PYTHON_VERSION)
    parser.add_argument("--lock", action="store_true", help="write requirements.lock from requirements.txt instead")
    args = parser.parse_args(argv)
    if args.lock:
        lock = write_lock(python_version=args.python_version)
        print(f"{lock}: {len(locked_packages(lock))} packages for CPython {args.python_version}, "
              f"{' and '.join(MACHINES)}")
        return 0
    if args.out.exists():
        shutil.rmtree(args.out)
    target = build(args.out, args.arch, args.python_version)
    print(f"{target}: {_size(target) / 1e6:.1f} MB unzipped ({args.arch}, Python {args.python_version})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
