"""A small, read-only OpenType reader: exactly what the renderer needs and nothing more.

* ``cmap`` (formats 4 and 12): which code points a font covers (missing-glyph checks, font
  fallback) and the glyph ids of emoji code points.
* ``GSUB`` ligature lookups (type 4, also behind type-7 extensions): how Noto Color Emoji joins
  flags, skin tones, keycaps and ZWJ sequences into one glyph.
* ``CBLC``/``CBDT`` (index formats 1-5, image formats 17/18/19): the PNG bitmap of each colour
  emoji glyph, with its metrics.
* font collections (``.ttc``): the tables of one face.

Text is shaped by HarfBuzz (Pillow's raqm layout); this reader covers what Pillow does not expose:
coverage for font fallback, and colour emoji bitmaps at any size (Pillow draws CBDT only at the
strike's own size).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

_U16 = struct.Struct(">H")
_U32 = struct.Struct(">I")


@dataclass(frozen=True, slots=True)
class BitmapGlyph:
    """One colour bitmap glyph: PNG bytes plus its metrics in pixels at the strike's ppem."""

    png: bytes
    width: int
    height: int
    bearing_x: int
    bearing_y: int  # distance from the baseline up to the bitmap's top edge
    advance: int


class OpenTypeFont:
    """Lazy access to the few tables we read; each table is parsed once, on first use."""

    def __init__(self, path: str | Path, index: int = 0) -> None:
        self.path = str(path)
        self._data = Path(path).read_bytes()
        data = self._data
        base = 0
        if data[:4] == b"ttcf":  # a collection: the offset table of face ``index``
            (count,) = _U32.unpack_from(data, 8)
            if not 0 <= index < count:
                raise ValueError(f"{self.path} has {count} faces, not {index + 1}")
            (base,) = _U32.unpack_from(data, 12 + 4 * index)
        (num_tables,) = _U16.unpack_from(data, base + 4)
        self._tables: dict[str, tuple[int, int]] = {}
        for i in range(num_tables):
            tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, base + 12 + 16 * i)
            self._tables[tag.decode("latin-1")] = (offset, length)

    def has_table(self, tag: str) -> bool:
        return tag in self._tables

    def _table(self, tag: str) -> int:
        try:
            return self._tables[tag][0]
        except KeyError:
            raise KeyError(f"{self.path} has no {tag!r} table") from None

    # ------------------------------------------------------------------ cmap
    @cached_property
    def cmap(self) -> dict[int, int]:
        """Code point -> glyph id, from the best Unicode subtable (format 12 preferred)."""
        data = self._data
        base = self._table("cmap")
        (count,) = _U16.unpack_from(data, base + 2)
        candidates: dict[tuple[int, int], int] = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack_from(">HHI", data, base + 4 + 8 * i)
            candidates[(platform, encoding)] = base + offset
        for key in ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0)):
            if key not in candidates:
                continue
            sub = candidates[key]
            (fmt,) = _U16.unpack_from(data, sub)
            if fmt == 12:
                return self._cmap12(sub)
            if fmt == 4:
                return self._cmap4(sub)
        raise ValueError(f"{self.path}: no supported Unicode cmap subtable")

    def _cmap12(self, sub: int) -> dict[int, int]:
        data = self._data
        (groups,) = _U32.unpack_from(data, sub + 12)
        out: dict[int, int] = {}
        for i in range(groups):
            start, end, gid = struct.unpack_from(">III", data, sub + 16 + 12 * i)
            for cp in range(start, end + 1):
                out[cp] = gid + cp - start
        return out

    def _cmap4(self, sub: int) -> dict[int, int]:
        data = self._data
        (seg_x2,) = _U16.unpack_from(data, sub + 6)
        segs = seg_x2 // 2
        ends = sub + 14
        starts = ends + seg_x2 + 2
        deltas = starts + seg_x2
        range_offsets = deltas + seg_x2
        out: dict[int, int] = {}
        for s in range(segs):
            (end,) = _U16.unpack_from(data, ends + 2 * s)
            (start,) = _U16.unpack_from(data, starts + 2 * s)
            (delta,) = _U16.unpack_from(data, deltas + 2 * s)
            ro_pos = range_offsets + 2 * s
            (range_offset,) = _U16.unpack_from(data, ro_pos)
            for cp in range(start, end + 1):
                if cp == 0xFFFF:
                    continue
                if range_offset == 0:
                    gid = (cp + delta) & 0xFFFF
                else:
                    (gid,) = _U16.unpack_from(data, ro_pos + range_offset + 2 * (cp - start))
                    if gid:
                        gid = (gid + delta) & 0xFFFF
                if gid:
                    out[cp] = gid
        return out

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.cmap

    # ------------------------------------------------------------------ GSUB
    @cached_property
    def ligatures(self) -> dict[int, list[tuple[tuple[int, ...], int]]]:
        """First glyph -> [(following component glyphs, ligature glyph)], longest first.

        All ligature lookups are merged (the emoji font keeps its sequences in ``ccmp``/``liga``
        lookups that apply everywhere), which is what a shaper would do for these sequences.
        """
        if not self.has_table("GSUB"):
            return {}
        data = self._data
        base = self._table("GSUB")
        (lookup_list,) = _U16.unpack_from(data, base + 8)
        lookup_list += base
        (count,) = _U16.unpack_from(data, lookup_list)
        out: dict[int, list[tuple[tuple[int, ...], int]]] = {}
        for i in range(count):
            for kind, sub in self._subtables(lookup_list, i, extension_type=7):
                if kind == 4:
                    self._read_ligature_subtable(sub, out)
        for seqs in out.values():
            seqs.sort(key=lambda item: -len(item[0]))
        return out

    def _subtables(self, lookup_list: int, index: int, *, extension_type: int):
        """(lookup type, offset) of each subtable of lookup ``index``, extension subtables resolved
        (GSUB's extension type is 7, GPOS's 9: a real type and a 32-bit offset)."""
        data = self._data
        (off,) = _U16.unpack_from(data, lookup_list + 2 + 2 * index)
        lookup = lookup_list + off
        lookup_type, _flag, sub_count = struct.unpack_from(">HHH", data, lookup)
        for j in range(sub_count):
            (sub_off,) = _U16.unpack_from(data, lookup + 6 + 2 * j)
            sub, kind = lookup + sub_off, lookup_type
            if kind == extension_type:
                _fmt, kind, ext = struct.unpack_from(">HHI", data, sub)
                sub += ext
            yield kind, sub

    def _coverage(self, offset: int) -> list[int]:
        data = self._data
        fmt, count = struct.unpack_from(">HH", data, offset)
        if fmt == 1:
            return list(struct.unpack_from(f">{count}H", data, offset + 4))
        glyphs: list[int] = []
        for k in range(count):
            start, end, _index = struct.unpack_from(">HHH", data, offset + 4 + 6 * k)
            glyphs.extend(range(start, end + 1))
        return glyphs

    def _read_ligature_subtable(self, sub: int, out: dict) -> None:
        data = self._data
        _fmt, cov_off, set_count = struct.unpack_from(">HHH", data, sub)
        firsts = self._coverage(sub + cov_off)
        for k in range(set_count):
            (set_off,) = _U16.unpack_from(data, sub + 6 + 2 * k)
            lig_set = sub + set_off
            (lig_count,) = _U16.unpack_from(data, lig_set)
            for m in range(lig_count):
                (lig_off,) = _U16.unpack_from(data, lig_set + 2 + 2 * m)
                lig = lig_set + lig_off
                glyph, comp_count = struct.unpack_from(">HH", data, lig)
                rest = struct.unpack_from(f">{comp_count - 1}H", data, lig + 4)
                out.setdefault(firsts[k], []).append((tuple(rest), glyph))

    # ------------------------------------------------------------------ CBLC/CBDT
    @cached_property
    def bitmap_strike(self) -> tuple[int, dict[int, tuple[int, int, int, tuple | None]]]:
        """(ppem, glyph id -> (image format, CBDT offset, length or -1, big metrics or None)).

        Uses the largest strike in CBLC. Lengths of -1 mean "read the length from CBDT".
        """
        data = self._data
        cblc = self._table("CBLC")
        (num_sizes,) = _U32.unpack_from(data, cblc + 4)
        best = None
        for i in range(num_sizes):
            rec = cblc + 8 + 48 * i
            ppem = data[rec + 45]
            if best is None or ppem > best[0]:
                best = (ppem, rec)
        if best is None:
            raise ValueError(f"{self.path}: CBLC has no strikes")
        ppem, rec = best
        array_off, _size, subtables = struct.unpack_from(">III", data, rec)
        array = cblc + array_off
        glyphs: dict[int, tuple[int, int, int, tuple | None]] = {}
        for i in range(subtables):
            first, last, add = struct.unpack_from(">HHI", data, array + 8 * i)
            st = array + add
            index_format, image_format, image_offset = struct.unpack_from(">HHI", data, st)
            body = st + 8
            if index_format in (1, 3):
                fmt, size = (">I", 4) if index_format == 1 else (">H", 2)
                for g in range(first, last + 1):
                    (a,) = struct.unpack_from(fmt, data, body + size * (g - first))
                    (b,) = struct.unpack_from(fmt, data, body + size * (g - first + 1))
                    if b > a:
                        glyphs[g] = (image_format, image_offset + a, b - a, None)
            elif index_format == 2:
                (image_size,) = _U32.unpack_from(data, body)
                metrics = struct.unpack_from(">BBbbBbbB", data, body + 4)
                for g in range(first, last + 1):
                    glyphs[g] = (image_format, image_offset + image_size * (g - first), image_size, metrics)
            elif index_format == 4:
                (num,) = _U32.unpack_from(data, body)
                pairs = [struct.unpack_from(">HH", data, body + 4 + 4 * k) for k in range(num + 1)]
                for (g, a), (_g2, b) in zip(pairs, pairs[1:]):
                    glyphs[g] = (image_format, image_offset + a, b - a, None)
            elif index_format == 5:
                (image_size,) = _U32.unpack_from(data, body)
                metrics = struct.unpack_from(">BBbbBbbB", data, body + 4)
                (num,) = _U32.unpack_from(data, body + 12)
                ids = struct.unpack_from(f">{num}H", data, body + 16)
                for k, g in enumerate(ids):
                    glyphs[g] = (image_format, image_offset + image_size * k, image_size, metrics)
        return ppem, glyphs

    def bitmap_glyph(self, gid: int) -> BitmapGlyph | None:
        _ppem, glyphs = self.bitmap_strike
        entry = glyphs.get(gid)
        if entry is None:
            return None
        image_format, offset, _length, metrics = entry
        data = self._data
        pos = self._table("CBDT") + offset
        if image_format == 17:
            h, w, bx, by, adv = struct.unpack_from(">BBbbB", data, pos)
            pos += 5
        elif image_format == 18:
            h, w, bx, by, adv = struct.unpack_from(">BBbbB", data, pos)
            pos += 8
        elif image_format == 19 and metrics is not None:
            h, w, bx, by, adv = metrics[:5]
        else:
            return None
        (length,) = _U32.unpack_from(data, pos)
        png = data[pos + 4 : pos + 4 + length]
        return BitmapGlyph(png, w, h, bx, by, adv)
