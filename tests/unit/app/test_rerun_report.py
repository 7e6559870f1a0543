"""``peak rerun``'s report: the mismatch table, the all-match line and strict JSON."""

from __future__ import annotations

import json
import math

from peak.app.rerun_report import LineageCheck, RerunReport, format_report, report_payload, summary_line
from peak.tracking.compare import compare_metrics


def _report(
    original: dict[str, float | None], rerun: dict[str, float | None], data_ok: bool = True
) -> RerunReport:
    checks = compare_metrics(original, rerun, "metrics.json")
    fingerprint = LineageCheck(
        name="data fingerprint",
        tag="peak.data_fingerprint",
        original="a" * 64,
        rerun=("a" if data_ok else "b") * 64,
        matches=data_ok,
        decisive=True,
    )
    mismatches = tuple(c for c in checks if not c.matches)
    return RerunReport(
        run_id="r1",
        run_name="backtest ma_crossover BTC/USDT 1h",
        experiment="peak",
        task="backtest",
        rerun_id=None,
        rerun_dir="/tmp/rerun",
        checked_at="2026-01-01T00:00:00+00:00",
        reproducible=not mismatches and data_ok,
        compared=len(checks),
        per_source={"metrics.json": len(checks)},
        mismatches=mismatches,
        not_compared=(),
        lineage=(fingerprint,),
        warnings=(),
    )


def test_format_report_when_all_match_then_says_all_n_metrics_match() -> None:
    report = _report({"sharpe": 1.5, "pf": math.nan}, {"sharpe": 1.5, "pf": math.nan})
    text = format_report(report)
    assert "all 2 metrics match exactly" in text and "mismatches:" not in text
    assert "reproducible: yes" in text and "peak.reproducible=true" in text


def test_format_report_when_values_differ_then_table_shows_both_reprs() -> None:
    report = _report({"sharpe": 0.1 + 0.2, "sortino": 0.0}, {"sharpe": 0.3, "sortino": -0.0})
    text = format_report(report)
    assert "mismatches:" in text
    assert "0.30000000000000004" in text and "0.3 " not in text.split("0.30000000000000004")[0]
    assert "-0.0" in text and "2 of 2 metrics differ" in text and "reproducible: NO" in text


def test_report_payload_when_nan_and_absent_then_strict_json() -> None:
    report = _report({"a": math.nan, "b": math.inf}, {"a": 1.0})
    payload = json.loads(json.dumps(report_payload(report), allow_nan=False))
    rows = {m["name"]: m for m in payload["mismatches"]}
    assert rows["a"] == {"name": "a", "source": "metrics.json", "original": "nan", "rerun": 1.0}
    assert rows["b"]["original"] == "inf" and rows["b"]["rerun"] == "absent"


def test_summary_line_when_data_changed_but_metrics_match_then_names_the_fingerprint() -> None:
    report = _report({"sharpe": 1.0}, {"sharpe": 1.0}, data_ok=False)
    assert summary_line(report) == "all 1 metrics match exactly; data fingerprint differs"
    assert not report.reproducible
