#!/usr/bin/env python3
"""Content evaluation: what the slides say, checked automatically (issue #12).

    python bench/content_eval.py [--no-write] [--section NAME] [--verbose] [--strict]

Three sets, all in ``bench/content_eval_data/``:

* ``topics.json``: topics the bundled notes cover and topics they do not (Russian, English and other
  languages), run through the offline provider (no AI key);
* ``texts/*.md``: pasted texts (retros, meeting notes, lists, essays, guides, posts) through the
  pasted-text path, whatever ``/lang`` says;
* ``scenarios.py``: scripted answers of a local OpenAI-compatible server (tests/unit/content/
  fake_openai_server.py), one per failure mode of the OpenAI path.

Each carousel is the content provider's output cut into slides by carousel-generator's
``build_slides``, exactly what the flow renders. The checks, per carousel:

* relevance: at least half of the topic's content words (or their stems) appear on the slides after
  the cover, or the request ended ``topic_not_covered``; a topic the notes do not cover must end so;
* language: the slides' language (Unicode script and function words) is the expected one;
* truncation: no title or body ends in ``…`` / ``...``; for pasted texts no title is a sentence cut off;
* empty: no slide but the cover without a body; duplicates: no two slides alike, no body repeating its title;
* fillers: no keyword-list, hashtag, "Note N" or stock call-to-action slides;
* budget: every slide fits the renderer's card at the theme's largest sizes (``layout_slide`` at
  1080×1350, themes glass and professional: no shrinking);
* pasted texts: every list item of the source on a slide; hashtags only words of the text;
* scripted answers: the model's own content (nothing added, order kept, markdown gone) or an honest
  fallback (the reason recorded, in time) or an honest ``topic_not_covered``.

A carousel's score is the share of its checks that pass; the score is their mean (×100). Prints a
table and writes it to BENCHMARKS.md (section ``content``, or ``--section``) unless ``--no-write``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "content_eval_data"
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(DATA))
import benchlib  # noqa: E402

benchlib.add_code_paths()

SIZE = (1080, 1350)
BUDGET_THEMES = ("glass", "professional")

# Function words of the languages the sets use: enough to tell them apart on a carousel's worth of text.
FUNCTION_WORDS = {
    "en": ["the", "and", "of", "to", "is", "in", "for", "with", "a", "on", "that", "it", "are", "be", "your", "you", "not", "as", "by", "this", "from", "or", "when", "every", "can"],
    "de": ["der", "die", "das", "und", "ist", "nicht", "mit", "ein", "eine", "den", "zu", "im", "für", "sich", "auf", "dem", "des", "von", "oder", "wird", "auch", "es", "bei"],
    "es": ["el", "la", "los", "las", "de", "que", "y", "en", "un", "una", "es", "por", "con", "para", "se", "del", "al", "lo", "como", "más", "o", "su", "sin"],
    "fr": ["le", "la", "les", "de", "des", "et", "un", "une", "est", "en", "du", "pour", "que", "qui", "dans", "pas", "sur", "au", "avec", "ce", "il", "se"],
}
STOPWORDS = set(
    ["a", "an", "and", "are", "as", "at", "be", "best", "by", "can", "do", "does", "for", "from", "get", "guide", "how", "in", "into", "is", "it", "its", "of", "on", "or", "practices", "the", "to", "tips", "vs", "what", "why", "with", "your", "you", "basics", "beginners", "introduction", "good", "great", "а", "в", "во", "для", "и", "или", "как", "какой", "на", "не", "о", "об", "от", "по", "при", "про", "с", "со", "у", "что", "это", "чтобы", "основы", "начинающих", "der", "die", "das", "und", "mit", "für", "im", "oder", "el", "la", "los", "las", "de", "del", "y", "en", "con", "para", "una", "un", "le", "les", "des", "et", "pour", "як", "в", "і", "та", "з", "для"]
)
FILLER_TITLES = {
    "key terms", "hashtags", "save it", "share it", "try it today", "your turn",
    "ключевые понятия", "хэштеги", "сохраните", "поделитесь", "попробуйте сегодня", "ваша очередь",
}
FILLER_TITLE_RE = re.compile(r"^(note|заметка)\s+\d+$", re.I)
BULLET_RE = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)])\s+(?P<item>\S.*)$")
SYMBOL_BULLET_RE = re.compile(r"^\s*(?P<marker>[^\w\s#>`]{1,3})\s+(?P<item>\S.*)$")
MARKDOWN_RE = re.compile(r"\*\*|__|(?<![\w])`|^#{1,6}\s|^\s*[-*]\s|\[[^\]]+\]\([^)]+\)", re.M)


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text).lower().replace("ё", "е")
    return " ".join(re.findall(r"\w+", text))


def stem(word: str) -> str:
    word = norm(word)
    return word if len(word) <= 4 else word[: min(7, max(4, len(word) - 3))]


def content_words(topic: str) -> list[str]:
    words = re.findall(r"[^\W_]+(?:[-+#][^\W_]+)*[+#]*", topic)
    out = []
    for w in words:
        for part in re.split(r"-", w):
            if norm(part) in STOPWORDS or (len(part) < 3 and not part.isupper()):
                continue
            out.append(part)
    return out


def detect_language(text: str) -> str:
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return "?"
    cyrillic = sum("\u0400" <= ch <= "\u04ff" for ch in letters)
    if cyrillic >= 0.3 * len(letters):
        uk = sum(text.count(ch) for ch in "іїєґІЇЄҐ")
        ru = sum(text.count(ch) for ch in "ыэъёЫЭЪЁ")
        return "uk" if uk > ru else "ru"
    words = norm(text).split()
    scores = {lang: sum(w in set(fw) for w in words) for lang, fw in FUNCTION_WORDS.items()}
    best = max(scores, key=scores.get)
    return best if scores[best] > 0 else "en"


# --- the code under test ----------------------------------------------------------------------------


def generate(request_fields: dict[str, Any], settings_fields: dict[str, Any] | None = None):
    from ai_content.logic import ContentSettings, generate_content
    from vibecoder.events.models import AiContentRequested

    request = AiContentRequested(request_id="eval", user_id="eval", **request_fields)
    settings = ContentSettings(**(settings_fields or {}))
    started = time.perf_counter()
    result = generate_content(request, settings=settings)
    return result, time.perf_counter() - started


def slides_of(result, count: int) -> list:
    from carousel_generator.slides import build_slides

    content = getattr(result, "content", None)
    if content is None or getattr(result, "failure", None):
        return []
    return build_slides(content, count)


_layout_cache: dict = {}


def fits_unshrunk(slide) -> bool:
    """The slide fits the card at the theme's largest sizes (the renderer did not shrink it)."""
    from image_renderer.rendering.layout import layout_slide
    from image_renderer.rendering.themes import get_theme

    for name in BUDGET_THEMES:
        theme = get_theme(name)
        layout = layout_slide(slide, 2, 5, theme, SIZE, brand="@handle")
        bmax = (theme.sizes.quote if slide.type == "quote" else theme.sizes.body)[0]
        if not layout.fits or layout.body_size != round(bmax * SIZE[0] / 1080):
            return False
    return True


