"""How the gateway reads a leading number and a request phrase (functions/telegram_gateway/topics.py)."""

from __future__ import annotations

import pytest

from telegram_gateway.topics import leading_number, without_request_phrase


@pytest.mark.parametrize("body, number, counted", [
    ("7 TDD", 7, False), ("3 Clean Architecture", 3, False), ("2 class", 2, False),
    ("10 дней кода", 10, True), ("7 habits of highly effective people", 7, True), ("5 ways to test", 5, True),
    ("12 rules for life", 12, True), ("7 новых привычек", 7, True), ("3 шага к цели", 3, True),
    ("1 день", 1, True), ("5 SOLID principles", 5, True),
])
def test_a_counted_noun_in_the_next_two_words_makes_the_number_part_of_a_title(body, number, counted):
    found = leading_number(body)
    assert (found.number, found.counted, found.whole) == (number, counted, body)


def test_no_leading_number():
    assert leading_number("TDD in 7 steps") is None and leading_number("1984 Orwell") is None


@pytest.mark.parametrize("body, topic", [
    ("Сделай карусель про эту схему: микросервисы", "микросервисы"),
    ("Сделайте, пожалуйста, карусель о любви", "любви"),
    ("make a carousel about TDD", "TDD"),
    ("Please create a carousel on Clean Code", "Clean Code"),
    ("make me a carousel: Rust ownership", "Rust ownership"),
    ("TDD", "TDD"),
    ("карусель: тест", "карусель: тест"),  # no request verb: left as it is
    ("make a carousel", "make a carousel"),  # nothing after the phrase: left as it is
])
def test_a_request_phrase_is_dropped_to_leave_the_topic(body, topic):
    assert without_request_phrase(body) == topic
