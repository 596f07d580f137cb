"""Text helpers shared by retrieval and structuring: tokens, light stemming, language, sentences.

Everything here is pure Python and cheap to import (no numpy, no NLP library): the ai-content
Lambda pays for nothing it does not use at cold start.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

ELLIPSIS = "…"

_WORD_RE = re.compile(r"[0-9A-Za-zÀ-ÖØ-öø-ÿА-Яа-яЁё]+(?:[-'’+#][0-9A-Za-zА-Яа-яЁё]+)*[+#]*")


def _wordlist(text: str) -> list[str]:
    return text.split()


_CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")
_LATIN_RE = re.compile(r"[A-Za-z]")

EN_STOPWORDS = frozenset(
    _wordlist(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing done down during each else etc few for from
    further get gets got had has have having he her here hers him his how i if in into is it its itself
    just let like make makes may me might more most much must my no nor not now of off on once one only
    or other our ours out over own per same shall she should so some such than that the their theirs them
    then there these they this those through thus to too under until up upon us use used uses using very
    via was we were what when where which while who whom why will with within without would you your yours
    yourself with vs way ways thing things lot lots new good better best really get cannot can't ever"""
    )
)

RU_STOPWORDS = frozenset(
    _wordlist(
    """а без более бы был была были было быть в вам вас весь во вот все всего всех вы где да даже для до
    его ее её ей ему если есть еще ещё же за здесь и из или им их к как какой когда кто ли либо между меня
    мне много может можно мы на над надо наш не него нее неё нет ни них но ну о об однако он она они оно
    от очень по под после при про с сам свой себя со так также такой там те тем то того тоже той только
    том ту тут ты у уже хотя чего чем что чтобы эта эти это этого этой этом этот я через при всё свою
    своих свои своей который которая которые которых которой котором чтоб пока каждый каждая каждое
    ваш ваша ваши твой твоя почему зачем нужно нужен нужна нужны важно важны"""
    )
)

# Longest suffix first. A light stemmer: enough to make "тесты"/"тестирование"/"тестов" and
# "testing"/"tests"/"tested" meet, not a linguistic tool.
_RU_SUFFIXES = tuple(
    sorted(
        _wordlist(
        """иями ями ами ией ией ого его ому ему ыми ими ться тся ешь ете ите ить ать ять еть уть ость
        ости ость ение ения ению ением ениям ениях ений ание ания анию анием аний ировани ирование
        ировать ируй ирует ировал ные ный ная ное ной ную ных ным ими ыми ие ий ый ая яя ое ее ей ой ую
        юю ые ов ев ам ям ах ях ом ем ию ия ье ья ью ии а я о е ы и у ю ь й"""
        ),
        key=len,
        reverse=True,
    )
)
_EN_SUFFIXES = (
    "izations", "ization", "ational", "fulness", "iveness", "ations", "ation", "ments", "ment",
    "ingly", "ings", "ing", "ities", "ity", "ness", "ably", "ibly", "ies", "ied", "ive", "ers",
    "er", "ed", "ly", "es", "s",
)
_RU_SET = frozenset(_RU_SUFFIXES)
_EN_SET = frozenset(_EN_SUFFIXES)
_RU_MAX = max(map(len, _RU_SUFFIXES))
_EN_MAX = max(map(len, _EN_SUFFIXES))


def normalize(text: str) -> str:
    """Lower-case, ё → е, typographic apostrophes unified."""
    return unicodedata.normalize("NFC", text).lower().replace("ё", "е").replace("’", "'")