# --- checks -----------------------------------------------------------------------------------------


@dataclass
class Item:
    group: str
    name: str
    checks: dict[str, bool] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def score(self) -> float:
        return sum(self.checks.values()) / len(self.checks) if self.checks else 1.0


def _text(slide) -> str:
    return f"{slide.title}\n{slide.content}"


def slide_checks(item: Item, slides: list, language: str) -> None:
    """The checks every carousel gets: language, truncation, empty, duplicates, fillers, budget."""
    body = [s for s in slides[1:]]
    prose = [s for s in slides if s.type != "code"]
    lang = detect_language(" ".join(f"{s.title} {s.content}" for s in prose if s.type != "quote") or "")
    item.checks["language"] = lang == language
    if lang != language:
        item.notes.append(f"language {lang}, expected {language}")
    truncated = [s.title for s in slides if re.search(r"(…|\.\.\.)\s*$", s.title)]
    truncated += [s.title for s in slides if any(re.search(r"(…|\.\.\.)\s*$", ln) for ln in s.content.splitlines())]
    item.metrics["truncation marks"] = len(truncated)
    item.checks["no truncation"] = not truncated
    empty = [s.title for s in body if not s.content.strip()]
    item.metrics["empty bodies"] = len(empty)
    item.checks["no empty bodies"] = not empty
    pairs = [(norm(s.title), norm(s.content)) for s in slides]
    bodies = [b for _, b in pairs if b]
    repeats = [s.title for s in slides if norm(s.content) and (norm(s.content) == norm(s.title)
               or (len(norm(s.title).split()) >= 3 and norm(s.content).startswith(norm(s.title))))]
    duplicates = (len(pairs) - len(set(pairs))) + (len(bodies) - len(set(bodies))) + len(repeats)
    item.metrics["duplicates"] = duplicates
    item.checks["no duplicates"] = duplicates == 0
    fillers = [s.title for s in slides if norm(s.title) in FILLER_TITLES or FILLER_TITLE_RE.match(s.title.strip())
               or (s.content.strip() and all(w.startswith("#") for w in s.content.split()))
               or (s.content.count(" · ") >= 2 and not re.search(r"[.!?]", s.content))]
    item.metrics["fillers"] = len(fillers)
    item.checks["no fillers"] = not fillers
    over = [s.title for s in slides if not fits_unshrunk(s)]
    item.metrics["over budget"] = len(over)
    item.metrics["slides"] = len(slides)
    item.checks["within budget"] = not over
    if over:
        item.notes.append(f"over budget: {over[:2]}")
    if fillers:
        item.notes.append(f"fillers: {fillers[:3]}")


