"""Lineage facts recorded with every run: code version, config hash and package version."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import peak

_SHAS: dict[Path, str] = {}
"""Per process: the code a process runs is what it imported at start, and each lookup costs two git
processes (~20 ms, a third of a sweep job). Forked sweep workers inherit the sweep's value."""


def code_git_sha() -> str:
    """:func:`git_sha` of the checkout Peak's code runs from (an editable install); ``unknown`` for an
    installed package. Lineage is about the code, not the project home with its data and runs."""
    return git_sha(Path(peak.__file__).resolve().parents[1])


def git_sha(project_root: Path) -> str:
    """The checked-out commit, ``<sha>-dirty`` when tracked files differ, or ``unknown`` outside git.
    Looked up once per process and folder."""
    key = project_root.resolve()
    if key not in _SHAS:
        _SHAS[key] = _lookup_git_sha(key)
    return _SHAS[key]


def _lookup_git_sha(project_root: Path) -> str:
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=project_root, capture_output=True, text=True, timeout=5
        )
        if sha.returncode != 0:
            return "unknown"
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=project_root,
            capture_output=True,
            text=True,
            timeout=5,
        )
        suffix = "-dirty" if dirty.stdout.strip() else ""
        return sha.stdout.strip() + suffix
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def config_hash(config: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON of a validated config (sorted keys, no whitespace)."""
    canonical = json.dumps(config, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def package_version() -> str:
    """Peak's version string, e.g. ``0.1.0``."""
    return peak.__version__


def flatten(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """``{"a": {"b": 1}}`` → ``{"a.b": "1"}``; lists become their JSON text."""
    flat: dict[str, str] = {}
    for key, value in config.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(flatten(value, prefix=f"{path}."))
        elif isinstance(value, list | tuple):
            flat[path] = json.dumps(value, default=str)
        else:
            flat[path] = "null" if value is None else str(value)
    return flat
