"""Registered models, versions and stage aliases in MLflow's model registry.

One registered model per strategy lineage: the strategy (or a weighted portfolio's strategies), the
symbol(s) and the timeframe, e.g. ``ma_crossover-BTCUSDT-1h`` or
``weighted-ma_crossover+rsi_reversion-BTCUSDT+ETHUSDT-1h``. Each promoted run is one version of its
lineage (parameters and code change between versions; what is traded does not), its source the run's
artifact folder (``run.json`` and the composed ``.hydra/config.yaml``). The aliases ``candidate``,
``paper`` and ``live`` point at the version promoted there; promoting moves the alias.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from peak.registry.evidence import RunEvidence

MANAGED_TAG = "peak.lineage"
"""Set on every registered model Peak creates; ``peak registry list`` lists exactly those."""
_UNSAFE = re.compile(r"[^A-Za-z0-9_.+-]+")


def _part(text: str) -> str:
    # MLflow forbids "/" and ":" in model names; "BTC/USDT" reads fine as "BTCUSDT".
    return _UNSAFE.sub("_", text.replace("/", "").replace(",", "+")).strip("_")


def model_name(tags: Mapping[str, str]) -> str | None:
    """The lineage a run belongs to, from its ``peak.*`` tags; None when the run lacks them.

    Example: ``model_name({"peak.portfolio": "single", "peak.strategy": "ma_crossover",
    "peak.symbol": "BTC/USDT", "peak.timeframe": "1h"})`` → ``"ma_crossover-BTCUSDT-1h"``.
    """
    parts = [tags.get(k, "") for k in ("peak.strategy", "peak.symbol", "peak.timeframe")]
    if not all(parts):
        return None
    if tags.get("peak.portfolio", "single") != "single":
        parts.insert(0, tags["peak.portfolio"])
    return "-".join(_part(p) for p in parts)


def _error_code(exc: Exception) -> str:
    return str(getattr(exc, "error_code", ""))


def ensure_model(client: Any, name: str, tags: Mapping[str, str]) -> None:
    """Create the registered model ``name`` unless it exists (another promotion may create it first)."""
    from mlflow.exceptions import MlflowException

    lineage = {k: tags.get(f"peak.{k}", "") for k in ("portfolio", "strategy", "symbol", "timeframe")}
    try:
        client.create_registered_model(
            name,
            tags={MANAGED_TAG: " ".join(f"{k}={v}" for k, v in lineage.items())},
            description=f"Peak strategy lineage {name}: promoted runs as versions, stages as aliases.",
        )
    except MlflowException as exc:
        if _error_code(exc) != "RESOURCE_ALREADY_EXISTS":
            raise


def version_of_run(client: Any, name: str, run_id: str) -> int | None:
    """The version of ``name`` registered for ``run_id`` (the first, if several), else None."""
    found = client.search_model_versions(f"name = '{name}' and run_id = '{run_id}'")
    versions = sorted(int(v.version) for v in found)
    return versions[0] if versions else None


def register_run(client: Any, name: str, run: RunEvidence) -> int:
    """The version of ``name`` for ``run``, registering the run as a new version the first time."""
    known = version_of_run(client, name, run.run_id)
    if known is not None:
        return known
    created = client.create_model_version(
        name,
        source=run.artifact_uri,
        run_id=run.run_id,
        tags={"peak.config_hash": run.tags.get("peak.config_hash", ""), "peak.task": run.task or ""},
    )
    return int(created.version)


def stage_versions(client: Any, name: str) -> dict[str, int]:
    """Alias → version of a registered model, e.g. ``{"candidate": 3, "paper": 2}``; empty if no model."""
    from mlflow.exceptions import MlflowException

    try:
        model = client.get_registered_model(name)
    except MlflowException as exc:
        if _error_code(exc) == "RESOURCE_DOES_NOT_EXIST":
            return {}
        raise
    return {alias: int(version) for alias, version in model.aliases.items()}


def move_alias(client: Any, name: str, stage: str, version: int) -> None:
    """Point the alias ``stage`` at ``version`` (from wherever it pointed before)."""
    client.set_registered_model_alias(name, stage, str(version))


def managed_models(client: Any) -> list[str]:
    """Names of the registered models Peak created, sorted."""
    names: list[str] = []
    token = None
    while True:
        page = client.search_registered_models(max_results=1000, page_token=token)
        names += [m.name for m in page if MANAGED_TAG in m.tags]
        token = page.token
        if not token:
            return sorted(names)
