"""What analytics counts, and where: every counter it writes is one somebody reads."""

from collections import Counter

from analytics import logic
from vibecoder.events.catalog import CATALOG
from vibecoder.events.models import CarouselFailed, CarouselGenerateRequested


class CountingRepository:
    def __init__(self):
        self.counts: Counter = Counter()

    def increment(self, partition, counter, by=1):
        self.counts[partition, counter] += by


def event(event_type, data):
    return CATALOG.new_event(event_type, data, correlation_id="r-1", source=CATALOG.get(event_type).producers[0],
                             user_id="u-1")


def test_an_event_counts_in_total_and_an_outcome_in_its_hour_as_well_never_per_user_or_day():
    deps = logic.AnalyticsDeps(counters=CountingRepository(), alert_failure_rate=0.2, alert_min_outcomes=5)
    requested = event("carousel.generate.requested", CarouselGenerateRequested(request_id="r-1", user_id="u-1",
                                                                               topic="TDD"))
    failed = event("carousel.failed", CarouselFailed(request_id="r-1", user_id="u-1", stage="rendering",
                                                     reason="disk full"))

    assert logic.count(requested, deps) == ["total"]
    assert logic.count(failed, deps) == ["total", logic.hour_partition(failed)]
    assert not [partition for partition, _ in deps.counters.counts if partition.startswith(("user#", "day#"))]


def test_analytics_hears_no_event_that_restates_a_count_it_or_a_producer_already_makes():
    heard = {name for name, spec in CATALOG.event_types.items() if "analytics" in spec.consumers}
    # data.carousel.saved restates carousel.completed; ai-content records its tokens (TokensUsed) and the
    # sender its answers (Delivered, DeliveryFailed) as their own metrics.
    assert not heard & {"data.carousel.saved", "ai.analysis.completed", "telegram.bot.response.sent"}
    assert {"carousel.generate.requested", "carousel.completed", "carousel.failed", "system.error.occurred"} <= heard
