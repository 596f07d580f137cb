"""The template's REST API on 127.0.0.1: routes from its ``AWS::ApiGateway::Resource``/``Method`` resources.

Each method's path is rebuilt from the resource tree (``ParentId``/``PathPart``), its function from
the ``AWS_PROXY`` integration's URI. A request is answered the way API Gateway answers it: an unknown
route is 403 "Missing Authentication Token"; a method with ``ApiKeyRequired`` wants ``x-api-key``
holding an enabled key of a usage plan of the stage (403 "Forbidden" otherwise); a method whose
request validator checks bodies validates the JSON body against its ``RequestModels`` model (JSON
Schema draft 4) and refuses it with the stage's ``BAD_REQUEST_BODY`` gateway response; the function
must let ``apigateway.amazonaws.com`` invoke it for that method's execute-api ARN (an
``AWS::Lambda::Permission``), else 500; a failed invocation is 502. Gateway responses of the
template (status, JSON template with ``$context.error.*``) replace API Gateway's defaults. The proxy
event is the local runtime's (local/apigw.py) with the stage, account and API id of the template.
"""

from __future__ import annotations

import json
import re
import secrets
import string
from dataclasses import dataclass, field
from typing import Any

from local import apigw
from local.deployed import access
from local.deployed.template import TemplateError
from local.server import LocalServer

HTTP_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")


@dataclass(frozen=True)
class ApiRoute:
    route: apigw.Route  # method, resource path, function name
    api_key_required: bool
    method_logical: str
    body_models: dict[str, dict[str, Any]] = field(default_factory=dict)  # content type → JSON Schema (validated)


@dataclass
class RestApiModel:
    api_id: str
    stage: str
    routes: list[ApiRoute]
    api_keys: dict[str, str]  # key value → ApiKey logical id (enabled keys of a usage plan of the stage)
    permissions: list[dict[str, Any]]  # resolved AWS::Lambda::Permission properties for apigateway
    gateway_responses: dict[str, dict[str, Any]] = field(default_factory=dict)  # ResponseType → properties

    def error(self, response_type: str, status: int, message: str, validation: str = "",
              error_type: str | None = None) -> tuple[int, dict[str, str], bytes]:
        """API Gateway's own answer of ``response_type``: the template's gateway response, else its default."""
        family = "DEFAULT_4XX" if status < 500 else "DEFAULT_5XX"
        custom = self.gateway_responses.get(response_type) or self.gateway_responses.get(family)
        headers = {"Content-Type": "application/json"}
        if error_type:
            headers["x-amzn-ErrorType"] = error_type
        if custom is None:
            return status, headers, json.dumps({"message": message}).encode()
        for name, value in custom.get("ResponseParameters", {}).items():
            if name.startswith("gatewayresponse.header."):
                headers[name.removeprefix("gatewayresponse.header.")] = str(value).strip("'")
        template = custom.get("ResponseTemplates", {}).get("application/json")
        body = json.dumps({"message": message}) if template is None else (
            template.replace("$context.error.validationErrorString", _in_json_string(validation))
            .replace("$context.error.messageString", json.dumps(message))
            .replace("$context.error.message", _in_json_string(message)))
        return int(custom.get("StatusCode", status)), headers, body.encode()


def _in_json_string(text: str) -> str:
    """``text`` escaped for the inside of a JSON string (where the templates place ``$context.error.*``)."""
    return json.dumps(text)[1:-1]


