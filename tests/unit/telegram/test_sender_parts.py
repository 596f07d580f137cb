"""The sender's pure parts: album splitting, captions within 1024, the lossless PDF."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from telegram_sender.logic import album_chunks, caption_for
from telegram_sender.pdf import NotAJpeg, jpeg_info, jpegs_to_pdf
from vibecoder.events.models import CarouselCompleted
from vibecoder.telegram import MAX_CAPTION, text_length


@pytest.mark.parametrize("count, sizes", [(1, [1]), (2, [2]), (10, [10]), (11, [6, 5]), (15, [8, 7]),
                                          (20, [10, 10]), (21, [7, 7, 7])])
def test_albums_are_balanced_and_never_a_lone_photo(count, sizes):
    chunks = album_chunks(count)
    assert [len(c) for c in chunks] == sizes
    assert [i for c in chunks for i in c] == list(range(count))


def completed(caption: str, title: str = "Clean Architecture") -> CarouselCompleted:
    return CarouselCompleted(request_id="r", user_id="u", chat_id=1, title=title, caption=caption, slides=[])


def test_the_caption_has_the_title_and_fits():
    assert caption_for(completed("")) == "Clean Architecture"
    assert caption_for(completed("Layers.\n\n#clean")).startswith("Clean Architecture\n\nLayers.")
    tags = "#clean #architecture #python"
    long = caption_for(completed("Clean Architecture\n\n" + "Слово 🎯 " * 400 + "\n\n" + tags))
    assert text_length(long) <= MAX_CAPTION and long.endswith(tags) and "…" in long
    no_tags = caption_for(completed("x" * 3000))
    assert text_length(no_tags) <= MAX_CAPTION


def jpeg(width: int, height: int, mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), 128 if mode == "L" else (10, 120, 200)).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def test_jpeg_info_reads_the_frame_header():
    assert jpeg_info(jpeg(1080, 1350)) == (1080, 1350, 3)
    assert jpeg_info(jpeg(64, 32, "L")) == (64, 32, 1)
    with pytest.raises(NotAJpeg):
        jpeg_info(b"\x89PNG....")


def test_the_pdf_has_a_page_per_slide_with_the_jpegs_unchanged():
    slides = [jpeg(1080, 1350), jpeg(1080, 1350), jpeg(64, 32, "L")]
    pdf = jpegs_to_pdf(slides, title="Чистая архитектура")
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", pdf)) == 3 and b"/Count 3" in pdf
    assert all(slide in pdf for slide in slides)  # embedded byte for byte
    assert b"/MediaBox [0 0 540.00 675.00]" in pdf
    # The cross-reference table points at every object.
    xref_at = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    entries = pdf[xref_at:].split(b"\n")[3:]
    for number, entry in enumerate(entries[: int(pdf[xref_at:].split(b"\n")[1].split()[1]) - 1], start=1):
        offset = int(entry.split()[0])
        assert pdf[offset:].startswith(b"%d 0 obj" % number)
