"""DynamoDB tables as data: CDK creates them from this, the local runtime creates them in moto.

Access patterns each serves are documented in docs/data-model.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# How far back an event may be replayed without repeating its effects: every consumer's idempotency
# record lives this long, the bus archive keeps events this long (CDK), and so does the events table
# (`python -m local replay`). A longer archive would replay events nobody remembers as new ones.
REPLAY_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str | None = None
    # "KEYS_ONLY" (the table's and the index's keys) or "INCLUDE" (those and ``include``). Every write that
    # changes what an index holds of an item rewrites the index's copy, billed by that copy's size: an index
    # of keys is written only when its keys change, whatever else the item's updates touch. Readers that need
    # more read the items themselves (BatchGetItem).
    projection: str = "KEYS_ONLY"
    include: tuple[str, ...] = ()  # the non-key attributes an INCLUDE index copies

    def __post_init__(self) -> None:
        if (self.projection == "INCLUDE") != bool(self.include):
            raise ValueError(f"index {self.name}: INCLUDE takes the attributes it copies, and only INCLUDE does")

    def projection_spec(self) -> dict[str, Any]:
        """The index's ``Projection`` as DynamoDB's API (and CloudFormation) spell it."""
        return {"ProjectionType": self.projection, **({"NonKeyAttributes": list(self.include)} if self.include else {})}


@dataclass(frozen=True)
class TableSpec:
    settings_field: str  # the Settings attribute (and env var) that names the table
    partition_key: str
    sort_key: str | None = None
    ttl_attribute: str | None = None
    indexes: tuple[Index, ...] = field(default_factory=tuple)

    def key_attributes(self) -> list[str]:
        names = [self.partition_key, self.sort_key]
        for index in self.indexes:
            names += [index.partition_key, index.sort_key]
        return list(dict.fromkeys(n for n in names if n))


TABLES: dict[str, TableSpec] = {
    "carousels": TableSpec(
        "carousels_table",
        partition_key="requestId",
        ttl_attribute="expiresAt",
        # Keys only: the generator's slides never rewrite them; byUser is written once (its keys never change),
        # byStatus when the status does. Their readers (/history, the rate limit's look-back, the sweeps,
        # /stats) read the few items they list.
        indexes=(Index("byUser", "userId", "createdAt"), Index("byStatus", "status", "createdAt")),
    ),
    # The sender's own log of what each chat has been answered (the carousel record is the generator's).
    "deliveries": TableSpec(
        "deliveries_table",
        partition_key="requestId",
        ttl_attribute="expiresAt",
        indexes=(Index("byState", "state", "createdAt"),),
    ),
    "users": TableSpec("users_table", partition_key="userId"),
    "events": TableSpec(
        "events_table",
        partition_key="correlationId",
        sort_key="sk",  # "<timestamp>#<event id>": the request's events in order
        ttl_attribute="expiresAt",
        # Events are written once; the index keeps their source (GET /health: each service's newest event),
        # not their envelopes (count_by_type counts, latest_of_type reads the few items it lists).
        indexes=(Index("byType", "type", "sk", projection="INCLUDE", include=("source",)),),
    ),
    "analytics": TableSpec("analytics_table", partition_key="pk", sort_key="sk", ttl_attribute="expiresAt"),
    # Powertools Idempotency's default schema.
    "idempotency": TableSpec("idempotency_table", partition_key="id", ttl_attribute="expiration"),
}


def create_local_tables(settings, dynamodb_client) -> None:
    """Create every table (on moto) with the same keys as the deployed ones; existing ones are kept."""
    existing = set(dynamodb_client.list_tables()["TableNames"])
    for spec in TABLES.values():
        name = getattr(settings, spec.settings_field)
        if name in existing:
            continue
        key_schema = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
        if spec.sort_key:
            key_schema.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
        kwargs = {}
        if spec.indexes:
            kwargs["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": index.name,
                    "KeySchema": [{"AttributeName": index.partition_key, "KeyType": "HASH"}]
                    + ([{"AttributeName": index.sort_key, "KeyType": "RANGE"}] if index.sort_key else []),
                    "Projection": index.projection_spec(),
                }
                for index in spec.indexes
            ]
        dynamodb_client.create_table(
            TableName=name,
            KeySchema=key_schema,
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in spec.key_attributes()],
            BillingMode="PAY_PER_REQUEST",
            **kwargs,
        )
