"""The user's brand kit on real slides: avatar, name, handle, logo and accent in every theme, size and
direction; images that cannot be decoded; rendering only the slides an edit changed."""

import colorsys
import io
import itertools
import logging

import pytest
from PIL import Image, ImageChops, ImageDraw

from image_renderer.rendering import SIZES, SlideBrand, fit_slides, list_themes, render_carousel, render_images
from image_renderer.rendering import brand as brand_module
from image_renderer.rendering.background import base_image
from image_renderer.rendering.layout import language_of, layout_slide
from image_renderer.rendering.render import draw_layout
from image_renderer.rendering.themes import get_theme
from tests.unit.rendering.test_rendering_themes import TEXT_ROLES, _inside, contrast, worst_text_contrast
from tools import readback
from vibecoder.content import Slide, SlideType

THEMES = list_themes()
PHOTO = (30, 170, 90)  # the avatar's colour (a green no theme uses near its header)
LOGO = (230, 60, 20)


def _encoded(img: Image.Image, fmt: str, **options) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **options)
    return buf.getvalue()


def _photo(size=(400, 400), color=PHOTO) -> bytes:
    return _encoded(Image.new("RGB", size, color), "JPEG", quality=95)


def _logo() -> bytes:
    """A wide transparent PNG: a solid bar on nothing."""
    img = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    ImageDraw.Draw(img).rounded_rectangle((10, 10, 290, 90), 30, fill=(*LOGO, 255))
    return _encoded(img, "PNG")


KIT = SlideBrand(handle="@ann_dev", name="Ann Lee", accent="#ff0000", avatar=_photo(), logo=_logo())


def _slides(rtl: bool) -> list[Slide]:
    if rtl:
        return [
            Slide(type=SlideType.COVER, title="البرمجة الوظيفية", content="الدوال النقية تعيد دائما النتيجة نفسها."),
            Slide(type=SlideType.QUOTE, title="اقتباس", content="العلم نور والجهل ظلام. — مثل عربي"),
            Slide(type=SlideType.SUMMARY, title="الخلاصة", content="- دوال نقية\n- بيانات ثابتة"),
        ]
    return [
        Slide(type=SlideType.COVER, title="Functional programming", content="Pure functions return the same result."),
        Slide(type=SlideType.QUOTE, title="Kent Beck", content="Make it work, make it right, make it fast. — Kent Beck"),
        Slide(type=SlideType.SUMMARY, title="Summary", content="- Pure functions\n- Immutable data"),
    ]


def _layouts(slides, theme, size, brand):
    fitted = fit_slides(slides, theme, size, brand)
    lang = language_of(fitted)
    return [layout_slide(s, i, len(fitted), theme, size, brand, lang) for i, s in enumerate(fitted, 1)]


def _hue(rgb) -> float:
    return colorsys.rgb_to_hls(*(c / 255 for c in rgb))[0] * 360


