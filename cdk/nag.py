"""cdk-nag (AwsSolutions) through CDK's validation API, and acknowledgments with their reasons.

cdk-nag 3.x plugs into ``Validations.of(app).add_plugins``: any unacknowledged finding fails
``cdk synth`` (and the infra tests). Every acknowledgment names one rule (or one finding of a rule,
``AwsSolutions-IAM5[Resource::…]``) on one construct and says why.
"""

from __future__ import annotations

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks
from constructs import IConstruct


def acknowledge(construct: IConstruct, rule: str, reason: str) -> None:
    cdk.Validations.of(construct).acknowledge(cdk.Acknowledgment(id=rule, reason=reason))


def apply_checks(app: cdk.App) -> None:
    # Acknowledged findings are also written into the template's Metadata (cdk_nag.rules_to_suppress),
    # so a reviewer reading the template sees each one with its reason.
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app, write_suppressions_to_cloud_formation=True))
