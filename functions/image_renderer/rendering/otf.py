"""A small, read-only OpenType reader: exactly what the renderer needs and nothing more.

* ``cmap`` (formats 4 and 12): which code points a font covers (missing-glyph checks, font
  fallback) and the glyph ids of emoji code points.
* ``GSUB`` ligature lookups (type 4, also behind type-7 extensions): how Noto Color Emoji joins
  flags, skin tones, keycaps and ZWJ sequences into one glyph.
* ``CBLC``/``CBDT`` (index formats 1-5, image formats 17/18/19): the PNG bitmap of each colour
  emoji glyph, with its metrics.

Written for this project so the renderer needs neither fontTools nor raqm/HarfBuzz at run time.
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

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._data = Path(path).read_bytes()
        data = self._data
        (num_tables,) = _U16.unpack_from(data, 4)
        self._tables: dict[str, tuple[int, int]] = {}
        for i in range(num_tables):
            tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
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

    # ------------------------------------------------------------------ head / GPOS kerning
    @cached_property
    def units_per_em(self) -> int:
        (upem,) = _U16.unpack_from(self._data, self._table("head") + 18)
        return upem

    @cached_property
    def _kern_subtables(self) -> list[tuple]:
        """Pair-adjustment subtables of the ``kern`` feature, in lookup order.

        Each item: (1, coverage, {first: {second: x_advance}}) or
        (2, coverage, classdef1, classdef2, [[x_advance per class2] per class1]).
        """
        if not self.has_table("GPOS"):
            return []
        data = self._data
        base = self._table("GPOS")
        feature_list, lookup_list = struct.unpack_from(">HH", data, base + 6)
        feature_list += base
        lookup_list += base
        indices: set[int] = set()
        (count,) = _U16.unpack_from(data, feature_list)
        for i in range(count):
            tag, off = struct.unpack_from(">4sH", data, feature_list + 2 + 6 * i)
            if tag == b"kern":
                feature = feature_list + off
                (n,) = _U16.unpack_from(data, feature + 2)
                indices.update(struct.unpack_from(f">{n}H", data, feature + 4))
        out: list[tuple] = []
        for index in sorted(indices):
            for kind, sub in self._subtables(lookup_list, index, extension_type=9):
                if kind == 2:
                    parsed = self._pair_subtable(sub)
                    if parsed is not None:
                        out.append(parsed)
        return out

    @staticmethod
    def _value_size(fmt: int) -> int:
        return 2 * bin(fmt & 0xFF).count("1")

    @staticmethod
    def _x_advance_offset(fmt: int) -> int | None:
        if not fmt & 0x0004:
            return None
        return 2 * bin(fmt & 0x0003).count("1")

    def _classdef(self, offset: int) -> dict[int, int]:
        data = self._data
        (fmt,) = _U16.unpack_from(data, offset)
        out: dict[int, int] = {}
        if fmt == 1:
            start, count = struct.unpack_from(">HH", data, offset + 2)
            for k, cls in enumerate(struct.unpack_from(f">{count}H", data, offset + 6)):
                if cls:
                    out[start + k] = cls
        elif fmt == 2:
            (count,) = _U16.unpack_from(data, offset + 2)
            for k in range(count):
                start, end, cls = struct.unpack_from(">HHH", data, offset + 4 + 6 * k)
                if cls:
                    for g in range(start, end + 1):
                        out[g] = cls
        return out

    def _pair_subtable(self, sub: int) -> tuple | None:
        data = self._data
        fmt, cov_off, vf1, vf2 = struct.unpack_from(">HHHH", data, sub)
        xadv = self._x_advance_offset(vf1)
        if xadv is None:
            return None
        size1, size2 = self._value_size(vf1), self._value_size(vf2)
        coverage = {g: i for i, g in enumerate(self._coverage(sub + cov_off))}
        if fmt == 1:
            (set_count,) = _U16.unpack_from(data, sub + 8)
            pairs: dict[int, dict[int, int]] = {}
            firsts = sorted(coverage, key=coverage.__getitem__)
            for k in range(min(set_count, len(firsts))):
                (set_off,) = _U16.unpack_from(data, sub + 10 + 2 * k)
                pair_set = sub + set_off
                (n,) = _U16.unpack_from(data, pair_set)
                rec = pair_set + 2
                row: dict[int, int] = {}
                for _ in range(n):
                    (second,) = _U16.unpack_from(data, rec)
                    (value,) = struct.unpack_from(">h", data, rec + 2 + xadv)
                    if value:
                        row[second] = value
                    rec += 2 + size1 + size2
                pairs[firsts[k]] = row
            return (1, coverage, pairs)
        if fmt == 2:
            cd1_off, cd2_off, c1_count, c2_count = struct.unpack_from(">HHHH", data, sub + 8)
            rec = sub + 16
            matrix = []
            for _c1 in range(c1_count):
                row_values = []
                for _c2 in range(c2_count):
                    (value,) = struct.unpack_from(">h", data, rec + xadv)
                    row_values.append(value)
                    rec += size1 + size2
                matrix.append(row_values)
            return (2, coverage, self._classdef(sub + cd1_off), self._classdef(sub + cd2_off), matrix)
        return None

    def kerning(self, left: int, right: int) -> int:
        """GPOS ``kern`` x-advance adjustment between two glyphs, in font units."""
        for table in self._kern_subtables:
            if left not in table[1]:
                continue
            if table[0] == 1:
                value = table[2].get(left, {}).get(right)
                if value is not None:
                    return value
            else:
                _k, _cov, cd1, cd2, matrix = table
                return matrix[cd1.get(left, 0)][cd2.get(right, 0)]
        return 0
