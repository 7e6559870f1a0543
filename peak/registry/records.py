"""Promotion records: one MLflow run per promotion in the ``promotions`` experiment, never edited.

The record is the run's params (MLflow refuses to change a logged param, so a record cannot be rewritten
in place) plus the same content as the artifact ``promotion.json``. A record run stays RUNNING while the
alias moves and closes FINISHED only once it has; a promotion that failed half-way closes FAILED and is
not a record. Reading records reads FINISHED runs only.

Params, every value JSON so that nothing is ambiguous: ``promotion.<field>`` per field (``promotion.stage
= "paper"``) and ``criterion.<name>`` per gate criterion (``{"metric": "sharpe", "required": "sharpe >=
1.5", "actual": 1.82, ...}``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, ValidationError

from peak.core.config import FrozenModel
from peak.core.errors import TrackingError

PROMOTIONS_EXPERIMENT = "promotions"
RECORD_ARTIFACT = "promotion.json"
_MAX_PARAM = 6000  # MLflow's limit; a longer value would be cut, so it is refused instead


class CriterionRecord(FrozenModel):
    """One gate criterion as judged at promotion time. ``actual`` None means the metric was missing.

    Example: ``CriterionRecord(name="sharpe", metric="sharpe", required="sharpe >= 1.5", min=1.5,
    actual=1.82, passed=True, source_run_id="3f2a...")``.
    """

    # An infinite profit factor (no losing trade) must survive JSON as a value, not turn into null.
    model_config = ConfigDict(frozen=True, extra="forbid", ser_json_inf_nan="strings")

    name: str
    metric: str
    required: str
    min: float | None = None
    max: float | None = None
    actual: float | None
    passed: bool
    source_run_id: str | None


class PromotionRecord(FrozenModel):
    """Who promoted which run to which stage, when, on what evidence, and how each criterion came out.

    ``record_id`` is the MLflow run id of the record in the ``promotions`` experiment; ``previous_version``
    is the version the stage's alias pointed at before (None if the stage was empty).
    """

    record_id: str = ""
    model: str
    version: int
    stage: str
    from_stage: str | None
    previous_version: int | None
    run_id: str
    evidence_run_ids: tuple[str, ...]
    requested_by: str
    approved_by: str | None
    promoted_at: str
    gate: str
    gate_overrides: tuple[str, ...]
    verdict: str
    criteria: tuple[CriterionRecord, ...]

    def params(self) -> dict[str, str]:
        """The record as MLflow params (see the module docstring)."""
        out: dict[str, str] = {}
        for key, value in self.model_dump(mode="json", exclude={"record_id", "criteria"}).items():
            out[f"promotion.{key}"] = json.dumps(value)
        # Params come back in no guaranteed order; the names in order keep the gate's order.
        out["promotion.criteria"] = json.dumps([c.name for c in self.criteria])
        for c in self.criteria:
            out[f"criterion.{c.name}"] = c.model_dump_json()
        too_long = [k for k, v in out.items() if len(v) > _MAX_PARAM]
        if too_long:
            raise TrackingError(f"promotion record field {too_long[0]} is longer than MLflow's {_MAX_PARAM}")
        return out


def record_from_params(record_id: str, params: Mapping[str, str]) -> PromotionRecord:
    """Rebuild a record from its run's params; ``TrackingError`` if the run is not a promotion record."""
    fields: dict[str, Any] = {"record_id": record_id}
    try:
        for key, value in params.items():
            if key.startswith("promotion."):
                fields[key.removeprefix("promotion.")] = json.loads(value)
        order = fields.get("criteria", [])
        fields["criteria"] = tuple(
            CriterionRecord.model_validate_json(params[f"criterion.{name}"]) for name in order
        )
        return PromotionRecord.model_validate(fields)
    except (ValidationError, ValueError, KeyError, TypeError) as exc:
        where = f"run {record_id} in experiment {PROMOTIONS_EXPERIMENT!r}"
        raise TrackingError(f"{where} is not a promotion record: {exc}") from exc


def record_tags(record: PromotionRecord) -> dict[str, str]:
    """Searchable tags of a record run (the params are the record; tags only help the UI and queries)."""
    return {
        "peak.promotion.model": record.model,
        "peak.promotion.version": str(record.version),
        "peak.promotion.stage": record.stage,
        "peak.promotion.run_id": record.run_id,
        "mlflow.user": record.requested_by,
    }


def read_records(client: Any, model: str | None = None) -> list[PromotionRecord]:
    """Every FINISHED promotion record, oldest first; only ``model``'s when given.

    Example: ``[r.stage for r in read_records(client, "ma_crossover-BTCUSDT-1h")]`` →
    ``["candidate", "paper"]``.
    """
    experiment = client.get_experiment_by_name(PROMOTIONS_EXPERIMENT)
    if experiment is None:
        return []
    query = "attributes.status = 'FINISHED'"
    if model is not None:
        query += f" and tags.`peak.promotion.model` = '{model}'"
    runs = client.search_runs(
        [experiment.experiment_id], query, order_by=["attributes.start_time ASC"], max_results=50_000
    )
    records = [record_from_params(r.info.run_id, r.data.params) for r in runs]
    # start_time has millisecond resolution; promoted_at (microseconds) orders records made within one ms.
    return sorted(records, key=lambda r: r.promoted_at)
