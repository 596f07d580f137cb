"""Glyph coverage, emoji clusters and line breaking."""

import pytest
from PIL import ImageChops

from image_renderer.rendering.emoji import glyph_image
from image_renderer.rendering.fonts import FONT_FILES, emoji_otf, get_font
from image_renderer.rendering.text import EMOJI, missing_glyphs, segment, wrap

TEXT_FONTS = sorted(FONT_FILES)


def _notdef_like(font_name: str, ch: str) -> bool:
    """Pillow-level check, independent of our cmap reader: the glyph equals .notdef's."""
    font = get_font(font_name, 40)
    a, b = font.getmask(ch), font.getmask("\uffff")
    if a.size != b.size:
        return False
    from PIL import Image

    ia, ib = Image.frombytes("L", a.size, bytes(a)), Image.frombytes("L", b.size, bytes(b))
    return ImageChops.difference(ia, ib).getbbox() is None


@pytest.mark.parametrize("font", TEXT_FONTS)
@pytest.mark.parametrize("lang", ["ru", "en", "emoji"])
def test_no_missing_glyphs(font, lang, samples):
    text = samples.TEXTS[lang] + " → · — «» …"
    assert missing_glyphs(text, font) == []
    for seg in segment(text, font):
        if seg.font == EMOJI:
            assert glyph_image(seg.gid, 40) is not None
        else:
            drawn = [ch for ch in seg.text if not ch.isspace() and _notdef_like(seg.font, ch)]
            assert drawn == [], f"{seg.font} draws .notdef for {drawn}"


def test_missing_glyph_is_detected():
    assert missing_glyphs("abc \uffff", "inter") == ["\uffff"]
    assert missing_glyphs("a\u200db\u200fc\ufe0f", "inter") == []  # format characters draw nothing


@pytest.mark.parametrize(
    "cluster",
    ["🇷🇺", "🏴󠁧󠁢󠁥󠁮󠁧󠁿", "👍🏽", "👩‍💻", "👨‍👩‍👧‍👦", "❤️‍🔥", "🏳️‍🌈", "#️⃣", "1️⃣", "🧑🏿‍🚀", "⚙️"],
)
def test_emoji_sequences_are_one_glyph(cluster):
    segs = segment(f"a{cluster}b", "inter")
    assert [s.font == EMOJI for s in segs] == [False, True, False]
    emoji_seg = segs[1]
    assert emoji_seg.text == cluster
    first = emoji_otf().cmap[ord(cluster[0])]
    if len(cluster.replace("\ufe0f", "")) > 1:
        assert emoji_seg.gid != first  # a ligature, not the first component
    img, _bx, _by, adv = glyph_image(emoji_seg.gid, 64)
    assert img.mode == "RGBA" and adv > 0 and img.getchannel("A").getbbox() is not None


def test_emoji_segmentation_agrees_with_the_emoji_package(samples):
    emoji_pkg = pytest.importorskip("emoji")
    text = samples.EMOJI
    ours = [s.text for s in segment(text, "inter") if s.font == EMOJI]
    theirs = [m["emoji"] for m in emoji_pkg.emoji_list(text)]
    assert ours == theirs


def test_text_presentation_characters_stay_text():
    # Digits, # and © are in the emoji font (keycap bases) but are text unless VS16/keycap follows.
    assert all(s.font != EMOJI for s in segment("# 1 © 2024", "inter"))
    assert [s.font == EMOJI for s in segment("©️", "inter")] == [True]


def _joined(lines):
    return "".join(p.text for line in lines for p in line.pieces)


def test_wrap_respects_width_and_keeps_every_word(samples):
    for text in samples.TEXTS.values():
        lines = wrap(text, "inter", 40, 500)
        assert len(lines) > 1
        assert all(line.width <= 500 for line in lines)
        assert _joined(lines).replace(" ", "") == "".join(text.split())


def test_long_url_breaks_after_punctuation():
    url = "https://example.com/very/long/path/to/some/resource?with=query&and=more"
    lines = wrap(f"See {url} now", "inter", 40, 420)
    assert all(line.width <= 420 for line in lines)
    assert _joined(lines).replace(" ", "") == f"See{url}now"
    # Every cut inside the URL happens right after a URL separator.
    texts = ["".join(p.text for p in line.pieces) for line in lines]
    cuts = [t.split()[-1] for t in texts[:-1] if t.split()[-1] != "See"]
    assert len(cuts) >= 2
    assert all(cut[-1] in "/-_.?&=,;:|" for cut in cuts)


def test_word_longer_than_the_line_breaks_between_characters():
    word = "Электроэнцефалографический" * 3
    lines = wrap(word, "inter", 40, 300)
    assert len(lines) >= 3
    assert all(0 < line.width <= 300 for line in lines)
    assert _joined(lines) == word


def test_harfbuzz_kerns_every_font():
    from image_renderer.rendering.text import Segment, seg_width

    # Inter and Manrope kern through GPOS only (BASIC layout ignored it), PT Serif through `kern`.
    for font in ("inter-display-bold", "inter", "manrope-extrabold", "pt-serif-bold"):
        pair = seg_width(Segment(font, "AV"), 100)
        apart = seg_width(Segment(font, "A"), 100) + seg_width(Segment(font, "V"), 100)
        assert pair < apart - 3, font


def test_text_symbols_stay_text_in_every_font_stack():
    # ↔ is in the emoji font; PT Serif lacks it but the fallback (Inter) has it: draw it as text.
    for font in TEXT_FONTS:
        assert all(s.font != EMOJI for s in segment("a ↔ b", font)), font
