"""Events: envelope, data models and the catalog."""

from vibecoder.events.catalog import CATALOG
from vibecoder.events.envelope import EventEnvelope

__all__ = ["CATALOG", "EventEnvelope"]
