"""Deployed = tested: the layout engine under test is the one the image-renderer asset ships.

Lambda gets Pillow from the dependency layer (built from requirements.txt, the same pin as this
venv), raqm and HarfBuzz inside that Pillow wheel, and FriBiDi from the renderer's own asset
(native/<machine>/libfribidi.so.0, Debian's build pinned in assets.json). These tests prove that this
process lays text out with exactly those: the pinned Pillow, raqm active, and a FriBiDi whose bytes
are the pinned build for this machine (the arm64 one is the same Debian version for Lambda's CPU).
"""

import hashlib
import platform
import re
from pathlib import Path

from PIL import ImageFont

from image_renderer.rendering import native, render_carousel
from image_renderer.rendering.fonts import FONT_DIR, FONTS, loaded_layout_engines
from tools import renderer_assets
from vibecoder.content import Slide

ROOT = Path(__file__).resolve().parents[3]
MANIFEST = renderer_assets.load_manifest()


def _sha256(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_every_pinned_asset_is_installed_and_intact():
    assert renderer_assets.check(MANIFEST) == []


def test_pillow_is_the_version_the_layer_is_built_from():
    pin = re.search(r"^pillow==(\S+)$", (ROOT / "requirements.txt").read_text(), re.M | re.I)
    assert pin and native.check_engine()["pillow"] == pin.group(1)


def test_text_is_laid_out_by_raqm_with_the_bundled_fribidi():
    render_carousel([Slide(title="שלום 世界 नमस्ते", content="مرحبا")])
    assert loaded_layout_engines() == {ImageFont.Layout.RAQM}
    engine = native.check_engine()
    fribidi = MANIFEST["packages"][f"libfribidi0:{renderer_assets.host_arch()}"]
    assert fribidi["version"].startswith(engine["fribidi"])
    # The FriBiDi Pillow and the renderer use is byte for byte the pinned build (wherever the
    # loader found it), and there is only one.
    mapped = native.loaded_fribidi_files()
    assert len({_sha256(path) for path in mapped}) == 1, mapped
    pinned = MANIFEST["files"][f"native/{platform.machine()}/libfribidi.so.0"]["sha256"]
    assert _sha256(next(iter(mapped))) == pinned


def test_both_lambda_architectures_get_the_same_fribidi_version():
    packages = MANIFEST["packages"]
    assert packages["libfribidi0:amd64"]["version"] == packages["libfribidi0:arm64"]["version"]
    for machine in ("x86_64", "aarch64"):
        assert f"native/{machine}/libfribidi.so.0" in MANIFEST["files"]
        lib = native.NATIVE_DIR / machine / native.LIBRARY
        assert lib.read_bytes()[:4] == b"\x7fELF"
        assert lib.read_bytes()[18] == {"x86_64": 62, "aarch64": 183}[machine]  # e_machine


def test_every_font_the_renderer_names_is_pinned_with_its_licence():
    pinned = set(MANIFEST["files"])
    repo_fonts = {p.name for p in FONT_DIR.iterdir() if p.suffix in {".ttf", ".otf"}}
    for name, spec in FONTS.items():
        assert spec.file in repo_fonts or f"fonts/{spec.file}" in pinned, name
    licences = {rel for rel in pinned if "LICENSE" in rel}
    for package in {spec["package"] for spec in MANIFEST["files"].values()}:
        assert any(MANIFEST["files"][rel]["package"].split(":")[0] == package.split(":")[0] for rel in licences)