def relevant(topic: str, slides: list) -> tuple[bool, float]:
    """At least half of the topic's content words appear on the slides (the cover's title aside: it
    echoes the topic), compared by the code's own light stemmer, or by a shared five-letter start."""
    from ai_content.text import stem

    terms = [stem(t) for t in content_words(topic)]
    if not terms:
        return True, 1.0
    words = {stem(w) for s in slides for w in re.findall(r"\w+", s.content if s is slides[0] else _text(s))}

    def matches(term: str) -> bool:
        return term in words or (len(term) >= 5 and any(w[:5] == term[:5] for w in words if len(w) >= 5))

    share = sum(matches(t) for t in terms) / len(terms)
    return share >= 0.5, share


def run_topics(verbose: bool) -> list[Item]:
    spec = json.loads((DATA / "topics.json").read_text(encoding="utf-8"))
    items = []
    for t in spec["topics"]:
        item = Item(t["group"], t["topic"] + (f" (/lang {t['lang']})" if t.get("lang") else ""))
        result, _ = generate({"topic": t["topic"], "slides_count": t["slides"], "language": t.get("lang")})
        failure = getattr(result, "failure", None) or ""
        not_covered = failure.startswith("topic_not_covered")
        slides = slides_of(result, t["slides"])
        item.metrics["not covered"] = float(not_covered)
        if t["expect"] is None:
            item.checks["honest no"] = not_covered
            is_relevant = relevant(t["topic"], slides)[0] if slides else False
            item.metrics["unrelated"] = float(bool(slides) and not is_relevant)
            item.metrics["carousel made"] = float(bool(slides))
            if slides:
                item.notes.append(f"made a carousel: {[s.title for s in slides[1:3]]}")
        else:
            item.checks["carousel made"] = bool(slides)
            if slides:
                ok, share = relevant(t["topic"], slides)
                item.checks["relevant"] = ok
                item.metrics["relevance"] = share
                if t.get("lead"):
                    first = slides[1] if len(slides) > 1 else slides[0]
                    item.checks["leads with what was asked"] = any(
                        w.startswith(stem(t["lead"])) for w in norm(_text(first)).split())
                item.checks["count"] = len(slides) == t["slides"]
                slide_checks(item, slides, t["language"])
            else:
                item.notes.append(f"no carousel: {failure}")
        items.append(item)
        if verbose:
            print(f"{item.score:4.2f} {item.group:15} {item.name} {item.notes}")
    return items


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    meta: dict[str, str] = {}
    if text.startswith("---"):
        head, _, text = text[3:].partition("\n---\n")
        for line in head.strip().splitlines():
            key, _, value = line.partition(":")
            meta[key.strip()] = value.strip()
    return meta, text.strip()


