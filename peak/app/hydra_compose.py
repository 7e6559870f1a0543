"""Thin wrappers over Hydra's compose API that turn its errors into ``ConfigError``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra import compose, initialize_config_dir
from hydra.errors import HydraException
from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException

from peak.core.errors import ConfigError


def compose_config(conf: Path, overrides: Sequence[str]) -> DictConfig:
    """Compose ``conf/config.yaml`` with ``overrides`` exactly as ``peak-run`` would."""
    try:
        with initialize_config_dir(config_dir=str(conf), version_base="1.3", job_name="peak"):
            return compose(config_name="config", overrides=list(overrides))
    except (HydraException, OmegaConfBaseException) as exc:
        # Hydra appends its search path to the message; users need the part above it.
        reason = str(exc).split("Config search path:")[0].strip()
        shown = " ".join(overrides) or "no overrides"
        raise ConfigError(f"cannot compose the config with {shown}: {reason}") from exc


def to_plain(cfg: DictConfig) -> dict[str, Any]:
    """Resolve interpolations and return plain dicts; ``???`` stays in place for validation to report."""
    try:
        raw = OmegaConf.to_container(cfg, resolve=True, throw_on_missing=False)
    except OmegaConfBaseException as exc:
        raise ConfigError(f"cannot resolve the config: {exc}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"the composed config must be a mapping, got {type(raw).__name__}")
    return {str(k): v for k, v in raw.items()}
