"""The offline knowledge base: markdown notes, their loaders, and a BM25 index over them.

A note is a markdown file with a small front matter::

    ---
    id: tdd            # optional; the file name without ".md" otherwise
    topic: tdd         # notes on the same subject in other languages share it (their tags are pooled)
    title: Test-Driven Development
    language: en
    tags: tdd, test-driven development, red green refactor, unit tests
    emoji: 🧪
    ---
    A one-paragraph hook (the cover's subtitle).

    ## Principles            (## Принципы)
    ### 🔴 Red first
    One short paragraph.

    ## Quotes                (## Цитаты)
    > The quote.
    > — Its Author

    ## Concepts              (## Понятия)
    ### Term
    A definition, optionally followed by one fenced code block.

    ## Summary               (## Итог)
    One paragraph for the closing slide.

Loaders are a seam: :class:`DirectorySource` reads a folder (the bundled one, or the operator's
``KNOWLEDGE_DIR``), :class:`S3Source` an S3 prefix. The index is built once per process per set of
sources (:func:`get_index`), which keeps warm invocations free of parsing.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from vibecoder.base import CamelModel
from vibecoder.content import DEFAULT_SIZE, TEXT_BUDGETS, TextBudget

from .text import bigrams, detect_language, leading_emoji, normalize, tokens

logger = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).resolve().parent / "knowledge"

_SECTION_ALIASES = {
    "principles": "principles", "принципы": "principles", "rules": "principles", "правила": "principles",
    "quotes": "quotes", "цитаты": "quotes",
    "concepts": "concepts", "понятия": "concepts", "концепции": "concepts", "термины": "concepts",
    "summary": "summary", "итог": "summary", "итоги": "summary", "коротко": "summary",
    "keywords": "keywords", "ключевые слова": "keywords",
}


# --- model ------------------------------------------------------------------------------------


class Principle(CamelModel):
    title: str
    description: str
    emoji: str | None = None


class Quote(CamelModel):
    text: str
    author: str | None = None


class Concept(CamelModel):
    term: str
    definition: str
    code: str | None = None  # an optional short snippet that illustrates the concept


@dataclass
class Note:
    id: str
    title: str
    language: str
    topic: str
    tags: list[str]
    emoji: str | None
    intro: str
    principles: list[Principle] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    concepts: list[Concept] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    summary: str = ""
    source: str = ""

    def problems(self, budget: TextBudget = TEXT_BUDGETS[DEFAULT_SIZE]) -> list[str]:
        """What does not fit the default slide's text budget (a note should be fixed, not cut)."""
        out = []
        for p in self.principles:
            if len(p.title) > budget.title or len(p.description) > budget.body:
                out.append(f"principle too long: {p.title[:40]!r}")
        for c in self.concepts:
            if len(c.term) > budget.title or len(c.definition) > budget.body:
                out.append(f"concept too long: {c.term[:40]!r}")
            lines = (c.code or "").strip("\n").splitlines()
            if len(lines) > budget.code_lines or any(len(line) > budget.code_width for line in lines):
                out.append(f"code too long: {c.term[:40]!r}")
        for q in self.quotes:
            if len(q.text) > budget.quote:
                out.append(f"quote too long: {q.text[:40]!r}")
        if len(self.summary) > budget.body:
            out.append("summary too long")
        return out


# --- parsing ----------------------------------------------------------------------------------


def _parse_front_matter(text: str) -> tuple[dict[str, str], str]:
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n---", 3)
    if end < 0:
        return {}, text
    meta: dict[str, str] = {}
    for line in text[3:end].splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, text[end + 4 :].lstrip("-\n")


def _split_list(value: str) -> list[str]:
    value = value.strip().strip("[]")
    return [v.strip().strip("\"'") for v in value.split(",") if v.strip()]


