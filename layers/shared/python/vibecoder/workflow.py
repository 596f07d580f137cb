"""The carousel workflow's one vocabulary: each stage, the event that reaches it, the status the
carousel record then has, the step of the progress bar the chat sees, its label, and its timing key.

The generator moves the record by stage, the orchestrator names the workflow step by stage, the
sender draws the progress bar by stage: none of them keeps a list of its own.
"""

from __future__ import annotations

from enum import StrEnum


class CarouselStatus(StrEnum):
    """The carousel record's status (``GET /carousels/{id}`` shows it)."""

    REQUESTED = "requested"
    GENERATING = "generating"  # waiting for content
    RENDERING = "rendering"  # slides cut, waiting for images
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def terminal(self) -> bool:
        return self in (CarouselStatus.COMPLETED, CarouselStatus.FAILED)


class Stage(StrEnum):
    """A workflow step (the value is ``workflow.step.changed``'s ``step``)."""

    REQUESTED = "requested"
    CONTENT = "content"
    SLIDES = "slides"
    IMAGES = "images"
    COMPLETED = "completed"
    FAILED = "failed"

    @property
    def event_type(self) -> str:
        return _EVENTS[self]

    @property
    def status(self) -> CarouselStatus:
        """The record's status once the generator has handled this stage's event."""
        return _STATUS[self]

    @property
    def timing(self) -> str:
        """The key under ``timings`` for the milliseconds from the request to this stage."""
        return _TIMING.get(self, self.value)

    @property
    def progress(self) -> int | None:
        """The progress bar's step (1..PROGRESS_STEPS) once the chat is shown this stage; None: not shown."""
        return _PROGRESS.get(self)

    @property
    def label(self) -> str:
        """The texts key saying what is happening at this stage."""
        return _LABELS[self]

    @classmethod
    def of_event(cls, event_type: str) -> Stage | None:
        return _BY_EVENT.get(event_type)


_EVENTS = {
    Stage.REQUESTED: "carousel.generate.requested",
    Stage.CONTENT: "carousel.content.analyzed",
    Stage.SLIDES: "carousel.slides.generated",
    Stage.IMAGES: "carousel.images.rendered",
    Stage.COMPLETED: "carousel.completed",
    Stage.FAILED: "carousel.failed",
}
_BY_EVENT = {event_type: stage for stage, event_type in _EVENTS.items()}
_STATUS = {
    Stage.REQUESTED: CarouselStatus.GENERATING,
    Stage.CONTENT: CarouselStatus.RENDERING,
    Stage.SLIDES: CarouselStatus.RENDERING,
    Stage.IMAGES: CarouselStatus.COMPLETED,
    Stage.COMPLETED: CarouselStatus.COMPLETED,
    Stage.FAILED: CarouselStatus.FAILED,
}
_TIMING = {Stage.REQUESTED: "requested", Stage.CONTENT: "content", Stage.IMAGES: "images"}
_PROGRESS = {Stage.REQUESTED: 1, Stage.CONTENT: 2, Stage.SLIDES: 3, Stage.COMPLETED: 4}
_LABELS = {
    Stage.REQUESTED: "stage_requested",
    Stage.CONTENT: "stage_content",
    Stage.SLIDES: "stage_rendering",
    Stage.IMAGES: "stage_rendering",
    Stage.COMPLETED: "stage_done",
    Stage.FAILED: "stage_failed",
}
PROGRESS_STEPS = max(_PROGRESS.values())
IN_FLIGHT = tuple(status for status in CarouselStatus if not status.terminal)
