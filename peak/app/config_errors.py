"""Turn pydantic validation errors into one line per problem that names the full key path.

Example line: ``strategy.fsat: unknown key; allowed keys: fast, name, slow (did you mean 'fast'?)``.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

MISSING = "???"


def find_missing(raw: Mapping[str, Any], prefix: str = "") -> list[str]:
    """Hydra's ``???`` placeholders that nobody filled in, e.g. ``data.path`` for ``data=csv``."""
    found: list[str] = []
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            found.extend(find_missing(value, prefix=f"{path}."))
        elif value == MISSING:
            found.append(
                f"{path}: required value is missing; set it on the command line, e.g. {path}=<value>"
            )
    return found


def _key_path(loc: Sequence[int | str], raw: Any) -> list[str]:
    # Discriminated unions put the tag (e.g. 'csv') into the location; it is not a key of the input.
    path: list[str] = []
    node = raw
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, Mapping) and part in node:
            path.append(str(part))
            node = node[part]
        elif last:
            path.append(str(part))
    return path


def _union_members(annotation: Any) -> list[type[BaseModel]]:
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        return _union_members(args[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for arg in args for m in _union_members(arg)]
    return []


def _model_at(root: type[BaseModel], path: Sequence[str], raw: Any) -> type[BaseModel] | None:
    model: type[BaseModel] | None = root
    node = raw
    for part in path:
        if model is None or part not in model.model_fields:
            return None
        members = _union_members(model.model_fields[part].annotation)
        node = node.get(part, {}) if isinstance(node, Mapping) else {}
        model = _pick_member(members, node)
    return model


def _pick_member(members: list[type[BaseModel]], node: Any) -> type[BaseModel] | None:
    if len(members) <= 1:
        return members[0] if members else None
    for member in members:
        for name, field in member.model_fields.items():
            if isinstance(node, Mapping) and node.get(name) == field.default and name in ("source", "name"):
                return member
    return None


def _unknown_key_line(dotted: str, path: list[str], raw: Any, root: type[BaseModel]) -> str:
    parent = _model_at(root, path[:-1], raw)
    if parent is None:
        return f"{dotted}: unknown key"
    allowed = sorted(parent.model_fields)
    close = difflib.get_close_matches(path[-1], allowed, n=1)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"{dotted}: unknown key; allowed keys: {', '.join(allowed)}{hint}"


def describe_validation_error(exc: ValidationError, raw: Any, root: type[BaseModel]) -> list[str]:
    """One human line per pydantic error, each starting with the dotted key path."""
    lines: list[str] = []
    for error in exc.errors():
        path = _key_path(error["loc"], raw)
        dotted = ".".join(path) or "<root>"
        kind = error["type"]
        if kind == "extra_forbidden":
            lines.append(_unknown_key_line(dotted, path, raw, root))
        elif kind == "union_tag_invalid":
            ctx = error.get("ctx", {})
            key = str(ctx.get("discriminator", "")).strip("'")
            lines.append(f"{dotted}.{key} = {ctx.get('tag')!r}: allowed values: {ctx.get('expected_tags')}")
        elif kind == "missing":
            lines.append(f"{dotted}: required key is missing")
        else:
            message = error["msg"].removeprefix("Value error, ")
            lines.append(f"{dotted} = {error.get('input')!r}: {message}")
    return lines