def _blocks(lines: list[str]) -> list[str]:
    """Paragraphs (blank-line separated), with fenced code kept as one block starting with ```."""
    out: list[str] = []
    buf: list[str] = []
    in_code = False
    for line in lines:
        if line.strip().startswith("```"):
            if in_code:
                buf.append(line)
                out.append("\n".join(buf))
                buf, in_code = [], False
                continue
            if buf:
                out.append("\n".join(buf))
            buf, in_code = [line], True
            continue
        if in_code:
            buf.append(line)
        elif line.strip():
            buf.append(line.strip())
        elif buf:
            out.append("\n".join(buf))
            buf = []
    if buf:
        out.append("\n".join(buf))
    return out


def _join(par: str) -> str:
    return re.sub(r"\s+", " ", par).strip()


def _code(block: str) -> str:
    lines = block.splitlines()
    return "\n".join(lines[1:-1] if lines[-1].strip().startswith("```") else lines[1:]).rstrip()


# A note's ``##`` sections by their canonical name, each a list of (``###`` heading or None, its lines).
_Sections = dict[str, list[tuple[str | None, list[str]]]]


def parse_note(text: str, *, name: str = "note", source: str = "") -> Note:
    """Parse one markdown note. Unknown sections are ignored; missing ones are simply empty."""
    meta, body = _parse_front_matter(text.replace("\r\n", "\n"))
    title, intro_lines, sections = _split_sections(body, meta.get("title", ""))
    principles, concepts, quotes = _principles(sections), _concepts(sections), _quotes(sections)
    keywords = _keywords(sections)
    summary = " ".join(_join(b) for _, lines in sections.get("summary", []) for b in _blocks(lines))
    intro = " ".join(_join(b) for b in _blocks(intro_lines) if not b.startswith("```"))
    tags = _split_list(meta.get("tags", "") + "," + meta.get("keywords", ""))
    language = meta.get("language") or meta.get("lang") or detect_language(title, intro)
    note_id = meta.get("id") or name
    return Note(
        id=note_id,
        title=title or note_id,
        language="ru" if language.lower().startswith("ru") else "en",
        topic=meta.get("topic") or note_id.removesuffix(f"-{language}").removesuffix(f".{language}"),
        tags=tags,
        emoji=meta.get("emoji") or None,
        intro=intro,
        principles=principles,
        quotes=quotes,
        concepts=concepts,
        keywords=keywords or tags[:8],
        summary=summary,
        source=source,
    )


def _split_sections(body: str, title: str) -> tuple[str, list[str], _Sections]:
    """The title (the front matter's, else the first ``#`` line), the lines before the first
    ``##`` section (the intro), and the sections."""
    sections: _Sections = {}
    intro_lines: list[str] = []
    current: str | None = None
    for line in body.splitlines():
        h2 = re.match(r"^##\s+(.+?)\s*$", line)
        h3 = re.match(r"^###\s+(.+?)\s*$", line)
        h1 = re.match(r"^#\s+(.+?)\s*$", line)
        if h1 and not title:
            title = h1.group(1)
            continue
        if h2:
            current = _SECTION_ALIASES.get(normalize(h2.group(1)).strip(" :"), "other")
            sections.setdefault(current, [])
            continue
        if current is None:
            intro_lines.append(line)
        elif h3:
            sections[current].append((h3.group(1), []))
        else:
            if not sections[current]:
                sections[current].append((None, []))
            sections[current][-1][1].append(line)
    return title, intro_lines, sections


def _principles(sections: _Sections) -> list[Principle]:
    """One per ``###`` heading (its paragraphs the description), or one per "- **Title** — text" item."""
    principles: list[Principle] = []
    for heading, lines in sections.get("principles", []):
        if heading is None:
            principles += _listed_principles(lines)
            continue
        emoji, heading_text = leading_emoji(heading)
        paragraphs = [b for b in _blocks(lines) if not b.startswith("```")]
        principles.append(Principle(title=heading_text, description=_join(" ".join(paragraphs)), emoji=emoji))
    return principles


