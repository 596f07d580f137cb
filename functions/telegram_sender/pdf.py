"""A PDF of the carousel built from the rendered JPEGs themselves: one page per slide, lossless.

Each JPEG goes into the PDF unchanged (``/DCTDecode``: PDF readers decode JPEG natively), so the
pages are exactly the slides the user got, with no re-encoding and no imaging library (the sender's
cold start stays small). Pages are sized at 144 dpi: a 1080×1350 slide is a 540×675 pt page,
which LinkedIn shows as a document carousel.
"""

from __future__ import annotations

import struct

POINTS_PER_INCH = 72
DEFAULT_DPI = 144
_SOF_MARKERS = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
_STANDALONE = {0x01, *range(0xD0, 0xDA)}  # markers without a length field
_COLOR_SPACES = {1: "/DeviceGray", 3: "/DeviceRGB", 4: "/DeviceCMYK"}


class NotAJpeg(ValueError):
    pass


def jpeg_info(data: bytes) -> tuple[int, int, int]:
    """(width, height, components) from a JPEG's start-of-frame segment."""
    if data[:2] != b"\xff\xd8":
        raise NotAJpeg("not a JPEG (no SOI marker)")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise NotAJpeg(f"bad JPEG marker at {i}")
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in _STANDALONE:
            i += 2
            continue
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if marker in _SOF_MARKERS:
            _precision, height, width, components = struct.unpack(">BHHB", data[i + 4 : i + 10])
            return width, height, components
        if marker == 0xDA:  # start of scan before any frame header
            break
        i += 2 + length
    raise NotAJpeg("no frame header in the JPEG")


def _pdf_text(value: str) -> bytes:
    """A PDF text string: UTF-16BE with a byte order mark, hex-encoded (any language, no escaping)."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


def jpegs_to_pdf(images: list[bytes], *, title: str = "Carousel", author: str = "", dpi: int = DEFAULT_DPI) -> bytes:
    if not images:
        raise ValueError("a PDF needs at least one image")
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in once the page tree exists
    pages = add(b"")
    info = add(b"<< /Title " + _pdf_text(title) + b" /Author " + _pdf_text(author)
               + b" /Producer " + _pdf_text("Bible VibeCoder") + b" >>")
    kids = []
    for data in images:
        width, height, components = jpeg_info(data)
        colors = _COLOR_SPACES.get(components)
        if colors is None:
            raise NotAJpeg(f"unsupported JPEG with {components} components")
        decode = b" /Decode [1 0 1 0 1 0 1 0]" if components == 4 else b""
        image = add(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8"
                    b" /Filter /DCTDecode%s /Length %d >>\nstream\n" % (width, height, colors.encode(), decode, len(data))
                    + data + b"\nendstream")
        page_w, page_h = width * POINTS_PER_INCH / dpi, height * POINTS_PER_INCH / dpi
        drawing = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (page_w, page_h)
        content = add(b"<< /Length %d >>\nstream\n" % len(drawing) + drawing + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im0 %d 0 R"
                        b" >> >> /Contents %d 0 R >>" % (pages, page_w, page_h, image, content)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % pages
    objects[pages - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, info, xref)
    return bytes(out)
