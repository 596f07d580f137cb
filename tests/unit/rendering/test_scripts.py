"""Every script renders: each character drawn, right-to-left mirrored, and the text reads back by OCR."""

import pytest
from PIL import Image, ImageChops, ImageDraw

from image_renderer.rendering import get_theme, layout_slide
from image_renderer.rendering.emoji import glyph_image
from image_renderer.rendering.fonts import get_font
from image_renderer.rendering.text import EMOJI, analyse, is_ignorable, visual_order, wrap
from tools import readback
from vibecoder.content import Slide, SlideType

MIXED = {
    "arabic-latin": "نص عربي مع كلمات English words و 123 أرقام (بين قوسين).",
    "hebrew-latin": "טקסט עם מילים באנגלית (English) ומספרים 2024.",
    "persian-zwnj": "می‌خواهم کتاب‌ها را بخوانم",
    "korean": "함수형 프로그래밍은 순수 함수를 사용합니다.",
    "vietnamese-combining": "Tiếng Việt: Tie\u0302\u0301ng Vie\u0323\u0302t",
    "emoji-bidi": "שלום 👋🏽 עולם 🇮🇱",
}
FONTS = ["inter", "inter-display-bold", "pt-serif-bold", "pt-serif-italic", "manrope-extrabold", "jetbrains-mono"]


def _ink(text: str, font: str, level: int) -> Image.Image:
    img = Image.new("L", (400, 160))
    ImageDraw.Draw(img).text(
        (40, 110), text, font=get_font(font, 64), fill=255, anchor="ls", direction="rtl" if level & 1 else "ltr"
    )
    return img


@pytest.mark.parametrize("font", FONTS)
def test_every_character_of_every_sample_is_drawn(font, samples):
    """Each cluster has a font that covers it, and drawing it leaves ink that is not the font's
    .notdef box: nothing is dropped, nothing is tofu."""
    texts = [s.text for s in readback.SAMPLES] + list(MIXED.values()) + list(samples.TEXTS.values())
    for paragraph in "\n".join(texts).split("\n"):
        for cluster in analyse(paragraph, font).clusters:
            if cluster.text.isspace() or all(is_ignorable(ch) for ch in cluster.text):
                continue
            if cluster.font == EMOJI:
                img = glyph_image(cluster.gid, 64)[0]
                assert img.getchannel("A").getbbox() is not None, cluster
                continue
            drawn = _ink(cluster.text, cluster.font, cluster.level)
            assert drawn.getbbox() is not None, (cluster, font)
            notdef = _ink("\uffff", cluster.font, 0)
            assert ImageChops.difference(drawn, notdef).getbbox() is not None, (cluster, font)


def test_arabic_is_shaped_into_joining_forms():
    # Joined, the word is narrower than its letters drawn apart, and it differs from them.
    word = "العربية"
    joined = _ink(word, "noto-sans-arabic", 1)
    apart = Image.new("L", joined.size)
    x = 40
    font = get_font("noto-sans-arabic", 64)
    for ch in reversed(word):
        ImageDraw.Draw(apart).text((x, 110), ch, font=font, fill=255, anchor="ls")
        x += font.getlength(ch)
    assert joined.getbbox()[2] - joined.getbbox()[0] < apart.getbbox()[2] - apart.getbbox()[0]


def test_devanagari_conjuncts_and_matras_are_shaped():
    font = get_font("noto-sans-devanagari", 64)
    # क्ष is one conjunct glyph: narrower than क + ् + ष side by side; ि is drawn before its consonant.
    assert font.getlength("क्ष") < font.getlength("क") + font.getlength("्") + font.getlength("ष")
    ki = _ink("कि", "noto-sans-devanagari", 0)
    in_logical_order = _ink("क", "noto-sans-devanagari", 0)
    ImageDraw.Draw(in_logical_order).text((40 + font.getlength("क"), 110), "ि", font=font, fill=255, anchor="ls")
    assert ki.getbbox()[2] < in_logical_order.getbbox()[2]  # the matra moved before the consonant


