"""The grid each strategy gets when ``task.grid`` is left empty: ranges around its defaults, each a few
dozen to a few hundred cells, so ``peak-run task=grid strategy=<any>`` works out of the box."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PRESETS: Mapping[str, Mapping[str, object]] = MappingProxyType(
    {
        "ma_crossover": {"fast": "range(5,55,5)", "slow": "range(50,260,10)"},
        "rsi_reversion": {"period": [7, 14, 21, 28], "entry": "range(20,40,5)", "exit": "range(45,70,5)"},
        "bollinger": {"window": "range(10,110,10)", "k": "linspace(1.0,3.0,5)"},
        "macd": {"fast": "range(6,20,2)", "slow": "range(20,44,4)", "signal": [5, 9, 13]},
        "momentum": {"lookback": [24, 48, 72, 120, 168, 336], "threshold": "linspace(0.0,0.1,6)"},
        "mean_reversion": {"window": "range(20,220,20)", "entry_z": "linspace(1.0,3.0,5)"},
        "breakout": {"window": "range(10,110,10)", "exit_window": "range(5,55,5)"},
        "trend_following": {
            "adx_period": [7, 14, 21],
            "adx_threshold": "range(20,40,5)",
            "ma_window": [20, 50, 100, 200],
        },
    }
)
"""Strategy name → grid definition (same syntax as ``task.grid``)."""
