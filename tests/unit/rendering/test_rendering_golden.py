"""Golden-image regression: small (1/4-scale) references of real slides, one per script too.

Regenerate after an intended visual change with ``UPDATE_GOLDEN=1 pytest tests/unit/rendering``
and look at the new PNGs before committing them.
"""

import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from image_renderer.rendering import render_images
from image_renderer.rendering.layout import language_of, layout_slide
from image_renderer.rendering.render import draw_layout
from image_renderer.rendering.themes import get_theme
from vibecoder.content import Slide, SlideType

GOLDEN = Path(__file__).with_name("golden")
SCALE = 4
# Tolerances: anti-aliasing or a FreeType/Pillow update moves a few pixels by a few levels; a
# real layout change (text moved, rewrapped, resized, recoloured) moves thousands by a lot.
MAX_MEAN = 1.0  # mean absolute difference per channel, 0..255
MAX_CHANGED = 0.002  # share of pixels whose difference exceeds 48 on some channel

CASES = {
    "glass-cover-1080x1350": (
        "glass",
        (1080, 1350),
        [
            Slide(
                type=SlideType.COVER,
                title="Функциональное программирование 👩‍💻",
                content="Чистые функции, неизменяемость и композиция: pure functions 🇷🇺🇬🇧",
                emoji="🚀",
            ),
            Slide(type=SlideType.PRINCIPLE, title="Next", content="…"),
        ],
    ),
    "dark-code-1080x1080": (
        "dark",
        (1080, 1080),
        [
            Slide(
                type=SlideType.CODE,
                title="In code ⚙️",
                content="from functools import reduce\n\ndef total(xs):\n    # сумма\n    return reduce(lambda a, b: a + b, xs, 0)",
            ),
            Slide(type=SlideType.SUMMARY, title="Done", content="✅"),
        ],
    ),
    "scripture-quote-1080x1920": (
        "scripture",
        (1080, 1920),
        [
            Slide(type=SlideType.PRINCIPLE, title="Start", content="…"),
            Slide(type=SlideType.QUOTE, title="Слово", content="В начале было Слово, и Слово было у Бога. — Иоанн 1:1"),
        ],
    ),
    # One per script (the interesting slide first, so it carries the swipe hint).
    "glass-quote-arabic-1080x1350": (
        "glass",
        (1080, 1350),
        [
            Slide(type=SlideType.QUOTE, title="اقتباس", content="العلم نور والجهل ظلام، وهذا مثل قديم (Proverb 12). — مثل عربي"),
            Slide(type=SlideType.PRINCIPLE, title="التالي", content="نص"),
        ],
    ),
    "dark-principle-hebrew-1080x1080": (
        "dark",
        (1080, 1080),
        [
            Slide(type=SlideType.PRINCIPLE, title="שלום עולם 👋🏽", content="עברית נכתבת מימין לשמאל, עם מילים באנגלית (English) ומספרים: 2024."),
            Slide(type=SlideType.SUMMARY, title="סוף", content="✅"),
        ],
    ),
    "vibrant-cover-devanagari-1080x1350": (
        "vibrant",
        (1080, 1350),
        [
            Slide(type=SlideType.COVER, title="सर्वे भवन्तु सुखिनः", content="सर्वे सन्तु निरामयाः। सर्वे भद्राणि पश्यन्तु मा कश्चित् दुःखभाग्भवेत्॥"),
            Slide(type=SlideType.PRINCIPLE, title="अगला", content="…"),
        ],
    ),
    "minimal-principle-chinese-1080x1350": (
        "minimal",
        (1080, 1350),
        [
            Slide(type=SlideType.PRINCIPLE, title="函数式编程", content="纯函数对于相同的参数总是返回相同的结果，这使得代码更容易测试和理解。不可变数据消除了一整类错误。"),
            Slide(type=SlideType.SUMMARY, title="总结", content="…"),
        ],
    ),
    "gradient-concept-japanese-1080x1920": (
        "gradient",
        (1080, 1920),
        [
            Slide(type=SlideType.CONCEPT, title="🧩 関数型プログラミング", content="純粋関数は同じ引数に対して常に同じ結果を返すので、コードのテストが簡単になります。「不変性」も大切です。"),
            Slide(type=SlideType.SUMMARY, title="まとめ", content="…"),
        ],
    ),
    "professional-summary-thai-1080x1350": (
        "professional",
        (1080, 1350),
        [
            Slide(type=SlideType.SUMMARY, title="สรุป", content="- ฟังก์ชันบริสุทธิ์ทดสอบได้ง่าย\n- ข้อมูลที่ไม่เปลี่ยนแปลง\n- การประกอบฟังก์ชันเข้าด้วยกัน"),
            Slide(type=SlideType.PRINCIPLE, title="ต่อไป", content="…"),
        ],
    ),
    "scripture-quote-vietnamese-1080x1350": (
        "scripture",
        (1080, 1350),
        [
            Slide(type=SlideType.QUOTE, title="Tiếng Việt", content="Lập trình hàm giúp mã nguồn dễ kiểm thử và dễ hiểu hơn. — Nguyễn Văn A"),
            Slide(type=SlideType.PRINCIPLE, title="Tiếp", content="…"),
        ],
    ),
}