def _listed_principles(lines: list[str]) -> list[Principle]:
    """The "- **Title** — description" list items (an emoji may stand before the title)."""
    principles: list[Principle] = []
    for item in "\n".join(lines).split("\n- "):
        m = re.match(r"^-?\s*(?:(\S+)\s+)?\*\*(.+?)\*\*\s*[—:–-]\s*(.+)$", item.strip(), re.S)
        if m:
            emoji, _ = leading_emoji(f"{m.group(1) or ''} x")
            principles.append(Principle(title=m.group(2).strip(), description=_join(m.group(3)), emoji=emoji))
    return principles


def _concepts(sections: _Sections) -> list[Concept]:
    """One per ``###`` term: its paragraphs the definition, its first fenced block the code."""
    concepts: list[Concept] = []
    for heading, lines in sections.get("concepts", []):
        if heading is None:
            continue
        blocks = _blocks(lines)
        code = next((_code(b) for b in blocks if b.startswith("```")), None)
        definition = _join(" ".join(b for b in blocks if not b.startswith("```")))
        concepts.append(Concept(term=leading_emoji(heading)[1], definition=definition, code=code or None))
    return concepts


def _quotes(sections: _Sections) -> list[Quote]:
    """One per ``>`` block; a last line "— Name" is its author."""
    quotes: list[Quote] = []
    for _, lines in sections.get("quotes", []):
        for block in _blocks(lines):
            qlines = [ln.lstrip(">").strip() for ln in block.splitlines() if ln.strip()]
            author = None
            if qlines and re.match(r"^[—–-]{1,2}\s*\S", qlines[-1]):
                author = qlines.pop().lstrip("—–- ").strip()
            quote_text = _join(" ".join(qlines))
            if quote_text:
                quotes.append(Quote(text=quote_text, author=author or None))
    return quotes


def _keywords(sections: _Sections) -> list[str]:
    keywords: list[str] = []
    for _, lines in sections.get("keywords", []):
        keywords += _split_list(" ".join(ln.lstrip("- ").strip() for ln in lines if ln.strip()).replace(";", ","))
    return keywords


# --- sources (the loader seam) ----------------------------------------------------------------


class KnowledgeSource(Protocol):
    """Where notes come from. ``key`` identifies the source for the per-process cache.

    A source may also offer ``version() -> str``: when it changes, the index is rebuilt (folders
    do, so a note dropped into a folder is picked up by a running local server; S3 does not, to
    spare a list call per request: new objects arrive with new execution environments).
    """

    @property
    def key(self) -> str: ...

    def documents(self) -> Iterable[tuple[str, str]]:
        """(name, markdown text) pairs; the name is the note's default id."""
        ...


@dataclass(frozen=True)
class DirectorySource:
    """Every ``*.md`` file under a folder (recursively), in name order. A missing folder is empty."""

    path: Path

    @property
    def key(self) -> str:
        return f"dir:{self.path}"

    def version(self) -> str:
        """Changes when a note is added, removed or edited (~40 stat calls, ~0.5 ms).

        In Lambda the package is read-only, so nothing is watched there.
        """
        if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
            return ""
        root = Path(self.path)
        if not root.is_dir():
            return "missing"
        stats = [(f.name, f.stat().st_mtime_ns, f.stat().st_size) for f in root.rglob("*.md")]
        return f"{len(stats)}:{hash(tuple(sorted(stats)))}"

    def documents(self) -> Iterable[tuple[str, str]]:
        root = Path(self.path)
        if not root.is_dir():
            logger.warning("knowledge folder %s does not exist", root)
            return
        for file in sorted(root.rglob("*.md")):
            if file.name.lower() == "readme.md":
                continue
            try:
                text = file.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                logger.warning("skipping unreadable note %s", file)
                continue
            yield file.stem, text


