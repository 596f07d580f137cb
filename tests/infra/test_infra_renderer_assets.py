"""The image-renderer asset that CDK zips carries every pinned font and FriBiDi build, intact."""

from cdk.functions import function_logical_id
from tools import renderer_assets
from tools.renderer_assets import sha256
from vibecoder.events.catalog import CATALOG


def test_the_renderer_asset_ships_every_pinned_font_and_both_fribidi_builds(synth):
    metadata = synth.data["Resources"][function_logical_id("image-renderer")]["Metadata"]
    folder = synth.outdir / metadata["aws:asset:path"] / CATALOG.services["image-renderer"].module
    manifest = renderer_assets.load_manifest()
    for rel, spec in manifest["files"].items():
        assert (folder / rel).is_file(), rel
        assert sha256(folder / rel) == spec["sha256"], rel
    assert (folder / "native" / "aarch64" / "libfribidi.so.0").is_file()  # Lambda's arm64
