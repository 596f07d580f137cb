"""The geometry the layout hands to the renderer: a box and one ``Block`` per drawn element.

Its own module because both ``layout`` and ``code`` (the code panel) build blocks, and ``layout``
imports ``code`` only for code slides (Pygments costs its import): neither imports the other back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .text import Line
from .themes import RGB

if TYPE_CHECKING:
    from PIL import Image

Box = tuple[int, int, int, int]


@dataclass
class Block:
    role: str  # emoji | title | body | quote | code | brand | brand-name | avatar | logo | counter | swipe | progress | code-panel | accent-bar
    box: Box
    size: int = 0  # font size (px); for emoji the em size
    font: str = ""
    color: RGB = (255, 255, 255)
    lines: list[Line] = field(default_factory=list)
    xs: list[float] = field(default_factory=list)
    baselines: list[float] = field(default_factory=list)
    gid: int = 0  # emoji glyph
    fill: RGB | None = None  # panels / progress bar
    value: float = 0.0  # progress fraction
    rtl: bool = False  # progress: fills from the right
    art: Image.Image | None = None  # avatar / logo: the RGBA picture, already at the box's size
    # fill must reach this contrast with the pixels under it (the renderer moves its lightness
    # when it does not; 0: drawn as given). Set for the user's accent colour only.
    contrast: float = 0.0
