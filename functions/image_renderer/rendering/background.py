"""Backgrounds and cards, built once and cached: the expensive pixels of a slide.

* ``background(theme, size)``: the gradient (computed at 1/8 scale, upscaled bicubically, so it
  is perfectly smooth) plus soft colour blobs (blurred at 1/4 scale).
* ``frosted(theme, size)``: the whole background blurred again and tinted with the card colour
  and a diagonal sheen: what any part of the glass card shows.
* ``base_image(theme, size, card_box)``: background + soft shadow (blurred at 1/4 scale) + the
  frosted card cut out with anti-aliased rounded corners + a border that fades from the top-left.

Per slide the renderer copies the cached base and draws text on it; a carousel reuses a handful
of card sizes (card heights are rounded to 8 px), so the blur cost is paid once per card size.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw, ImageFilter

from .themes import Card, Theme

Box = tuple[int, int, int, int]
_SS = 4  # supersampling for anti-aliased corner masks


def _lerp(a: tuple[int, ...], b: tuple[int, ...], t: float) -> tuple[int, ...]:
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


def _ramp(colors: tuple[tuple[int, int, int], ...], t: float) -> tuple[int, ...]:
    if len(colors) == 1:
        return colors[0]
    t = min(1.0, max(0.0, t))
    pos = t * (len(colors) - 1)
    i = min(int(pos), len(colors) - 2)
    return _lerp(colors[i], colors[i + 1], pos - i)


def gradient(size: tuple[int, int], colors: tuple[tuple[int, int, int], ...], angle: float) -> Image.Image:
    """A CSS-style linear gradient (``angle`` in CSS degrees) through evenly spaced stops.

    The colour ramp is computed once as a 1-pixel-high strip of 1024 samples (finer than 8-bit
    colour steps); an affine transform maps every output pixel to its position along the
    gradient line (nearest sample, in C: about 1 ms for a full slide).
    """
    w, h = size
    if len(colors) == 1:
        return Image.new("RGB", size, colors[0])
    n = 1024
    strip = Image.new("RGB", (n + 2, 2))
    ramp = [_ramp(colors, i / (n - 1)) for i in range(n)]
    strip.putdata(([ramp[0]] + ramp + [ramp[-1]]) * 2)
    a = math.radians(angle)
    dx, dy = math.sin(a), -math.cos(a)
    length = abs(w * dx) + abs(h * dy)  # CSS gradient-line length
    # strip x = 1 + (n - 1) * t with t = ((x - w/2) dx + (y - h/2) dy) / length + 0.5 at pixel centres
    sx = (n - 1) / length
    coeffs = (dx * sx, dy * sx, 1.5 + (n - 1) * 0.5 + sx * (dx * (0.5 - w / 2) + dy * (0.5 - h / 2)), 0, 0, 1.0)
    return strip.transform(size, Image.Transform.AFFINE, coeffs, Image.Resampling.NEAREST)


@lru_cache(maxsize=16)
def _light(size: tuple[int, int]) -> Image.Image:
    """Full-frame L ramp, bright at the top-left: the light that catches card borders."""
    return gradient(size, ((255, 255, 255), (90, 90, 90)), 135).convert("L")


@lru_cache(maxsize=16)
def background(theme: Theme, size: tuple[int, int]) -> Image.Image:
    bg = theme.background
    img = gradient(size, bg.colors, bg.angle)
    w, h = size
    if bg.blobs:
        q = 4
        sw, sh = w // q, h // q
        for blob in bg.blobs:
            mask = Image.new("L", (sw, sh), 0)
            cx, cy, r = blob.x * sw, blob.y * sh, blob.r * sw
            ImageDraw.Draw(mask).ellipse((cx - r, cy - r, cx + r, cy + r), fill=round(255 * blob.alpha))
            mask = mask.filter(ImageFilter.GaussianBlur(r * 0.45)).resize(size, Image.Resampling.BICUBIC)
            img.paste(blob.color, (0, 0, w, h), mask)
    if bg.noise:
        noise = Image.effect_noise(size, 64).point(lambda v: 128 + (v - 128) * bg.noise / 64)
        img = ImageChops.add(img, Image.merge("RGB", (noise,) * 3), scale=1.0, offset=-128)
    return img


@lru_cache(maxsize=16)
def frosted(theme: Theme, size: tuple[int, int]) -> Image.Image:
    card = theme.card
    assert card is not None
    img = background(theme, size)
    if card.blur:
        q = 4
        small = img.resize((size[0] // q, size[1] // q), Image.Resampling.BOX)
        img = small.filter(ImageFilter.GaussianBlur(card.blur / q)).resize(size, Image.Resampling.BICUBIC)
    else:
        img = img.copy()
    if card.fill_alpha:
        img = Image.blend(img, Image.new("RGB", size, card.fill), card.fill_alpha)
    if card.sheen:
        sheen = gradient(size, ((255, 255, 255), (0, 0, 0)), 135).convert("L").point(lambda v: round(v * card.sheen))
        img.paste((255, 255, 255), (0, 0, *size), sheen)
    return img


@lru_cache(maxsize=64)
def _corner(radius: int) -> Image.Image:
    """Anti-aliased top-left quarter disc of ``radius`` pixels (L mode)."""
    big = Image.new("L", (radius * _SS, radius * _SS), 0)
    ImageDraw.Draw(big).ellipse((0, 0, 2 * radius * _SS - 1, 2 * radius * _SS - 1), fill=255)
    return big.resize((radius, radius), Image.Resampling.BOX)


def rounded_mask(w: int, h: int, radius: int) -> Image.Image:
    mask = Image.new("L", (w, h), 255)
    r = max(0, min(radius, w // 2, h // 2))
    if r:
        c = _corner(r)
        mask.paste(c, (0, 0))
        mask.paste(c.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (w - r, 0))
        mask.paste(c.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, h - r))
        mask.paste(c.transpose(Image.Transpose.ROTATE_180), (w - r, h - r))
    return mask


def _paste_shadow(img: Image.Image, box: Box, card: Card) -> None:
    """Blur the card's silhouette at 1/4 scale, only in the region the shadow can reach."""
    s = card.shadow
    assert s is not None
    q = 4
    reach = s.blur + s.spread + abs(s.offset_y)
    x0, y0, x1, y1 = box
    w, h = img.size
    region = (max(0, x0 - reach), max(0, y0 - reach), min(w, x1 + reach), min(h, y1 + reach))
    rw, rh = region[2] - region[0], region[3] - region[1]
    small = Image.new("L", (-(-rw // q), -(-rh // q)), 0)
    sp = s.spread
    ox, oy = region[0], region[1]
    ImageDraw.Draw(small).rounded_rectangle(
        ((x0 - sp - ox) / q, (y0 - sp + s.offset_y - oy) / q, (x1 + sp - ox) / q, (y1 + sp + s.offset_y - oy) / q),
        radius=card.radius / q,
        fill=round(255 * s.alpha),
    )
    mask = small.filter(ImageFilter.GaussianBlur(s.blur / q / 2)).resize(
        (rw, rh), Image.Resampling.BICUBIC, box=(0, 0, rw / q, rh / q)
    )
    r = card.radius
    hidden = (x0 + r, y0 + r, x1 - r, y1 - r)  # covered by the opaque card anyway
    for band in _bands(region, hidden):
        img.paste(s.color, band, mask.crop(_rel(band, region)))


def _rel(box: Box, origin: Box) -> Box:
    return (box[0] - origin[0], box[1] - origin[1], box[2] - origin[0], box[3] - origin[1])


def _bands(outer: Box, inner: Box) -> list[Box]:
    """Rectangles covering ``outer`` minus ``inner`` (masked pastes cost per pixel: skip what
    will be covered or is known to be empty)."""
    ox0, oy0, ox1, oy1 = outer
    ix0, iy0, ix1, iy1 = max(inner[0], ox0), max(inner[1], oy0), min(inner[2], ox1), min(inner[3], oy1)
    if ix0 >= ix1 or iy0 >= iy1:
        return [outer]
    bands = [(ox0, oy0, ox1, iy0), (ox0, iy1, ox1, oy1), (ox0, iy0, ix0, iy1), (ix1, iy0, ox1, iy1)]
    return [b for b in bands if b[2] > b[0] and b[3] > b[1]]


_BASES: OrderedDict[tuple, Image.Image] = OrderedDict()
_BASES_MAX = 12  # ~4.4 MB each at 1080x1350


def base_image(theme: Theme, size: tuple[int, int], card_box: Box | None) -> Image.Image:
    """The slide without text. Cached (LRU); callers must copy before drawing."""
    key = (theme.name, id(theme), size, card_box)
    img = _BASES.get(key)
    if img is not None:
        _BASES.move_to_end(key)
        return img
    img = background(theme, size).copy()
    card = theme.card
    if card is not None and card_box is not None:
        x0, y0, x1, y1 = card_box
        cw, ch = x1 - x0, y1 - y0
        if card.shadow is not None and card.shadow.alpha > 0:
            _paste_shadow(img, card_box, card)
        r = min(card.radius, cw // 2, ch // 2)
        mask = rounded_mask(cw, ch, r)
        frost = frosted(theme, size).crop(card_box)
        # Opaque paste everywhere but the four corners, which need the anti-aliased mask.
        img.paste(frost.crop((0, r, cw, ch - r)), (x0, y0 + r))
        img.paste(frost.crop((r, 0, cw - r, r)), (x0 + r, y0))
        img.paste(frost.crop((r, ch - r, cw - r, ch)), (x0 + r, y1 - r))
        for cx, cy in ((0, 0), (cw - r, 0), (0, ch - r), (cw - r, ch - r)):
            corner = (cx, cy, cx + r, cy + r)
            img.paste(frost.crop(corner), (x0 + cx, y0 + cy), mask.crop(corner))
        if card.border_width and card.border_alpha:
            bw = card.border_width
            inner = Image.new("L", (cw, ch), 0)
            inner.paste(rounded_mask(cw - 2 * bw, ch - 2 * bw, max(0, r - bw)), (bw, bw))
            ring = ImageChops.subtract(mask, inner)
            # Brighter at the top-left, as if lit from there.
            ring = ImageChops.multiply(ring, _light(size).crop(card_box)).point(lambda v: round(v * card.border_alpha))
            for band in _bands((0, 0, cw, ch), (bw, max(r, bw), cw - bw, ch - max(r, bw))):
                img.paste(card.border, (x0 + band[0], y0 + band[1], x0 + band[2], y0 + band[3]), ring.crop(band))
    _BASES[key] = img
    if len(_BASES) > _BASES_MAX:
        _BASES.popitem(last=False)
    return img
