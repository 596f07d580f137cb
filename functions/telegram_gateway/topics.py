"""Reading what a user asked for: a leading number, a request phrase, a topic or a pasted text.

**A leading number** ("/carousel 7 TDD", "/carousel 10 дней кода", "/carousel 12 rules for life") is
a slide count or part of the topic. The number belongs to the topic when a counted noun follows it
(one of the next two words: "7 *habits*", "5 simple *ways*", "10 *дней* кода", "7 новых *привычек*");
then, in the range of slides, the bot asks with two buttons, and outside it the whole text is the
topic with the default count. Without a counted noun the number is the count (and outside the range
it is refused, as before). A counted noun is a word of :data:`COUNTED_NOUNS` (common nouns people
count in titles, every form a number takes in Russian: "3 шага", "5 шагов"), or a word that looks
like one: an English lowercase regular plural ("habits", "ways", but not "TDD" or "class"), a
Russian lowercase genitive plural after a number ("-ов", "-ев", "-ей", "-ий", "-ек", "-ок") or a
plural adjective before one ("-ых", "-их"). A false positive costs one tap, never a wrong carousel.

**A request phrase** ("make a carousel about …", "Сделай карусель про эту схему: …") before the
topic is dropped: after a colon the rest is the topic, else what follows the phrase.

**A pasted text** is several paragraphs, or one paragraph over TOPIC_MAX_CHARS that reads like text
(at least TEXT_MIN_WORDS words): the same rule after /carousel and for a bare message
(``logic.is_source_text``). Anything else over TOPIC_MAX_CHARS is a topic too long.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LEADING_NUMBER = re.compile(r"^(?P<count>\d{1,3})\s+(?P<rest>.+)$", re.DOTALL)
WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
TEXT_MIN_WORDS = 10  # a single paragraph over TOPIC_MAX_CHARS with fewer words is a topic too long

# Nouns titles count ("7 habits of…", "10 дней кода"), with the forms a number takes in Russian
# (1 день, 2–4 дня, 5+ дней). Lowercase; matched on the lowercased word.
_COUNTED_NOUN_WORDS = """
days weeks months years hours minutes seconds steps ways rules tips habits mistakes reasons principles
lessons questions answers ideas facts myths tricks tools signs things books laws commandments patterns
secrets keys lines words chapters psalms verses parables prayers practices examples exercises skills
stages levels people quotes truths lies problems solutions methods techniques strategies
pillars points thoughts stories apps games movies films songs places
день дня дней неделя недели недель месяц месяца месяцев год года лет час часа часов минута минуты минут
шаг шага шагов способ способа способов правило правила правил совет совета советов привычка привычки
привычек ошибка ошибки ошибок причина причины причин принцип принципа принципов урок урока уроков
вопрос вопроса вопросов идея идеи идей факт факта фактов миф мифа мифов приём приема приёма приёмов
приемов инструмент инструмента инструментов признак признака признаков вещь вещи вещей книга книги книг
закон закона законов заповедь заповеди заповедей псалом псалма псалмов глава главы глав стих стиха стихов
притча притчи притч молитва молитвы молитв пример примера примеров упражнение упражнения упражнений
навык навыка навыков этап этапа этапов уровень уровня уровней цитата цитаты цитат истина истины истин
история истории историй задача задачи задач решение решения решений метод метода методов техника техники
техник стратегия стратегии стратегий тезис тезиса тезисов мысль мысли мыслей слово слова слов строка
строки строк фраза фразы фраз паттерн паттерна паттернов секрет секрета секретов ключ ключа ключей
"""
COUNTED_NOUNS = frozenset(_COUNTED_NOUN_WORDS.split())
ENGLISH_PLURAL = re.compile(r"^[a-z]{2,}(?<![su])s$|^[a-z]+(?:ies|ses|xes|ches|shes)$")
RUSSIAN_COUNTED = re.compile(r"^[а-яё]{2,}(?:ов|ев|ёв|ей|ий|ек|ок|ых|их)$")

# "make a carousel about …", "please create me a carousel on …", "Сделай карусель про …", "Сделайте, пожалуйста,
# карусель на тему …": the verb, then "carousel" within a few words, then a preposition.
REQUEST_PHRASE = re.compile(
    r"^\s*(?:please[,\s]+)?(?:make|create|generate|build|do|draw)\b[^:\n]{0,20}?\bcarousels?\b"
    r"(?:\s+(?:about|on|of|for|from))?"
    r"|^\s*(?:пожалуйста[,\s]+)?(?:сделай|сделайте|создай|создайте|сгенерируй|сгенерируйте|нарисуй|нарисуйте|"
    r"подготовь|подготовьте)\b[^:\n]{0,20}?\bкарусел[ьию]\b(?:\s+(?:про|о|об|обо|по|на\s+тему|из))?",
    re.IGNORECASE)


def is_counted_noun(word: str) -> bool:
    lowered = word.lower()
    return lowered in COUNTED_NOUNS or bool(ENGLISH_PLURAL.match(word)) or bool(RUSSIAN_COUNTED.match(word))


@dataclass(frozen=True)
class LeadingNumber:
    number: int
    rest: str  # the words after it
    counted: bool  # a counted noun follows: the number may be part of the topic

    @property
    def whole(self) -> str:
        return f"{self.number} {self.rest}"


def leading_number(body: str) -> LeadingNumber | None:
    """ "10 дней кода" → (10, "дней кода", counted); "7 TDD" → (7, "TDD", not counted); "TDD" → None."""
    match = LEADING_NUMBER.match(body)
    if match is None:
        return None
    rest = match["rest"].strip()
    words = WORD.findall(rest)[:2]
    return LeadingNumber(int(match["count"]), rest, any(is_counted_noun(word) for word in words))


def without_request_phrase(body: str) -> str:
    """The topic a request names: "Сделай карусель про эту схему: микросервисы" → "микросервисы",
    "make a carousel about TDD" → "TDD"; anything else as it is."""
    match = REQUEST_PHRASE.match(body)
    if match is None:
        return body
    rest = body[match.end():]
    head, colon, tail = rest.partition(":")
    topic = tail if colon and "\n" not in head else rest
    topic = topic.strip(" \t\n:—–-,.")
    return topic or body

