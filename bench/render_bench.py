#!/usr/bin/env python3
"""Render benchmark: our Pillow renderer vs the seed's way (HTML + CSS in headless Chromium).

    python bench/render_bench.py [--repeat 10] [--no-write] [--skip-chromium] [--baseline DIR]

Renders the same 10 slides (Russian, English, emoji) both ways in one run and reports:

* per-slide warm time: ours in a warm process (fonts and backgrounds cached, JPEG encode
  included); the seed's way as the seed did it (a new browser per render, after one warm-up
  launch so the disk cache is hot) and, for reference, one warm browser reusing a page
  (Chrome DevTools Protocol over ``--remote-debugging-pipe``);
* the 10-slide whole-process time: a fresh ``python`` that imports, renders and writes 10 JPEGs,
  vs ten browser launches;
* peak memory: the peak summed RSS of the whole process tree (sampled every 10 ms);
* bytes per slide;
* per script (Latin, Cyrillic, Greek, Vietnamese, Arabic, Hebrew, Devanagari, Chinese, Japanese, Thai):
  our per-slide warm time, and how much of the text tesseract reads back from our slide and from
  headless Chromium's rendering of the same text with the same fonts (``tools/readback.py``); the goal
  is ≥ 0.9 of Chromium's score for every script;
* with ``--baseline DIR`` (another checkout, e.g. main before a change): that renderer's warm time on
  the same slides, measured the same way in a subprocess, and the ratio.

Writes the figures, the command and the machine into its own section of BENCHMARKS.md (between
``<!-- bench:render:start/end -->``; the other scripts' sections are kept), unless ``--no-write``.
Chromium is Debian's build (``apt-get install chromium``); without it that half is skipped.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import html
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "functions"), str(ROOT / "layers" / "shared" / "python")]
sys.path.insert(0, str(ROOT / "bench"))

import benchlib  # noqa: E402 - after the path set-up

SLIDES = [
    {
        "type": "cover",
        "title": "Functional Programming in Python",
        "content": "Чистые функции, неизменяемость и композиция: как писать код, который легко тестировать.",
        "emoji": "🚀",
    },
    {
        "type": "principle",
        "title": "Pure functions",
        "content": "Функция без побочных эффектов всегда возвращает один и тот же результат для одних и тех же аргументов. Pure functions make code predictable.",
        "emoji": "💡",
    },
    {
        "type": "principle",
        "title": "Неизменяемость",
        "content": "Не меняйте данные на месте: создавайте новые значения. Immutable data removes a whole class of bugs 🐛.",
        "emoji": "🧊",
    },
    {
        "type": "concept",
        "title": "Composition 🧩",
        "content": "Small functions snap together like LEGO: compose(f, g)(x) == f(g(x)). Команда 👩‍💻👨‍💻 читает такой код быстрее.",
        "emoji": "🧩",
    },
    {
        "type": "quote",
        "title": "Kent Beck",
        "content": "Make it work, make it right, make it fast. — Kent Beck",
        "emoji": "💬",
    },
    {
        "type": "concept",
        "title": "Функции высшего порядка",
        "content": "map, filter и reduce принимают функции как аргументы 🎯. Higher-order functions replace most loops.",
        "emoji": "🎯",
    },
    {
        "type": "code",
        "title": "In code",
        "content": "from functools import reduce\n\ndef total(xs: list[int]) -> int:\n    # сумма квадратов\n    return reduce(lambda a, b: a + b * b, xs, 0)",
        "emoji": "⚙️",
    },
    {
        "type": "principle",
        "title": "Emoji everywhere 🎉",
        "content": "Флаги 🇷🇺🇬🇧🇺🇦, skin tones 👍🏽👋🏿, ZWJ 👩‍🔬❤️‍🔥🏳️‍🌈 and keycaps #️⃣1️⃣ render as one glyph each.",
        "emoji": "🌈",
    },
    {
        "type": "concept",
        "title": "Тестируемость",
        "content": "Чистую функцию легко проверить: дали вход — сравнили выход. No mocks, no setup ✅.",
        "emoji": "🧪",
    },
    {
        "type": "summary",
        "title": "Итоги",
        "content": "- Чистые функции\n- Неизменяемые данные\n- Композиция вместо наследования\n- Тесты пишутся легко",
        "emoji": "✅",
    },
]
SIZE = (1080, 1350)
LOAD_BEFORE = "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]


# ----------------------------------------------------------------------------- memory sampling
def _tree_rss_kb(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            with open(f"/proc/{entry}/statm") as f:
                pages = int(f.read().split()[1])
        except OSError:
            continue
        pid = int(entry)
        parents[pid] = int(stat[stat.rindex(")") + 2 :].split()[1])
        rss[pid] = pages * os.sysconf("SC_PAGE_SIZE") // 1024
    total = 0
    for pid, kb in rss.items():
        p = pid
        while p and p != root:
            p = parents.get(p, 0)
        if p == root:
            total += kb
    return total


class PeakTreeRSS:
    """Samples the summed RSS of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.01) -> None:
        self.pid, self.interval, self.peak_kb = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(self.pid))
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakTreeRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(cmd: list[str], **kwargs) -> tuple[float, int, subprocess.CompletedProcess]:
    """(wall seconds, peak tree RSS in KiB, result) of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs)
    with PeakTreeRSS(proc.pid) as mem:
        out, err = proc.communicate()
    wall = time.perf_counter() - start
    return wall, max(mem.peak_kb, 0), subprocess.CompletedProcess(cmd, proc.returncode, out, err)


# ----------------------------------------------------------------------------- ours
OURS_PROCESS = """
import sys, json, pathlib
sys.path[:0] = {paths!r}
from vibecoder.content import Slide
from image_renderer.rendering import render_carousel
out = pathlib.Path({out!r})
slides = [Slide(**s) for s in json.loads({slides!r})]
for r in render_carousel(slides):
    (out / f"slide-{{r.index:02d}}.{{r.extension}}").write_bytes(r.data)
