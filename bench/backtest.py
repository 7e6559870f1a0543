"""Benchmark of the backtest engine core (MA-crossover signal + simulate) against two baselines.

Run: ``/work/venv/bin/python bench/backtest.py``. Prints a Markdown table and writes it into
bench/RESULTS.md under ``## backtest engine`` (that section is replaced, other sections are kept).

Inputs: geometric Brownian motion, and real BTCUSDT hourly bars repeated end to end, each copy rescaled so
that its first open equals the previous copy's last close (prices stay continuous). Baselines, measured in
the same process: a plain numpy vectorised version and a hand-written minimal fused numba loop.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable

import numba
import numpy as np
import pandas as pd
from numba import njit
from results_md import RESULTS, ROOT, machine_lines, shared_data_dir, write_section

from peak.backtest import simulate
from peak.core.bars import Bars
from peak.core.timeframe import Timeframe
from peak.strategies import CROSS_REL_TOL, ma_crossover

SECTION = "## backtest engine"
FAST, SLOW = 20, 50
FEE, SLIP_BPS, CASH = 0.001, 5.0, 10_000.0
SIZES = (100_000, 1_000_000)
REPEATS = {100_000: 51, 1_000_000: 21}
H1 = Timeframe.parse("1h")


def make_bars(o: np.ndarray, h: np.ndarray, low: np.ndarray, c: np.ndarray) -> Bars:
    ts = np.arange(o.shape[0], dtype=np.int64) * H1.ns
    return Bars(symbol="BENCH", timeframe=H1, ts=ts, open=o, high=h, low=low, close=c, volume=np.ones_like(c))


def gbm_bars(n: int, seed: int = 7) -> Bars:
    """Hourly GBM with 60 % annual volatility; open = previous close, high/low a small random wick."""
    rng = np.random.default_rng(seed)
    sigma = 0.6 / np.sqrt(H1.bars_per_year)
    close = 30_000.0 * np.exp(np.cumsum(rng.normal(0.0, sigma, n)))  # driftless in log: no collapse
    open_ = np.concatenate(([30_000.0], close[:-1]))
    wick = 1.0 + np.abs(rng.normal(0.0, sigma / 2, n))
    return make_bars(open_, np.maximum(open_, close) * wick, np.minimum(open_, close) / wick, close)


def stitched_btc_bars(n: int) -> Bars:
    """Real BTCUSDT 1h repeated to ``n`` bars; each copy scaled so its first open = previous last close."""
    frame = pd.read_csv((shared_data_dir() / "market") / "BTCUSDT_1h.csv.gz")
    base = frame[["Open", "High", "Low", "Close"]].to_numpy(np.float64)
    copies, scale, total = [], 1.0, 0
    while total < n:
        copy = base * scale
        copies.append(copy)
        total += copy.shape[0]
        scale = copy[-1, 3] / base[0, 0]  # next copy's first open lands on this copy's last close
    ohlc = np.ascontiguousarray(np.concatenate(copies)[:n])
    return make_bars(*(np.ascontiguousarray(ohlc[:, i]) for i in range(4)))


def engine(bars: Bars) -> float:
    """The engine core as the app calls it: signal, then simulate."""
    target = ma_crossover(bars.close, FAST, SLOW)
    res = simulate(bars, target, fee_rate=FEE, slippage_bps=SLIP_BPS, initial_cash=CASH)
    return float(res.equity[-1])


def engine_simulate_only(bars: Bars, target: np.ndarray) -> float:
    return float(simulate(bars, target, fee_rate=FEE, slippage_bps=SLIP_BPS, initial_cash=CASH).equity[-1])


RULES = {"stop_loss": 0.03, "take_profit": 0.06, "trailing_stop": 0.05}
"""Risk rules for the extra column: they route simulate to the general kernel (peak.backtest.book)."""


def engine_simulate_rules(bars: Bars, target: np.ndarray) -> float:
    res = simulate(bars, target, fee_rate=FEE, slippage_bps=SLIP_BPS, initial_cash=CASH, **RULES)
    return float(res.equity[-1])


@njit(cache=True)
def _minimal_loop(o, c, fast, slow, fee, slip, cash, tol, equity):
    # fused: running window sums, signal, fill at next open, mark to close; no trade log, no validation
    sf = 0.0
    ss = 0.0
    units = 0.0
    want = False
    for t in range(c.shape[0]):
        if t > 0:
            if want and units == 0.0:
                price = o[t] * (1.0 + slip)
                units = cash / (price * (1.0 + fee))
                cash = 0.0
            elif not want and units > 0.0:
                cash += units * o[t] * (1.0 - slip) * (1.0 - fee)
                units = 0.0
        sf += c[t]
        ss += c[t]
        if t >= fast:
            sf -= c[t - fast]
        if t >= slow:
            ss -= c[t - slow]
        if t >= slow - 1:
            mf, ms = sf / fast, ss / slow
            want = mf - ms > tol * abs(ms)
        equity[t] = cash + units * c[t]
    return equity[-1]


def numba_loop(bars: Bars) -> float:
    equity = np.empty(len(bars))
    return float(
        _minimal_loop(bars.open, bars.close, FAST, SLOW, FEE, SLIP_BPS / 1e4, CASH, CROSS_REL_TOL, equity)
    )


def numpy_vectorised(bars: Bars) -> float:
    """Cumsum SMAs, shifted position, equity as a cumulative product of per-bar growth factors."""
    o, c = bars.open, bars.close
    cs = np.concatenate(([0.0], np.cumsum(c)))
    sma = lambda w: np.concatenate((np.full(w - 1, np.nan), (cs[w:] - cs[:-w]) / w))  # noqa: E731
    mf, ms = sma(FAST), sma(SLOW)
    with np.errstate(invalid="ignore"):
        sig = (mf - ms > CROSS_REL_TOL * np.abs(ms)).astype(np.int8)
    pos = np.concatenate(([0], sig[:-1]))
    prev_pos = np.concatenate(([0], pos[:-1]))
    prev_c = np.concatenate(([c[0]], c[:-1]))
    s = SLIP_BPS / 1e4
    growth = np.ones_like(c)
    hold = (pos == 1) & (prev_pos == 1)
    enter = (pos == 1) & (prev_pos == 0)
    leave = (pos == 0) & (prev_pos == 1)
    growth[hold] = c[hold] / prev_c[hold]
    growth[enter] = c[enter] / (o[enter] * (1 + s) * (1 + FEE))
    growth[leave] = o[leave] * (1 - s) * (1 - FEE) / prev_c[leave]
    return float(CASH * np.prod(growth))


def timed(fns: dict[str, Callable[[], float]], repeats: int) -> dict[str, tuple[float, float, float]]:
    """name → (best ms, median ms, result). Calls are interleaved round-robin so that a burst of load from
    other processes on the machine hits every implementation alike instead of skewing one of them."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    values: dict[str, float] = {}
    for _ in range(repeats):
        for name, fn in fns.items():
            start = time.perf_counter()
            values[name] = fn()
            times[name].append((time.perf_counter() - start) * 1e3)
    return {name: (min(ts), statistics.median(ts), values[name]) for name, ts in times.items()}