def list_items(text: str) -> list[str]:
    """The source's list items: bulleted or numbered lines, and runs of lines opened by one same symbol (❌ …)."""
    lines = text.splitlines()
    items = []
    for i, line in enumerate(lines):
        m = BULLET_RE.match(line)
        if m:
            items.append(m["item"].strip())
            continue
        m = SYMBOL_BULLET_RE.match(line)
        if m:
            neighbours = [SYMBOL_BULLET_RE.match(lines[j]) for j in (i - 1, i + 1) if 0 <= j < len(lines)]
            if any(n and n["marker"] == m["marker"] for n in neighbours):
                items.append(m["item"].strip())
    return items


def truncated_titles(slides: list, source: str) -> list[str]:
    """Titles cut off: ending in an ellipsis, or found in the source followed by more of the same sentence."""
    out = []
    flat = re.sub(r"\s+", " ", source)
    for s in slides:
        title = s.title.strip()
        if re.search(r"(…|\.\.\.)$", title):
            out.append(title)
            continue
        at = flat.find(title)
        if at >= 0 and len(title.split()) >= 3:
            after = flat[at + len(title): at + len(title) + 2]
            if re.match(r" [^\W\d_]", after) and not re.match(r" [A-ZА-ЯЁ]", after):
                out.append(title)
    return out


def run_texts(verbose: bool) -> list[Item]:
    items = []
    for path in sorted((DATA / "texts").glob("*.md")):
        meta, text = _front_matter(path.read_text(encoding="utf-8"))
        count = int(meta.get("slides", "6"))
        item = Item(f"texts-{meta['language'] if meta['language'] in ('ru', 'en') else 'other'}", path.stem)
        result, _ = generate({"source_text": text, "slides_count": count, "language": meta.get("lang") or None})
        slides = slides_of(result, count)
        item.checks["carousel made"] = bool(slides)
        if not slides:
            items.append(item)
            continue
        slide_checks(item, slides, meta["language"])
        expected = list_items(text)
        on_slides = [norm(_text(s)) for s in slides]
        kept = [i for i in expected if any(norm(i) in s for s in on_slides)]
        item.metrics["list items"] = len(expected)
        item.metrics["list items kept"] = len(kept)
        if expected:
            item.checks["list items kept"] = len(kept) == len(expected)
            missing = [i for i in expected if i not in kept]
            if missing:
                item.notes.append(f"lost items: {missing[:3]}")
        cut = truncated_titles(slides, text)
        item.metrics["truncated titles"] = len(cut)
        item.checks["no truncated titles"] = not cut
        if cut:
            item.notes.append(f"truncated titles: {cut[:2]}")
        source_words = set(norm(text).split())
        tags = getattr(result.content, "hashtags", [])
        fake = [h for h in tags if not all(w in source_words for w in norm(re.sub(r"(?<=[a-zа-я])(?=[A-ZА-Я])", " ", h)).split())]
        item.metrics["hashtags not in the text"] = len(fake)
        item.checks["hashtags from the text"] = not fake
        items.append(item)
        if verbose:
            print(f"{item.score:4.2f} {item.group:15} {item.name} {item.notes}")
    return items


