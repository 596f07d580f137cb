"""What is generated from the code: ``events/schemas/*.json`` and the README's diagram (from the
event catalog), and ``docs/openapi.json`` (from the api function's routes).

``python -m tools.catalog_docs --write`` regenerates both; ``--check`` exits 1 when they are stale
(the test suite runs the same check).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "layers" / "shared" / "python"), str(ROOT / "functions")]

from vibecoder.events.catalog import CATALOG  # noqa: E402 - needs the path above

SCHEMAS_DIR = ROOT / "events" / "schemas"
README = ROOT / "README.md"
OPENAPI = ROOT / "docs" / "openapi.json"
MANY_PRODUCERS = 4
DIAGRAM_START, DIAGRAM_END = "<!-- catalog-diagram:start -->", "<!-- catalog-diagram:end -->"


def _json(value: object) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def schema_files() -> dict[Path, str]:
    return {SCHEMAS_DIR / f"{name}.json": _json(schema) for name, schema in CATALOG.json_schemas().items()}


def openapi_document() -> str:
    """The HTTP API's OpenAPI description, produced by the Powertools resolver that serves it."""
    from api.handler import app

    return _json(json.loads(app.get_openapi_json_schema(title="Bible VibeCoder API", version="1.0.0")))


def _node(service: str) -> str:
    return service.replace("-", "_")


def mermaid_diagram() -> str:
    """Services as nodes, one edge per (producer, consumer) labelled with the event types between them."""
    lines = ["```mermaid", "flowchart LR"]
    lines.append('    telegram(["Telegram"])')
    lines.append('    client(["HTTP client"])')
    for service in CATALOG.services.values():
        lines.append(f'    {_node(service.name)}["{service.name}"]')
    for service in CATALOG.services.values():
        for trigger in service.triggers:
            if trigger.startswith("POST /telegram"):
                lines.append(f'    telegram -->|"{trigger}"| {_node(service.name)}')
            elif trigger == "schedule":
                lines.append(f'    schedule(["schedule"]) --> {_node(service.name)}')
            else:
                lines.append(f'    client -->|"{trigger}"| {_node(service.name)}')
    edges: dict[tuple[str, str], list[str]] = {}
    for event_type in CATALOG.event_types.values():
        if len(event_type.producers) > MANY_PRODUCERS:  # e.g. system.error.occurred: one edge, not nine
            lines.append(f'    any_service(["any service"]) -->|"{event_type.name}"| '
                         + " & ".join(_node(c) for c in event_type.consumers))
            continue
        for producer in event_type.producers:
            for consumer in event_type.consumers:
                edges.setdefault((producer, consumer), []).append(event_type.name)
    for (producer, consumer), names in sorted(edges.items()):
        label = "<br/>".join(sorted(names))
        lines.append(f'    {_node(producer)} -->|"{label}"| {_node(consumer)}')
    lines.append(f'    bus(("every event")) -.->|audit| {_node(CATALOG.audit_service)}')
    lines.append("```")
    return "\n".join(lines)


def event_table() -> str:
    rows = ["| event type | version | producers | consumers |", "| --- | --- | --- | --- |"]
    for name, spec in sorted(CATALOG.event_types.items()):
        consumers = ", ".join(CATALOG.consumers_of(name))
        rows.append(f"| `{name}` | {spec.version} | {', '.join(spec.producers)} | {consumers} |")
    return "\n".join(rows)


def readme_section() -> str:
    return f"{DIAGRAM_START}\n{mermaid_diagram()}\n\n{event_table()}\n{DIAGRAM_END}"


def readme_with_diagram(text: str) -> str:
    start, end = text.index(DIAGRAM_START), text.index(DIAGRAM_END) + len(DIAGRAM_END)
    return text[:start] + readme_section() + text[end:]


def stale() -> list[str]:
    problems = []
    expected = schema_files()
    for path, content in expected.items():
        if not path.exists() or path.read_text(encoding="utf-8") != content:
            problems.append(f"{path.relative_to(ROOT)} is stale")
    for path in SCHEMAS_DIR.glob("*.json"):
        if path not in expected:
            problems.append(f"{path.relative_to(ROOT)} has no catalog entry")
    if not OPENAPI.exists() or OPENAPI.read_text(encoding="utf-8") != openapi_document():
        problems.append(f"{OPENAPI.relative_to(ROOT)} is stale")
    readme = README.read_text(encoding="utf-8")
    if readme_with_diagram(readme) != readme:
        problems.append("README.md's catalog diagram is stale")
    return problems


def write() -> None:
    SCHEMAS_DIR.mkdir(parents=True, exist_ok=True)
    expected = schema_files()
    for path in SCHEMAS_DIR.glob("*.json"):
        if path not in expected:
            path.unlink()
    for path, content in expected.items():
        path.write_text(content, encoding="utf-8")
    OPENAPI.write_text(openapi_document(), encoding="utf-8")
    README.write_text(readme_with_diagram(README.read_text(encoding="utf-8")), encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--write", action="store_true", help="regenerate the schemas and the README diagram")
    parser.add_argument("--check", action="store_true", help="exit 1 when anything generated is stale")
    args = parser.parse_args()
    if args.write:
        write()
    problems = stale()
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
