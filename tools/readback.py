"""OCR read-back: render a sample slide per script and read it back with tesseract.

Used by the rendering tests (every script must read back) and by ``bench/render_bench.py`` (ours
against headless Chromium's rendering of the same text with the same fonts). The score is the share
of the expected characters that the OCR text contains in order: the longest common subsequence of the
two, whitespace removed (OCR spaces CJK and Thai arbitrarily), NFC-normalised, over the expected
length. Extra text (a misread emoji) does not lower it; a dropped, reordered or misdrawn character does.

Tesseract and its language packs are Debian packages (``tesseract-ocr-ara`` …), which ``make ocr``
installs; :func:`missing_languages` tells the tests what is not there.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Sample:
    script: str
    languages: str  # tesseract's
    title: str
    body: str

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}"


SAMPLES = (
    Sample("latin", "eng", "Functional programming",
           "Pure functions always return the same result for the same arguments, which makes code predictable."),
    Sample("cyrillic", "rus", "Функциональное программирование",
           "Чистые функции всегда возвращают один и тот же результат для одних и тех же аргументов."),
    Sample("greek", "ell", "Συναρτησιακός προγραμματισμός",
           "Οι καθαρές συναρτήσεις επιστρέφουν πάντα το ίδιο αποτέλεσμα για τα ίδια ορίσματα."),
    Sample("vietnamese", "vie", "Lập trình hàm",
           "Hàm thuần túy luôn trả về cùng một kết quả cho cùng các đối số, giúp mã dễ kiểm thử."),
    Sample("arabic", "ara", "البرمجة الوظيفية",
           "الدوال النقية تعيد دائما النتيجة نفسها للمعطيات نفسها، مما يجعل الشيفرة سهلة الاختبار."),
    Sample("hebrew", "heb", "תכנות פונקציונלי",
           "פונקציות טהורות מחזירות תמיד את אותה תוצאה עבור אותם ארגומנטים, ולכן קל לבדוק את הקוד."),
    Sample("devanagari", "hin", "सर्वे भवन्तु सुखिनः",
           "शुद्ध फ़ंक्शन समान तर्कों के लिए हमेशा समान परिणाम लौटाते हैं, जिससे कोड का परीक्षण आसान होता है।"),
    Sample("chinese", "chi_sim", "函数式编程",
           "纯函数对于相同的参数总是返回相同的结果，这使得代码更容易测试和理解。"),
    Sample("japanese", "jpn", "関数型プログラミング",
           "純粋関数は同じ引数に対して常に同じ結果を返すので、コードのテストが簡単になります。"),
    Sample("thai", "tha", "การเขียนโปรแกรมเชิงฟังก์ชัน",
           "ฟังก์ชันบริสุทธิ์จะคืนค่าผลลัพธ์เดียวกันเสมอสำหรับอาร์กิวเมนต์เดียวกัน ทำให้ทดสอบโค้ดได้ง่าย"),
)  # fmt: skip
BY_SCRIPT = {s.script: s for s in SAMPLES}
# The slide the OCR reads: dark text on a light page, no brand, one slide (no swipe hint).
THEME = "minimal"


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if not ch.isspace() and unicodedata.category(ch) != "Cf")


def score(expected: str, read: str) -> float:
    """Share of ``expected``'s characters found in order in ``read`` (LCS / len(expected))."""
    a, b = normalise(expected), normalise(read)
    if not a:
        return 1.0
    previous = [0] * (len(b) + 1)
    for ch in a:
        current = [0]
        for j, other in enumerate(b, 1):
            current.append(previous[j - 1] + 1 if ch == other else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1] / len(a)


@cache
def installed_languages() -> frozenset[str]:
    if shutil.which("tesseract") is None:
        return frozenset()
    out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, check=False).stdout
    return frozenset(line.strip() for line in out.splitlines()[1:] if line.strip())


def missing_languages(sample: Sample) -> list[str]:
    wanted = [*sample.languages.split("+"), "eng"]
    return [lang for lang in wanted if lang not in installed_languages()]


def ocr(image, languages: str) -> str:
    """Tesseract's reading of a PIL image (page segmentation: automatic)."""
    buf = io.BytesIO()
    image.convert("RGB").save(buf, "PNG")
    langs = languages if "eng" in languages.split("+") else f"{languages}+eng"
    result = subprocess.run(
        ["tesseract", "stdin", "stdout", "-l", langs, "--psm", "3"],
        input=buf.getvalue(),
        capture_output=True,
        check=True,
        timeout=120,
    )
    return result.stdout.decode("utf-8")


def render_ours(sample: Sample, size: tuple[int, int] = (1080, 1350)):
    """Our rendering of the sample, cropped to the title and body (what the score compares)."""
    from image_renderer.rendering import get_theme, layout_slide
    from image_renderer.rendering.render import draw_layout
    from vibecoder.content import Slide, SlideType

    slide = Slide(type=SlideType.PRINCIPLE, title=sample.title, content=sample.body, emoji="💡")
    layout = layout_slide(slide, 1, 1, get_theme(THEME), size, "")
    image = draw_layout(layout)
    boxes = [b.box for b in layout.blocks if b.role in ("title", "body")]
    pad = 24
    box = (
        max(0, min(b[0] for b in boxes) - pad),
        max(0, min(b[1] for b in boxes) - pad),
        min(size[0], max(b[2] for b in boxes) + pad),
        min(size[1], max(b[3] for b in boxes) + pad),
    )
    return image.crop(box)
