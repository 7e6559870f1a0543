"""Benchmark: the ``multi_style_moderate`` recipe (4 sleeves, BTC + ETH) on the full shared hourly history.

Run: ``/work/venv/bin/python bench/portfolio.py``. Writes the ``## portfolio`` section of bench/RESULTS.md.

Measured after the data is loaded (loading is ``bench/peak_run.py``'s business): the four strategies'
signals, the portfolio simulation and every metric (``peak.backtest.run_portfolio``). Same-run baseline:
the same four sleeves as four independent single-book backtests (``simulate`` + metrics), which is the
least work a portfolio of those sleeves can cost. Target (issue 4): under 1 s on 37k × 2 bars.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numba
import numpy as np
from results_md import machine_lines, shared_data_dir, write_section

from peak.app.compose import compose_run_config
from peak.backtest import resolve_sleeves, run_portfolio, simulate
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.data import read_ohlcv
from peak.metrics import compute_metrics
from peak.strategies import target_positions

SECTION = "## portfolio"
REPEATS = 15
TARGET_S = 1.0


def _time(fn: Callable[[], object]) -> tuple[float, float]:
    fn()  # compile and warm caches
    samples = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return min(samples), statistics.median(samples)


def main() -> int:
    market = shared_data_dir() / "market"
    if not market.is_dir():
        print(f"shared data not found at {market}; set PEAK_SHARED_DATA", file=sys.stderr)
        return 1
    cfg = compose_run_config(["experiment=multi_style_moderate", "tracking=off"])
    portfolio = cfg.portfolio
    assert isinstance(portfolio, WeightedPortfolioConfig)
    sleeves = resolve_sleeves(portfolio, strategy=cfg.strategy, risk=cfg.risk, symbol="BTC/USDT")
    bars = {
        s: read_ohlcv(market / f"{s.replace('/', '')}_1h.csv.gz", symbol=s, timeframe="1h")
        for s in dict.fromkeys(sl.symbol for sl in sleeves)
    }
    n = {s: len(b) for s, b in bars.items()}
    costs = {"fee_rate": 0.001, "slippage_bps": 5.0}

    def portfolio_run() -> object:
        return run_portfolio(bars, sleeves, portfolio=portfolio, execution=cfg.execution, data_fingerprint="")

    def separate_books() -> object:
        out = []
        for sl in sleeves:
            b = bars[sl.symbol]
            res = simulate(
                b,
                target_positions(b, sl.strategy),
                initial_cash=2_500.0,
                stop_loss=sl.risk.stop_loss,
                **costs,
            )
            out.append(compute_metrics(res, b.timeframe))
        return out

    rows = []
    base_best, base_med = _time(separate_books)
    best, med = _time(portfolio_run)
    rows.append(("4 separate single books (baseline)", base_best, base_med, ""))
    rows.append(("multi_style_moderate portfolio", best, med, "yes" if med < TARGET_S else "**no**"))
    result = portfolio_run()
    sizes = ", ".join(f"{s} {k:,}" for s, k in n.items())
    final, trades = result.metrics["final_equity"], result.metrics["n_trades"]  # type: ignore[attr-defined]
    lines = [
        SECTION,
        "",
        f"`multi_style_moderate` on the full shared hourly history ({sizes} bars), data already loaded: "
        f"signals + simulation + metrics. Times in ms, best / median of {REPEATS}. "
        "Baseline: the same four sleeves as independent single-book backtests. Target: under 1 s. "
        "`python bench/portfolio.py` regenerates this section.",
        "",
        *machine_lines(f", numpy {np.__version__}, numba {numba.__version__}"),
        "",
        "| run | best ms | median ms | vs baseline (median) | under 1 s |",
        "|---|---:|---:|---:|---|",
        *(
            f"| {name} | {b * 1e3:.1f} | {m * 1e3:.1f} | {m / base_med:.2f}x | {ok} |"
            for name, b, m, ok in rows
        ),
        "",
        f"Result check: final equity {final:,.2f}, {trades} trades.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(SECTION, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
