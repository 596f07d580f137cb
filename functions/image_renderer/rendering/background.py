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
    w, h = size
    if len(colors) == 1:
        return Image.new("RGB", size, colors[0])
    sw, sh = max(2, w // 8), max(2, h // 8)
    a = math.radians(angle)
    dx, dy = math.sin(a), -math.cos(a)
    length = abs(w * dx) + abs(h * dy)  # CSS gradient-line length
    small = Image.new("RGB", (sw, sh))
    px = []
    for j in range(sh):
        y = (j + 0.5) / sh * h - h / 2
        for i in range(sw):
            x = (i + 0.5) / sw * w - w / 2
            px.append(_ramp(colors, (x * dx + y * dy) / length + 0.5))
    small.putdata(px)
    return small.resize(size, Image.Resampling.BICUBIC)


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


def _shadow_mask(size: tuple[int, int], box: Box, card: Card) -> Image.Image:
    s = card.shadow
    assert s is not None
    q = 4
    w, h = size
    small = Image.new("L", (w // q, h // q), 0)
    x0, y0, x1, y1 = box
    sp = s.spread
    ImageDraw.Draw(small).rounded_rectangle(
        ((x0 - sp) / q, (y0 - sp + s.offset_y) / q, (x1 + sp) / q, (y1 + sp + s.offset_y) / q),
        radius=card.radius / q,
        fill=round(255 * s.alpha),
    )
    return small.filter(ImageFilter.GaussianBlur(s.blur / q / 2)).resize(size, Image.Resampling.BICUBIC)


_BASES: OrderedDict[tuple, Image.Image] = OrderedDict()
_BASES_MAX = 24


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
            img.paste(card.shadow.color, (0, 0, *size), _shadow_mask(size, card_box, card))
        mask = rounded_mask(cw, ch, card.radius)
        img.paste(frosted(theme, size).crop(card_box), (x0, y0), mask)
        if card.border_width and card.border_alpha:
            bw = card.border_width
            inner = Image.new("L", (cw, ch), 0)
            inner.paste(rounded_mask(cw - 2 * bw, ch - 2 * bw, max(0, card.radius - bw)), (bw, bw))
            ring = ImageChops.subtract(mask, inner)
            # Brighter at the top-left, as if lit from there.
            fade = gradient((cw, ch), ((255, 255, 255), (90, 90, 90)), 135).convert("L")
            ring = ImageChops.multiply(ring, fade).point(lambda v: round(v * card.border_alpha))
            img.paste(card.border, (x0, y0, x1, y1), ring)
    _BASES[key] = img
    if len(_BASES) > _BASES_MAX:
        _BASES.popitem(last=False)
    return img
