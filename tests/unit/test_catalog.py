"""The catalog is the single source of truth: every service and event type is consistent with the code."""

import importlib
import json
from pathlib import Path

import pytest

from tools import catalog_docs
from vibecoder.events.catalog import CATALOG, SOURCE_PREFIX

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("service", sorted(CATALOG.services))
def test_every_service_has_a_function_folder_and_its_handler_string_resolves(service):
    spec = CATALOG.service(service)
    assert (ROOT / "functions" / spec.module / "handler.py").is_file()
    module_name, _, attribute = spec.handler.rpartition(".")
    assert callable(getattr(importlib.import_module(module_name), attribute))


def test_every_consumer_of_every_event_type_has_exactly_one_rule():
    pairs = [(s.function, t) for s in CATALOG.subscriptions() for t in s.event_types]
    expected = [(c, name) for name, e in CATALOG.event_types.items() for c in e.consumers
                if c != CATALOG.audit_service]
    assert sorted(pairs) == sorted(expected)
    names = [s.rule_name for s in CATALOG.subscriptions()]
    assert len(set(names)) == len(names) and all(len(n) <= 64 for n in names)


def test_a_rule_pattern_names_the_event_type_and_only_its_producers():
    rule = next(s for s in CATALOG.subscriptions()
                if s.function == "carousel-generator" and s.event_types == ("carousel.generate.requested",))

    assert rule.event_pattern() == {"source": ["vibecoder.api", "vibecoder.telegram-gateway"],
                                    "detail-type": ["carousel.generate.requested"]}
    assert all(source.startswith(SOURCE_PREFIX) for s in CATALOG.subscriptions() for source in s.sources)


def test_the_audit_rule_matches_every_vibecoder_source():
    audit = next(s for s in CATALOG.subscriptions() if s.every_event)
    assert audit.event_pattern() == {"source": [{"prefix": "vibecoder."}]}


def test_schemas_and_readme_diagram_are_generated_from_the_catalog():
    assert catalog_docs.stale() == [], "run `make schemas`"


def test_each_schema_describes_the_envelope_and_its_data():
    schema = json.loads((ROOT / "events/schemas/carousel.completed.json").read_text())
    assert set(schema["required"]) >= {"type", "correlationId", "data"}
    assert schema["x-vibecoder"]["producers"] == ["carousel-generator"]
    assert "telegram-sender" in schema["x-vibecoder"]["consumers"]
