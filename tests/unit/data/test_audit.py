"""``peak data check``'s audit: every problem counted and located, Markdown and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from peak.core.timeframe import Timeframe
from peak.data.audit import OUTLIER_Z, audit_frame, audit_path

H = 3600 * 10**9
T0 = 1704067200 * 10**9


def _frame(n: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
    return pd.DataFrame(
        {
            "ts": T0 + np.arange(n) * H,
            "open": close,
            "high": close * 1.01,
            "low": close * 0.99,
            "close": close,
            "volume": np.ones(n),
        }
    )


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    audit = audit_frame(frame, source="x", timeframe=Timeframe.parse("1h"))
    return {f.name: f.count for f in audit.findings}


def test_audit_when_clean_then_every_count_zero() -> None:
    assert set(_counts(_frame()).values()) == {0}


def test_audit_when_problems_injected_then_each_is_counted() -> None:
    f = _frame()
    f = f.drop(index=[50, 51, 52]).reset_index(drop=True)  # one gap of 3 bars
    f.loc[10, "ts"] = f.loc[9, "ts"]  # a duplicate
    f.loc[20, "ts"] = f.loc[18, "ts"] - H  # goes back in time
    f.loc[100, ["open", "high", "low", "close"]] *= 5  # an outlier, the next return too
    f.loc[120:124, "volume"] = 0.0  # one zero-volume run of 5
    f.loc[150, "high"] = f.loc[150, "low"] / 2  # OHLC inconsistent
    counts = _counts(f)
    assert counts["gaps"] >= 1 and counts["duplicate timestamps"] == 1
    assert counts["non-monotonic time"] == 1 and counts["price outliers"] >= 1
    assert counts["zero-volume runs"] == 1 and counts["OHLC inconsistencies"] == 1


def test_audit_path_when_csv_then_markdown_and_json_state_threshold(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    _frame().assign(ts=lambda d: d["ts"] // 10**9).to_csv(path, index=False)
    audit = audit_path(path)
    assert audit.timeframe == "1h" and audit.clean
    assert "| gaps | 0 |" in audit.to_markdown()
    assert json.loads(json.dumps(audit.to_dict()))["outlier_z_threshold"] == OUTLIER_Z
