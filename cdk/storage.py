"""DynamoDB tables from vibecoder.tables.TABLES and the slides bucket."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_s3 as s3
from constructs import Construct

from cdk.config import SLIDES_PREFIX
from cdk.nag import acknowledge
from vibecoder.tables import TABLES, TableSpec


def _attribute(name: str) -> dynamodb.Attribute:
    return dynamodb.Attribute(name=name, type=dynamodb.AttributeType.STRING)


class Tables(Construct):
    """One on-demand table per TABLES entry: point-in-time recovery, TTL where records expire."""

    def __init__(self, scope: Construct, id: str, *, removal_policy: cdk.RemovalPolicy):
        super().__init__(scope, id)
        self.specs: dict[str, TableSpec] = dict(TABLES)
        self.tables: dict[str, dynamodb.Table] = {}
        for name, spec in TABLES.items():
            table = dynamodb.Table(
                self, name.title(),
                partition_key=_attribute(spec.partition_key),
                sort_key=_attribute(spec.sort_key) if spec.sort_key else None,
                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                    point_in_time_recovery_enabled=True),
                time_to_live_attribute=spec.ttl_attribute,
                encryption=dynamodb.TableEncryption.AWS_MANAGED,
                deletion_protection=removal_policy == cdk.RemovalPolicy.RETAIN,
                removal_policy=removal_policy,
            )
            for index in spec.indexes:
                table.add_global_secondary_index(
                    index_name=index.name,
                    partition_key=_attribute(index.partition_key),
                    sort_key=_attribute(index.sort_key) if index.sort_key else None,
                    projection_type=dynamodb.ProjectionType[index.projection],
                    non_key_attributes=list(index.include) or None,
                )
            self.tables[name] = table

    def env_var(self, name: str) -> str:
        """The environment variable naming this table (the Settings field, upper-cased)."""
        return self.specs[name].settings_field.upper()

    def index_arn(self, name: str, index: str) -> str:
        if index not in {i.name for i in self.specs[name].indexes}:
            raise ValueError(f"table {name} has no index {index}")
        return f"{self.tables[name].table_arn}/index/{index}"


class SlidesBucket(Construct):
    """Rendered slides: private, encrypted, TLS only, expiring after ``retention_days``."""

    def __init__(self, scope: Construct, id: str, *, retention_days: int, removal_policy: cdk.RemovalPolicy):
        super().__init__(scope, id)
        self.prefix = SLIDES_PREFIX
        self.bucket = s3.Bucket(
            self, "Bucket",
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            encryption=s3.BucketEncryption.S3_MANAGED,
            enforce_ssl=True,
            minimum_tls_version=1.2,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            removal_policy=removal_policy,
            lifecycle_rules=[
                s3.LifecycleRule(id="expire-slides", prefix=f"{SLIDES_PREFIX}/",
                                 expiration=cdk.Duration.days(retention_days)),
                s3.LifecycleRule(id="abort-incomplete-uploads",
                                 abort_incomplete_multipart_upload_after=cdk.Duration.days(1)),
            ],
        )
        acknowledge(
            self.bucket, "AwsSolutions-S1",
            "Holds only generated slide images that expire with their carousel record; they are written by the "
            "renderer's role alone and read through presigned URLs. Server access logs would need a second "
            "bucket (with the same finding); CloudTrail S3 data events can be enabled account-wide instead.",
        )

    def objects_arn(self) -> str:
        return self.bucket.arn_for_objects(f"{self.prefix}/*")
