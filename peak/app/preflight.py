"""Check command-line overrides before Hydra runs anything.

Hydra rejects an unknown key only with "Key 'x' is not in struct". Peak checks every ``key=value``
override against the composed config first and names the key, its nearest valid names and the keys
allowed at that level. Group choices are composed once per combination, which also validates sweeps
(``-m strategy.fast=5,10``) before the first job starts.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf

from peak.app.hydra_compose import compose_config, to_plain
from peak.core.errors import ConfigError

_MAX_COMBINATIONS = 64


@dataclass(frozen=True)
class CommandLine:
    """The overrides of a ``peak-run`` command line and whether it is a multirun."""

    overrides: list[str]
    multirun: bool


def parse_command_line(argv: Sequence[str]) -> CommandLine | None:
    """Split ``argv``; None when Hydra flags (``--cfg``, ``--help``, ...) make a preflight pointless."""
    overrides: list[str] = []
    multirun = False
    for arg in argv:
        if arg in ("-m", "--multirun"):
            multirun = True
        elif arg.startswith("-"):
            return None
        else:
            overrides.append(arg)
    return CommandLine(overrides=overrides, multirun=multirun)


def _groups(conf: Path) -> set[str]:
    return {p.name for p in conf.iterdir() if p.is_dir()}


def _choices(override: Override) -> list[str]:
    if override.is_sweep_override():
        return [str(v) for v in override.sweep_string_iterator()]
    return [str(override.value())]


def _leaf_paths(node: Any, prefix: str = "") -> list[str]:
    if not isinstance(node, dict):
        return [prefix.rstrip(".")]
    paths = []
    for key, value in node.items():
        paths.extend(_leaf_paths(value, f"{prefix}{key}."))
    return paths


def _unknown_key_message(key: str, cfg: DictConfig, choice_line: str) -> str:
    container = OmegaConf.to_container(cfg, resolve=False)
    candidates = _leaf_paths(container)
    near = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
    parent, _, _ = key.rpartition(".")
    lines = [f"unknown config key '{key}'{choice_line}"]
    if near:
        lines.append(f"did you mean: {', '.join(near)}")
    parent_node = OmegaConf.select(cfg, parent, default=None) if parent else cfg
    if isinstance(parent_node, DictConfig):
        lines.append(
            f"keys allowed under '{parent or '<root>'}': {', '.join(sorted(str(k) for k in parent_node))}"
        )
    lines.append(f"to add a new key on purpose, write +{key}=...")
    return "\n  ".join(lines)


def _has_key(cfg: DictConfig, key: str) -> bool:
    """Whether ``key`` exists, including a mandatory ``???`` value (``data.path`` of ``data=csv``), which
    ``OmegaConf.select`` and ``in`` both report as absent."""
    parent, _, leaf = key.rpartition(".")
    node = OmegaConf.select(cfg, parent, default=None, throw_on_missing=False) if parent else cfg
    return isinstance(node, DictConfig) and leaf in node.keys()  # noqa: SIM118 (see docstring)


def check_overrides(overrides: Sequence[str], conf: Path) -> None:
    """Raise ``ConfigError`` if an override names a key that does not exist for its group choices.

    Sweep values (``a=1,2``) and group sweeps (``strategy=x,y``) are checked for every combination.
    """
    try:
        parsed = OverridesParser.create().parse_overrides(list(overrides))
    except HydraException as exc:
        raise ConfigError(f"cannot parse overrides: {exc}") from exc
    groups = _groups(conf)
    group_ovs = [o for o in parsed if o.key_or_group in groups and not o.is_delete()]
    value_keys = [
        o.key_or_group
        for o in parsed
        if o.key_or_group not in groups
        and not o.is_hydra_override()
        and not (o.is_add() or o.is_force_add() or o.is_delete())
    ]
    if not value_keys:
        return
    choice_lists = [[(o.key_or_group, c) for c in _choices(o)] for o in group_ovs]
    for combo in itertools.islice(itertools.product(*choice_lists), _MAX_COMBINATIONS):
        cfg = compose_config(conf, [f"{group}={choice}" for group, choice in combo])
        for key in value_keys:
            if not _has_key(cfg, key):
                where = f" with {', '.join(f'{g}={c}' for g, c in combo)}" if combo else ""
                raise ConfigError(_unknown_key_message(key, cfg, where))


def check_single_run(overrides: Sequence[str], conf: Path) -> dict[str, Any]:
    """Compose exactly what Hydra will compose for a single run and return it as plain data.

    An unknown key gets the detailed message of :func:`check_overrides`; the caller validates the result,
    so a bad value fails before Hydra creates the run folder.
    """
    try:
        cfg = compose_config(conf, list(overrides))
    except ConfigError:
        check_overrides(overrides, conf)  # raises the precise unknown-key message if that was the cause
        raise
    return to_plain(cfg)
