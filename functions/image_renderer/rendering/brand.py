"""The user's brand kit on a slide: handle, display name, accent colour, avatar and logo.

    from image_renderer.rendering import SlideBrand, render_carousel
    kit = SlideBrand(handle="@ann_dev", name="Ann", accent="#ff5a1f", avatar=jpeg_bytes, logo=png_bytes)
    render_carousel(slides, brand=kit)  # a plain str still means a handle only

Where it goes (the layout draws it, every theme and size, mirrored right to left):

* **Header, start of reading** (where the handle always was): a small round avatar, then the name
  (the theme's title font at the meta size, in the title colour where that reads on the page, else
  the muted one) above the handle (the meta font, smaller, muted); with only one of them, one line at
  the meta size beside the avatar. The text shrinks, then ends in …, to keep clear of the counter;
  the counter sits centred on the header, and the content starts below it. A str brand (a handle
  alone) draws exactly the one line it always drew.
* **Logo: the footer's centre**, between the progress bar and the swipe hint, on every slide,
  aspect kept, at most 48 x 200 px (at 1080 wide), smaller if the hint leaves less room, left out
  if that room is too small to show it: never on text, the counter, the hint or the bar.
* **Accent**: the theme's accent marks (the rule under the title, the quote bar) and the progress
  bar's filled part take the user's colour, made legible where it is drawn: if it does not reach
  :data:`MARK_CONTRAST` against the pixels under the mark, its lightness is moved (hue and
  saturation kept) just far enough (:func:`legible`; :data:`TEXT_CONTRAST` is the ratio for text).
  A colour that already passes is used as it is. Without a user colour every theme draws exactly
  what it drew before (the progress bar stays muted).

Images are files as downloaded (JPEG, PNG, WebP, anything): decoded once per distinct content
(cached by SHA-256), JPEGs at a reduced scale (``Image.draft``), capped at :data:`ART_SIDE`, the
first frame of an animation, any mode converted to RGBA. One that cannot be decoded, is smaller
than :data:`MIN_ART_SIDE` or larger than :data:`MAX_ART_PIXELS` (and not a JPEG, which decodes
scaled down) is left out with a warning; the slide is then exactly the slide without it.
"""

from __future__ import annotations

import colorsys
import hashlib
import io
import logging
import math
import warnings
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageOps

from .themes import RGB, hex_rgb

log = logging.getLogger(__name__)

DEFAULT_HANDLE = "@BibleVibeCoderBot"
TEXT_CONTRAST = 4.5  # WCAG AA, normal text
MARK_CONTRAST = 3.0  # WCAG 1.4.11, graphical objects
ART_SIDE = 512  # decoded avatar / logo: longest side at most (a slide shows them under 200 px)
MIN_ART_SIDE = 8  # smaller is a tracking pixel, not a picture
MAX_ART_PIXELS = 4096 * 4096  # a non-JPEG larger than this is not decoded at all
_SS = 4  # supersampling of the avatar's circle


@dataclass(frozen=True)
class SlideBrand:
    """What a user's slides carry. Every field is optional; an empty kit draws nothing."""

    handle: str = ""  # e.g. "@ann_dev"
    name: str = ""  # the person's display name
    accent: str | None = None  # "#RRGGBB"
    avatar: bytes | None = None  # an encoded image file, as downloaded
    logo: bytes | None = None

    @classmethod
    def of(cls, brand: SlideBrand | str | None) -> SlideBrand:
        """A kit as given, a str as a handle only, None as no brand."""
        if isinstance(brand, SlideBrand):
            return brand
        return cls(handle=brand or "")


@dataclass(frozen=True, eq=False)
class DrawableBrand:
    """A :class:`SlideBrand` made drawable: text stripped, colour parsed, images decoded (RGBA)."""

    handle: str
    name: str
    accent: RGB | None
    avatar: Image.Image | None
    logo: Image.Image | None
    avatar_key: str = ""  # content hashes: cache keys of the scaled images
    logo_key: str = ""


@lru_cache(maxsize=32)
def drawable_brand(brand: SlideBrand) -> DrawableBrand:
    """The drawable kit, once per kit: a carousel lays out every slide with the same one."""
    avatar, avatar_key = _art(brand.avatar, "avatar")
    logo, logo_key = _art(brand.logo, "logo")
    return DrawableBrand(brand.handle.strip(), brand.name.strip(), _accent(brand.accent), avatar, logo, avatar_key, logo_key)


def _accent(value: str | None) -> RGB | None:
    if not value:
        return None
    try:
        return hex_rgb(value.strip())
    except ValueError:
        log.warning("brand accent %r is not a #RRGGBB colour; using the theme's", value)
        return None


# --------------------------------------------------------------------------- images
_DECODED: OrderedDict[str, tuple[Image.Image | None, str]] = OrderedDict()  # by SHA-256: (image, why not)
_DECODED_MAX = 16


def _art(data: bytes | None, what: str) -> tuple[Image.Image | None, str]:
    """(the decoded image or None, its content hash), decoding each distinct content once; a kit's
    unusable image is logged once per kit (so once per carousel)."""
    if data is None:
        return None, ""
    key = hashlib.sha256(data).hexdigest()
    if key in _DECODED:
        _DECODED.move_to_end(key)
    else:
        _DECODED[key] = _decode(data) if data else (None, "empty")
        if len(_DECODED) > _DECODED_MAX:
            _DECODED.popitem(last=False)
    image, why = _DECODED[key]
    if image is None:
        log.warning("brand %s not drawn (%d bytes): %s", what, len(data), why)
        return None, ""
    return image, key


