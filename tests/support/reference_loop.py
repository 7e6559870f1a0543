"""An independent, deliberately plain reference backtest used to check the numba engine.

Plain Python, one bar at a time, no numpy, nothing imported from ``peak``: every number here is derived from
the written conventions (docs/metrics.md and the engine conventions), not from engine code. Lists in, lists
and dicts out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

CROSS_REL_TOL = 1e-12  # the documented "fast above slow" margin, restated rather than imported


@dataclass
class RefTrade:
    entry_bar: int
    exit_bar: int
    entry_price: float
    exit_price: float
    units: float
    entry_fee: float
    exit_fee: float
    pnl: float
    ret: float


@dataclass
class RefResult:
    equity: list[float] = field(default_factory=list)
    units: list[float] = field(default_factory=list)
    trades: list[RefTrade] = field(default_factory=list)


def window_mean(close: list[float], t: int, window: int) -> float | None:
    """Mean of close[t-window+1 .. t] from a fresh window sum (exactly rounded), None during warm-up."""
    if t < window - 1:
        return None
    return math.fsum(close[t - window + 1 : t + 1]) / window


def crossover_signals(close: list[float], fast: int, slow: int) -> list[float]:
    """1.0 while the fast mean is above the slow mean by more than the margin, else 0.0."""
    out = []
    for t in range(len(close)):
        f = window_mean(close, t, fast)
        s = window_mean(close, t, slow)
        out.append(1.0 if f is not None and s is not None and f - s > CROSS_REL_TOL * abs(s) else 0.0)
    return out


def run_reference(
    open_: list[float],
    close: list[float],
    signal: list[float],
    fee_rate: float,
    slippage_bps: float,
    initial_cash: float,
) -> RefResult:
    """Signal at t fills at open[t+1]; all-in long; fees on both fills; equity marked at each close."""
    s = slippage_bps / 10_000
    res = RefResult()
    cash, units, entry = initial_cash, 0.0, None
    for t in range(len(open_)):
        if t >= 1 and signal[t - 1] > 0 and units == 0.0:
            price = open_[t] * (1 + s)
            units = cash / (price * (1 + fee_rate))
            entry = (t, price, units * price * fee_rate, cash)
            cash = 0.0
        elif t >= 1 and signal[t - 1] <= 0 and units > 0.0:
            price = open_[t] * (1 - s)
            received = units * price * (1 - fee_rate)
            entry_bar, entry_price, entry_fee, committed = entry
            pnl = received - committed
            res.trades.append(
                RefTrade(
                    entry_bar,
                    t,
                    entry_price,
                    price,
                    units,
                    entry_fee,
                    units * price * fee_rate,
                    pnl,
                    pnl / committed,
                )
            )
            cash += received
            units = 0.0
        res.equity.append(cash + units * close[t])
        res.units.append(units)
    return res


def reference_metrics(res: RefResult, initial_cash: float, bars_per_year: float) -> dict:
    """The documented metric formulas, written out longhand."""
    eq = res.equity
    n = len(eq)
    rets = [eq[i] / eq[i - 1] - 1 for i in range(1, n)]
    mean = sum(rets) / len(rets)
    var = sum((r - mean) ** 2 for r in rets) / (len(rets) - 1)
    downside = math.sqrt(sum(min(r, 0.0) ** 2 for r in rets) / len(rets))
    peak, mdd = eq[0], 0.0
    for v in eq:
        peak = max(peak, v)
        mdd = max(mdd, (peak - v) / peak)
    pnls = [tr.pnl for tr in res.trades]
    wins = sum(p for p in pnls if p > 0)
    losses = -sum(p for p in pnls if p < 0)
    n_tr = len(pnls)
    if n_tr == 0:
        pf = None
    elif losses == 0:
        pf = math.inf if wins > 0 else None
    else:
        pf = wins / losses
    return {
        "final_equity": eq[-1],
        "total_return": eq[-1] / initial_cash - 1,
        "cagr": (eq[-1] / initial_cash) ** (bars_per_year / n) - 1,
        "sharpe": mean / math.sqrt(var) * math.sqrt(bars_per_year) if var > 0 else None,
        "sortino": mean / downside * math.sqrt(bars_per_year) if downside > 0 else None,
        "max_drawdown": mdd,
        "profit_factor": pf,
        "n_trades": n_tr,
        "win_rate": sum(1 for p in pnls if p > 0) / n_tr if n_tr else None,
        "exposure": sum(1 for u in res.units if u != 0.0) / n,
        "avg_trade_return": sum(tr.ret for tr in res.trades) / n_tr if n_tr else None,
    }
