"""A character no bundled font can draw: the request fails at once with one short, specific answer."""

from __future__ import annotations

import pytest

from tests.fakes.telegram_harness import bot_under_test
from vibecoder.repositories import CarouselRepository
from vibecoder.workflow import CarouselStatus

HIEROGLYPH = "\U00013000"  # EGYPTIAN HIEROGLYPH A001: no Noto font the renderer ships has it


@pytest.fixture
def bot(tmp_path, monkeypatch):
    import carousel_generator.logic

    real = carousel_generator.logic.build_slides

    def with_a_hieroglyph(content, count):
        slides = real(content, count)
        slides[1] = slides[1].model_copy(update={"title": f"Ancient {HIEROGLYPH} writing"})
        return slides

    monkeypatch.setattr(carousel_generator.logic, "build_slides", with_a_hieroglyph)
    with bot_under_test(tmp_path, monkeypatch) as running:
        yield running


def test_the_user_is_told_which_characters_cannot_be_drawn(bot):
    ann = bot.user()

    bot.deliver(ann.message("/carousel 3 TDD"))
    bot.runtime.fail_stuck_now()  # the sweep finds nothing left to fail: the request already ended
    bot.drain()

    (failed,) = [e["data"] for e in bot.events("carousel.failed")]
    assert failed["stage"] == "rendering" and failed["reason"] == f"missing_glyph: {HIEROGLYPH}"
    record = CarouselRepository(bot.runtime.settings.carousels_table).get(failed["requestId"])
    assert record.status is CarouselStatus.FAILED
    status, apology = bot.telegram.chat(ann.chat_id)
    assert apology.text.startswith("😔 Sorry, I cannot draw these characters yet: " + HIEROGLYPH)
    assert status.text.endswith("Stopped ❌")
    assert bot.telegram.albums(ann.chat_id) == []
    assert bot.runtime.router.dead_letters() == []  # not retried: a retry cannot draw it either