def _answer_texts(scenario) -> list[str]:
    out = []
    for a in scenario.answers:
        for s in a["slides"]:
            out += [s["title"], s["body"], s.get("code") or "", s.get("author") or ""]
        out += [a["hook"], a["subtitle"], a["summary"], a.get("cta") or ""]
    return [norm(re.sub(r"\*\*|__|`|^#+\s|^- ", "", t, flags=re.M)) for t in out if t]


def _own(text: str, answer_texts: list[str]) -> bool:
    t = norm(text)
    return bool(t) and any(t in a or (len(a) > 12 and a in t) for a in answer_texts)


def run_scenarios(verbose: bool) -> list[Item]:
    from scenarios import SCENARIOS

    from tests.unit.content.fake_openai_server import FakeOpenAI

    try:
        from ai_content.circuit import reset_memory_store
    except ImportError:  # pragma: no cover - older layouts
        def reset_memory_store():
            return None

    items = []
    for sc in SCENARIOS:
        reset_memory_store()
        item = Item("openai-scripted", f"{sc.name}: {sc.mode}")
        with FakeOpenAI(*[step.reply for step in sc.steps]) as server:
            settings = {"openai_api_key": "eval-key", "openai_base_url": server.base_url, "openai_timeout_s": 2.0,
                        "openai_max_retries": 2, "openai_backoff_s": 0.01, "circuit_failure_threshold": 1000,
                        **sc.settings}
            request = {"topic": sc.topic, "source_text": sc.source_text, "slides_count": sc.slides, "language": sc.lang}
            result, elapsed = generate(request, settings)
        item.metrics["seconds"] = round(elapsed, 2)
        item.metrics["calls"] = len(server.requests)
        provider = getattr(result, "provider", None)
        reason = getattr(result, "fallback_reason", None) or ""
        failure = getattr(result, "failure", None) or ""
        slides = slides_of(result, sc.slides)
        if sc.expect == "own":
            item.checks["the model's own content"] = provider == "openai"
            if provider == "openai" and slides:
                answer_texts = _answer_texts(sc)
                middle = slides[1:-1] if len(slides) >= 3 else slides[1:]
                padded = [s.title for s in middle if not (_own(s.title, answer_texts) or _own(s.content, answer_texts))]
                item.metrics["padded slides"] = len(padded)
                item.checks["never padded"] = not padded
                if padded:
                    item.notes.append(f"padded: {padded[:3]}")
                if sc.count is not None:
                    item.checks["slide count"] = len(middle) == sc.count
                    if len(middle) != sc.count:
                        item.notes.append(f"{len(middle)} content slides, expected {sc.count}")
                if sc.order:
                    wanted = [norm(s["title"]) for s in sc.answers[-1]["slides"]]
                    got = [norm(s.title) for s in middle]
                    ranks = [wanted.index(g) for g in got if g in wanted]
                    item.checks["order kept"] = ranks == sorted(ranks) and len(ranks) == len(got)
                markdown = [s.title for s in slides if s.type != "code" and MARKDOWN_RE.search(_text(s))]
                item.checks["no markdown"] = not markdown
                slide_checks(item, slides, sc.language)
                if sc.source_text:
                    expected = list_items(sc.source_text)
                    on = [norm(_text(s)) for s in slides]
                    item.checks["list items kept"] = all(any(norm(i) in s for s in on) for i in expected)
            elif provider != "openai":
                item.notes.append(f"fell back: {reason or failure}")
        elif sc.expect == "fallback":
            item.checks["honest fallback"] = provider not in (None, "openai") and reason.startswith(sc.reason or "")
            item.checks["in time"] = elapsed <= sc.max_s
            if provider == "openai":
                item.notes.append("accepted the answer")
            elif not reason.startswith(sc.reason or ""):
                item.notes.append(f"reason {reason!r}")
        else:  # not_covered
            item.checks["honest no"] = failure.startswith("topic_not_covered")
            item.checks["reason recorded"] = reason.startswith(sc.reason or "")
            item.checks["in time"] = elapsed <= sc.max_s
            if slides:
                item.notes.append(f"made a carousel: {[s.title for s in slides[1:3]]}")
        if elapsed > sc.max_s:
            item.notes.append(f"{elapsed:.1f} s")
        items.append(item)
        if verbose:
            print(f"{item.score:4.2f} {item.group:15} {item.name} {item.notes}")
    return items


