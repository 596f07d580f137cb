"""The region's API Gateway account setting: the IAM role API Gateway writes CloudWatch logs with.

A stage with access logging cannot be created until the account has this role ("CloudWatch Logs role
ARN must be set in account settings"). It is one setting per account and region, shared by every REST
API there, so it lives in a stack of its own that every deployment of this app shares (its name does
not depend on ``stackName``): ``cdk deploy --all`` deploys it first (the app stack depends on it), and a
second deployment of the app in the same region finds it unchanged. Deleting the app's stack leaves it;
deleting this stack leaves the role (RETAIN), so the setting never points at a role that is gone.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_apigateway as apigateway
from aws_cdk import aws_iam as iam
from constructs import Construct

from cdk.nag import acknowledge

ACCOUNT_STACK_NAME = "BibleVibeCoder-ApiGatewayAccount"

# What API Gateway does with the role (AWS's AmazonAPIGatewayPushToCloudWatchLogs, less its reads): create
# and find each API's log groups and streams, write events.
LOG_DELIVERY_ACTIONS = ("logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogGroups",
                        "logs:DescribeLogStreams", "logs:PutLogEvents")


class ApiGatewayAccountStack(cdk.Stack):
    def __init__(self, scope: Construct, id: str = ACCOUNT_STACK_NAME, **kwargs: Any):
        super().__init__(scope, id, description="API Gateway's CloudWatch Logs role for this account and region "
                                                "(one per region, shared by every REST API there)", **kwargs)
        # An inline policy, so the role is complete when CloudFormation returns its ARN: API Gateway checks
        # the role when the setting is made, and a separate policy resource could still be attaching.
        self.role = iam.Role(
            self, "CloudWatchRole", assumed_by=iam.ServicePrincipal("apigateway.amazonaws.com"),
            description="API Gateway writes access and execution logs of this region's REST APIs",
            inline_policies={"PushToCloudWatchLogs": iam.PolicyDocument(statements=[iam.PolicyStatement(
                actions=list(LOG_DELIVERY_ACTIONS),
                resources=[self.format_arn(service="logs", resource="log-group", resource_name="*",
                                           arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)])])})
        self.role.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.setting = apigateway.CfnAccount(self, "Account", cloud_watch_role_arn=self.role.role_arn)
        acknowledge(self.role, "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:"
                               "<AWS::AccountId>:log-group:*]",
                    "The account-wide API Gateway logging role serves every REST API in the region, whose log "
                    "groups (API-Gateway-Execution-Logs_<api id>/<stage>, each stage's access log group) this "
                    "stack cannot know; it is limited to this account and region and to log delivery actions.")