def words(text: str) -> list[str]:
    """Surface word forms, in order (case kept)."""
    return _WORD_RE.findall(text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light, language-aware suffix stripper (Cyrillic → Russian rules, else English)."""
    w = normalize(word)
    if len(w) <= 3 or not w.isalpha():
        return w
    if _CYRILLIC_RE.search(w):
        for size in range(min(_RU_MAX, len(w) - 3), 0, -1):
            if w[-size:] in _RU_SET:
                return w[:-size]
        return w
    for size in range(min(_EN_MAX, len(w) - 3), 0, -1):
        suffix = w[-size:]
        if suffix in _EN_SET:
            w = w[:-size]
            if suffix in ("ies", "ied", "ities"):
                w += "i"
            break
    if len(w) > 4 and w[-1] == w[-2] and w[-1] not in "lsz":  # "testing" → "test", "running" → "run"
        w = w[:-1]
    if w.endswith("e") and len(w) > 4:
        w = w[:-1]
    return w


UK_STOPWORDS = frozenset(_wordlist("і й та що це як для на не у з до від по за при про але або чи ще вже його її їх ми ви"))


def is_stopword(word: str) -> bool:
    return normalize(word) in _STOP


def tokens(text: str) -> list[str]:
    """Stemmed index terms of a text, stop words dropped, in order.

    A hyphenated word yields its parts and the whole ("event-driven" → "event", "driven",
    "event-driven").
    """
    out: list[str] = []
    for word in _WORD_RE.findall(normalize(text)):
        if "-" in word or "'" in word:
            for part in re.split(r"[-']", word):
                if part and part not in _STOP and (len(part) > 1 or part.isdigit()):
                    out.append(stem(part))
            if "-" in word:
                out.append(word)
            continue
        if word in _STOP or (len(word) == 1 and not word.isdigit()):
            continue
        out.append(stem(word))
    return out


def bigrams(terms: list[str]) -> list[str]:
    """Adjacent term pairs ("code review" → "code review"), for phrase-aware matching."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


# Words frequent in one language and rare in the others (short topics give few of them; a pasted
# text gives plenty). English is the default when nothing else wins.
_FUNCTION_WORDS = {
    "en": ["the", "and", "of", "to", "is", "are", "with", "for", "your", "you", "this", "that", "from", "how", "what", "why", "when", "which", "not", "be", "by", "it"],
    "de": ["der", "die", "das", "und", "ist", "nicht", "mit", "ein", "eine", "einen", "den", "dem", "des", "zu", "im", "für", "sich", "auf", "von", "oder", "wird", "auch", "bei", "wie", "nach", "aus", "ich", "wir", "ihr", "sie", "sind", "ohne", "über", "unter", "zum", "zur", "beim"],
    "es": ["el", "los", "las", "que", "y", "una", "del", "al", "por", "con", "para", "se", "es", "como", "más", "pero", "sus", "este", "esta", "son", "cómo", "qué", "sobre", "entre", "también", "muy", "hay", "puede"],
    "fr": ["le", "les", "des", "et", "une", "est", "du", "pour", "que", "qui", "dans", "pas", "sur", "au", "avec", "ce", "il", "sont", "cette", "comment", "vous", "nous"],
    "it": ["il", "lo", "gli", "che", "e", "una", "è", "del", "della", "per", "con", "non", "sono", "come", "più", "nel", "alla", "questo", "questa"],
    "pt": ["o", "os", "as", "que", "e", "uma", "é", "do", "da", "dos", "das", "para", "com", "não", "por", "como", "mais", "no", "na", "em", "se", "são", "você"],
    "nl": ["de", "het", "een", "en", "van", "is", "niet", "met", "voor", "op", "dat", "die", "zijn", "je", "ook", "maar", "hoe", "wat"],
    "pl": ["i", "w", "na", "z", "się", "nie", "do", "to", "że", "jest", "jak", "co", "po", "od", "za", "dla", "oraz", "czy"],
    "tr": ["ve", "bir", "bu", "için", "ile", "da", "de", "ne", "çok", "daha", "gibi", "olan", "nasıl"],
}
_FUNCTION_SETS = {lang: frozenset(ws) for lang, ws in _FUNCTION_WORDS.items()}
# Stop words: the English and Russian lists, Ukrainian's, and the other languages' function words (a
# German "oder" in a topic must not count as a term no note has).
_STOP = EN_STOPWORDS | RU_STOPWORDS | UK_STOPWORDS | frozenset(w for ws in _FUNCTION_SETS.values() for w in ws)
_SHARED = {w for lang, ws in _FUNCTION_SETS.items() for w in ws if sum(w in o for o in _FUNCTION_SETS.values()) > 1}
_DIACRITICS = {"de": "äöüß", "es": "ñ¿¡", "fr": "èêçœà", "pt": "ãõç", "pl": "ąęłńśźż", "tr": "ğışç", "it": "ìò"}
# Scripts that name their language (the first match wins): Unicode ranges.
_SCRIPTS = [
    ("ja", re.compile(r"[\u3040-\u30ff]")), ("ko", re.compile(r"[\uac00-\ud7af]")),
    ("zh", re.compile(r"[\u4e00-\u9fff]")), ("ar", re.compile(r"[\u0600-\u06ff]")),
    ("he", re.compile(r"[\u0590-\u05ff]")), ("hi", re.compile(r"[\u0900-\u097f]")),
    ("th", re.compile(r"[\u0e00-\u0e7f]")), ("el", re.compile(r"[\u0370-\u03ff]")),
    ("ka", re.compile(r"[\u10a0-\u10ff]")), ("hy", re.compile(r"[\u0530-\u058f]")),
]
_UKRAINIAN = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")


def language_scores(*texts: str | None) -> dict[str, float]:
    """Evidence for each language in *texts*: letters of a script, or function words and diacritics."""
    joined = " ".join(t for t in texts if t)
    letters = sum(ch.isalpha() for ch in joined) or 1
    scores: dict[str, float] = {}
    for lang, pattern in _SCRIPTS:
        found = len(pattern.findall(joined))
        if found:
            scores[lang] = found / letters * 10
    cyrillic = len(_CYRILLIC_RE.findall(joined))
    latin = len(_LATIN_RE.findall(joined))
    if cyrillic and cyrillic >= latin * 0.5:
        ukrainian, russian = len(_UKRAINIAN.findall(joined)), len(_RUSSIAN_ONLY.findall(joined))
        scores["uk" if ukrainian > russian else "ru"] = cyrillic / letters * 10
    if latin and latin > cyrillic:
        lowered = normalize(joined)
        found_words = re.findall(r"[^\W\d_]+", lowered)
        for lang, words_of in _FUNCTION_SETS.items():
            hits = sum(1.0 if w not in _SHARED else 0.3 for w in found_words if w in words_of)
            hits += 0.5 * sum(lowered.count(ch) for ch in _DIACRITICS.get(lang, ""))
            if hits:
                scores[lang] = hits
    return scores


def guess_language(*texts: str | None) -> str | None:
    """The language of *texts* as an ISO 639-1 code, or None without evidence: by script (Cyrillic:
    Russian or Ukrainian; CJK, Arabic, Hebrew, Devanagari, Thai, Greek, …), else by function words and
    diacritics among the Latin-script languages (a tie goes to English)."""
    scores = language_scores(*texts)
    if not scores:
        return None
    return max(scores, key=lambda lang: (scores[lang], lang == "en"))


def detect_language(*texts: str | None, default: str = "en") -> str:
    """:func:`guess_language`, or *default* without evidence (Latin text without clues, such as most
    technical topics: "Docker multi-stage builds")."""
    return guess_language(*texts) or default


def shorten(text: str, limit: int) -> str:
    """*text* in at most *limit* characters, cut on a word boundary and marked with an ellipsis.

    Whitespace is collapsed. A text that fits is returned unchanged (stripped).
    """
    text = re.sub(r"[ \t]+", " ", text.strip())
    if len(text) <= limit:
        return text
    if limit <= 1:
        return ELLIPSIS[:limit]
    cut = text[: limit - 1]
    space = max(cut.rfind(" "), cut.rfind("\n"))
    if space >= limit // 3:
        cut = cut[:space]
    cut = cut.rstrip(" \n,;:—–-(")
    return cut + ELLIPSIS


_ABBREVIATIONS = ("e.g", "i.e", "etc", "vs", "т.е", "т.д", "т.п", "др", "см", "mr", "dr", "г")
# A sentence ends at . ! ? … followed by a capital (any script with case), or at the full-width marks
# of Chinese and Japanese, which need no space after them.
_SENTENCE_RE = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[\"«“(¿¡]?[^\W\d_a-zа-яё]|[0-9])|(?<=[。！？])")


def sentences(text: str) -> list[str]:
    """Split a paragraph into sentences (period/!/?/… followed by a capital), keeping them verbatim."""
    text = re.sub(r"\s+", " ", text.strip())
    if not text:
        return []
    parts: list[str] = []
    start = 0
    for m in _SENTENCE_RE.finditer(text):
        candidate = text[start : m.start()].strip()
        last_word = candidate.rsplit(" ", 1)[-1].rstrip(".").lower()
        if last_word in _ABBREVIATIONS or (len(last_word) == 1 and last_word.isalpha() and last_word.isupper()):
            continue
        if candidate:
            parts.append(text[start : m.end()].strip())
            start = m.end()
    parts = [p for p in parts if p]
    tail = text[start:].strip()
    if tail:
        parts.append(tail)
    return parts


def unique(items: Iterable[str], *, key=normalize) -> list[str]:
    """Items in order, first occurrence of each (compared by *key*)."""
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        k = key(item)
        if k and k not in seen:
            seen.add(k)
            out.append(item)
    return out


def leading_emoji(text: str) -> tuple[str | None, str]:
    """Split a leading emoji (a first token without letters or digits) off a heading."""
    text = text.strip()
    head, _, rest = text.partition(" ")
    if head and rest and not any(ch.isalpha() for ch in head) and any(ord(ch) > 0x2000 for ch in head):
        return head, rest.strip()
    return None, text


# --- fitting a budget without cutting a word --------------------------------------------------

_CLAUSE_RE = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–]\s)")


