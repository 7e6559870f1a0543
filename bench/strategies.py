"""Benchmark every registered strategy (signal + simulate) on 1M bars against the minimal numba loop.

Each strategy runs with its default config on generated GBM bars and on real BTC hourly bars stitched to
1M, next to the hand-written fused MA-crossover numba loop of bench/backtest.py measured in the same run.
Target (issue 4): each strategy ≤ 5x that loop. Writes the ``## strategies`` section of bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import typing

import numba
import numpy as np
from backtest import CASH, FEE, SLIP_BPS, gbm_bars, numba_loop, stitched_btc_bars, timed
from results_md import machine_lines, shared_data_dir, write_section

from peak.backtest import simulate
from peak.core.bars import Bars
from peak.strategies import STRATEGIES, target_positions
from peak.strategies.config import StrategyConfig

SECTION = "## strategies"
N = 1_000_000
REPEATS = 7
TARGET_RATIO = 5.0


def default_configs() -> list[StrategyConfig]:
    """The default config of every registered strategy, from the union's members."""
    union = typing.get_args(typing.get_args(StrategyConfig)[0]) or (typing.get_args(StrategyConfig)[0],)
    by_name = {model.model_fields["name"].default: model for model in union}
    return [by_name[name]() for name in STRATEGIES]


def _run(bars: Bars, cfg: StrategyConfig) -> float:
    target = target_positions(bars, cfg)
    result = simulate(bars, target, fee_rate=FEE, slippage_bps=SLIP_BPS, initial_cash=CASH)
    return float(result.equity[-1])


def measure(label: str, bars: Bars, configs: list[StrategyConfig]) -> list[str]:
    fns = {"numba loop": lambda: numba_loop(bars)}
    fns.update({cfg.name: (lambda c=cfg: _run(bars, c)) for cfg in configs})
    res = timed(fns, REPEATS)
    base = res["numba loop"][0]
    rows = [f"| {label} | numba MA loop (baseline) | {base:.1f} | {res['numba loop'][1]:.1f} | 1.00x | |"]
    for cfg in configs:
        best, median, _ = res[cfg.name]
        ok = "yes" if best / base <= TARGET_RATIO else "**no**"
        rows.append(f"| {label} | {cfg.name} | {best:.1f} | {median:.1f} | {best / base:.2f}x | {ok} |")
    return rows


def main() -> None:
    configs = default_configs()
    warm = gbm_bars(2_000)
    numba_loop(warm)
    for cfg in configs:
        _run(warm, cfg)  # compile (or load the numba cache) before timing
    inputs = [("GBM", gbm_bars(N))]
    if (shared_data_dir() / "market" / "BTCUSDT_1h.csv.gz").is_file():
        inputs.append(("BTC 1h stitched", stitched_btc_bars(N)))
    else:
        print("shared data not found; GBM input only", file=sys.stderr)
    lines = [
        SECTION,
        "",
        f"Signal + simulate with each strategy's default config on {N:,} bars, fee {FEE}, "
        f"slippage {SLIP_BPS} bps. Times in ms, best / median of {REPEATS} interleaved runs. "
        f"Target: ≤ {TARGET_RATIO:.0f}x the minimal numba MA-crossover loop. "
        "`python bench/strategies.py` regenerates this section.",
        "",
        *machine_lines(f", numpy {np.__version__}, numba {numba.__version__}"),
        "",
        "| input | strategy | best ms | median ms | vs numba loop | within target |",
        "|---|---|---:|---:|---:|---|",
        *(row for label, bars in inputs for row in measure(label, bars, configs)),
        "",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(SECTION, text)


if __name__ == "__main__":
    main()
