"""The inline deep link's /start payload carries the topic itself, within Telegram's 64 characters."""

from __future__ import annotations

import re

import pytest

from telegram_gateway.deep_link import topic_from_payload, topic_payload


@pytest.mark.parametrize("topic", ["TDD", "Functional Programming with TS", "Чистая архитектура", "🚀 Rust"])
def test_a_topic_goes_there_and_back_in_a_valid_start_parameter(topic):
    payload = topic_payload(topic)
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", payload)
    assert topic_from_payload(payload) == topic


def test_a_topic_too_long_for_a_start_parameter_gets_none_and_other_payloads_carry_no_topic():
    assert topic_payload("Функциональное программирование на TypeScript") is None
    assert [topic_from_payload(p) for p in ("campaign", "c-", "c-%%%", "c-_w", "ref42", "")] == [None] * 6