"""


def bench_ours(repeat: int, workdir: Path) -> dict:
    from image_renderer.rendering import render_carousel
    from vibecoder.content import Slide

    slides = [Slide(**s) for s in SLIDES]
    t0 = time.perf_counter()
    first = render_carousel(slides)
    cold_in_process = time.perf_counter() - t0
    per_slide = []
    for _ in range(repeat):
        t = time.perf_counter()
        rendered = render_carousel(slides)
        per_slide.append((time.perf_counter() - t) / len(rendered))
    out = workdir / "ours"
    out.mkdir()
    code = OURS_PROCESS.format(paths=benchlib.CODE_PATHS, out=str(out), slides=json.dumps(SLIDES, ensure_ascii=False))
    runs = [run_measured([sys.executable, "-c", code]) for _ in range(3)]
    for _w, _m, res in runs:
        if res.returncode:
            raise RuntimeError(res.stderr.decode())
    files = sorted(out.glob("slide-*"))
    return {
        "slides": len(first),
        "warm_ms": statistics.median(per_slide) * 1000,
        "warm_ms_best": min(per_slide) * 1000,
        "first_carousel_in_process_s": cold_in_process,
        "process_s": statistics.median(w for w, _m, _r in runs),
        "peak_mb": max(m for _w, m, _r in runs) / 1024,
        "bytes": statistics.mean(f.stat().st_size for f in files),
        "format": "JPEG q90 4:4:4",
        "dir": out,
    }


# ----------------------------------------------------------------------------- the seed's way
SEED_HTML = """<!doctype html><html><head><meta charset="utf-8"><style>
html,body{{margin:0;width:{w}px;height:{h}px}}
body{{font-family:'Inter','Noto Color Emoji',sans-serif;background:linear-gradient(135deg,#667eea 0%,#764ba2 100%);
display:flex;align-items:center;justify-content:center;color:#fff}}
.card{{width:{cw}px;padding:60px;box-sizing:border-box;border-radius:32px;background:rgba(255,255,255,.15);
backdrop-filter:blur(20px);-webkit-backdrop-filter:blur(20px);border:1px solid rgba(255,255,255,.25);
box-shadow:0 30px 60px rgba(20,10,60,.35)}}
h1{{font-family:'Lato','Noto Color Emoji',sans-serif;font-weight:700;font-size:64px;line-height:1.15;margin:0 0 32px}}
p{{font-size:38px;line-height:1.6;margin:0;white-space:pre-wrap}}
pre{{font-family:'Inter',monospace;font-size:36px;line-height:1.6;margin:0;white-space:pre-wrap}}
.footer{{margin-top:40px;font-size:26px;opacity:.85;text-align:right}}
</style></head><body><div class="card"><h1>{emoji} {title}</h1>{body}
<div class="footer">{n}/{total}{swipe}</div></div></body></html>"""


def seed_html(slide: dict, n: int, total: int) -> str:
    w, h = SIZE
    content = html.escape(slide["content"])
    body = f"<pre>{content}</pre>" if slide["type"] == "code" else f"<p>{content}</p>"
    swipe = " · swipe →" if n < total else ""
    return SEED_HTML.format(
        w=w,
        h=h,
        cw=w - 80,
        emoji=slide.get("emoji") or "",
        title=html.escape(slide["title"]),
        body=body,
        n=n,
        total=total,
        swipe=swipe,
    )


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_version(binary: str) -> str:
    try:
        return subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        return "unknown"


def chromium_cli_shot(binary: str, html_file: Path, png: Path) -> list[str]:
    profile = tempfile.mkdtemp(prefix="profile-", dir=png.parent)  # removed with the work dir
    return [
        binary,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={profile}",
        f"--window-size={SIZE[0]},{SIZE[1]}",
        f"--screenshot={png}",
        html_file.as_uri(),
    ]


class CDPPipe:
    """Minimal Chrome DevTools Protocol client over --remote-debugging-pipe (fd 3 in, fd 4 out)."""

    def __init__(self, binary: str) -> None:
        self.profile = tempfile.mkdtemp(prefix="bench-chromium-")
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4: let the shell map them.
        argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", "--remote-debugging-pipe", "about:blank"]
        script = f'exec "$@" 3<&{to_child_r} 4>&{from_child_w}'
        self.proc = subprocess.Popen(
            ["/bin/sh", "-c", script, "chromium", *argv],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(to_child_r, from_child_w),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_child, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, ev in enumerate(self.events):
                if ev.get("method") == method:
                    return self.events.pop(i)
            self.events.append(self._read())
        raise TimeoutError(method)

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.send("Browser.close")
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_child)
        os.close(self._from_child)
        shutil.rmtree(self.profile, ignore_errors=True)


def bench_seed(binary: str, repeat: int, workdir: Path) -> dict:
    out = workdir / "seed"
    out.mkdir()
    files = []
    for i, s in enumerate(SLIDES, 1):
        f = out / f"slide-{i:02d}.html"
        f.write_text(seed_html(s, i, len(SLIDES)), encoding="utf-8")
        files.append(f)
    # Warm-up launch (disk cache, fontconfig cache).
    subprocess.run(chromium_cli_shot(binary, files[0], out / "warmup.png"), capture_output=True, timeout=120)
    # The seed's way: a new browser per slide. Whole 10-slide run = ten launches in sequence.
    peak = 0
    times = []
    start = time.perf_counter()
    for i, f in enumerate(files, 1):
        wall, mem, res = run_measured(chromium_cli_shot(binary, f, out / f"slide-{i:02d}.png"))
        if res.returncode:
            raise RuntimeError(res.stderr.decode(errors="replace")[-2000:])
        times.append(wall)
        peak = max(peak, mem)
    process_s = time.perf_counter() - start
    pngs = sorted(out.glob("slide-*.png"))
    result = {
        "slides": len(pngs),
        "per_call_ms": statistics.median(times) * 1000,
        "process_s": process_s,
        "peak_mb": peak / 1024,
        "bytes": statistics.mean(p.stat().st_size for p in pngs),
        "format": "PNG (Chromium screenshot)",
        "dir": out,
    }
    # Reference: one warm browser, one page, JPEG q90 screenshots through CDP.
    try:
        cdp = CDPPipe(binary)
        target = cdp.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = cdp.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        cdp.send("Page.enable", session=session)
        cdp.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": SIZE[0], "height": SIZE[1], "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        jpeg_sizes = []
        per = []
        for round_ in range(repeat + 1):
            for f in files:
                t = time.perf_counter()
                cdp.send("Page.navigate", {"url": f.as_uri()}, session=session)
                cdp.wait_event("Page.loadEventFired")
                shot = cdp.send("Page.captureScreenshot", {"format": "jpeg", "quality": 90}, session=session)
                if round_:  # round 0 warms the page up
                    per.append(time.perf_counter() - t)
                    jpeg_sizes.append(len(base64.b64decode(shot["data"])))
        cdp.close()
        result["warm_page_ms"] = statistics.median(per) * 1000
        result["warm_page_bytes"] = statistics.mean(jpeg_sizes)
    except Exception as exc:  # noqa: BLE001 - the reference figure is optional
        result["warm_page_error"] = str(exc)
    return result


# ----------------------------------------------------------------------------- every script
WARM_PROCESS = """
import json, statistics, sys, time
sys.path[:0] = {paths!r}
from vibecoder.content import Slide
from image_renderer.rendering import render_carousel
out = {{}}
for name, slides in json.loads({sets!r}).items():
    slides = [Slide(**s) for s in slides]
    render_carousel(slides)
    runs = []
    for _ in range({repeat}):
        t = time.process_time()  # CPU time: what the render costs, whatever else runs on the machine
        n = len(render_carousel(slides))
        runs.append((time.process_time() - t) / n)
    out[name] = statistics.median(runs) * 1000
print(json.dumps(out))
"""


# The cost of a user's brand kit (issue 14): the bench slides with the operator's handle and with a full
# kit (a 640x640 JPEG avatar as Telegram sends profile photos, a transparent PNG logo, name, accent),
# alternated in one warm process so that both see the same machine.
WARM_BRAND_PROCESS = """
import io, json, statistics, sys, time
sys.path[:0] = {paths!r}
from PIL import Image, ImageDraw
from vibecoder.content import Slide
from image_renderer.rendering import SlideBrand, render_carousel
def encoded(img, fmt):
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()
photo = Image.radial_gradient("L").resize((640, 640)).convert("RGB")
logo = Image.new("RGBA", (600, 200))
ImageDraw.Draw(logo).rounded_rectangle((10, 10, 590, 190), 60, fill=(230, 60, 20, 255))
kit = SlideBrand(handle="@ann_dev", name="Ann Lee", accent="#ff5a1f", avatar=encoded(photo, "JPEG"), logo=encoded(logo, "PNG"))
slides = [Slide(**s) for s in json.loads({slides!r})]
runs = {{"handle": [], "kit": []}}
for brand in ("@BibleVibeCoderBot", kit):
    render_carousel(slides, brand=brand)
for _ in range({repeat}):
    for name, brand in (("handle", "@BibleVibeCoderBot"), ("kit", kit)):
        t = time.process_time()
        n = len(render_carousel(slides, brand=brand))
        runs[name].append((time.process_time() - t) / n)
print(json.dumps({{name: statistics.median(r) * 1000 for name, r in runs.items()}}))
"""


def warm_brand_times(root: Path, repeat: int) -> dict[str, float]:
    """Median warm CPU ms per slide of the bench slides with the default handle and with a full kit."""
    paths = [str(root / "functions"), str(root / "layers" / "shared" / "python")]
    code = WARM_BRAND_PROCESS.format(paths=paths, slides=json.dumps(SLIDES, ensure_ascii=False), repeat=repeat)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if result.returncode:
        raise RuntimeError(f"{root}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


BASELINE_COMPARABLE = {"latin", "cyrillic", "greek", "vietnamese"}


def script_slides() -> dict[str, list[dict]]:
    from tools import readback

    sets = {"bench (10 slides, Latin/Cyrillic/emoji)": SLIDES}
    for sample in readback.SAMPLES:
        sets[sample.script] = [
            {"type": "principle", "title": sample.title, "content": sample.body, "emoji": "💡"},
            {"type": "quote", "title": sample.title, "content": sample.body},
        ]
    return sets


def warm_times(root: Path, repeat: int) -> dict[str, float]:
    """Median warm CPU ms per slide for each slide set, by the renderer in ``root`` (a fresh process)."""
    paths = [str(root / "functions"), str(root / "layers" / "shared" / "python")]
    code = WARM_PROCESS.format(paths=paths, sets=json.dumps(script_slides(), ensure_ascii=False), repeat=repeat)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root)
    if result.returncode:
        raise RuntimeError(f"{root}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


READBACK_HTML = """<!doctype html><html lang="{lang}" dir="auto"><head><meta charset="utf-8"><style>
{faces}
html,body{{margin:0;background:#fbfaf7;color:#111}}
main{{width:{width}px;padding:48px;box-sizing:border-box}}
h1{{font-family:{title_stack};font-size:72px;line-height:1.12;margin:0 0 36px;font-weight:normal}}
p{{font-family:{body_stack};font-size:44px;line-height:1.45;margin:0}}
</style></head><body><main dir="auto"><h1 dir="auto">{title}</h1><p dir="auto">{body}</p></main></body></html>"""
LANG_ATTR = {"latin": "en", "cyrillic": "ru", "greek": "el", "vietnamese": "vi", "arabic": "ar", "hebrew": "he",
             "devanagari": "hi", "chinese": "zh-Hans", "japanese": "ja", "thai": "th"}


def readback_html(sample) -> str:
    """The sample as a page Chromium draws with our very fonts: the same stacks, by @font-face."""
    from image_renderer.rendering.fonts import FONT_DIR, FONTS, cjk_face, font_stack

    cjk = cjk_face(sample.text)
    title, body = font_stack("pt-serif-bold", cjk), font_stack("inter", cjk)
    faces = "\n".join(
        f"@font-face{{font-family:'f-{name}';src:url('{(FONT_DIR / FONTS[name].file).as_uri()}')}}"
        for name in dict.fromkeys((*title, *body))
    )
    stack = lambda names: ",".join(f"'f-{n}'" for n in names)  # noqa: E731
    return READBACK_HTML.format(lang=LANG_ATTR[sample.script], faces=faces, width=SIZE[0], title_stack=stack(title),
                                body_stack=stack(body), title=html.escape(sample.title), body=html.escape(sample.body))


def bench_readback(binary: str | None, workdir: Path) -> list[dict]:
    """OCR scores per script: ours (the minimal theme) and, if Chromium is here, Chromium's."""
    from PIL import Image

    from tools import readback

    rows = []
    out = workdir / "readback"
    out.mkdir()
    for sample in readback.SAMPLES:
        row = {"script": sample.script, "languages": sample.languages}
        missing = readback.missing_languages(sample)
        if missing:
            row["skipped"] = f"tesseract data {missing} missing (make ocr)"
            rows.append(row)
            continue
        row["ours"] = readback.score(sample.text, readback.ocr(readback.render_ours(sample), sample.languages))
        if binary:
            page = out / f"{sample.script}.html"
            page.write_text(readback_html(sample), encoding="utf-8")
            png = out / f"{sample.script}.png"
            # Web fonts load after the load event: give them virtual time before the screenshot.
            shot_command = [*chromium_cli_shot(binary, page, png), "--virtual-time-budget=10000"]
            result = subprocess.run(shot_command, capture_output=True, timeout=120)
            if result.returncode or not png.exists():
                row["chromium_error"] = result.stderr.decode(errors="replace")[-300:]
            else:
                with Image.open(png) as shot:
                    row["chromium"] = readback.score(sample.text, readback.ocr(shot, sample.languages))
        rows.append(row)
    return rows


def scripts_report(warm: dict[str, float], baseline: dict[str, float] | None, baseline_name: str,
                   readback_rows: list[dict]) -> list[str]:
    lines = [
        "### Every script (issue #13)",
        "",
        "Per-slide warm CPU time for each script (a principle and a quote slide, 1080×1350, JPEG encode",
        "included; median of repeated renders in a fresh process; CPU time, so that other work on this shared",
        "machine inflates it less than wall time), and OCR read-back: the share of the text tesseract",
        "reads back in order (`tools/readback.py`) from our slide (minimal theme) and from headless Chromium's",
        "rendering of the same text with the same fonts (`@font-face` on the files we ship). Goal: ours ≥ 0.9 ×",
        "Chromium's for every script. With `--baseline`, the same timing by another checkout's renderer (for",
        "the slide sets it could draw), e.g. main before a change; goal for #13: Latin/Cyrillic ≤ 1.5×.",
        "",
    ]
    header = "| slides | ours, CPU ms/slide warm |"
    rule = "| --- | ---: |"
    if baseline is not None:
        header += f" baseline ({baseline_name}), CPU ms/slide | ratio |"
        rule += " ---: | ---: |"
    header += " OCR ours | OCR Chromium | ours / Chromium |"
    rule += " ---: | ---: | ---: |"
    lines += [header, rule]
    scores = {row["script"]: row for row in readback_rows}
    for name, ms in warm.items():
        cells = [name, f"{ms:.1f}"]
        if baseline is not None:
            # Only where the baseline drew the text: before #13 other scripts were dropped, not drawn.
            base = baseline.get(name) if name in BASELINE_COMPARABLE or name.startswith("bench") else None
            cells += [f"{base:.1f}" if base else "—", f"{ms / base:.2f}×" if base else "—"]
        row = scores.get(name, {})
        if "ours" in row:
            ours = row["ours"]
            theirs = row.get("chromium")
            verdict = "—"
            if theirs:
                verdict = f"{ours / theirs:.2f} {'✅' if ours >= 0.9 * theirs else '❌'}"
            cells += [f"{ours:.2f}", f"{theirs:.2f}" if theirs else row.get("chromium_error", "not installed")[:40],
                      verdict]
        else:
            cells += [row.get("skipped", ""), "", ""]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    return lines


# ----------------------------------------------------------------------------- report
def machine() -> str:
    import PIL

    return benchlib.machine(f"Pillow {PIL.__version__}")


def report(ours: dict, seed: dict | None, chromium: str, command: str, scripts: list[str] | None = None) -> str:
    lines = [
        "## Render benchmark",
        "",
        "Our Pillow renderer vs the seed's way (HTML + CSS through headless Chromium), the same 10 slides",
        "(Russian, English, emoji; cover, principles, concepts, quote, code, summary) at 1080×1350, in one run.",
        "",
        f"- Command: `{command}` (also `make bench`)",
        f"- Machine: {machine()}",
        f"- Chromium: {chromium}",
        f"- Date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average before the run: {LOAD_BEFORE}",
        "",
        "| measure | ours (Pillow) | seed (Chromium) | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]

    def ratio(a: float, b: float) -> str:
        return f"{b / a:.0f}×" if a and b else "—"

    if seed:
        lines += [
            f"| per-slide warm, ms (ours: warm process, JPEG encode included; seed: a browser per render, as the seed did) | {ours['warm_ms']:.1f} | {seed['per_call_ms']:.0f} | {ratio(ours['warm_ms'], seed['per_call_ms'])} faster |",
        ]
        if "warm_page_ms" in seed:
            lines.append(
                f"| per-slide, seed with one warm browser reusing a page (CDP, JPEG q90) | {ours['warm_ms']:.1f} | {seed['warm_page_ms']:.0f} | {ratio(ours['warm_ms'], seed['warm_page_ms'])} faster |"
            )
        lines += [
            f"| 10 slides, whole process, s (fresh interpreter vs 10 browser launches) | {ours['process_s']:.2f} | {seed['process_s']:.2f} | {ratio(ours['process_s'], seed['process_s'])} faster |",
            f"| peak memory, MiB (RSS of the whole process tree) | {ours['peak_mb']:.0f} | {seed['peak_mb']:.0f} | {ratio(ours['peak_mb'], seed['peak_mb'])} less |",
            f"| bytes per slide | {ours['bytes'] / 1024:.0f} KiB ({ours['format']}) | {seed['bytes'] / 1024:.0f} KiB ({seed['format']}) | |",
        ]
        if "warm_page_bytes" in seed:
            lines.append(f"| bytes per slide, seed as JPEG q90 (CDP) | | {seed['warm_page_bytes'] / 1024:.0f} KiB | |")
    else:
        lines += [
            f"| per-slide warm, ms | {ours['warm_ms']:.1f} | skipped | |",
            f"| 10 slides, whole process, s | {ours['process_s']:.2f} | skipped | |",
            f"| peak memory, MiB | {ours['peak_mb']:.0f} | skipped | |",
            f"| bytes per slide | {ours['bytes'] / 1024:.0f} KiB | skipped | |",
        ]
    lines += [
        "",
        f"Ours, best warm run: {ours['warm_ms_best']:.1f} ms a slide; the first carousel in a fresh process",
        f"(fonts loaded, backgrounds and cards built, then cached) took {ours['first_carousel_in_process_s'] * 1000:.0f} ms for {ours['slides']} slides.",
        "",
        "Goals (issue #4): ≥ 50× faster per slide warm and ≤ 24 ms a slide; ≥ 10× faster for the whole process.",
        "",
        "How it is measured: per-slide warm = median over repeated renders of the 10 slides in one process",
        "(ours) or over 10 separate browser runs after a warm-up launch (seed). Whole process = wall time of",
        "a fresh `python -c` that imports the renderer, renders the 10 slides and writes the JPEGs (median of",
        "3), vs ten sequential `chromium --headless --screenshot` runs. Peak memory samples the summed RSS of",
        "the process and all its children every 10 ms. Chromium flags: "
        + " ".join(CHROMIUM_FLAGS)
        + " --user-data-dir=<new tmp dir>.",
        "",
    ]
    if seed and "warm_page_error" in seed:
        lines += [f"(The warm-page reference run failed: {seed['warm_page_error']})", ""]
    if not seed:
        lines += ["Chromium is not installed here (`apt-get install chromium`), so the seed's half was skipped.", ""]
    lines += scripts or []
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--no-write", action="store_true", help="print only; do not touch BENCHMARKS.md")
    parser.add_argument("--skip-chromium", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the rendered slides (printed path)")
    parser.add_argument("--baseline", type=Path, help="another checkout whose renderer to time the same way")
    parser.add_argument("--baseline-label", help="what the baseline is (default: its folder's name)")
    args = parser.parse_args()
    command = "python bench/render_bench.py" + (f" --repeat {args.repeat}" if args.repeat != 10 else "")
    if args.baseline:
        command += f" --baseline <checkout> --baseline-label '{args.baseline_label or args.baseline.name}'"
    workdir = Path(tempfile.mkdtemp(prefix="render-bench-"))
    try:
        ours = bench_ours(args.repeat, workdir)
        print(
            f"ours: {ours['warm_ms']:.1f} ms/slide warm, {ours['process_s']:.2f} s whole process, {ours['peak_mb']:.0f} MiB peak, {ours['bytes'] / 1024:.0f} KiB/slide"
        )
        binary = None if args.skip_chromium else find_chromium()
        seed = None
        chromium = "not installed"
        if binary:
            chromium = chromium_version(binary)
            seed = bench_seed(binary, args.repeat, workdir)
            print(
                f"seed: {seed['per_call_ms']:.0f} ms/slide (browser per call), {seed.get('warm_page_ms', float('nan')):.0f} ms/slide (warm page), {seed['process_s']:.2f} s whole process, {seed['peak_mb']:.0f} MiB peak, {seed['bytes'] / 1024:.0f} KiB/slide"
            )
        else:
            print("seed: chromium not found, skipped (apt-get install chromium)")
        warm = warm_times(ROOT, args.repeat)
        baseline = warm_times(args.baseline.resolve(), args.repeat) if args.baseline else None
        for name, ms in warm.items():
            print(f"{name}: {ms:.1f} CPU ms/slide warm" + (f" (baseline {baseline[name]:.1f})" if baseline else ""))
        brand = warm_brand_times(ROOT, args.repeat)
        brand_line = (
            f"Brand kit (issue 14; avatar, name, handle, logo, accent) on the bench slides: {brand['kit']:.1f} CPU ms/slide "
            f"warm, against {brand['handle']:.1f} with the operator's handle alone (alternated in one process)."
        )
        print(brand_line)
        readback_rows = bench_readback(binary, workdir)
        for row in readback_rows:
            print(f"read-back {row['script']}: ours {row.get('ours')}, chromium {row.get('chromium')}")
        baseline_name = (args.baseline_label or args.baseline.name) if args.baseline else ""
        scripts = [*scripts_report(warm, baseline, baseline_name, readback_rows), "", brand_line]
        text = report(ours, seed, chromium, command, scripts)
        if not args.no_write:
            benchlib.write_section("render", text)
            print(f"wrote the render section of {benchlib.BENCHMARKS}")
        else:
            print(text)
        if args.keep:
            print(f"slides kept in {workdir}")
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
