"""The envelope: the seed's shape on the wire, correlation and causation carried by follow-ups."""

import pytest
from pydantic import ValidationError

from vibecoder.events.catalog import CATALOG, UnknownEventType
from vibecoder.events.models import AiContentRequested, CarouselGenerateRequested

REQUEST = {"requestId": "r-1", "userId": "u-1", "topic": "TDD", "slidesCount": 5}


def requested():
    return CATALOG.new_event("carousel.generate.requested", REQUEST, correlation_id="r-1", source="api",
                             user_id="u-1")


def test_wire_form_is_the_seed_envelope():
    wire = requested().to_wire()

    assert set(wire) == {"id", "type", "version", "timestamp", "correlationId", "causationId", "metadata", "data"}
    assert wire["type"] == "carousel.generate.requested"
    assert wire["causationId"] is None
    assert wire["metadata"] == {"source": "api", "userId": "u-1"}
    assert wire["data"]["slidesCount"] == 5 and wire["data"]["requestId"] == "r-1"
    assert wire["timestamp"].endswith("Z")


def test_follow_up_keeps_correlation_and_points_at_its_cause():
    cause = requested()
    follow = CATALOG.follow_up(cause, "ai.content.requested", AiContentRequested(request_id="r-1", user_id="u-1", topic="TDD"),
                             source="carousel-generator")

    assert follow.correlation_id == cause.correlation_id == "r-1"
    assert follow.causation_id == cause.id
    assert follow.id != cause.id
    assert follow.metadata.source == "carousel-generator" and follow.metadata.user_id == "u-1"


def test_parse_returns_the_typed_model_and_round_trips():
    original = requested()
    parsed = CATALOG.parse(original.to_wire())

    assert isinstance(parsed.data, CarouselGenerateRequested)
    assert parsed.to_wire() == original.to_wire()


def test_metadata_keeps_extra_keys():
    event = CATALOG.new_event("carousel.generate.requested", REQUEST, correlation_id="r-1", source="api",
                              provider="offline")
    assert CATALOG.parse(event.to_wire()).metadata.model_extra == {"provider": "offline"}


def test_unknown_type_is_refused():
    wire = requested().to_wire() | {"type": "carousel.exploded"}
    with pytest.raises(UnknownEventType, match="carousel.exploded"):
        CATALOG.parse(wire)


def test_invalid_data_is_refused_with_the_field_named():
    wire = requested().to_wire()
    wire["data"]["slidesCount"] = 99
    with pytest.raises(ValidationError, match="slidesCount"):
        CATALOG.parse(wire)


def test_a_request_needs_a_topic_or_a_text():
    with pytest.raises(ValidationError, match="topic or sourceText"):
        CarouselGenerateRequested(request_id="r", user_id="u", topic="  ")


def test_only_declared_producers_may_emit():
    with pytest.raises(ValueError, match="not a declared producer"):
        CATALOG.new_event("carousel.completed", {}, correlation_id="r", source="api")