def fit_sentences(text: str, limit: int) -> str:
    """The leading whole sentences of *text* that fit *limit* ("" when even the first does not)."""
    out = ""
    for sentence in sentences(text):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out


def fit_text(text: str, limit: int) -> str:
    """*text* within *limit*, never cut inside a word: whole sentences; when even the first sentence is
    longer, its leading clauses ("…, …; …") ended with a full stop; only when a single clause is longer
    still, words, ended with an ellipsis (a visible mark that something was left out)."""
    text = re.sub(r"[ \t]+", " ", text.strip())
    if len(text) <= limit:
        return text
    kept = fit_sentences(text, limit)
    if kept:
        return kept
    first = sentences(text)[0] if sentences(text) else text
    clauses = _CLAUSE_RE.split(first)
    out = ""
    for clause in clauses:
        candidate = f"{out} {clause}".strip()
        if len(candidate) + 1 > limit:
            break
        out = candidate
    if out and len(out.split()) >= 3:
        return out.rstrip(" ,;:—–") + "."
    return shorten(text, limit)


_MD_LINK = re.compile(r"!?\[([^\]]+)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_MD_CODE = re.compile(r"`([^`\n]+)`")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_MD_BULLET = re.compile(r"^\s*[-*+]\s+", re.M)
_MD_QUOTE = re.compile(r"^\s*>\s?", re.M)


def strip_markdown(text: str) -> str:
    """Plain text from a model's markdown: emphasis, inline code, links and headings go; a list item
    keeps a bullet (•), which the renderer draws as one."""
    text = _MD_LINK.sub(r"\1", text)
    text = _MD_CODE.sub(r"\1", text)
    for _ in range(2):  # nested emphasis (***x***)
        text = _MD_EMPHASIS.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text = _MD_HEADING.sub("", text)
    text = _MD_QUOTE.sub("", text)
    text = _MD_BULLET.sub("• ", text)
    return re.sub(r"[ \t]+", " ", text).strip()
