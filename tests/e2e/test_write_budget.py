"""One 5-slide carousel through the local flow stays within its DynamoDB write budget, table by table.

The counts are deterministic (which handler writes what, not how fast), so a change that adds writes
to a carousel fails here and has to raise the budget on purpose. Measured with
``python bench/carousel_writes.py "Event-driven architecture" --slides 5``: 33 writes (71 before
issue 16); the issue's bar is 35.
"""

from collections import Counter

from bench.awscalls import dynamodb_writes, record_runtime_calls
from local.flow import run_carousel

# Settings field of the table → its most writes for the carousel.
BUDGET = {
    "events_table": 8,  # one audit put per event of the flow, none for the orchestrator's own workflow.*
    # a record and its completion per event a consumer takes (Powertools Idempotency); none for an event
    # with nothing to do (the sender, for a request with no chat)
    "idempotency_table": 16,
    "carousels_table": 3,  # the generator only: the request recorded at its first stage, content, images
    "analytics_table": 3,  # the request and the outcome in total, and the outcome's hour
    "users_table": 1,  # the carousel in the user's history
}


def test_a_five_slide_carousel_stays_within_its_dynamodb_write_budget(runtime, tmp_path):
    with record_runtime_calls(runtime) as log:
        flow = run_carousel(runtime, "Event-driven architecture", slides=5, out_dir=tmp_path / "out")

    assert flow.status == "completed"
    per_table = Counter()
    for (_, table, _), count in dynamodb_writes(log).items():
        per_table[table] += count
    budget = {getattr(runtime.settings, field): most for field, most in BUDGET.items()}
    assert set(per_table) <= set(budget), per_table  # no table written that the budget does not know
    over = {table: (per_table[table], most) for table, most in budget.items() if per_table[table] > most}
    assert not over, f"over budget (written, budget): {over}"
    assert sum(per_table.values()) <= sum(BUDGET.values()) <= 35