@dataclass(frozen=True)
class S3Source:
    """Every ``*.md`` object under ``s3://bucket/prefix`` (boto3 imported only when used)."""

    bucket: str
    prefix: str = ""
    client: object | None = field(default=None, compare=False, hash=False)

    @property
    def key(self) -> str:
        return f"s3://{self.bucket}/{self.prefix}"

    def documents(self) -> Iterable[tuple[str, str]]:
        """The notes under the prefix. An object that cannot be read or decoded is skipped, and so is the
        whole prefix when S3 cannot be listed: each with a warning, counted in ``skipped`` (the handler
        turns it into a metric). The bundled notes serve whatever S3 does."""
        client = self.client
        if client is None:
            import boto3  # noqa: PLC0415 - only deployments with an S3 prefix pay for it

            client = boto3.client("s3")
        try:
            pages = list(client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix))
        except Exception as error:  # noqa: BLE001 - any S3 failure (denied, throttled, no network) skips S3
            _skip("listing", f"s3://{self.bucket}/{self.prefix}", error)
            return
        for obj in (obj for page in pages for obj in page.get("Contents", [])):
            key = obj["Key"]
            if not key.lower().endswith(".md"):
                continue
            try:
                text = client.get_object(Bucket=self.bucket, Key=key)["Body"].read().decode("utf-8")
            except Exception as error:  # noqa: BLE001 - one unreadable object must not cost the others
                _skip("object", f"s3://{self.bucket}/{key}", error)
                continue
            yield key.rsplit("/", 1)[-1][:-3], text


skipped: Counter[str] = Counter()  # S3 knowledge "listing"/"object" skips since the handler last reported them


def _skip(kind: str, where: str, error: Exception) -> None:
    logger.warning("knowledge: skipping %s %s (%s: %s)", kind, where, type(error).__name__, error)
    skipped[kind] += 1


def sources_from_settings(knowledge_dirs: Sequence[str | Path] = (), *, include_bundled: bool = True,
                          s3_uri: str | None = None) -> list[KnowledgeSource]:
    sources: list[KnowledgeSource] = [DirectorySource(BUNDLED_DIR)] if include_bundled else []
    for d in knowledge_dirs:
        p = Path(d).resolve()
        if p != BUNDLED_DIR:
            sources.append(DirectorySource(p))
    if s3_uri:
        bucket, _, prefix = s3_uri.removeprefix("s3://").partition("/")
        sources.append(S3Source(bucket, prefix))
    return sources


# --- BM25 -------------------------------------------------------------------------------------

TITLE_WEIGHT = 3
TAG_WEIGHT = 3
# The coverage check (see KnowledgeIndex.coverage); tuned on bench/content_eval_data/topics.json and
# the quality test's topics: every covered topic passes, no uncovered one does.
MIN_COVERAGE = 0.5  # of the query's meaning, by the notes chosen together
MIN_PRIMARY_COVERAGE = 0.25  # by each of them alone
MENTION_CREDIT = 0.5  # a term a note mentions, against one it is about
MAX_COVERING = 3


@dataclass
class Hit:
    note: Note
    score: float
    coverage: float = 0.0


