"""The /start payload of an inline deep link (``https://t.me/<bot>?start=<payload>``): the topic itself.

URL-safe base64 of the topic's UTF-8 behind ``c-``, as Telegram allows a start parameter of 64
characters of A-Z, a-z, 0-9, _ and -: nothing is stored for a user who has not started the bot yet. A
topic too long for it gets a link that only opens the bot.
"""

from __future__ import annotations

import base64
import binascii

PAYLOAD_PREFIX = "c-"  # a /start payload that carries a topic
PAYLOAD_MAX = 64  # characters of a start parameter


def topic_payload(topic: str) -> str | None:
    """The /start payload carrying ``topic``; None when it does not fit in a start parameter."""
    encoded = base64.urlsafe_b64encode(topic.encode()).decode().rstrip("=")
    payload = PAYLOAD_PREFIX + encoded
    return payload if len(payload) <= PAYLOAD_MAX else None


def topic_from_payload(payload: str) -> str | None:
    """The topic a /start payload carries (None: it carries none)."""
    if not payload.startswith(PAYLOAD_PREFIX) or len(payload) > PAYLOAD_MAX:
        return None
    encoded = payload.removeprefix(PAYLOAD_PREFIX)
    try:
        topic = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    # Only a payload this module wrote (another deep link's payload may happen to decode).
    return topic if topic.strip() and topic_payload(topic) == payload else None