def _small(img: Image.Image) -> Image.Image:
    return img.reduce(SCALE)


def difference(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    assert a.size == b.size
    diff = ImageChops.difference(a.convert("RGB"), b.convert("RGB"))
    mean = sum(ImageStat.Stat(diff).mean) / 3
    changed = ImageChops.lighter(ImageChops.lighter(*diff.split()[:2]), diff.split()[2]).point(
        lambda v: 255 if v > 48 else 0
    )
    share = ImageStat.Stat(changed).mean[0] / 255
    return mean, share


def _render(case: str) -> Image.Image:
    theme, size, slides = CASES[case]
    images = render_images(slides, theme=theme, size=size, brand="@BibleVibeCoderBot")
    # The interesting slide is the one with the case's type.
    kind = case.split("-")[1]
    index = next(i for i, s in enumerate(slides) if s.type.value == kind)
    return _small(images[index])


@pytest.mark.parametrize("case", sorted(CASES))
def test_matches_golden(case):
    path = GOLDEN / f"{case}.png"
    actual = _render(case)
    if os.environ.get("UPDATE_GOLDEN") == "1" or not path.exists():
        if os.environ.get("UPDATE_GOLDEN") != "1":
            pytest.fail(f"missing golden {path.name}; run with UPDATE_GOLDEN=1 to create it")
        actual.save(path, optimize=True)
    expected = Image.open(path)
    mean, share = difference(actual, expected)
    assert mean <= MAX_MEAN and share <= MAX_CHANGED, f"{case}: mean diff {mean:.2f}, changed {share:.3%}"


def test_tolerance_catches_a_real_layout_change():
    """Moving the content by 8 px (a margin or line-height change) must fail the comparison."""
    theme_name, size, slides = CASES["glass-cover-1080x1350"]
    theme = get_theme(theme_name)
    lang = language_of(slides)
    lay = layout_slide(slides[0], 1, 2, theme, size, "@BibleVibeCoderBot", lang)
    original = _small(draw_layout(lay))
    for block in lay.blocks:
        if block.role in ("title", "body"):
            block.baselines = [b + 8 for b in block.baselines]
    moved = _small(draw_layout(lay))
    mean, share = difference(original, moved)
    assert mean > MAX_MEAN or share > MAX_CHANGED
    # ...while re-rendering the same layout is (pixel-)identical.
    assert difference(
        original, _small(draw_layout(layout_slide(slides[0], 1, 2, theme, size, "@BibleVibeCoderBot", lang)))
    ) == (0.0, 0.0)