def _decode(data: bytes) -> tuple[Image.Image | None, str]:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as im:
                return _normalised(im), ""
    except Exception as err:  # noqa: BLE001 - Pillow's decoders raise many kinds; each means "draw without it"
        return None, f"{type(err).__name__}: {err}"


def _normalised(im: Image.Image) -> Image.Image:
    """The first frame as RGBA, at most ART_SIDE on its longest side."""
    w, h = im.size
    if min(w, h) < MIN_ART_SIDE:
        raise ValueError(f"{w}x{h} is too small to show")
    if im.format == "JPEG":
        im.draft("RGB" if im.mode != "L" else "L", (ART_SIDE, ART_SIDE))  # decode at 1/2..1/8 scale
    elif w * h > MAX_ART_PIXELS:
        raise ValueError(f"{w}x{h} is too large to decode")
    im.seek(0)
    transparent = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info
    rgba = im.convert("RGBA") if transparent or im.mode in ("RGB", "L", "P") else im.convert("RGB").convert("RGBA")
    rgba.thumbnail((ART_SIDE, ART_SIDE), Image.Resampling.LANCZOS)
    return rgba


@lru_cache(maxsize=32)
def _circle(diameter: int) -> Image.Image:
    big = Image.new("L", (diameter * _SS, diameter * _SS), 0)
    ImageDraw.Draw(big).ellipse((0, 0, diameter * _SS - 1, diameter * _SS - 1), fill=255)
    return big.resize((diameter, diameter), Image.Resampling.LANCZOS)


_SCALED: OrderedDict[tuple, Image.Image] = OrderedDict()


def _scaled(key: tuple, make) -> Image.Image:
    if key not in _SCALED:
        _SCALED[key] = make()
        if len(_SCALED) > 32:
            _SCALED.popitem(last=False)
    return _SCALED[key]


def round_avatar(kit: DrawableBrand, diameter: int) -> Image.Image:
    """The avatar cropped to its centred square and cut to a circle, ``diameter`` px, RGBA."""

    def make() -> Image.Image:
        square = ImageOps.fit(kit.avatar, (diameter, diameter), Image.Resampling.LANCZOS)
        square.putalpha(ImageChops.multiply(square.getchannel("A"), _circle(diameter)))
        return square

    return _scaled(("avatar", kit.avatar_key, diameter), make)


def logo_image(kit: DrawableBrand, size: tuple[int, int]) -> Image.Image:
    """The logo scaled to ``size`` (the layout keeps its aspect), RGBA."""
    return _scaled(("logo", kit.logo_key, size), lambda: kit.logo.resize(size, Image.Resampling.LANCZOS))


def fit_within(size: tuple[int, int], max_w: int, max_h: int) -> tuple[int, int]:
    """``size`` scaled (up or down) to the largest that fits max_w x max_h, aspect kept."""
    w, h = size
    scale = min(max_w / w, max_h / h)
    return max(1, round(w * scale)), max(1, round(h * scale))


# --------------------------------------------------------------------------- colour
def luminance(rgb: tuple[int, ...]) -> float:
    """WCAG relative luminance."""

    def ch(c: int) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = rgb[:3]
    return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b)


def _ratio(a: float, b: float) -> float:
    lo, hi = sorted((a, b))
    return (hi + 0.05) / (lo + 0.05)


def contrast(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """WCAG contrast ratio of two colours (1..21)."""
    return _ratio(luminance(a), luminance(b))


def _passes(lum: float, under: tuple[float, float], ratio: float) -> bool:
    lo, hi = under
    return _ratio(lum, lo) >= ratio and _ratio(lum, hi) >= ratio and not lo < lum < hi


@lru_cache(maxsize=256)
def legible(rgb: RGB, under: tuple[float, float], ratio: float) -> RGB:
    """``rgb`` if it has ``ratio`` contrast with every luminance in ``under`` (lowest, highest),
    else the same hue and saturation at the nearest lightness that has it (or the best reachable)."""
    if _passes(luminance(rgb), under, ratio):
        return rgb
    h, lightness, s = colorsys.rgb_to_hls(*(c / 255 for c in rgb))

    def at(light: float) -> RGB:
        return tuple(round(c * 255) for c in colorsys.hls_to_rgb(h, light, s))  # type: ignore[return-value]

    candidates = []
    for end in (1.0, 0.0):  # lighter, then darker: luminance is monotonic in HLS lightness
        if not _passes(luminance(at(end)), under, ratio):
            continue
        near, far = lightness, end
        for _ in range(24):
            mid = (near + far) / 2
            near, far = (near, mid) if _passes(luminance(at(mid)), under, ratio) else (mid, far)
        candidates.append((abs(far - lightness), at(far)))
    if candidates:
        return min(candidates)[1]
    lo, hi = under  # nothing passes against the whole range: the extreme farthest from it
    return at(1.0) if _ratio(luminance(at(1.0)), hi) >= _ratio(luminance(at(0.0)), lo) else at(0.0)


def luminance_range(image: Image.Image, box: tuple[int, int, int, int]) -> tuple[float, float]:
    """Bounds of the luminance of ``image`` under ``box``: that of its darkest and of its lightest
    value per channel (luminance grows with every channel, so no pixel lies outside them)."""
    (r0, r1), (g0, g1), (b0, b1) = image.crop(box).getextrema()[:3]
    # Rounded outwards: a small cache key that never makes a failing colour pass.
    return math.floor(luminance((r0, g0, b0)) * 1e4) / 1e4, math.ceil(luminance((r1, g1, b1)) * 1e4) / 1e4