def read_rest_api(stack: Any) -> RestApiModel | None:
    """The template's one REST API (None when it has none)."""
    template, provisioner = stack.assembly.template, stack.provisioner
    apis = template.of_type("AWS::ApiGateway::RestApi")
    if not apis:
        return None
    if len(apis) > 1:
        raise TemplateError("the harness serves one REST API per template")
    api_logical = next(iter(apis))
    stages = [r for r in template.of_type("AWS::ApiGateway::Stage").values()
              if r["Properties"].get("RestApiId") == {"Ref": api_logical}]
    if len(stages) != 1:
        raise TemplateError(f"expected one stage of {api_logical}, found {len(stages)}")
    stage = provisioner.resolve(stages[0]["Properties"]["StageName"])
    by_arn = {function.arn: function.name for function in stack.functions.values()}
    routes = []
    for logical, method in template.of_type("AWS::ApiGateway::Method").items():
        p = method["Properties"]
        integration = p.get("Integration", {})
        if integration.get("Type") != "AWS_PROXY":
            raise TemplateError(f"{logical}: integration {integration.get('Type')} is not modelled (AWS_PROXY only)")
        uri = provisioner.resolve(integration["Uri"], f"Resources.{logical}.Properties.Integration.Uri")
        found = re.search(r"/functions/(arn:[^/]+)/invocations$", uri)
        if not found or found.group(1) not in by_arn:
            raise TemplateError(f"{logical}: the integration does not invoke a function of the template ({uri})")
        path = _resource_path(template, p["ResourceId"])
        verbs = HTTP_METHODS if p["HttpMethod"] == "ANY" else (p["HttpMethod"],)
        models = _body_models(template, provisioner, p)
        for verb in verbs:
            routes.append(ApiRoute(apigw.Route(verb, path, by_arn[found.group(1)]), bool(p.get("ApiKeyRequired")),
                                   logical, models))
    permissions = []
    for logical, permission in template.of_type("AWS::Lambda::Permission").items():
        resolved = provisioner.resolve(permission["Properties"], f"Resources.{logical}.Properties")
        if resolved.get("Principal") == "apigateway.amazonaws.com":
            permissions.append(resolved)
    responses = {}
    for logical, response in template.of_type("AWS::ApiGateway::GatewayResponse").items():
        resolved = provisioner.resolve(response["Properties"], f"Resources.{logical}.Properties")
        responses[resolved["ResponseType"]] = resolved
    return RestApiModel(provisioner.ref(api_logical), stage, routes, _api_keys(stack, api_logical, stages[0]),
                        permissions, responses)


def _body_models(template: Any, provisioner: Any, method: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The method's request models, when its request validator validates bodies (content type → schema)."""
    validator = method.get("RequestValidatorId")
    if not (isinstance(validator, dict) and "Ref" in validator):
        return {}
    if not template.properties(validator["Ref"]).get("ValidateRequestBody"):
        return {}
    models = {}
    for content_type, model in method.get("RequestModels", {}).items():
        if not (isinstance(model, dict) and "Ref" in model):
            raise TemplateError(f"request model {model!r} is not a model of the template")
        models[content_type.lower()] = provisioner.resolve(template.properties(model["Ref"])["Schema"])
    return models


def body_errors(schema: dict[str, Any], body: bytes | None) -> list[str]:
    """What API Gateway's validator would say about ``body`` (empty: it passes)."""
    import jsonschema

    try:
        document = json.loads(body or b"null")
    except ValueError as error:
        return [f"Invalid request body: {error}"]
    validator = jsonschema.Draft4Validator(schema)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}" for e in validator.iter_errors(document))


def _resource_path(template: Any, resource_id: Any) -> str:
    parts = []
    while not (isinstance(resource_id, dict) and "Fn::GetAtt" in resource_id):  # GetAtt RootResourceId is "/"
        if not (isinstance(resource_id, dict) and "Ref" in resource_id):
            raise TemplateError(f"cannot follow API resource {resource_id!r}")
        properties = template.properties(resource_id["Ref"])
        parts.append(properties["PathPart"])
        resource_id = properties["ParentId"]
    return "/" + "/".join(reversed(parts))


