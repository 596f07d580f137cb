"""Register the Telegram webhook and the bot's command menu in one command.

    python -m tools.webhook --outputs build/cdk-outputs.json --from-secrets [--drop-pending-updates]

- the webhook URL comes from the stack output ``WebhookUrl`` (``--outputs``: the file ``cdk deploy
  --outputs-file`` wrote; ``--stack NAME``: read it from CloudFormation), or ``--url``;
- the bot token and the webhook secret come from ``--token``/``--secret``, the environment
  (``TELEGRAM_BOT_TOKEN``, ``TELEGRAM_WEBHOOK_SECRET``) or, with ``--from-secrets``, from the Secrets
  Manager secrets named in the outputs;
- the Bot API base URL is ``TELEGRAM_API_URL`` (default https://api.telegram.org), so a local Bot API
  server or a test's fake works the same.

Calls setWebhook (url, secret_token, allowed_updates, drop_pending_updates, max_connections), then
setMyCommands for English (the default) and Russian, then prints getWebhookInfo. ``--delete`` calls
deleteWebhook instead. Exits 1 with Telegram's description when a call fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

DEFAULT_API_URL = "https://api.telegram.org"
DEFAULT_STACK = "BibleVibeCoder"
# What telegram-gateway acts on (inline mode: inline_query, and chosen_inline_result with inline feedback on).
ALLOWED_UPDATES = ("message", "callback_query", "inline_query", "chosen_inline_result")
# Telegram's default: at most this many updates in flight to the webhook (the API's webhook throttle
# lets a burst of this size through, cdk/api.py).
MAX_CONNECTIONS = 40
WEBHOOK_URL_OUTPUT = "WebhookUrl"
TOKEN_SECRET_OUTPUT = "TelegramBotTokenSecretName"
WEBHOOK_SECRET_OUTPUT = "TelegramWebhookSecretSecretName"

# The command menu (setMyCommands): English is the default list, Russian for Russian-language clients.
COMMANDS: dict[str, list[tuple[str, str]]] = {
    "en": [
        ("carousel", "Make a carousel: /carousel <topic>"),
        ("style", "Pick a theme"),
        ("lang", "Language: /lang ru or /lang en"),
        ("history", "Your last carousels"),
        ("brand", "Your brand on the slides: /brand @handle, name, color, off"),
        ("size", "Slide size: /size 4:5, 1:1 or 9:16"),
        ("edit", "Change a slide: /edit N Title | text"),
        ("move", "Move a slide: /move 5 2"),
        ("drop", "Remove a slide: /drop 4"),
        ("help", "What I can do"),
        ("start", "Start over"),
    ],
    "ru": [
        ("carousel", "Сделать карусель: /carousel <тема>"),
        ("style", "Выбрать оформление"),
        ("lang", "Язык: /lang ru или /lang en"),
        ("history", "Ваши последние карусели"),
        ("brand", "Ваш бренд на слайдах: /brand @handle, name, color, off"),
        ("size", "Размер слайдов: /size 4:5, 1:1 или 9:16"),
        ("edit", "Изменить слайд: /edit N Заголовок | текст"),
        ("move", "Переставить слайд: /move 5 2"),
        ("drop", "Убрать слайд: /drop 4"),
        ("help", "Что я умею"),
        ("start", "Начать сначала"),
    ],
}


class TelegramApiError(RuntimeError):
    pass


class BotApi:
    def __init__(self, token: str, api_url: str = DEFAULT_API_URL, timeout: float = 15.0):
        self.base = f"{api_url.rstrip('/')}/bot{token}"
        self.timeout = timeout

    def call(self, method: str, params: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(
            f"{self.base}/{method}", data=json.dumps(params or {}).encode(),
            headers={"Content-Type": "application/json"}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - http(s) base URL
                body = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            try:
                body = json.loads(error.read() or b"{}")
            except ValueError:
                body = {"description": str(error)}
        if not body.get("ok"):
            raise TelegramApiError(f"{method}: {body.get('description', 'failed')} ({body.get('error_code', '?')})")
        return body.get("result")


def stack_outputs(outputs_file: Path | None, stack: str) -> dict[str, str]:
    """Outputs of ``stack``: from a ``cdk deploy --outputs-file`` file, else from CloudFormation."""
    if outputs_file is not None:
        data = json.loads(outputs_file.read_text())
        if stack in data:
            return data[stack]
        if len(data) == 1:
            return next(iter(data.values()))
        raise SystemExit(f"{outputs_file} has no outputs for stack {stack!r} (it has {sorted(data)})")
    import boto3  # only when reading from AWS

    described = boto3.client("cloudformation").describe_stacks(StackName=stack)["Stacks"][0]
    return {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}


def read_secret(name: str) -> str:
    import boto3

    return boto3.client("secretsmanager").get_secret_value(SecretId=name)["SecretString"]


def register(api: BotApi, url: str, secret: str, *, allowed_updates: list[str], drop_pending_updates: bool,
             max_connections: int) -> dict[str, Any]:
    api.call("setWebhook", {"url": url, "secret_token": secret, "allowed_updates": allowed_updates,
                            "drop_pending_updates": drop_pending_updates, "max_connections": max_connections})
    for language, commands in COMMANDS.items():
        params: dict[str, Any] = {"commands": [{"command": c, "description": d} for c, d in commands]}
        if language != "en":
            params["language_code"] = language
        api.call("setMyCommands", params)
    return api.call("getWebhookInfo")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tools.webhook", description=__doc__.splitlines()[0])
    source = parser.add_argument_group("where the URL and secrets come from")
    source.add_argument("--outputs", type=Path, help="the JSON file written by cdk deploy --outputs-file")
    source.add_argument("--stack", default=DEFAULT_STACK, help=f"stack name (default {DEFAULT_STACK})")
    source.add_argument("--url", help="webhook URL (default: the stack output WebhookUrl)")
    source.add_argument("--token", help="bot token (default: $TELEGRAM_BOT_TOKEN)")
    source.add_argument("--secret", help="webhook secret token (default: $TELEGRAM_WEBHOOK_SECRET)")
    source.add_argument("--from-secrets", action="store_true",
                        help="read the token and the secret from the Secrets Manager secrets named in the outputs")
    source.add_argument("--api-url", default=None, help="Bot API base URL (default: $TELEGRAM_API_URL)")
    options = parser.add_argument_group("webhook options")
    options.add_argument("--allowed-updates", default=",".join(ALLOWED_UPDATES),
                         help=f"comma-separated update types (default {','.join(ALLOWED_UPDATES)})")
    options.add_argument("--drop-pending-updates", action="store_true", help="drop updates queued at Telegram")
    options.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS,
                         help=f"updates Telegram sends at once (default {MAX_CONNECTIONS})")
    options.add_argument("--delete", action="store_true", help="remove the webhook instead")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    needs_outputs = args.from_secrets or not (args.url or args.delete)
    outputs = stack_outputs(args.outputs, args.stack) if needs_outputs else {}
    token, secret = args.token or os.environ.get("TELEGRAM_BOT_TOKEN"), args.secret or os.environ.get(
        "TELEGRAM_WEBHOOK_SECRET")
    if args.from_secrets:
        token = token or read_secret(outputs[TOKEN_SECRET_OUTPUT])
        secret = secret or read_secret(outputs[WEBHOOK_SECRET_OUTPUT])
    if not token:
        print("no bot token: pass --token, set TELEGRAM_BOT_TOKEN or use --from-secrets", file=sys.stderr)
        return 2
    api = BotApi(token, args.api_url or os.environ.get("TELEGRAM_API_URL") or DEFAULT_API_URL)
    try:
        if args.delete:
            api.call("deleteWebhook", {"drop_pending_updates": args.drop_pending_updates})
            print("webhook deleted")
            return 0
        url = args.url or outputs.get(WEBHOOK_URL_OUTPUT)
        if not url:
            print(f"no webhook URL: pass --url or outputs with {WEBHOOK_URL_OUTPUT}", file=sys.stderr)
            return 2
        if not secret:
            print("no webhook secret: pass --secret, set TELEGRAM_WEBHOOK_SECRET or use --from-secrets",
                  file=sys.stderr)
            return 2
        info = register(api, url, secret, allowed_updates=[u for u in args.allowed_updates.split(",") if u],
                        drop_pending_updates=args.drop_pending_updates, max_connections=args.max_connections)
    except (TelegramApiError, urllib.error.URLError) as error:
        print(f"Telegram refused: {error}", file=sys.stderr)
        return 1
    print(f"webhook: {info.get('url')} (pending updates: {info.get('pending_update_count', 0)}; "
          f"allowed: {','.join(info.get('allowed_updates') or [])})")
    if info.get("last_error_message"):
        print(f"last delivery error: {info['last_error_message']}")
    print(f"commands: {len(COMMANDS['en'])} (en, ru)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
