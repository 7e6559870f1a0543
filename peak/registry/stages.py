"""The promotion stages and the rules about people and order that hold whatever the evidence says.

A stage is also the MLflow alias that points at the model version promoted there. ``live`` needs an
earlier ``paper`` record of the same model version and an approver other than the requester (four eyes);
any promotion whose gate was changed on the command line needs such an approver too.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Literal, cast

from peak.core.errors import ConfigError

Stage = Literal["candidate", "paper", "live"]
STAGES: tuple[Stage, ...] = ("candidate", "paper", "live")
"""In promotion order; each is the alias name of the model version at that stage."""

PREREQUISITE: dict[Stage, Stage] = {"live": "paper"}
"""A stage that needs an earlier record of another stage for the same model version."""

FOUR_EYES: frozenset[Stage] = frozenset({"live"})
"""Stages that always need ``--approved-by`` from a different person."""

_PERSON = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")


def parse_stage(text: str) -> Stage:
    """``"paper"`` → ``"paper"``; anything else is a ``ConfigError`` naming the allowed stages."""
    if text not in STAGES:
        raise ConfigError(f"--to {text!r} is not a stage; choose one of {', '.join(STAGES)}")
    return cast(Stage, text)


def parse_person(text: str | None, option: str) -> str | None:
    """A user name as recorded (``alice``, ``bob@desk``); None stays None. Blank or odd names are refused
    so that the four-eyes comparison cannot be dodged with spaces or case."""
    if text is None:
        return None
    name = text.strip()
    if not _PERSON.match(name):
        raise ConfigError(
            f"{option} {text!r} is not a user name: use 1-100 letters, digits or _ . @ + - (e.g. alice)"
        )
    return name


def same_person(a: str, b: str) -> bool:
    """Case-insensitive: ``Alice`` and ``alice`` are one person."""
    return a.casefold() == b.casefold()


def people_reasons(stage: Stage, requested_by: str, approved_by: str | None, gate_changed: bool) -> list[str]:
    """Why the people on a promotion do not suffice (empty when they do).

    Example: ``people_reasons("live", "alice", "alice", False)`` →
    ``["four-eyes: the approver (alice) must be a different person than the requester (alice)"]``.
    """
    if approved_by is not None and same_person(approved_by, requested_by):
        return [
            f"four-eyes: the approver ({approved_by}) must be a different person "
            f"than the requester ({requested_by})"
        ]
    if approved_by is not None:
        return []
    if stage in FOUR_EYES:
        return [f"four-eyes: promotion to {stage} needs --approved-by a different person than --by"]
    if gate_changed:
        return ["four-eyes: a gate changed on the command line needs --approved-by a different person"]
    return []


def ladder_reasons(stage: Stage, model: str, version: int | None, earlier: Collection[str]) -> list[str]:
    """Why ``stage`` may not be reached yet, given the stages this model version already has records of.

    Example: ``ladder_reasons("live", "ma_crossover-BTCUSDT-1h", 3, {"candidate"})`` names the missing
    paper record.
    """
    needed = PREREQUISITE.get(stage)
    if needed is None or needed in earlier:
        return []
    which = f"version {version} of {model}" if version is not None else f"this run in {model}"
    return [f"stage: promotion to {stage} needs an earlier {needed} record of {which}; none exists"]