def _api_keys(stack: Any, api_logical: str, stage: dict[str, Any]) -> dict[str, str]:
    """API keys that open this stage: enabled, and in a usage plan listing the stage. Values as generated."""
    template = stack.assembly.template
    stage_logical = next(k for k, v in template.of_type("AWS::ApiGateway::Stage").items() if v is stage)
    plans = {logical for logical, plan in template.of_type("AWS::ApiGateway::UsagePlan").items()
             if any(s.get("ApiId") == {"Ref": api_logical} and s.get("Stage") == {"Ref": stage_logical}
                    for s in plan["Properties"].get("ApiStages", []))}
    keys = {}
    for link in template.of_type("AWS::ApiGateway::UsagePlanKey").values():
        p = link["Properties"]
        if p.get("UsagePlanId", {}).get("Ref") not in plans:
            continue
        key_logical = p["KeyId"]["Ref"]
        key = template.properties(key_logical)
        if key.get("Enabled", False) is not True:
            continue
        value = stack.provisioner.resolve(key.get("Value")) or "".join(
            secrets.choice(string.ascii_letters + string.digits) for _ in range(40))  # API Gateway generates 40
        keys[value] = key_logical
    return keys


class DeployedApi(LocalServer):
    """The REST API as API Gateway serves it, in front of the functions' execution environments."""

    def __init__(self, stack: Any, model: RestApiModel, host: str = "127.0.0.1", port: int = 0):
        self.stack = stack
        self.model = model
        super().__init__(stack, host, port)

    def match(self, method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
        for candidate in self.model.routes:
            found = candidate.route.pattern.match(path)
            if found and candidate.route.method == method:
                return candidate, found.groupdict()
        return None

    def source_arn(self, method: str, path: str) -> str:
        stack = self.stack
        return (f"arn:aws:execute-api:{stack.provisioner.region}:{stack.provisioner.account}:"
                f"{self.model.api_id}/{self.model.stage}/{method}{path}")

    def permitted(self, function: str, source_arn: str) -> bool:
        arn = self.stack.functions[function].arn
        for permission in self.model.permissions:
            target = permission.get("FunctionName")
            if target not in (arn, self.stack.functions[function].physical_name):
                continue
            if permission.get("Action") not in ("lambda:InvokeFunction", "lambda:*"):
                continue
            pattern = permission.get("SourceArn")
            if pattern is None or access.arn_like(pattern, source_arn):
                return True
        return False

    def dispatch(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
                 client_ip: str) -> tuple[int, dict[str, str], bytes]:
        path = url.split("?", 1)[0]
        found = self.match(method, path)
        model = self.model
        if found is None:
            return model.error("MISSING_AUTHENTICATION_TOKEN", 403, "Missing Authentication Token",
                               error_type="MissingAuthenticationTokenException")
        api_route, params = found
        header = {k.lower(): v for k, v in headers.items()}
        if api_route.api_key_required and header.get("x-api-key") not in model.api_keys:
            return model.error("INVALID_API_KEY", 403, "Forbidden", error_type="ForbiddenException")
        content_type = header.get("content-type", "application/json").split(";", 1)[0].strip().lower()
        schema = api_route.body_models.get(content_type)
        if schema is not None and (problems := body_errors(schema, body)):
            return model.error("BAD_REQUEST_BODY", 400, "Invalid request body", "[" + ", ".join(problems) + "]",
                               error_type="BadRequestException")
        source_arn = self.source_arn(method, path)
        function = api_route.route.function
        if not self.permitted(function, source_arn):
            self.stack.defect(f"API Gateway may not invoke {function} for {source_arn} (no AWS::Lambda::Permission)")
            return model.error("DEFAULT_5XX", 500, "Internal server error")
        event = apigw.proxy_event(api_route.route, params, method, url, headers, body, client_ip,
                                  stage=self.model.stage, account=self.stack.provisioner.account,
                                  api_id=self.model.api_id)
        invocation = self.stack.invoke(function, event)
        result = invocation.result
        if not invocation.ok or not isinstance(result, dict) or "statusCode" not in result:
            return model.error("DEFAULT_5XX", 502, "Internal server error")  # failed, or a malformed proxy response
        return apigw.response_parts(result)