def measure(label: str, bars: Bars) -> dict[str, object]:
    """Time the implementations on ``bars`` and check they reach the same final equity."""
    target = ma_crossover(bars.close, FAST, SLOW)
    res = timed(
        {
            "numpy": lambda: numpy_vectorised(bars),
            "numba": lambda: numba_loop(bars),
            "engine": lambda: engine(bars),
            "simulate": lambda: engine_simulate_only(bars, target),
            "rules": lambda: engine_simulate_rules(bars, target),
        },
        REPEATS[len(bars)],
    )
    eq = res["engine"][2]
    return {
        "input": label,
        "bars": len(bars),
        **{k: v[:2] for k, v in res.items()},
        "ratio": res["engine"][0] / res["numba"][0],
        "parity": max(abs(res["numpy"][2] / eq - 1.0), abs(res["numba"][2] / eq - 1.0)),
    }


def table(rows: list[dict[str, object]]) -> list[str]:
    def ms(pair: object) -> str:
        best, med = pair  # type: ignore[misc]
        return f"{best:.1f} / {med:.1f}"

    lines = [
        "| input | bars | numpy vectorised | numba loop | engine: signal + simulate | of which simulate "
        "| engine / numba (best / median) | final-equity max rel diff | simulate with stop+target+trailing |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        med_ratio = r["engine"][1] / r["numba"][1]  # type: ignore[index]
        lines.append(
            f"| {r['input']} | {r['bars']:,} | {ms(r['numpy'])} | {ms(r['numba'])} | {ms(r['engine'])} "
            f"| {ms(r['simulate'])} | {r['ratio']:.2f}x / {med_ratio:.2f}x | {r['parity']:.1e} "
            f"| {ms(r['rules'])} |"
        )
    return lines


def verdict(rows: list[dict[str, object]]) -> str:
    big = [r for r in rows if r["bars"] == max(SIZES)]
    # judge on the worse of the best-of and median ratios so one lucky run cannot pass the target
    worst = max(max(float(r["ratio"]), r["engine"][1] / r["numba"][1]) for r in big)  # type: ignore[index]
    status = "met" if worst <= 3.0 else "NOT met"
    return (
        f"- target engine ≤ 3x the numba loop on {max(SIZES):,} bars: **{status}** "
        f"(worst ratio, best-of or median: {worst:.2f}x)."
    )


def section(rows: list[dict[str, object]]) -> str:
    body = [
        SECTION,
        "",
        f"MA crossover fast={FAST}/slow={SLOW}, fee {FEE}, slippage {SLIP_BPS} bps, all-in long. "
        "Times in ms, best / median of "
        + ", ".join(f"{REPEATS[n]} runs at {n:,} bars" for n in SIZES)
        + ", JIT and allocator warmed first on 1M bars, implementations interleaved round-robin. "
        "`python bench/backtest.py` regenerates this section.",
        "",
        *machine_lines(f", numpy {np.__version__}, numba {numba.__version__}"),
        "",
        *table(rows),
        "",
        verdict(rows),
        "- engine: `peak.strategies.ma_crossover` (one fused pass, SMA sums re-anchored exactly every 1,024 "
        "bars) + `peak.backtest.simulate` (input checks, numba kernel, per-bar equity/cash/units arrays and "
        "the full trade list).",
        "- the engine columns run the default all-in long/flat book (`peak.backtest.kernel`); the last "
        "column "
        f"sets {', '.join(f'{k}={v}' for k, v in RULES.items())}, which switches simulate to the general "
        "kernel `peak.backtest.book` (shorts, stops, sizing; outside the ratio target).",
        "- numba loop: one fused hand-written loop, plain running sums, writes the equity array only.",
        "- numpy vectorised: cumsum SMAs, shifted position, cumulative product of per-bar growth factors.",
        "- at 1M bars every implementation is memory-bound (each 8 MB array pass costs ~1 ms here); the "
        "engine writes four output arrays (target, equity, cash, units) to the loop's one: most of the gap.",
        "- the VM is shared with other jobs (2 vCPUs): single runs are noisy, small inputs most of all.",
        "",
    ]
    return "\n".join(body)


def main() -> None:
    # JIT compile (or load the cache) first, on the largest size so that glibc's adaptive mmap threshold is
    # already raised: otherwise whichever input runs first pays fresh-page faults the others do not.
    warm = gbm_bars(max(SIZES))
    engine(warm), numba_loop(warm), numpy_vectorised(warm)
    inputs: list[tuple[str, Callable[[int], Bars]]] = [("GBM", gbm_bars)]
    if ((shared_data_dir() / "market") / "BTCUSDT_1h.csv.gz").is_file():
        inputs.append(("BTC 1h stitched", stitched_btc_bars))
    else:
        print(
            f"shared data not found at {(shared_data_dir() / 'market')}; skipping the BTC input",
            file=sys.stderr,
        )
    rows = [measure(label, make(n)) for label, make in inputs for n in SIZES]
    text = section(rows)
    print(text)
    write_section(SECTION, text)
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
