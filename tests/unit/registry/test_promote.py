"""Promotion on a real sqlite MLflow store: the gate on logged evidence, the stage and four-eyes rules,
aliases that move, and records that are only ever added."""

from __future__ import annotations

from pathlib import Path

import pytest

from peak.core.errors import PromotionRefused, TrackingError
from peak.registry.gate import GateConfig
from peak.registry.models import stage_versions
from peak.registry.promote import PromotionRequest, promote
from peak.registry.records import PROMOTIONS_EXPERIMENT, read_records
from peak.tracking.mlflow_run import create_run
from peak.tracking.store import open_client
from tests.unit.registry.conftest import BACKTEST_PASSING, STUDY_PASSING, LogRun

MODEL = "ma_crossover-BTCUSDT-1h"
ALL_PASSING = {**BACKTEST_PASSING, **STUDY_PASSING}


def _refusal(uri: str, gate: GateConfig, request: PromotionRequest) -> tuple[str, ...]:
    with pytest.raises(PromotionRefused) as caught:
        promote(uri, request, gate)
    assert caught.value.exit_code == 8
    return caught.value.reasons


def test_promote_when_gate_fails_then_refused_with_required_and_actual_and_nothing_written(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    run = log_run(task="robustness", metrics={**ALL_PASSING, "sharpe": 1.19, "mc.ruin_probability": 0.024})
    reasons = _refusal(mlflow_uri, gate, PromotionRequest(run, "candidate", "alice"))
    assert reasons == (
        f"gate go_no_go: criterion sharpe: required sharpe >= 1.5, actual 1.19 (run {run})",
        f"gate go_no_go: criterion mc_ruin: required mc.ruin_probability <= 0.01, actual 0.024 (run {run})",
    )
    client = open_client(mlflow_uri)
    assert client.get_experiment_by_name(PROMOTIONS_EXPERIMENT) is None
    assert stage_versions(client, MODEL) == {}


def test_promote_when_metric_missing_then_refused_naming_the_metric_never_passed(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    run = log_run(metrics={**BACKTEST_PASSING, "profit_factor": None})  # None: not logged, as by peak-run
    reasons = _refusal(mlflow_uri, gate, PromotionRequest(run, "candidate", "alice"))
    assert (
        f"gate go_no_go: criterion profit_factor: required profit_factor >= 1.3, actual: missing (metric "
        f"profit_factor not logged by run {run})" in reasons
    )
    assert any("criterion oos_sharpe" in r and "metric wf.oos.sharpe not logged" in r for r in reasons)
    assert any(r.startswith("evidence: no FINISHED task=robustness run") for r in reasons)


def test_promote_when_backtest_has_robustness_run_of_same_config_then_it_is_the_evidence(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    backtest = log_run()
    study = log_run(task="robustness", metrics=ALL_PASSING)
    log_run(task="robustness", metrics={**ALL_PASSING, "wf.oos.sharpe": 0.1}, params={"strategy.fast": "5"})
    log_run(task="robustness", metrics={**ALL_PASSING, "wf.oos.sharpe": 0.1}, fingerprint="0" * 64)
    record = promote(mlflow_uri, PromotionRequest(backtest, "candidate", "alice"), gate)
    assert record.evidence_run_ids == (backtest, study)
    sources = {c.name: c.source_run_id for c in record.criteria}
    assert sources["sharpe"] == backtest and sources["oos_sharpe"] == study
    assert record.verdict == "GO" and all(c.passed for c in record.criteria)


def test_promote_when_explicit_evidence_is_another_config_then_refused_naming_the_difference(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    backtest = log_run()
    other = log_run(task="robustness", metrics=ALL_PASSING, params={"strategy.slow": "200"})
    request = PromotionRequest(backtest, "candidate", "alice", evidence_run_ids=(other,))
    reasons = _refusal(mlflow_uri, gate, request)
    assert f"evidence run {other} is another configuration: strategy.slow=200 (promoted run: 50)" in reasons


def test_promote_when_live_lacks_paper_record_then_refused(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    run = log_run(task="robustness", metrics=ALL_PASSING)
    promote(mlflow_uri, PromotionRequest(run, "candidate", "alice"), gate)
    reasons = _refusal(mlflow_uri, gate, PromotionRequest(run, "live", "alice", approved_by="bob"))
    assert reasons == (
        f"stage: promotion to live needs an earlier paper record of version 1 of {MODEL}; none exists",
    )
    assert "live" not in stage_versions(open_client(mlflow_uri), MODEL)


@pytest.mark.parametrize(
    ("stage", "approver", "expected"),
    [
        ("live", "Alice", "four-eyes: the approver (Alice) must be a different person than the requester"),
        ("live", None, "four-eyes: promotion to live needs --approved-by a different person than --by"),
        (
            "candidate",
            "alice",
            "four-eyes: the approver (alice) must be a different person than the requester",
        ),
    ],
)
def test_promote_when_approver_is_requester_or_missing_for_live_then_refused(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun, stage: str, approver: str | None, expected: str
) -> None:
    run = log_run(task="robustness", metrics=ALL_PASSING)
    promote(mlflow_uri, PromotionRequest(run, "paper", "alice"), gate)
    reasons = _refusal(mlflow_uri, gate, PromotionRequest(run, stage, "alice", approved_by=approver))  # type: ignore[arg-type]
    assert len(reasons) == 1 and reasons[0].startswith(expected)


def test_promote_when_gate_overridden_without_approver_then_refused(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    run = log_run(task="robustness", metrics=ALL_PASSING)
    request = PromotionRequest(run, "candidate", "alice", gate_overrides=("gate.criteria.sharpe.min=1.0",))
    assert _refusal(mlflow_uri, gate, request) == (
        "four-eyes: a gate changed on the command line needs --approved-by a different person",
    )


def test_promote_when_every_rule_holds_then_alias_moves_and_records_are_added_never_edited(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    first = log_run(task="robustness", metrics=ALL_PASSING)
    second = log_run(task="robustness", metrics=ALL_PASSING, params={"strategy.fast": "12"})
    client = open_client(mlflow_uri)
    one = promote(mlflow_uri, PromotionRequest(first, "paper", "alice"), gate)
    assert stage_versions(client, MODEL) == {"paper": 1}
    live = promote(mlflow_uri, PromotionRequest(first, "live", "alice", approved_by="bob"), gate)
    assert (live.from_stage, live.approved_by, live.version) == ("paper", "bob", 1)
    two = promote(mlflow_uri, PromotionRequest(second, "paper", "carol"), gate)
    assert (two.version, two.previous_version, two.from_stage) == (2, 1, None)
    assert stage_versions(client, MODEL) == {"paper": 2, "live": 1}
    assert client.get_model_version_by_alias(MODEL, "paper").run_id == second
    assert read_records(client) == [one, live, two]
    from mlflow.exceptions import MlflowException

    with pytest.raises(MlflowException):  # MLflow refuses to change a logged param: a record stays as made
        client.log_param(one.record_id, "promotion.stage", '"live"')
    assert read_records(client)[0] == one


def test_promote_when_record_written_then_params_artifact_and_version_tags_agree(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun, tmp_path: Path
) -> None:
    run = log_run(task="robustness", metrics={**ALL_PASSING, "profit_factor": float("inf")})
    record = promote(mlflow_uri, PromotionRequest(run, "candidate", "alice"), gate)
    client = open_client(mlflow_uri)
    stored = client.get_run(record.record_id)
    assert stored.info.status == "FINISHED"
    assert (
        stored.data.tags["peak.promotion.stage"] == "candidate" and stored.data.tags["mlflow.user"] == "alice"
    )
    artifact = client.download_artifacts(record.record_id, "promotion.json", str(tmp_path))
    assert type(record).model_validate_json(Path(artifact).read_text()) == record
    assert next(c for c in record.criteria if c.name == "profit_factor").actual == float("inf")
    version = client.get_model_version(MODEL, "1")
    assert version.run_id == run and version.tags["peak.record.candidate"] == record.record_id


def test_promote_when_run_is_not_a_finished_peak_run_then_refused_or_unknown(
    mlflow_uri: str, gate: GateConfig, log_run: LogRun
) -> None:
    running = log_run(task="robustness", metrics=ALL_PASSING, status="RUNNING")
    assert _refusal(mlflow_uri, gate, PromotionRequest(running, "candidate", "alice")) == (
        f"run {running} is RUNNING; only a FINISHED run can be promoted",
    )
    parent = create_run(mlflow_uri, "peak", "sweep", {"peak.sweep_role": "parent"})
    parent.finish("FINISHED")
    reasons = _refusal(mlflow_uri, gate, PromotionRequest(parent.info.run_id, "candidate", "alice"))
    assert "no peak.task tag" in reasons[0] and not any("criterion" in r for r in reasons)
    with pytest.raises(TrackingError, match="no run 0123 in the MLflow store"):
        promote(mlflow_uri, PromotionRequest("0123", "candidate", "alice"), gate)