class KnowledgeIndex:
    """Okapi BM25 over each note's title, tags (pooled across languages of the same topic) and body.

    Small enough that a hand-written index beats a dependency: ~30-100 documents, a few thousand
    terms; a query is a loop over its terms' posting lists. Query terms also match index terms that
    share a long prefix (a second chance for the light stemmer), at half weight. Titles and tags
    are also indexed as adjacent-term pairs, so "code review" outranks notes that merely say
    "code" and "review" often.
    """

    k1 = 1.4
    b = 0.75

    def __init__(self, notes: Sequence[Note]):
        self.notes = list(notes)
        topic_tags: dict[str, list[str]] = {}
        for note in self.notes:
            topic_tags.setdefault(note.topic, []).extend([note.title, *note.tags])
        self._tf: list[Counter[str]] = []
        self._len: list[int] = []
        df: Counter[str] = Counter()
        for note in self.notes:
            terms: list[str] = []
            title_terms = tokens(note.title)
            terms += (title_terms + bigrams(title_terms)) * TITLE_WEIGHT
            for phrase in topic_tags[note.topic]:
                tag_terms = tokens(phrase)
                terms += (tag_terms + bigrams(tag_terms)) * TAG_WEIGHT
            terms += tokens(" ".join([note.intro, note.summary, *note.keywords]))
            for p in note.principles:
                terms += tokens(f"{p.title} {p.description}")
            for c in note.concepts:
                terms += tokens(f"{c.term} {c.term} {c.definition}")
            for q in note.quotes:
                terms += tokens(q.text)
            tf = Counter(terms)
            self._tf.append(tf)
            self._len.append(len(terms))
            df.update(tf.keys())
        n = max(len(self.notes), 1)
        self._avg = sum(self._len) / n if self._len else 1.0
        self._idf = {t: math.log(1 + (n - f + 0.5) / (f + 0.5)) for t, f in df.items()}
        self._unknown_idf = math.log(1 + (n + 0.5) / 0.5)  # a term no note has: as specific as it gets
        # What each note is about (its title and its subject's tags in every language), apart from
        # what it merely mentions: the coverage check needs the difference.
        self._subject: list[set[str]] = []
        for note in self.notes:
            subject = set(tokens(note.title))
            for phrase in topic_tags[note.topic]:
                subject |= set(tokens(phrase))
            self._subject.append(subject)
        self._by_prefix: dict[str, list[str]] = {}
        for term in self._idf:
            if len(term) >= 5:
                self._by_prefix.setdefault(term[:5], []).append(term)

    def __len__(self) -> int:
        return len(self.notes)

    def expand(self, term: str) -> list[tuple[str, float]]:
        """The index terms a query term matches, with weights (exact 1.0, shared prefix 0.5)."""
        out = [(term, 1.0)] if term in self._idf else []
        if len(term) >= 5:
            for other in self._by_prefix.get(term[:5], ()):
                if other != term and (other.startswith(term) or term.startswith(other)):
                    out.append((other, 0.5))
        return out

    def score_terms(self, query_terms: Sequence[str]) -> list[float]:
        scores = [0.0] * len(self.notes)
        for qt in dict.fromkeys(query_terms):
            for term, weight in self.expand(qt):
                idf = self._idf[term]
                for i, tf in enumerate(self._tf):
                    f = tf.get(term)
                    if f:
                        denom = f + self.k1 * (1 - self.b + self.b * self._len[i] / self._avg)
                        scores[i] += weight * idf * f * (self.k1 + 1) / denom
        return scores

    def search(self, query: str, *, language: str | None = None, limit: int = 5) -> list[Hit]:
        """Notes by relevance to *query*; notes in *language* first (others only when none match).

        Ranking only: a note that shares one weak word with the query ranks too. :meth:`covering`
        says whether a note is really about the query.
        """
        terms = tokens(query)
        scores = self.score_terms(terms + bigrams(terms))
        hits = [Hit(n, s) for n, s in zip(self.notes, scores, strict=True) if s > 0]
        hits.sort(key=lambda h: (-h.score, h.note.id))
        if language:
            same = [h for h in hits if h.note.language == language]
            if same:
                return same[:limit]
        return hits[:limit]

    def weight(self, term: str) -> float:
        """How specific a query term is: its IDF, or the highest IDF for a term no note has (a
        stem-prefix match counts: "rebasing" is known when "rebase" is)."""
        known = [self._idf[t] for t, _ in self.expand(term)]
        return max(known) if known else self._unknown_idf

    def _credits(self, terms: Sequence[str], i: int) -> list[float]:
        """Per query term, how much note *i* covers it: 1 for a subject term (its title, its subject's
        tags in every language), ``MENTION_CREDIT`` for a term its text only mentions, else 0."""
        out = []
        for term in terms:
            variants = [t for t, _ in self.expand(term)] or [term]
            if any(v in self._subject[i] for v in variants):
                out.append(1.0)
            elif any(v in self._tf[i] for v in variants):
                out.append(MENTION_CREDIT)
            else:
                out.append(0.0)
        return out

    def coverage(self, query: str, *notes: Note) -> float:
        """The share of the query's meaning (IDF-weighted terms) that *notes* cover together, 0..1.

        "How to price a freelance design project" against the DDD note: "design" is among its tags,
        but "price", "freelance" and "project" weigh far more, and the note has none of them.
        """
        terms = list(dict.fromkeys(tokens(query)))
        if not terms or not notes:
            return 0.0
        weights = [self.weight(t) for t in terms]
        credits = [self._credits(terms, self.notes.index(n)) for n in notes]
        covered = sum(w * max(c[j] for c in credits) for j, w in enumerate(weights))
        return covered / sum(weights)

    def covering(self, query: str, *, language: str | None = None, limit: int = MAX_COVERING) -> list[Hit]:
        """The notes that are about *query*, best first; empty when the knowledge base does not cover it.

        A note qualifies when one of the query's terms is among its subject terms and it covers at
        least ``MIN_PRIMARY_COVERAGE`` of the query alone. The best such notes (by :meth:`search`'s
        ranking, up to *limit*) must cover ``MIN_COVERAGE`` together: "Clean architecture for
        serverless apps" is covered by two notes, neither of which covers it alone.
        """
        terms = list(dict.fromkeys(tokens(query)))
        candidates = []
        for hit in self.search(query, language=language, limit=len(self.notes)):
            i = self.notes.index(hit.note)
            credits = self._credits(terms, i)
            if 1.0 in credits and self.coverage(query, hit.note) >= MIN_PRIMARY_COVERAGE:
                candidates.append(hit)
        chosen: list[Hit] = []
        for hit in candidates:
            if len(chosen) >= limit:
                break
            together = self.coverage(query, *(h.note for h in chosen), hit.note)
            if not chosen or together > self.coverage(query, *(h.note for h in chosen)):
                chosen.append(Hit(hit.note, hit.score, self.coverage(query, hit.note)))
        if not chosen or self.coverage(query, *(h.note for h in chosen)) < MIN_COVERAGE:
            return []
        return chosen

    def subjects(self, language: str) -> list[str]:
        """The titles of the subjects the notes cover, in *language* where a note exists in it."""
        by_topic: dict[str, Note] = {}
        for note in self.notes:
            if note.topic not in by_topic or note.language == language:
                by_topic[note.topic] = note
        return sorted((n.title for n in by_topic.values()), key=str.lower)


