"""The layout engine's one native dependency: FriBiDi, shipped with the renderer and loaded first.

Pillow's wheels carry raqm and HarfBuzz but open FriBiDi (``libfribidi.so.0``) from the system when
``PIL._imagingft`` initialises; AWS Lambda's image has none, so raqm would be missing there. The
renderer's asset therefore carries Debian bookworm's libfribidi 1.0.8 for both Lambda architectures
(``native/<machine>/libfribidi.so.0``, pinned in ``assets.json``), and this module loads it with
``RTLD_GLOBAL`` *before* anything imports ``PIL.ImageFont``: the dynamic loader then hands Pillow's
``dlopen("libfribidi.so.0")`` this already-loaded copy. So the tests on x86-64 and Lambda on arm64 run
the same Pillow (pinned), the same raqm and HarfBuzz (inside that wheel) and the same FriBiDi build.

It also gives the renderer FriBiDi's paragraph algorithm (UAX #9 embedding levels): the line-level
reordering across font runs that raqm cannot do, since raqm shapes one font at a time.
"""

from __future__ import annotations

import ctypes
import platform
import sys
from functools import cache
from pathlib import Path

NATIVE_DIR = Path(__file__).resolve().parent.parent / "native"
LIBRARY = "libfribidi.so.0"

# FriBidiParType values (fribidi-bidi-types.h): the paragraph's base direction.
PAR_LTR = 0x00000110
PAR_RTL = 0x00000111
PAR_ON = 0x00000040  # "other neutral": take the direction from the first strong character (rule P2)


class EngineError(RuntimeError):
    """The layout engine the renderer is built and tested on is not available in this process."""


def library_path() -> Path:
    return NATIVE_DIR / platform.machine() / LIBRARY


@cache
def fribidi() -> ctypes.CDLL:
    path = library_path()
    if not path.is_file():
        raise EngineError(
            f"{path} is missing: the renderer's FriBiDi was not installed (run `make fonts`, "
            "i.e. python -m tools.renderer_assets)"
        )
    lib = ctypes.CDLL(str(path), mode=ctypes.RTLD_GLOBAL)
    u32p = ctypes.POINTER(ctypes.c_uint32)
    lib.fribidi_get_bidi_types.argtypes = [u32p, ctypes.c_int, u32p]
    lib.fribidi_get_bidi_types.restype = None
    lib.fribidi_get_bracket_types.argtypes = [u32p, ctypes.c_int, u32p, u32p]
    lib.fribidi_get_bracket_types.restype = None
    lib.fribidi_get_par_embedding_levels_ex.argtypes = [u32p, u32p, ctypes.c_int, u32p, ctypes.POINTER(ctypes.c_int8)]
    lib.fribidi_get_par_embedding_levels_ex.restype = ctypes.c_int8
    return lib


def load() -> None:
    """Load the bundled FriBiDi unless Pillow's font module is already initialised (then
    :func:`check_engine` and the engine test report what Pillow found). Not installed yet: the
    first layout raises :class:`EngineError` saying so, not the import."""
    if "PIL._imagingft" not in sys.modules and library_path().is_file():
        fribidi()


def embedding_levels(text: str, base: int = PAR_ON) -> tuple[int, tuple[int, ...]]:
    """(paragraph level, embedding level of each character) by FriBiDi's UAX #9 implementation.

    ``base``: PAR_ON (first strong character decides), PAR_LTR or PAR_RTL.
    """
    n = len(text)
    if n == 0:
        return (1 if base == PAR_RTL else 0), ()
    lib = fribidi()
    chars = (ctypes.c_uint32 * n)(*map(ord, text))
    types = (ctypes.c_uint32 * n)()
    brackets = (ctypes.c_uint32 * n)()
    levels = (ctypes.c_int8 * n)()
    direction = ctypes.c_uint32(base)
    lib.fribidi_get_bidi_types(chars, n, types)
    lib.fribidi_get_bracket_types(chars, n, types, brackets)
    if lib.fribidi_get_par_embedding_levels_ex(types, brackets, n, ctypes.byref(direction), levels) <= 0:
        raise EngineError(f"FriBiDi could not resolve the embedding levels of {text[:40]!r}")
    return (1 if direction.value == PAR_RTL else 0), tuple(levels)


def loaded_fribidi_files() -> set[str]:
    """The FriBiDi files mapped into this process (Linux), to prove which copy Pillow uses."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as maps:
            return {line.split(None, 5)[5].strip() for line in maps if "libfribidi" in line}
    except OSError:
        return set()


def check_engine() -> dict[str, str]:
    """Raise unless Pillow's raqm layout is usable; return the engine's versions."""
    from PIL import __version__ as pillow_version
    from PIL import features

    if not features.check_feature("raqm"):
        raise EngineError(
            "Pillow's raqm layout is unavailable (FriBiDi not found when PIL.ImageFont was first imported): "
            "import image_renderer.rendering before anything imports PIL.ImageFont, and run `make fonts`"
        )
    return {
        "pillow": pillow_version,
        "raqm": features.version_feature("raqm") or "",
        "harfbuzz": features.version_feature("harfbuzz") or "",
        "fribidi": features.version_feature("fribidi") or "",
        "machine": platform.machine(),
    }
