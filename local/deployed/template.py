"""A synthesized CloudFormation template, read the way CloudFormation reads it.

:class:`Resolver` evaluates intrinsic functions (``Ref``, ``Fn::GetAtt``, ``Fn::Join``, ``Fn::Sub``,
``Fn::Select``, ``Fn::Split``, ``Fn::If`` and the condition functions) against physical values the
caller supplies (local/deployed/provision.py creates them on moto). Anything it cannot evaluate
raises :class:`TemplateError` with the path to the value, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any


class TemplateError(Exception):
    """The template uses something the harness cannot evaluate (or is inconsistent)."""


NO_VALUE = object()  # AWS::NoValue: the property is removed


class Template:
    def __init__(self, data: dict[str, Any], stack_name: str):
        self.data = data
        self.stack_name = stack_name
        self.resources: dict[str, dict[str, Any]] = data.get("Resources", {})
        self.parameters: dict[str, dict[str, Any]] = data.get("Parameters", {})
        self.conditions: dict[str, Any] = data.get("Conditions", {})

    def of_type(self, type_: str) -> dict[str, dict[str, Any]]:
        return {logical: r for logical, r in self.resources.items() if r["Type"] == type_}

    def properties(self, logical: str) -> dict[str, Any]:
        return self.resources[logical].get("Properties", {})

    def cdk_path(self, logical: str) -> str:
        return self.resources[logical].get("Metadata", {}).get("aws:cdk:path", "")


class Resolver:
    """Evaluates intrinsic functions; ``ref(logical)`` and ``attr(logical, name)`` give physical values."""

    def __init__(self, template: Template, pseudo: dict[str, Any], ref: Callable[[str], Any],
                 attr: Callable[[str, str], Any]):
        self.template = template
        self.pseudo = pseudo
        self.ref = ref
        self.attr = attr
        self._conditions: dict[str, bool] = {}

    def __call__(self, value: Any, where: str = "") -> Any:
        resolved = self._resolve(value, where)
        return None if resolved is NO_VALUE else resolved

    def condition(self, name: str) -> bool:
        if name not in self._conditions:
            if name not in self.template.conditions:
                raise TemplateError(f"unknown condition {name}")
            self._conditions[name] = bool(self._resolve(self.template.conditions[name], f"Conditions.{name}"))
        return self._conditions[name]

    def _resolve(self, value: Any, where: str) -> Any:
        if isinstance(value, list):
            items = [self._resolve(item, f"{where}[{i}]") for i, item in enumerate(value)]
            return [item for item in items if item is not NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            (key, argument), = value.items()
            function = _FUNCTIONS.get(key)
            if function is not None:
                return function(self, argument, f"{where}.{key}")
            if key.startswith("Fn::"):
                raise TemplateError(f"{where}: {key} is not supported by the harness")
        items = {k: self._resolve(v, f"{where}.{k}") for k, v in value.items()}
        return {k: v for k, v in items.items() if v is not NO_VALUE}

    # --- functions -----------------------------------------------------------------------------

    def _ref(self, name: str, where: str) -> Any:
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self.pseudo:
            return self.pseudo[name]
        if name in self.template.parameters:
            parameter = self.template.parameters[name]
            if "Default" not in parameter:
                raise TemplateError(f"{where}: parameter {name} has no default")
            return parameter["Default"]
        if name in self.template.resources:
            return self.ref(name)
        raise TemplateError(f"{where}: Ref to unknown {name}")

    def _get_att(self, argument: Any, where: str) -> Any:
        logical, attribute = argument.split(".", 1) if isinstance(argument, str) else argument
        if logical not in self.template.resources:
            raise TemplateError(f"{where}: Fn::GetAtt of unknown {logical}")
        return self.attr(logical, self._resolve(attribute, where))

    def _join(self, argument: list[Any], where: str) -> str:
        delimiter, items = argument
        items = self._resolve(items, where)
        return self._resolve(delimiter, where).join(_text(item, where) for item in items)

    def _sub(self, argument: Any, where: str) -> str:
        text, variables = (argument, {}) if isinstance(argument, str) else argument
        variables = {k: self._resolve(v, f"{where}.{k}") for k, v in variables.items()}

        def replace(match: re.Match) -> str:
            name = match.group(1)
            if name.startswith("!"):
                return "${" + name[1:] + "}"
            if name in variables:
                return _text(variables[name], where)
            if "." in name and not name.startswith("AWS::"):
                logical, attribute = name.split(".", 1)
                return _text(self.attr(logical, attribute), where)
            return _text(self._ref(name, where), where)

        return re.sub(r"\$\{([^}]+)\}", replace, text)

    def _select(self, argument: list[Any], where: str) -> Any:
        index, items = argument
        items = self._resolve(items, where)
        return items[int(self._resolve(index, where))]

    def _split(self, argument: list[Any], where: str) -> list[str]:
        delimiter, text = argument
        return _text(self._resolve(text, where), where).split(delimiter)

    def _if(self, argument: list[Any], where: str) -> Any:
        name, when_true, when_false = argument
        return self._resolve(when_true if self.condition(name) else when_false, where)

    def _equals(self, argument: list[Any], where: str) -> bool:
        left, right = (self._resolve(item, where) for item in argument)
        return left == right

    def _not(self, argument: list[Any], where: str) -> bool:
        return not self._resolve(argument[0], where)

    def _and(self, argument: list[Any], where: str) -> bool:
        return all(self._resolve(item, where) for item in argument)

    def _or(self, argument: list[Any], where: str) -> bool:
        return any(self._resolve(item, where) for item in argument)

    def _condition(self, name: str, where: str) -> bool:
        return self.condition(name)


def _text(value: Any, where: str) -> str:
    if isinstance(value, (dict, list)):
        raise TemplateError(f"{where}: expected a string, got {value!r}")
    return str(value)


_FUNCTIONS: dict[str, Callable[[Resolver, Any, str], Any]] = {
    "Ref": Resolver._ref, "Fn::GetAtt": Resolver._get_att, "Fn::Join": Resolver._join, "Fn::Sub": Resolver._sub,
    "Fn::Select": Resolver._select, "Fn::Split": Resolver._split, "Fn::If": Resolver._if,
    "Fn::Equals": Resolver._equals, "Fn::Not": Resolver._not, "Fn::And": Resolver._and, "Fn::Or": Resolver._or,
    "Condition": Resolver._condition,
}