def test_thai_marks_stay_on_their_base():
    clusters = [c.text for c in analyse("น้ำ ที่", "inter").clusters if not c.text.isspace()]
    assert clusters == ["น้", "ำ", "ที่"]
    assert all(c.font == "noto-sans-thai" for c in analyse("น้ำ", "inter").clusters)


def test_cjk_breaks_between_characters_but_not_before_closing_punctuation():
    text = "纯函数对于相同的参数总是返回相同的结果，这使得代码更容易测试和理解。"
    lines = wrap(text, "inter", 40, 400)
    assert len(lines) >= 3
    texts = ["".join(p.text for p in ln.pieces) for ln in lines]
    assert "".join(texts) == text
    assert all(ln.width <= 400 for ln in lines)
    assert not any(t.startswith(("，", "。")) for t in texts)


def test_thai_breaks_at_word_boundaries_not_inside_clusters():
    text = readback.BY_SCRIPT["thai"].body
    lines = wrap(text, "inter", 40, 420)
    assert len(lines) >= 3 and all(ln.width <= 420 for ln in lines)
    assert "".join("".join(p.text for p in ln.pieces) for ln in lines).replace(" ", "") == text.replace(" ", "")
    for ln in lines[1:]:
        first = ln.pieces[0].text[0]
        assert not ("\u0e31" <= first <= "\u0e3a" or "\u0e47" <= first <= "\u0e4e"), ln  # no mark starts a line


def test_mixed_direction_line_is_reordered_visually():
    para = analyse("abc שלום def", "inter")
    assert not para.rtl
    (line,) = wrap("abc שלום def", "inter", 40, 2000)
    order = ["".join(p.text for p in visual_order([p], line.rtl)) for p in visual_order(line.pieces, line.rtl)]
    assert [t.strip() for t in order if t.strip()] == ["abc", "שלום", "def"]
    (rtl_line,) = wrap("שלום abc עולם", "inter", 40, 2000)
    assert rtl_line.rtl
    visual = [p.text.strip() for p in visual_order(rtl_line.pieces, True) if p.text.strip()]
    assert visual == ["עולם", "abc", "שלום"]  # read right to left: שלום, abc, עולם


def test_right_to_left_slides_mirror_their_layout():
    theme = get_theme("glass")
    size = (1080, 1350)
    rtl = layout_slide(Slide(type=SlideType.QUOTE, title="اقتباس", content="العلم نور. — مثل عربي"), 2, 3, theme, size, "@me")
    ltr = layout_slide(Slide(type=SlideType.QUOTE, title="Quote", content="Knowledge is light. — A proverb"), 2, 3, theme, size, "@me")
    assert rtl.rtl and not ltr.rtl
    mid = size[0] / 2
    for lay, right in ((rtl, True), (ltr, False)):
        counter, brand, swipe, progress = (lay.block(r) for r in ("counter", "brand", "swipe", "progress"))
        assert (counter.box[0] < mid) is right and (brand.box[0] > mid) is right
        assert (swipe.box[0] < mid) is right and (progress.box[0] > mid) is right and progress.rtl is right
        bar = next(b for b in lay.blocks if b.role == "accent-bar")
        quote = lay.block("quote")
        assert (bar.box[0] > quote.box[2]) is right  # the quote bar on the reading side
        title = lay.block("title")
        card = lay.card
        gap_left, gap_right = title.box[0] - card[0], card[2] - title.box[2]
        assert (gap_right < gap_left) is right  # aligned to the start of reading
    assert "".join(p.text for p in rtl.block("swipe").lines[0].pieces).count("←") == 1
    assert lay.block("author") is not None


@pytest.mark.parametrize("sample", readback.SAMPLES, ids=lambda s: s.script)
def test_every_script_reads_back_by_ocr(sample):
    missing = readback.missing_languages(sample)
    if missing:
        pytest.skip(f"tesseract or its language data {missing} is not installed (make ocr installs them as root)")
    read = readback.ocr(readback.render_ours(sample), sample.languages)
    assert readback.score(sample.text, read) >= 0.9, read
