"""The carousel record as the sender's memory: albums sent, the furthest progress shown (moto)."""

from __future__ import annotations

from vibecoder.events.models import CarouselGenerateRequested
from vibecoder.repositories import CarouselRepository, CarouselStatus


def new_carousel(runtime, request_id: str = "r-1") -> CarouselRepository:
    carousels = CarouselRepository(runtime.settings.carousels_table)
    carousels.create(CarouselGenerateRequested(request_id=request_id, user_id="u", chat_id=1, channel="telegram",
                                               topic="TDD", status_message_id=9))
    return carousels


def test_progress_only_moves_forward_and_stops_when_the_carousel_ends(runtime):
    carousels = new_carousel(runtime)
    assert carousels.advance_progress("r-1", 3) is True
    assert carousels.advance_progress("r-1", 2) is False  # a late "content" after "rendering"
    assert carousels.advance_progress("r-1", 3) is False  # the same event again
    carousels.update("r-1", status=CarouselStatus.COMPLETED)
    assert carousels.advance_progress("r-1", 4) is False
    assert carousels.advance_progress("missing", 1) is False
    assert carousels.get("r-1").progress == 3


def test_delivery_steps_are_remembered_even_on_a_finished_carousel(runtime):
    carousels = new_carousel(runtime)
    carousels.update("r-1", status=CarouselStatus.COMPLETED)
    carousels.record_delivery("r-1", "album-1", [11, 12, 13])
    carousels.record_delivery("r-1", "buttons", [14])
    assert carousels.get("r-1").delivery == {"album-1": [11, 12, 13], "buttons": [14]}
