"""Each ``AWS::Lambda::Function`` of the template, read into what its execution environment needs.

The handler, runtime, timeout, memory and tracing mode; the environment variables with every
intrinsic resolved; the code asset and the layers (in the template's order) as staged folders; the
role's identity policies (``AWS::IAM::Policy`` attached to it, its inline policies, customer managed
policies of the template) with concrete ARNs; the dead-letter queue and the async retry count of
its ``AWS::Lambda::EventInvokeConfig``; its log group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from local.deployed import access
from local.deployed.assembly import Assembly
from local.deployed.provision import Provisioner
from local.deployed.template import TemplateError

LAMBDA_DEFAULT_RETRIES = 2  # asynchronous invocation without an EventInvokeConfig
LAMBDA_DEFAULT_TIMEOUT = 3
LAMBDA_DEFAULT_MEMORY = 128
# AWS managed policies the harness knows the content of (the template cannot say what they grant).
KNOWN_MANAGED_POLICIES = {
    "service-role/AWSLambdaBasicExecutionRole": [{
        "Sid": "AWSLambdaBasicExecutionRole", "Effect": "Allow",
        "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"}],
    "AWSXRayDaemonWriteAccess": [{
        "Sid": "AWSXRayDaemonWriteAccess", "Effect": "Allow",
        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
                   "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"], "Resource": "*"}],
}


@dataclass
class DeployedFunction:
    logical: str
    name: str  # the construct's id ("carousel-generator"): how the harness and its reports name it
    physical_name: str
    arn: str
    handler: str
    runtime: str
    timeout_seconds: int
    memory_mb: int
    architectures: list[str]
    environment: dict[str, str]
    code: Path
    layers: list[tuple[str, Path]]  # (layer logical id, staged folder), in the template's order
    role_name: str
    role_arn: str
    trusted_by_lambda: bool
    policy: list[dict[str, Any]]
    unevaluated_policies: list[str]  # managed policies whose content the harness cannot know
    dead_letter_arn: str | None
    max_retries: int
    log_group_name: str
    log_group_arn: str
    tracing: bool
    asset_keys: dict[str, str] = field(default_factory=dict)  # "code" / layer logical id → asset object key


def read_functions(assembly: Assembly, provisioner: Provisioner) -> dict[str, DeployedFunction]:
    template = assembly.template
    invoke_configs = _invoke_configs(template, provisioner)
    found: dict[str, DeployedFunction] = {}
    for logical, resource in template.of_type("AWS::Lambda::Function").items():
        raw = resource.get("Properties", {})
        where = f"Resources.{logical}.Properties"
        resolve = provisioner.resolve
        runtime = raw.get("Runtime", "")
        if not str(runtime).startswith("python"):
            raise TemplateError(f"{logical}: runtime {runtime!r} is not a Python runtime")
        if "ImageUri" in raw.get("Code", {}) or raw.get("PackageType") == "Image":
            raise TemplateError(f"{logical}: container images are not supported by the harness")
        asset_keys = {"code": raw["Code"]["S3Key"]}
        layers = []
        for position, layer in enumerate(raw.get("Layers", [])):
            if not (isinstance(layer, dict) and "Ref" in layer and layer["Ref"] in template.resources):
                raise TemplateError(f"{where}.Layers[{position}]: a layer from outside the template cannot be mounted")
            layer_logical = layer["Ref"]
            content = template.properties(layer_logical)["Content"]
            layers.append((layer_logical, assembly.asset_folder(content, f"Resources.{layer_logical}.Content")))
            asset_keys[layer_logical] = content["S3Key"]
        role_logical = _role_logical(raw.get("Role"), where)
        role = template.resources[role_logical].get("Properties", {})
        policy, unevaluated = role_policy(template, provisioner, role_logical)
        variables = resolve(raw.get("Environment", {}).get("Variables", {}), f"{where}.Environment.Variables")
        logging = resolve(raw.get("LoggingConfig", {}), f"{where}.LoggingConfig")
        physical_name = provisioner.ref(logical)
        log_group = logging.get("LogGroup") or f"/aws/lambda/{physical_name}"
        dead_letter = resolve(raw.get("DeadLetterConfig", {}), f"{where}.DeadLetterConfig").get("TargetArn")
        path = template.cdk_path(logical).split("/")
        name = path[-2] if len(path) >= 2 and path[-1] == "Resource" else logical
        found[name] = DeployedFunction(
            logical=logical, name=name, physical_name=physical_name, arn=provisioner.attribute(logical, "Arn"),
            handler=raw["Handler"], runtime=runtime,
            timeout_seconds=int(raw.get("Timeout", LAMBDA_DEFAULT_TIMEOUT)),
            memory_mb=int(raw.get("MemorySize", LAMBDA_DEFAULT_MEMORY)),
            architectures=list(raw.get("Architectures", ["x86_64"])),
            environment={key: str(value) for key, value in variables.items()},
            code=assembly.asset_folder(raw["Code"], f"{where}.Code"), layers=layers,
            role_name=provisioner.ref(role_logical), role_arn=provisioner.attribute(role_logical, "Arn"),
            trusted_by_lambda=_trusts_lambda(resolve(role.get("AssumeRolePolicyDocument", {}), role_logical)),
            policy=policy, unevaluated_policies=unevaluated, dead_letter_arn=dead_letter,
            max_retries=invoke_configs.get(logical, LAMBDA_DEFAULT_RETRIES),
            log_group_name=log_group, log_group_arn=f"arn:aws:logs:{provisioner.region}:{provisioner.account}:"
                                                   f"log-group:{log_group}",
            tracing=resolve(raw.get("TracingConfig", {}), where).get("Mode") == "Active",
            asset_keys=asset_keys,
        )
    return found


def _role_logical(role: Any, where: str) -> str:
    if isinstance(role, dict) and "Fn::GetAtt" in role:
        target = role["Fn::GetAtt"]
        return target.split(".", 1)[0] if isinstance(target, str) else target[0]
    raise TemplateError(f"{where}.Role: the role must be one of the template's (got {role!r})")


def _trusts_lambda(document: dict[str, Any]) -> bool:
    for statement in access.statements(document):
        principals = statement.get("Principal", {}).get("Service", [])
        principals = principals if isinstance(principals, list) else [principals]
        actions = statement.get("Action", [])
        actions = actions if isinstance(actions, list) else [actions]
        if statement.get("Effect") == "Allow" and "lambda.amazonaws.com" in principals and "sts:AssumeRole" in actions:
            return True
    return False


def role_policy(template: Any, provisioner: Provisioner, role_logical: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The role's identity-policy statements with concrete ARNs (Sids prefixed by the policy's name)."""
    documents: list[tuple[str, dict[str, Any]]] = []
    role = template.resources[role_logical].get("Properties", {})
    for inline in role.get("Policies", []):
        documents.append((inline.get("PolicyName", "inline"), inline["PolicyDocument"]))
    for logical, resource in template.of_type("AWS::IAM::Policy").items():
        if {"Ref": role_logical} in resource.get("Properties", {}).get("Roles", []):
            documents.append((logical, resource["Properties"]["PolicyDocument"]))
    managed_in_template = template.of_type("AWS::IAM::ManagedPolicy")
    for logical, resource in managed_in_template.items():
        if {"Ref": role_logical} in resource.get("Properties", {}).get("Roles", []):
            documents.append((logical, resource["Properties"]["PolicyDocument"]))
    unevaluated = []
    for position, arn in enumerate(role.get("ManagedPolicyArns", [])):
        if isinstance(arn, dict) and arn.get("Ref") in managed_in_template:
            documents.append((arn["Ref"], managed_in_template[arn["Ref"]]["Properties"]["PolicyDocument"]))
            continue
        resolved = provisioner.resolve(arn, f"Resources.{role_logical}.Properties.ManagedPolicyArns[{position}]")
        known = next((doc for name, doc in KNOWN_MANAGED_POLICIES.items() if resolved.endswith(f":policy/{name}")), None)
        if known is None:
            unevaluated.append(resolved)
        else:
            documents.append((resolved.rsplit("/", 1)[-1], {"Statement": known}))
    statements = []
    for name, document in documents:
        resolved = provisioner.resolve(document, f"policy {name}")
        for statement in access.statements(resolved):
            statements.append({**statement, "Sid": f"{name}/{statement['Sid']}"})
    return statements, unevaluated


def _invoke_configs(template: Any, provisioner: Provisioner) -> dict[str, int]:
    """Function logical id → MaximumRetryAttempts of its EventInvokeConfig."""
    configs = {}
    for logical, resource in template.of_type("AWS::Lambda::EventInvokeConfig").items():
        target = resource["Properties"]["FunctionName"]
        if isinstance(target, dict) and "Ref" in target:
            configs[target["Ref"]] = int(resource["Properties"].get("MaximumRetryAttempts", LAMBDA_DEFAULT_RETRIES))
        else:
            raise TemplateError(f"Resources.{logical}: EventInvokeConfig of a function outside the template")
    return configs
