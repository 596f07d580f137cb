"""``python -m local render SLIDES.json --out DIR``: the renderer alone."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import Field

import local.runtime  # noqa: F401 - puts functions/ and the shared layer on sys.path
from vibecoder.base import CamelModel
from vibecoder.content import DEFAULT_STYLE, Slide


class SlidesFile(CamelModel):
    style: str = DEFAULT_STYLE
    slides: list[Slide] = Field(min_length=1)


def render_file(slides_path: Path, out_dir: Path, image_format: str = "jpeg") -> list[Path]:
    spec = SlidesFile.model_validate(json.loads(slides_path.read_text(encoding="utf-8")))
    out_dir.mkdir(parents=True, exist_ok=True)
    if image_format == "pdf":
        from image_renderer.rendering import render_pdf

        target = out_dir / "carousel.pdf"
        target.write_bytes(render_pdf(spec.slides, theme=spec.style))
        return [target]
    from image_renderer.rendering import render_carousel

    written = []
    for slide in render_carousel(spec.slides, theme=spec.style, image_format=image_format):
        target = out_dir / f"slide-{slide.index:02d}.{slide.extension}"
        target.write_bytes(slide.data)
        written.append(target)
    return written
