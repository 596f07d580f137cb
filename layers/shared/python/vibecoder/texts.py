"""What the bot says, in Russian and English. One table, looked up by key."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "start": {
        "en": "👋 Hi! I turn a topic or a text into an Instagram carousel.\n"
              "Send a topic, e.g. /carousel Functional Programming with TypeScript, or paste a text.\n/help lists everything.",
        "ru": "👋 Привет! Я превращаю тему или текст в карусель для Instagram.\n"
              "Пришлите тему, например /carousel Функциональное программирование, или вставьте текст.\n/help — все команды.",
    },
    "help": {
        "en": "/carousel <topic> — make a carousel (e.g. /carousel 7 TDD for 7 slides)\n"
              "or just send a topic or paste a text\n/style — pick a theme\n/lang ru|en — language\n"
              "/history — your last carousels",
        "ru": "/carousel <тема> — сделать карусель (например /carousel 7 TDD — 7 слайдов)\n"
              "или просто пришлите тему или текст\n/style — выбрать тему оформления\n/lang ru|en — язык\n"
              "/history — ваши последние карусели",
    },
    "generating": {"en": "🎨 Generating {count} slides…", "ru": "🎨 Создаю {count} слайдов…"},
    "topic_missing": {"en": "Send a topic after /carousel, e.g. /carousel TDD",
                      "ru": "Укажите тему после /carousel, например /carousel TDD"},
    "topic_too_long": {"en": "That topic is too long ({length} characters, at most {limit}).",
                       "ru": "Тема слишком длинная ({length} символов, максимум {limit})."},
    "failed": {
        "en": "😔 Sorry, I could not make this carousel. Please try again in a minute, or try a shorter topic.",
        "ru": "😔 Не получилось сделать карусель. Попробуйте ещё раз через минуту или возьмите тему покороче.",
    },
    "unknown_command": {"en": "I don't know that command. /help lists what I can do.",
                        "ru": "Не знаю такой команды. /help — что я умею."},
}


def text(key: str, language: str | None, **values: object) -> str:
    variants = TEXTS[key]
    return variants.get(language or "en", variants["en"]).format(**values)


def language_of(code: str | None) -> str:
    """Telegram's language_code → the bot's language."""
    return "ru" if code and code.lower().startswith(("ru", "uk", "be", "kk")) else "en"
