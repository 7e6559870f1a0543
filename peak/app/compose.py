"""Compose and validate ``conf/`` outside ``peak-run``: for the ``peak`` CLI and for tests."""

from __future__ import annotations

from collections.abc import Sequence

from peak.app.config import RunConfig, validate_run_config
from peak.app.hydra_compose import compose_config, to_plain
from peak.app.paths import conf_dir, register_resolvers
from peak.app.preflight import check_single_run


def compose_raw(overrides: Sequence[str]) -> dict[str, object]:
    """The composed, resolved config as plain data (no validation)."""
    register_resolvers()
    return to_plain(compose_config(conf_dir(), overrides))


def compose_run_config(overrides: Sequence[str]) -> RunConfig:
    """Compose with ``overrides`` and validate, with the same checks and messages as ``peak-run``."""
    register_resolvers()
    return validate_run_config(check_single_run(overrides, conf_dir()))
