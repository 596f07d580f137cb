"""What a function's interpreter is made of: Python 3.12, the runtime's boto3, the asset folders as mounted.

- :func:`find_python` finds a Python 3.12 (Lambda's runtime version) or says why there is none.
- :func:`runtime_packages` installs what Lambda's Python runtime itself provides (boto3, botocore,
  s3transfer and their dependencies, at the lock's versions; the layer ships its own copy, which comes
  first on the path, as in Lambda) once per input hash under build/, compiled by that interpreter
  (the runtime ships bytecode; the assets do not).
- :func:`mount` lays folders over one another the way Lambda extracts layers into /opt (in order,
  a later layer's file replacing an earlier one's) out of symbolic links, optionally without some
  files: the harness's self-tests remove a bundled file without copying a 60 MB layer.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tools import build_layer

LAMBDA_PYTHON = "3.12"
RUNTIME_BUILDER_VERSION = "1"
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer")  # what Lambda's Python runtime carries itself


def find_python(version: str = LAMBDA_PYTHON) -> tuple[Path | None, str]:
    """(interpreter, how it was found) or (None, why not): $DEPLOYED_PYTHON, PATH, then pyenv's versions."""
    candidates: list[tuple[str, str]] = []
    if os.environ.get("DEPLOYED_PYTHON"):
        candidates.append((os.environ["DEPLOYED_PYTHON"], "$DEPLOYED_PYTHON"))
    on_path = shutil.which(f"python{version}")
    if on_path:
        candidates.append((on_path, "PATH"))
    roots = [os.environ.get("PYENV_ROOT", ""), str(Path.home() / ".pyenv")]
    for root in dict.fromkeys(r for r in roots if r):
        for found in sorted(glob.glob(f"{root}/versions/{version}.*/bin/python{version}"), reverse=True):
            candidates.append((found, "pyenv"))
    for path in (f"/usr/bin/python{version}", f"/usr/local/bin/python{version}"):
        candidates.append((path, "system"))
    tried = []
    for path, source in candidates:
        if not os.path.exists(path):
            continue
        result = subprocess.run([path, "-I", "-S", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                                capture_output=True, text=True, timeout=30)
        if result.returncode == 0 and result.stdout.strip() == version:
            return Path(path), f"{path} (from {source})"
        tried.append(f"{path} ({source}): {(result.stdout or result.stderr).strip()[:80]}")
    detail = "; tried " + ", ".join(tried) if tried else ""
    return None, (f"no Python {version} found (set DEPLOYED_PYTHON, put python{version} on PATH or "
                  f"`pyenv install {version}`){detail}")


def machine_support() -> tuple[Path | None, str, list[str]]:
    """What this machine must have: Node.js (the CDK CLI runs on it) and a Python 3.12 (Lambda's version).

    Returns (the Python 3.12, how it was found, problems).
    """
    problems = []
    if shutil.which("node") is None:
        problems.append("Node.js is not installed (the CDK CLI synthesizes the stack with it)")
    python, how = find_python()
    if python is None:
        problems.append(how)
    return python, how, problems


def runtime_requirements() -> list[str]:
    """The SDK as Lambda's Python runtime provides it, at the lock's versions (the layer ships its own too)."""
    locked = build_layer.locked_packages()
    missing = [name for name in RUNTIME_PACKAGES if name not in locked]
    if missing:
        raise RuntimeError(f"{build_layer.LOCK.name} pins no {', '.join(missing)}")
    return [f"{name}=={locked[name][0]}" for name in RUNTIME_PACKAGES]


def runtime_packages(python: Path, arch: str, cache: Path) -> Path:
    """The runtime's packages for ``python`` (cached under ``cache`` by requirements, platform, builder)."""
    requirements = runtime_requirements()
    key = hashlib.sha256("\n".join([RUNTIME_BUILDER_VERSION, arch, LAMBDA_PYTHON, *requirements]).encode())
    target = cache / f"runtime-{key.hexdigest()[:16]}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    staging = target.with_name(target.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-compile",
               "--target", str(staging), "--implementation", "cp", "--python-version", LAMBDA_PYTHON,
               "--only-binary=:all:"]
    for platform_tag in build_layer.platforms(arch):
        command += ["--platform", platform_tag]
    subprocess.run([*command, *requirements], check=True, timeout=600)
    shutil.rmtree(staging / "bin", ignore_errors=True)
    subprocess.run([str(python), "-I", "-m", "compileall", "-q", str(staging)], check=True, timeout=600)
    staging.rename(target)
    (target / ".complete").touch()
    return target


def mount(cache: Path, sources: list[Path], without: frozenset[str] = frozenset()) -> tuple[Path, list[str]]:
    """Lay ``sources`` over one another (later wins), leaving out ``without``: Lambda's /opt from its layers.

    Directories are real and files are hard links to the staged assets (a copy where linking is not
    possible), so a path resolved inside the mount stays inside it: nothing reaches a file the mount
    leaves out. ``without`` holds paths relative to the mount ("python/PIL", "python/vibecoder/slides.py").
    The mount lives under ``cache`` at a path named by its inputs (assets are content-addressed), so
    functions with the same layers share one mount and the bytecode cached for it. Returns the mount and
    the paths a later source replaced (a layer shadowing another's file).
    """
    key = hashlib.sha256(json.dumps([[str(s.resolve()) for s in sources], sorted(without)]).encode()).hexdigest()
    target, replaced_file = cache / key[:16], cache / f"{key[:16]}.replaced.json"
    if not target.exists():
        staging = cache / f"{key[:16]}.{os.getpid()}.partial"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        replaced: list[str] = []
        _merge(staging, [s for s in sources if s.is_dir()], "", without, replaced)
        replaced_file.write_text(json.dumps(replaced))  # the same for anyone mounting the same inputs
        try:
            staging.rename(target)
        except OSError:  # another run made the same mount meanwhile
            shutil.rmtree(staging, ignore_errors=True)
    return target, json.loads(replaced_file.read_text())


def _merge(target: Path, sources: list[Path], relative: str, without: frozenset[str], replaced: list[str]) -> None:
    entries: dict[str, list[Path]] = {}
    for source in sources:
        for entry in sorted(os.listdir(source)):
            entries.setdefault(entry, []).append(source / entry)
    for name, paths in entries.items():
        path = f"{relative}{name}"
        if path in without:
            continue
        if all(p.is_dir() and not p.is_symlink() for p in paths):
            (target / name).mkdir()
            _merge(target / name, paths, path + "/", without, replaced)
            continue
        if len(paths) > 1:
            replaced.append(path)
        _place(paths[-1], target / name, path, without)


def _place(source: Path, destination: Path, relative: str, without: frozenset[str]) -> None:
    if source.is_symlink():
        os.symlink(os.readlink(source), destination)
    elif source.is_dir():
        destination.mkdir()
        _merge(destination, [source], relative + "/", without, [])
    else:
        try:
            os.link(source, destination)
        except OSError:  # another file system: a copy
            shutil.copy2(source, destination)
