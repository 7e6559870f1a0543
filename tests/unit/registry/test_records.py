"""Promotion records as MLflow params: every field survives the round trip, infinity included."""

from __future__ import annotations

import json
import math

import pytest

from peak.core.errors import TrackingError
from peak.registry.models import model_name
from peak.registry.records import CriterionRecord, PromotionRecord, record_from_params

CRITERIA = (
    CriterionRecord(
        name="profit_factor",
        metric="profit_factor",
        required="profit_factor >= 1.3",
        min=1.3,
        actual=math.inf,
        passed=True,
        source_run_id="r1",
    ),
    CriterionRecord(
        name="oos_sharpe",
        metric="wf.oos.sharpe",
        required="wf.oos.sharpe >= 1",
        min=1.0,
        actual=1.2,
        passed=True,
        source_run_id="r2",
    ),
)
RECORD = PromotionRecord(
    model="ma_crossover-BTCUSDT-1h",
    version=2,
    stage="live",
    from_stage="paper",
    previous_version=None,
    run_id="r1",
    evidence_run_ids=("r1", "r2"),
    requested_by="null",
    approved_by=None,
    promoted_at="2026-01-02T03:04:05.000006+00:00",
    gate="go_no_go",
    gate_overrides=("gate.criteria.sharpe.min=1.2",),
    verdict="GO",
    criteria=CRITERIA,
)


def test_record_from_params_when_round_tripped_in_any_order_then_equal_including_inf_and_nulls() -> None:
    params = RECORD.params()
    assert params["promotion.stage"] == '"live"' and params["promotion.approved_by"] == "null"
    assert json.loads(params["criterion.profit_factor"])["actual"] == "Infinity"
    back = record_from_params("rec", dict(reversed(params.items())))  # a store may return any order
    assert back == RECORD.model_copy(update={"record_id": "rec"})
    assert back.requested_by == "null" and back.approved_by is None  # a user called "null" stays a name


def test_record_params_when_a_value_exceeds_mlflow_limit_then_refused_not_cut() -> None:
    long = RECORD.model_copy(update={"gate_overrides": ("gate.criteria.sharpe.why=" + "x" * 6000,)})
    with pytest.raises(TrackingError, match=r"promotion\.gate_overrides"):
        long.params()


def test_record_from_params_when_not_a_record_then_tracking_error_naming_the_run() -> None:
    with pytest.raises(TrackingError, match="run abc in experiment 'promotions' is not a promotion record"):
        record_from_params("abc", {"strategy.fast": "5"})


def test_model_name_when_single_or_weighted_then_lineage_name_mlflow_accepts() -> None:
    single = {
        "peak.portfolio": "single",
        "peak.strategy": "ma_crossover",
        "peak.symbol": "BTC/USDT",
        "peak.timeframe": "1h",
    }
    assert model_name(single) == "ma_crossover-BTCUSDT-1h"
    weighted = {
        "peak.portfolio": "weighted",
        "peak.strategy": "ma_crossover,rsi_reversion",
        "peak.symbol": "BTC/USDT,ETH/USDT",
        "peak.timeframe": "1h",
    }
    assert model_name(weighted) == "weighted-ma_crossover+rsi_reversion-BTCUSDT+ETHUSDT-1h"
    assert model_name({"peak.sweep_role": "parent"}) is None
