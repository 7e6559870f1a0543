"""Where the project lives: the folder that holds ``conf/``, ``mlruns/`` and ``experiments/``."""

from __future__ import annotations

import os
from pathlib import Path

from omegaconf import OmegaConf


def project_root() -> Path:
    """``$PEAK_HOME`` if set, else the checkout that holds this package (Peak installs editable)."""
    env = os.environ.get("PEAK_HOME")
    return Path(env).resolve() if env else Path(__file__).resolve().parents[2]


def conf_dir() -> Path:
    """The config tree composed by both entry points."""
    return Path(__file__).resolve().parents[2] / "conf"


def register_resolvers() -> None:
    """``${peak_root:}`` in YAML is the project root, so run folders do not depend on the cwd."""
    if not OmegaConf.has_resolver("peak_root"):
        OmegaConf.register_new_resolver("peak_root", lambda: str(project_root()))
