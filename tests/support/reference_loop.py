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


@dataclass
class BookRules:
    """Everything beyond the all-in long book; the defaults reproduce ``run_reference``.

    ``sizing`` is "all_in", "fixed_fraction" (``size`` = fraction of equity), "fixed_notional" (``size`` =
    quote amount, capped by cash) or "vol_target" (``size`` = annual target vol, ``lookback`` returns).
    """

    allow_short: bool = False
    stop_loss: float | None = None
    take_profit: float | None = None
    trailing_stop: float | None = None
    sizing: str = "all_in"
    size: float = 0.0
    lookback: int = 0
    bars_per_year: float = 8760.0


@dataclass
class _Open:
    side: int  # +1 long, -1 short
    bar: int
    price: float
    units: float  # always positive here; the sign lives in ``side``
    committed: float
    entry_flow: float  # cash received (short) or paid, as a negative number (long), at entry
    best: float  # highest high (long) / lowest low (short) seen at earlier checks


def _ref_vol(close: list[float], end: int, lookback: int, bars_per_year: float) -> float | None:
    if end - lookback < 0:
        return None
    rets = [close[i] / close[i - 1] - 1 for i in range(end - lookback + 1, end + 1)]
    mean = math.fsum(rets) / lookback
    return math.sqrt(math.fsum((r - mean) ** 2 for r in rets) / (lookback - 1) * bars_per_year)


def _ref_alloc(rules: BookRules, cash: float, close: list[float], signal_bar: int) -> float:
    """Quote amount for a new entry; entries happen only when flat, so equity is the cash."""
    if rules.sizing == "all_in":
        return cash
    if rules.sizing == "fixed_fraction":
        return rules.size * cash
    if rules.sizing == "fixed_notional":
        return min(rules.size, cash)
    vol = _ref_vol(close, signal_bar, rules.lookback, rules.bars_per_year)
    if vol is None:
        return 0.0
    return cash if vol == 0 else min(1.0, rules.size / vol) * cash


def _ref_close(pos: _Open, bar: int, price: float, fee_rate: float, res: RefResult) -> float:
    """Close ``pos`` at ``price``; returns the cash flow (sale proceeds, or minus the buy-back cost)."""
    flow = pos.units * price * (1 - fee_rate) if pos.side > 0 else -(pos.units * price * (1 + fee_rate))
    pnl = flow + pos.entry_flow
    res.trades.append(
        RefTrade(
            pos.bar,
            bar,
            pos.price,
            price,
            pos.side * pos.units,
            pos.units * pos.price * fee_rate,
            pos.units * price * fee_rate,
            pnl,
            pnl / pos.committed,
        )
    )
    return flow


def _ref_intrabar(pos: _Open, o: float, h: float, lo: float, rules: BookRules, s: float) -> float | None:
    """Stop (fixed or trailing, the tighter) first, then target; the fill price or None."""
    stops = []
    if rules.stop_loss is not None:
        stops.append(pos.price * (1 - pos.side * rules.stop_loss))
    if rules.trailing_stop is not None:
        stops.append(pos.best * (1 - pos.side * rules.trailing_stop))
    if pos.side > 0:
        if stops and lo <= max(stops):
            return min(o, max(stops)) * (1 - s)
        if rules.take_profit is not None and h >= pos.price * (1 + rules.take_profit):
            return max(o, pos.price * (1 + rules.take_profit)) * (1 - s)
        return None
    if stops and h >= min(stops):
        return max(o, min(stops)) * (1 + s)
    if rules.take_profit is not None and lo <= pos.price * (1 - rules.take_profit):
        return min(o, pos.price * (1 - rules.take_profit)) * (1 + s)
    return None


def run_reference_book(
    bars: dict[str, list[float]],
    signal: list[float],
    fee_rate: float,
    slippage_bps: float,
    initial_cash: float,
    rules: BookRules,
) -> RefResult:
    """Shorts, stops, targets, trailing stops and sizing, bar by bar, from the written conventions.

    ``bars`` holds lists "open", "high", "low", "close". Per bar: fills at the open (close the old side,
    then open the wanted one), then the intrabar exit check, then the trailing extreme moves, then the mark.
    """
    s = slippage_bps / 10_000
    o, h, lo, c = bars["open"], bars["high"], bars["low"], bars["close"]
    res = RefResult()
    cash, pos, blocked = initial_cash, None, 0
    for t in range(len(o)):
        if t >= 1:
            sig = signal[t - 1]
            want = 1 if sig > 0 else (-1 if sig < 0 and rules.allow_short else 0)
            if blocked and want == blocked:
                want = 0  # still asking for the side a stop/target just closed
            elif blocked:
                blocked = 0
            current = pos.side if pos else 0
            if pos and want != current:
                cash += _ref_close(pos, t, o[t] * (1 - pos.side * s), fee_rate, res)
                pos = None
            if want != 0 and pos is None:
                alloc = _ref_alloc(rules, cash, c, t - 1)
                if alloc > 0:
                    price = o[t] * (1 + want * s)
                    units = alloc / (price * (1 + fee_rate))
                    flow = -alloc if want > 0 else units * price * (1 - fee_rate)
                    pos = _Open(want, t, price, units, alloc, flow, price)
                    cash += flow
        if pos and (rules.stop_loss or rules.take_profit or rules.trailing_stop):
            fill = _ref_intrabar(pos, o[t], h[t], lo[t], rules, s)
            if fill is not None:
                cash += _ref_close(pos, t, fill, fee_rate, res)
                blocked, pos = pos.side, None
            else:
                pos.best = max(pos.best, h[t]) if pos.side > 0 else min(pos.best, lo[t])
        units = pos.side * pos.units if pos else 0.0
        res.equity.append(cash + units * c[t])
        res.units.append(units)
    return res
