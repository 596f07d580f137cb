"""Fetch the renderer's script fonts and its FriBiDi library from Debian packages, pinned and verified.

    python -m tools.renderer_assets            # install what functions/image_renderer/assets.json pins
    python -m tools.renderer_assets --check    # verify only (exit 1 if anything is missing or altered)
    python -m tools.renderer_assets --pin      # maintainers: re-pin every hash after changing versions

The repository keeps only the manifest (``functions/image_renderer/assets.json``): for each Debian
package its version, architecture and sha256, and for each file the package member it comes from and
its own sha256. Packages are downloaded once with ``apt-get download`` into a cache
(``$VIBECODER_CACHE`` or ``~/.cache/vibecoder``), checked against the pinned hash, unpacked in Python
(a ``.deb`` is an ``ar`` archive holding ``data.tar.*``) and the pinned members are copied into the
renderer's folder (git-ignored), so the image-renderer asset that CDK zips carries exactly them.

apt is used through its ordinary client. A package of another architecture than this machine's (the
arm64 FriBiDi for Lambda, built on an x86-64 laptop) comes through a private apt state in the cache
(its own package lists for that architecture, the system's sources), so nothing on the system changes
and no root is needed for it.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import lzma
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RENDERER = ROOT / "functions" / "image_renderer"
MANIFEST = RENDERER / "assets.json"
DEBIAN_ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "amd64": "amd64"}


class AssetError(RuntimeError):
    pass


def cache_dir() -> Path:
    return Path(os.environ.get("VIBECODER_CACHE") or Path.home() / ".cache" / "vibecoder")


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_manifest(path: Path = MANIFEST) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def host_arch() -> str:
    return DEBIAN_ARCH.get(platform.machine(), platform.machine())


# ----------------------------------------------------------------------------------- apt download
def _apt(args: list[str], cwd: Path, state: Path | None, arch: str | None) -> subprocess.CompletedProcess:
    options: list[str] = []
    if state is not None:
        (state / "lists" / "partial").mkdir(parents=True, exist_ok=True)
        (state / "archives" / "partial").mkdir(parents=True, exist_ok=True)
        options += [
            f"-oDir::State::Lists={state / 'lists'}",
            f"-oDir::Cache={state}",
            f"-oDir::Cache::Archives={state / 'archives'}",
            "-oDir::State::status=/dev/null",
            f"-oAPT::Architecture={arch}",
            f"-oAPT::Architectures::={arch}",
        ]
    return subprocess.run(["apt-get", "-q", *options, *args], cwd=cwd, capture_output=True, text=True)


def _deb_name(name: str, spec: dict) -> str:
    # apt-get download names the file after the version with ':' escaped as %3a.
    return f"{name}_{spec['version'].replace(':', '%3a')}_{spec['arch']}.deb"


def download(name: str, spec: dict, debs: Path, *, verify: bool = True) -> Path:
    """The package's .deb in the cache, downloaded with apt-get if it is not there yet, checked
    against the pinned sha256 (``verify=False``: while pinning, when there is no hash yet)."""
    target = debs / _deb_name(name, spec)
    if target.is_file() and (not verify or sha256(target) == spec["sha256"]):
        return target
    if shutil.which("apt-get") is None:
        raise AssetError(f"{target.name} is not in {debs} and apt-get is not available to download it")
    debs.mkdir(parents=True, exist_ok=True)
    arch = spec["arch"]
    request = f"{name}:{arch}={spec['version']}" if arch != "all" else f"{name}={spec['version']}"
    attempts: list[tuple[Path | None, str | None]] = []
    if arch in ("all", host_arch()):
        attempts.append((None, None))  # the system's own package lists first
    private = cache_dir() / f"apt-{host_arch() if arch == 'all' else arch}"
    attempts.append((private, host_arch() if arch == "all" else arch))
    errors = []
    for state, state_arch in attempts:
        result = _apt(["download", request], debs, state, state_arch)
        if result.returncode and state is not None:
            refreshed = _apt(["update"], debs, state, state_arch)
            if refreshed.returncode:
                errors.append(refreshed.stderr.strip()[-500:])
                continue
            result = _apt(["download", request], debs, state, state_arch)
        if result.returncode == 0 and target.is_file():
            break
        errors.append(result.stderr.strip()[-500:])
    if not target.is_file():
        raise AssetError(f"apt-get download {request} failed:\n" + "\n".join(errors))
    actual = sha256(target)
    if verify and actual != spec["sha256"]:
        target.unlink()
        raise AssetError(f"{target.name}: sha256 {actual} does not match the pinned {spec['sha256']}")
    return target


# ----------------------------------------------------------------------------------- .deb reading
def deb_members(deb: Path, wanted: set[str]) -> dict[str, bytes]:
    """The contents of ``wanted`` members (paths without a leading ./) of a .deb's data archive,
    symlinks resolved within the archive."""
    data = deb.read_bytes()
    if not data.startswith(b"!<arch>\n"):
        raise AssetError(f"{deb} is not a Debian package")
    pos = 8
    payload = None
    while pos + 60 <= len(data):
        header = data[pos : pos + 60]
        name = header[:16].decode().strip().rstrip("/")
        size = int(header[48:58].decode().strip())
        body = data[pos + 60 : pos + 60 + size]
        pos += 60 + size + (size & 1)
        if name.startswith("data.tar"):
            payload = (name, body)
            break
    if payload is None:
        raise AssetError(f"{deb} has no data.tar member")
    name, body = payload
    if name.endswith(".zst"):
        raise AssetError(f"{deb}: zstd-compressed data is not supported")
    raw = lzma.decompress(body) if name.endswith(".xz") else body
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(raw), mode="r:*") as tar:
        members = {m.name.removeprefix("./"): m for m in tar.getmembers()}
        for path in wanted:
            member = members.get(path)
            seen = 0
            while member is not None and member.issym() and seen < 8:
                member = members.get(os.path.normpath(os.path.join(os.path.dirname(path), member.linkname)))
                seen += 1
            if member is None or not member.isfile():
                raise AssetError(f"{deb.name} has no file {path}")
            out[path] = tar.extractfile(member).read()
    return out


# ----------------------------------------------------------------------------------- install / check
def check(manifest: dict, root: Path = RENDERER) -> list[str]:
    """Problems with the installed files (empty when every pinned file is present and intact)."""
    problems = []
    for rel, spec in manifest["files"].items():
        path = root / rel
        if not path.is_file():
            problems.append(f"missing {rel}")
        elif sha256(path) != spec["sha256"]:
            problems.append(f"altered {rel} (sha256 differs from the manifest)")
    return problems


def install(manifest: dict, root: Path = RENDERER, *, pin: bool = False) -> int:
    """Install every pinned file; with ``pin`` record the hashes found instead of checking them."""
    if not pin and not check(manifest, root):
        return 0
    debs = cache_dir() / "debs"
    by_package: dict[str, dict[str, str]] = {}
    for rel, spec in manifest["files"].items():
        by_package.setdefault(spec["package"], {})[spec["member"]] = rel
    written = 0
    for package, members in by_package.items():
        spec = manifest["packages"][package]
        deb = download(package.split(":")[0], spec, debs, verify=not pin)
        if pin:
            spec["sha256"] = sha256(deb)
        contents = deb_members(deb, set(members))
        for member, rel in members.items():
            blob = contents[member]
            digest = hashlib.sha256(blob).hexdigest()
            if pin:
                manifest["files"][rel]["sha256"] = digest
            elif digest != manifest["files"][rel]["sha256"]:
                raise AssetError(f"{member} in {deb.name}: sha256 {digest} does not match the pinned one")
            dest = root / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=dest.parent, delete=False) as tmp:
                tmp.write(blob)
            os.replace(tmp.name, dest)
            dest.chmod(0o644)
            written += 1
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify only")
    parser.add_argument("--pin", action="store_true", help="re-pin every hash in the manifest")
    args = parser.parse_args(argv)
    manifest = load_manifest()
    try:
        if args.check:
            problems = check(manifest)
            for problem in problems:
                print(problem, file=sys.stderr)
            return 1 if problems else 0
        written = install(manifest, pin=args.pin)
        if args.pin:
            MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        problems = check(manifest)
    except AssetError as err:
        print(f"renderer assets: {err}", file=sys.stderr)
        return 1
    if problems:
        print("renderer assets: " + "; ".join(problems), file=sys.stderr)
        return 1
    total = sum((RENDERER / rel).stat().st_size for rel in manifest["files"])
    status = f"installed {written} files" if written else "up to date"
    print(f"renderer assets: {status} ({len(manifest['files'])} files, {total / 1e6:.1f} MB, verified by sha256)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
