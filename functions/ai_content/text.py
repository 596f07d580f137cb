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


_STOP = EN_STOPWORDS | RU_STOPWORDS


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


def detect_language(*texts: str | None, default: str = "en") -> str:
    """"ru" when Cyrillic letters dominate the given texts, "en" when Latin does, else *default*."""
    joined = " ".join(t for t in texts if t)
    cyr = len(_CYRILLIC_RE.findall(joined))
    lat = len(_LATIN_RE.findall(joined))
    if cyr == 0 and lat == 0:
        return default
    return "ru" if cyr >= lat * 0.5 and cyr > 0 else "en"


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
_SENTENCE_RE = re.compile(r"(?<=[.!?…])[\"»”)]*\s+(?=[\"«“(]?[A-ZА-ЯЁ0-9])")


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