# --- per-process cache ------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[tuple[str, ...], tuple[tuple[str, ...], KnowledgeIndex]] = {}  # key → (versions, index)
last_load_ms: float = 0.0


def load_notes(sources: Sequence[KnowledgeSource]) -> list[Note]:
    """All notes from *sources*; a later source's note replaces an earlier one with the same id."""
    by_id: dict[str, Note] = {}
    for src in sources:
        for name, text in src.documents():
            try:
                note = parse_note(text, name=name, source=f"{src.key}/{name}")
            except Exception:  # noqa: BLE001 - one broken operator note must not break the rest
                logger.exception("skipping unreadable note %s in %s", name, src.key)
                continue
            for problem in note.problems():
                logger.warning("note %s: %s", note.id, problem)
            by_id[note.id] = note
    return list(by_id.values())


def get_index(sources: Sequence[KnowledgeSource]) -> KnowledgeIndex:
    """The index for *sources*, built on first use and kept for the life of the process
    (rebuilt when a source's ``version()`` changes)."""
    global last_load_ms
    key = tuple(s.key for s in sources)
    versions = tuple(s.version() if hasattr(s, "version") else "" for s in sources)
    cached = _cache.get(key)
    if cached is not None and cached[0] == versions:
        return cached[1]
    with _lock:
        cached = _cache.get(key)
        if cached is None or cached[0] != versions:
            started = time.perf_counter()
            index = KnowledgeIndex(load_notes(sources))
            last_load_ms = (time.perf_counter() - started) * 1000
            logger.info("knowledge index: %d notes in %.1f ms", len(index), last_load_ms)
            cached = (versions, index)
            _cache[key] = cached
    return cached[1]


def clear_cache() -> None:
    _cache.clear()


def env_knowledge_dirs() -> list[str]:
    raw = os.environ.get("KNOWLEDGE_DIR", "")
    return [p for p in raw.split(os.pathsep) if p.strip()]
