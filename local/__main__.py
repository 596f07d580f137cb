"""``python -m local …``: run the whole flow, serve the HTTP routes, poll a real bot, invoke one handler, render
slides."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from local.runtime import LocalRuntime


def _print_trace(trace: list) -> None:
    width = max((len(d.event_type) for d in trace), default=10)
    for delivery in trace:
        mark = "ok" if delivery.ok else f"FAILED (attempt {delivery.attempt}): {delivery.error}"
        print(f"  {delivery.event_type:<{width}}  → {delivery.function:<18} {delivery.duration_ms:8.1f} ms  {mark}")


def command_carousel(args: argparse.Namespace) -> int:
    from local.flow import run_carousel

    out = Path(args.out)
    with LocalRuntime(out_dir=out, verbose=args.verbose) as runtime:
        result = run_carousel(runtime, args.topic, slides=args.slides, style=args.style, language=args.lang,
                              out_dir=out, chat_id=args.chat_id)
        print(f"event trace (correlationId {result.request_id}):")
        _print_trace(result.trace)
        for letter in runtime.router.dead_letters():
            print(f"dead letter: {json.dumps(letter.summary(), ensure_ascii=False)}", file=sys.stderr)
    if result.status != "completed":
        print(f"\n❌ the request ended {result.status}: {result.failure}", file=sys.stderr)
        return 1
    print(f"\n✅ {len(result.slide_files)} slides of “{result.title}” written to {result.folder}/"
          f" ({result.elapsed_ms:.0f} ms end to end)")
    return 0


def command_serve(args: argparse.Namespace) -> int:
    from local.server import serve

    return serve(host="127.0.0.1", port=args.port, out_dir=Path(args.out), verbose=args.verbose)


def command_poll(args: argparse.Namespace) -> int:
    from local.poll import poll

    return poll(out_dir=Path(args.out), verbose=args.verbose)


def command_invoke(args: argparse.Namespace) -> int:
    event = json.loads(Path(args.event).read_text(encoding="utf-8"))
    with LocalRuntime(out_dir=Path(args.out), verbose=args.verbose) as runtime:
        result: Any = runtime.invoke(args.function, event)
        print(json.dumps(result, ensure_ascii=False, indent=2, default=str))
    return 0


def command_render(args: argparse.Namespace) -> int:
    from local.render import render_file

    written = render_file(Path(args.slides), Path(args.out), image_format=args.format)
    for path in written:
        print(path)
    return 0


def command_replay(args: argparse.Namespace) -> int:
    from vibecoder.bus import default_publisher
    from vibecoder.replay import replay_request
    from vibecoder.repositories import EventStore

    with LocalRuntime(out_dir=Path(args.out), verbose=args.verbose) as runtime:
        settings = runtime.settings
        event = replay_request(args.correlation_id, EventStore(settings.events_table),
                               default_publisher(), as_new=args.as_new)
        runtime.router.drain()
        print(f"replayed {event.type} {event.id} (correlationId {event.correlation_id})")
        _print_trace(runtime.router.trace(event.correlation_id))
    return 0


def command_dead_letters(args: argparse.Namespace) -> int:
    with LocalRuntime(out_dir=Path(args.out)) as runtime:
        for letter in runtime.router.dead_letters():
            print(json.dumps(letter.summary(), ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local", description=__doc__)
    parser.add_argument("--verbose", action="store_true", help="handler logs and metrics on stdout")
    commands = parser.add_subparsers(dest="command", required=True)

    carousel = commands.add_parser("carousel", help="run the whole flow for one topic")
    carousel.add_argument("topic")
    carousel.add_argument("--slides", type=int, default=5)
    carousel.add_argument("--style", default="glass")
    carousel.add_argument("--lang", choices=["ru", "en"], default=None)
    carousel.add_argument("--out", default="out")
    carousel.add_argument("--chat-id", type=int, default=None,
                          help="also deliver to this chat (recorded under OUT/telegram without a bot token)")
    carousel.set_defaults(run=command_carousel)

    serve = commands.add_parser("serve", help="HTTP on 127.0.0.1: the API routes and the Telegram webhook")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--out", default="out")
    serve.set_defaults(run=command_serve)

    poll = commands.add_parser("poll", help="a real bot (TELEGRAM_BOT_TOKEN): its updates by getUpdates long "
                                            "polling, no public URL needed")
    poll.add_argument("--out", default="out", help="slides, records and the saved update offset")
    poll.set_defaults(run=command_poll)

    invoke = commands.add_parser("invoke", help="one handler on one event (SAM-local style)")
    invoke.add_argument("function")
    invoke.add_argument("event")
    invoke.add_argument("--out", default="out")
    invoke.set_defaults(run=command_invoke)

    render = commands.add_parser("render", help="the renderer alone, on a SLIDES.json")
    render.add_argument("slides")
    render.add_argument("--out", required=True)
    render.add_argument("--format", choices=["jpeg", "png", "pdf"], default="jpeg")
    render.set_defaults(run=command_render)

    replay = commands.add_parser("replay", help="re-emit a stored request (needs AWS_ENDPOINT_URL: a moto server)")
    replay.add_argument("correlation_id")
    replay.add_argument("--as-new", action="store_true", help="run it again under a new request id (sends again)")
    replay.add_argument("--out", default="out")
    replay.set_defaults(run=command_replay)

    dead = commands.add_parser("dead-letters", help="list dead letters (useful with AWS_ENDPOINT_URL)")
    dead.add_argument("--out", default="out")
    dead.set_defaults(run=command_dead_letters)

    args = parser.parse_args(argv)
    try:
        return args.run(args)
    except (ValueError, LookupError, FileNotFoundError, json.JSONDecodeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