# --- report -------------------------------------------------------------------------------------------


def _sum(items: list[Item], metric: str) -> float:
    return sum(i.metrics.get(metric, 0.0) for i in items)


def goals(topics: list[Item], texts: list[Item], scenarios: list[Item]) -> list[tuple[str, str, str, bool]]:
    uncovered = [i for i in topics if "honest no" in i.checks]
    covered = [i for i in topics if "carousel made" in i.checks]
    items_total, items_kept = _sum(texts, "list items"), _sum(texts, "list items kept")
    kept_share = items_kept / items_total if items_total else 1.0
    return [
        ("uncovered topics: unrelated carousels", "0", f"{int(_sum(uncovered, 'unrelated'))} of {len(uncovered)}"
         f" ({int(_sum(uncovered, 'carousel made'))} carousels made)", _sum(uncovered, "carousel made") == 0),
        ("covered topics: a relevant carousel", "all", f"{sum(i.checks.get('relevant', False) for i in covered)} of {len(covered)}",
         all(i.checks.get("relevant", False) for i in covered)),
        ("pasted texts: list items kept", "≥ 95 %", f"{kept_share:.0%} ({int(items_kept)} of {int(items_total)})",
         kept_share >= 0.95),
        ("pasted texts: empty bodies", "0", f"{int(_sum(texts, 'empty bodies'))}", _sum(texts, "empty bodies") == 0),
        ("pasted texts: truncated titles", "0", f"{int(_sum(texts, 'truncated titles'))}", _sum(texts, "truncated titles") == 0),
        ("scripted OpenAI failure modes: own content or an honest fallback, never padding", "all",
         f"{sum(i.score == 1.0 for i in scenarios)} of {len(scenarios)} (padded slides: {int(_sum(scenarios, 'padded slides'))})",
         all(i.score == 1.0 for i in scenarios)),
    ]