def _marks(lay):
    """(block, a pixel well inside its drawn colour) for the accent bars and the progress bar's fill."""
    for block in lay.blocks:
        x0, y0, x1, y1 = block.box
        if block.role == "accent-bar":
            yield block, ((x0 + x1) // 2, (y0 + y1) // 2)
        elif block.role == "progress":
            fw = max(y1 - y0, round((x1 - x0) * block.value))
            cx = x1 - fw // 2 if block.rtl else x0 + fw // 2
            yield block, (cx, (y0 + y1) // 2)


def _mark_contrast(img, base, block, point) -> float:
    drawn = img.getpixel(point)
    x0, y0, x1, y1 = block.box
    under = base.crop(block.box).getcolors((x1 - x0) * (y1 - y0))
    return min(contrast(drawn, c) for _n, c in under)


# --------------------------------------------------------------------------- the full kit everywhere
@pytest.mark.parametrize("rtl", [False, True], ids=["ltr", "rtl"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("theme_name", THEMES)
def test_full_kit_keeps_margins_contrast_and_clear_boxes(theme_name, size, rtl):
    theme = get_theme(theme_name)
    for lay in _layouts(_slides(rtl), theme, size, KIT):
        assert lay.fits and lay.rtl is rtl
        roles = [b.role for b in lay.blocks]
        assert {"avatar", "brand-name", "brand", "logo", "counter", "progress"} <= set(roles)
        for block in lay.blocks:
            assert _inside(block.box, lay.safe), (block.role, block.box, lay.safe)
        # No element overlaps another (the code on its panel aside).
        for a, b in itertools.combinations(lay.blocks, 2):
            if {a.role, b.role} == {"code", "code-panel"}:
                continue
            overlap = min(a.box[2], b.box[2]) > max(a.box[0], b.box[0]) and min(a.box[3], b.box[3]) > max(a.box[1], b.box[1])
            assert not overlap, (a.role, a.box, b.role, b.box)
        base = draw_layout(lay, with_text=False)
        worst = worst_text_contrast(lay, base, TEXT_ROLES | {"brand-name"})
        assert worst >= 4.5, f"{theme_name}/{size}/{lay.block('title').lines}: contrast {worst:.2f}"
        img = draw_layout(lay)
        plain = base_image(theme, size, lay.card)
        # The avatar is round: its box's corners show the page, its centre the photo.
        x0, y0, x1, y1 = lay.block("avatar").box
        for corner in ((x0, y0), (x1 - 1, y0), (x0, y1 - 1), (x1 - 1, y1 - 1)):
            assert img.getpixel(corner) == plain.getpixel(corner)
        centre = img.getpixel(((x0 + x1) // 2, (y0 + y1) // 2))
        assert max(abs(a - b) for a, b in zip(centre, PHOTO)) <= 6
        # The logo sits at the page's centre, in its own colour.
        lx0, ly0, lx1, ly1 = lay.block("logo").box
        assert abs((lx0 + lx1) / 2 - size[0] / 2) <= 1
        assert max(abs(a - b) for a, b in zip(img.getpixel(((lx0 + lx1) // 2, (ly0 + ly1) // 2)), LOGO)) <= 6
        # The user's red marks stay red and legible (3:1, WCAG's non-text contrast).
        for block, point in _marks(lay):
            drawn = img.getpixel(point)
            hue = _hue(drawn)
            assert min(hue, 360 - hue) <= 3 and max(drawn) - min(drawn) > 60, (block.role, drawn)
            assert _mark_contrast(img, plain, block, point) >= 3.0, (block.role, drawn)


def test_the_counter_sits_on_the_brand_and_the_content_below_it():
    theme = get_theme("glass")
    [lay, *_] = _layouts(_slides(False), theme, (1080, 1350), KIT)
    avatar, counter, name, handle = (lay.block(r) for r in ("avatar", "counter", "brand-name", "brand"))
    assert name.box[3] <= handle.box[1] and name.box[0] == handle.box[0] > avatar.box[2]
    assert abs((counter.box[1] + counter.box[3]) / 2 - (avatar.box[1] + avatar.box[3]) / 2) <= 1
    header_bottom = max(b.box[3] for b in (avatar, counter, name, handle))
    assert all(b.box[1] > header_bottom for b in lay.blocks if b.role in ("emoji", "title", "body"))
    assert lay.card[1] > header_bottom


@pytest.mark.parametrize(
    "kit",
    [SlideBrand(handle="@ann_dev"), SlideBrand(name="Ann"), SlideBrand(avatar=_photo()), SlideBrand(name="Ann", avatar=_photo())],
    ids=["handle", "name", "avatar", "name+avatar"],
)
def test_any_part_of_the_kit_alone(kit):
    theme = get_theme("minimal")
    for lay in _layouts(_slides(False), theme, (1080, 1080), kit):
        roles = {b.role for b in lay.blocks}
        assert ("brand" in roles) == bool(kit.handle) and ("brand-name" in roles) == bool(kit.name)
        assert ("avatar" in roles) == bool(kit.avatar) and "logo" not in roles
        for block in lay.blocks:
            assert _inside(block.box, lay.safe)


def test_a_long_name_and_handle_end_before_the_counter():
    kit = SlideBrand(handle="@" + "very_long_handle_" * 6, name="Anna Maria " * 8, avatar=_photo())
    for rtl in (False, True):
        lay = _layouts(_slides(rtl), get_theme("glass"), (1080, 1350), kit)[0]
        counter = lay.block("counter")
        for role in ("brand", "brand-name"):
            block = lay.block(role)
            assert "".join(p.text for p in block.lines[0].pieces).endswith("…")
            assert (block.box[0] > counter.box[2]) if rtl else (block.box[2] < counter.box[0])


def test_a_string_brand_is_a_handle_and_draws_as_before():
    theme = get_theme("glass")
    slide = _slides(False)[1]
    old = layout_slide(slide, 2, 3, theme, (1080, 1350), "@BibleVibeCoderBot")
    new = layout_slide(slide, 2, 3, theme, (1080, 1350), SlideBrand(handle="@BibleVibeCoderBot"))
    assert [(b.role, b.box, b.fill) for b in old.blocks] == [(b.role, b.box, b.fill) for b in new.blocks]
    assert ImageChops.difference(draw_layout(old), draw_layout(new)).getbbox() is None


def test_the_users_handle_is_drawn_and_the_operators_is_not():
    if "eng" not in readback.installed_languages():
        pytest.skip("tesseract (eng) is not installed")
    kit = SlideBrand(handle="@ann_dev", name="Ann Lee", avatar=_photo())
    [first, *_] = render_images(_slides(False), theme="minimal", brand=kit)
    lay = _layouts(_slides(False), get_theme("minimal"), (1080, 1350), kit)[0]
    texts = ["".join(p.text for ln in b.lines for p in ln.pieces) for b in lay.blocks]
    assert "@ann_dev" in texts and not any("BibleVibeCoder" in t for t in texts)
    header = first.crop((0, 0, 1080, lay.card[1] if lay.card else lay.block("title").box[1]))
    read = readback.ocr(header.resize((2160, header.height * 2)), "eng")
    assert "ann_dev" in read and "Ann Lee" in read and "BibleVibeCoder" not in read, read


# --------------------------------------------------------------------------- the accent
@pytest.mark.parametrize(
    ("theme_name", "accent"),
    [("minimal", "#ff0000"), ("minimal", "#ffff00"), ("scripture", "#ffff00"), ("dark", "#111111"), ("glass", "#ff0000")],
)
def test_the_accent_takes_the_users_colour_within_contrast(theme_name, accent):
    theme = get_theme(theme_name)
    want = tuple(int(accent[i : i + 2], 16) for i in (1, 3, 5))
    for rtl in (False, True):
        defaults = _layouts(_slides(rtl), theme, (1080, 1350), "")
        for lay, plain in zip(_layouts(_slides(rtl), theme, (1080, 1350), SlideBrand(accent=accent)), defaults):
            img, default = draw_layout(lay), draw_layout(plain)
            base = base_image(theme, lay.size, lay.card)
            for block, point in _marks(lay):
                drawn = img.getpixel(point)
                assert drawn != default.getpixel(point)  # the theme's colour was replaced
                assert _mark_contrast(img, base, block, point) >= 3.0, (block.role, drawn)
                if max(want) - min(want) > 60:  # a hue: kept
                    assert abs(_hue(drawn) - _hue(want)) <= 3, (block.role, drawn)
                else:  # a grey stays grey
                    assert max(drawn) - min(drawn) <= 3, (block.role, drawn)


def test_an_accent_that_already_passes_is_used_as_is():
    theme = get_theme("dark")
    lay = _layouts(_slides(False), theme, (1080, 1350), SlideBrand(accent="#ff3b30"))[1]  # 2/3: a quote
    img = draw_layout(lay)
    for block, point in _marks(lay):
        assert img.getpixel(point) == (255, 59, 48), block.role


def test_a_bad_accent_is_ignored():
    theme = get_theme("glass")
    slide = _slides(False)[1]
    lay = layout_slide(slide, 2, 3, theme, (1080, 1350), SlideBrand(handle="@a", accent="pink"))
    default = layout_slide(slide, 2, 3, theme, (1080, 1350), "@a")
    assert ImageChops.difference(draw_layout(lay), draw_layout(default)).getbbox() is None


# --------------------------------------------------------------------------- images that are not fine
def _truncated() -> bytes:
    data = _photo((600, 600))
    return data[: len(data) // 2]


def _huge_png_header() -> bytes:
    """A PNG whose header says 6000 x 6000 and whose data is a sliver: never worth decoding."""
    return _encoded(Image.new("L", (6000, 6000), 128), "PNG", compress_level=1)


UNUSABLE = {
    "not-an-image": b"<html>404 Not Found</html>",
    "zero-bytes": b"",
    "truncated": _truncated(),
    "one-pixel": _encoded(Image.new("RGB", (1, 1), PHOTO), "PNG"),
    "huge-png": _huge_png_header(),
}


def _cmyk_jpeg() -> bytes:
    return _encoded(Image.new("RGB", (300, 300), PHOTO).convert("CMYK"), "JPEG", quality=95)


def _palette_png() -> bytes:
    img = Image.new("RGB", (200, 200), PHOTO).convert("P", palette=Image.Palette.ADAPTIVE)
    return _encoded(img, "PNG", transparency=255)  # a transparent index the picture does not use


def _animated_gif() -> bytes:
    frames = [Image.new("RGB", (120, 120), PHOTO), Image.new("RGB", (120, 120), (200, 0, 200))]
    return _encoded(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)


CONVERTED = {
    "huge-jpeg": _photo((6000, 6000)),
    "cmyk": _cmyk_jpeg(),
    "palette-transparent": _palette_png(),
    "animated": _animated_gif(),
    "webp": _encoded(Image.new("RGB", (256, 256), PHOTO), "WEBP", lossless=True),
}


@pytest.mark.parametrize("what", ["avatar", "logo"])
@pytest.mark.parametrize("case", sorted(UNUSABLE))
def test_an_image_that_cannot_be_used_is_left_out(case, what, caplog):
    brand_module.drawable_brand.cache_clear()
    kit = SlideBrand(handle="@ann_dev", name="Ann", accent="#ff0000", **{what: UNUSABLE[case]})
    without = SlideBrand(handle="@ann_dev", name="Ann", accent="#ff0000")
    slides = _slides(False)
    with caplog.at_level(logging.WARNING, logger=brand_module.__name__):
        images = render_images(slides, theme="glass", size=(1080, 1080), brand=kit)
    assert any(f"brand {what}" in r.getMessage() for r in caplog.records)
    for img, expected in zip(images, render_images(slides, theme="glass", size=(1080, 1080), brand=without), strict=True):
        assert ImageChops.difference(img, expected).getbbox() is None


@pytest.mark.parametrize("case", sorted(CONVERTED))
def test_an_odd_but_real_image_is_converted_and_drawn(case):
    theme = get_theme("glass")
    slides = _slides(False)
    odd = SlideBrand(handle="@ann_dev", avatar=CONVERTED[case], logo=CONVERTED[case])
    fine = SlideBrand(handle="@ann_dev", avatar=_photo(), logo=_photo())
    for lay_odd, lay_fine in zip(_layouts(slides, theme, (1080, 1350), odd), _layouts(slides, theme, (1080, 1350), fine)):
        assert [(b.role, b.box) for b in lay_odd.blocks] == [(b.role, b.box) for b in lay_fine.blocks]
        a, b = draw_layout(lay_odd), draw_layout(lay_fine)
        for role in ("avatar", "logo"):
            x0, y0, x1, y1 = lay_odd.block(role).box
            assert max(abs(u - v) for u, v in zip(a.getpixel(((x0 + x1) // 2, (y0 + y1) // 2)), PHOTO)) <= 8, role
            # Outside the pictures the slides are the same.
            a.paste((0, 0, 0), lay_odd.block(role).box)
            b.paste((0, 0, 0), lay_odd.block(role).box)
        assert ImageChops.difference(a, b).getbbox() is None
    kit = brand_module.drawable_brand(odd)
    assert max(kit.avatar.size) <= brand_module.ART_SIDE and kit.avatar.mode == "RGBA"


def test_images_are_decoded_once_per_content(monkeypatch):
    calls = []
    decode = brand_module._decode
    monkeypatch.setattr(brand_module, "_decode", lambda data: calls.append(len(data)) or decode(data))
    brand_module.drawable_brand.cache_clear()
    brand_module._DECODED.clear()
    avatar, logo = _photo((640, 640), (1, 2, 3)), _logo()
    for _ in range(2):  # a fresh but equal kit per carousel, as from a new event
        render_carousel(_slides(False), brand=SlideBrand(handle="@a", avatar=bytes(avatar), logo=bytes(logo)))
    assert sorted(calls) == sorted([len(avatar), len(logo)])


# --------------------------------------------------------------------------- an edit: only some slides
def test_only_renders_the_edited_slides_exactly_as_a_full_render():
    long = " ".join(["Pure functions return the same result for the same arguments, always."] * 14)
    slides = [
        Slide(type=SlideType.COVER, title="Start", content="Intro"),
        Slide(type=SlideType.PRINCIPLE, title="Long", content=long),  # split into several images
        Slide(type=SlideType.QUOTE, title="Kent Beck", content="Make it work, make it right. — Kent Beck"),
        Slide(type=SlideType.SUMMARY, title="End", content="- one\n- two"),
    ]
    full = render_carousel(slides, brand=KIT)
    assert len(full) > len(slides)
    part = render_carousel(slides, brand=KIT, only={3})
    assert part == [r for r in full if r.source == 3]
    assert [(r.index, r.source) for r in part] == [(len(full) - 1, 3)]
    assert render_carousel(slides, brand=KIT, only={2, 4}) == [r for r in full if r.source in (2, 4)]
    assert render_carousel(slides, brand=KIT, only=set()) == []
