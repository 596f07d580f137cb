"""One request through the whole local flow: what ``python -m local carousel`` and the e2e tests run."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

from local.router import Delivery
from local.runtime import LocalRuntime


@dataclass
class FlowResult:
    request_id: str
    status: str
    title: str | None
    failure: str | None
    folder: Path | None  # where the slides were copied, when completed
    slide_files: list[Path]
    elapsed_ms: float
    trace: list[Delivery]


def run_carousel(runtime: LocalRuntime, topic: str, *, slides: int = 5, style: str = "glass",
                 language: str | None = None, out_dir: Path = Path("out"), chat_id: int | None = None,
                 user_id: str = "local-user") -> FlowResult:
    """Emit ``carousel.generate.requested`` (as the API would: the generator records it), run the bus until it
    settles, collect the slides."""
    from api.logic import CarouselRequestBody
    from vibecoder.base import new_id, utc_now
    from vibecoder.bus import default_publisher
    from vibecoder.events.catalog import CATALOG
    from vibecoder.events.models import CarouselGenerateRequested
    from vibecoder.repositories import CarouselRepository, SlideRepository

    body = CarouselRequestBody(topic=topic, slides_count=slides, style=style, language=language, user_id=user_id)
    request = CarouselGenerateRequested(
        request_id=new_id(), requested_at=utc_now(), user_id=body.user_id, chat_id=chat_id, channel="local",
        topic=body.topic,
        slides_count=body.slides_count, style=body.style, language=body.language,
    )
    carousels = CarouselRepository(runtime.settings.carousels_table)
    started = time.perf_counter()
    default_publisher().publish([CATALOG.new_event("carousel.generate.requested", request,
                                                   correlation_id=request.request_id, source="api",
                                                   user_id=request.user_id)])
    runtime.router.drain()
    record = carousels.get(request.request_id)
    if record is None or not record.status.terminal:  # a step was dead-lettered: the user is answered anyway
        runtime.fail_stuck_now()
        runtime.router.drain()
        record = carousels.get(request.request_id)
    elapsed_ms = (time.perf_counter() - started) * 1000
    folder, files = None, []
    if record and record.status.value == "completed":
        folder = out_dir / request.request_id
        folder.mkdir(parents=True, exist_ok=True)
        slides = SlideRepository(runtime.settings.slides_bucket)
        for key in (key for slide in record.slides for key in slide.image_keys):
            target = folder / key.rsplit("/", 1)[-1]
            target.write_bytes(slides.read(key))
            files.append(target)
        (folder / "carousel.json").write_text(json.dumps(record.to_wire(), ensure_ascii=False, indent=2),
                                              encoding="utf-8")
    trace = runtime.router.trace(request.request_id)
    return FlowResult(
        request_id=request.request_id, status=record.status.value if record else "unrecorded",
        title=record.title if record else None, failure=record.failure if record else None,
        folder=folder, slide_files=files, elapsed_ms=elapsed_ms, trace=trace,
    )