def report(topics: list[Item], texts: list[Item], scenarios: list[Item], command: str, load: str, label: str = "") -> str:
    everything = topics + texts + scenarios
    score = 100 * sum(i.score for i in everything) / len(everything)
    groups: dict[str, list[Item]] = {}
    for i in everything:
        groups.setdefault(i.group, []).append(i)
    lines = [
        "## Content evaluation (issue #12)" + (f": {label}" if label else ""),
        "",
        *benchlib.preamble(command, load),
        f"- Sets: {len(topics)} topics, {len(texts)} pasted texts, {len(scenarios)} scripted OpenAI answers "
        "(`bench/content_eval_data/`); the checks are listed in `bench/content_eval.py`.",
        "",
        f"**Score: {score:.1f} / 100** (the mean share of checks passed per carousel)",
        "",
        "| group | carousels | score | not covered | unrelated | count ok | language ok | truncation marks | empty bodies | duplicates | fillers | over budget | list items kept | truncated titles | padded |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, members in groups.items():
        def count(check: str, members=members) -> str:
            having = [m for m in members if check in m.checks]
            return f"{sum(m.checks[check] for m in having)}/{len(having)}" if having else "—"

        listed = _sum(members, "list items")
        lines.append(
            f"| {name} | {len(members)} | {100 * sum(m.score for m in members) / len(members):.0f} | "
            f"{int(_sum(members, 'not covered'))} | {int(_sum(members, 'unrelated'))} | {count('count')} | "
            f"{count('language')} | {int(_sum(members, 'truncation marks'))} | {int(_sum(members, 'empty bodies'))} | "
            f"{int(_sum(members, 'duplicates'))} | {int(_sum(members, 'fillers'))} | {int(_sum(members, 'over budget'))} | "
            + (f"{int(_sum(members, 'list items kept'))}/{int(listed)}" if listed else "—")
            + f" | {int(_sum(members, 'truncated titles'))} | {int(_sum(members, 'padded slides'))} |")
    lines += ["", "| goal (issue #12) | target | measured | |", "| --- | --- | --- | --- |"]
    for goal, target, measured, ok in goals(topics, texts, scenarios):
        lines.append(f"| {goal} | {target} | {measured} | {'✅' if ok else '❌'} |")
    failing = [i for i in everything if i.score < 1.0]
    if failing:
        lines += ["", "<details><summary>Carousels that miss a check</summary>", ""]
        for i in failing:
            missed = ", ".join(k for k, v in i.checks.items() if not v)
            lines.append(f"- {i.group} · {i.name}: {missed}" + (f" ({'; '.join(i.notes)})" if i.notes else ""))
        lines += ["", "</details>"]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-write", action="store_true", help="print only; do not touch BENCHMARKS.md")
    parser.add_argument("--section", default="content", help="the BENCHMARKS.md section to write (default: content)")
    parser.add_argument("--verbose", action="store_true", help="one line per carousel as it is made")
    parser.add_argument("--strict", action="store_true", help="exit 1 unless every goal of issue #12 is met")
    parser.add_argument("--only", choices=["topics", "texts", "openai"], help="run one set (a partial score; nothing written)")
    parser.add_argument("--code-root", type=Path, help="evaluate the code of another checkout (e.g. the code before a change)")
    parser.add_argument("--label", default="", help="words for the section's heading (e.g. which code was evaluated)")
    args = parser.parse_args()
    if args.code_root:  # its functions/ and shared layer first; the sets and the fake server stay this checkout's
        root = args.code_root.resolve()
        sys.path[:0] = [str(root / "functions"), str(root / "layers" / "shared" / "python")]
    import logging
    import os

    for key, value in benchlib.QUIET_ENV.items():
        os.environ.setdefault(key, value)
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "KNOWLEDGE_DIR", "KNOWLEDGE_S3_URI", "CONTENT_PROVIDER"):
        os.environ.pop(name, None)
    logging.disable(logging.CRITICAL)
    load = benchlib.load_average()
    started = time.perf_counter()
    wanted = {args.only} if args.only else {"topics", "texts", "openai"}
    topics = run_topics(args.verbose) if "topics" in wanted else []
    texts = run_texts(args.verbose) if "texts" in wanted else []
    scenarios = run_scenarios(args.verbose) if "openai" in wanted else []
    args.no_write = args.no_write or bool(args.only)
    command = "python bench/content_eval.py" + (f" --section {args.section}" if args.section != "content" else "")
    if args.code_root:
        command += " --code-root <checkout>"
    text = report(topics, texts, scenarios, command, load, args.label)
    text += f"\n\nThe whole evaluation took {time.perf_counter() - started:.1f} s."
    print(text)
    met = all(ok for *_, ok in goals(topics, texts, scenarios))
    if not args.no_write:
        benchlib.write_section(args.section, text)
        everything = topics + texts + scenarios
        benchlib.save_result(args.section, {
            "score": round(100 * sum(i.score for i in everything) / len(everything), 1),
            "goals": [{"goal": g, "target": t, "measured": m, "ok": ok} for g, t, m, ok in goals(topics, texts, scenarios)],
        })
    return 0 if met or not args.strict else 1


if __name__ == "__main__":
    raise SystemExit(main())
