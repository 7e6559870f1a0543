"""``run_backtest`` and ``run_portfolio``: strategy targets → simulation → metrics, as a ``RunResult``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from peak.backtest.engine import simulate
from peak.backtest.portfolio import Account, SleeveSpec, simulate_portfolio
from peak.backtest.portfolio_config import WeightedPortfolioConfig
from peak.core.bars import Bars
from peak.core.errors import DataError
from peak.core.results import BacktestResult, RunResult, SleeveRun
from peak.execution.config import ExecutionConfig
from peak.metrics import compute_metrics, correlation_summary, pnl_correlation
from peak.portfolio.config import CapitalConfig, PortfolioConfig
from peak.risk.config import RiskConfig
from peak.strategies import target_positions
from peak.strategies.config import StrategyConfig

ENGINE_NAME = "peak.backtest/book/v2"
"""Recorded in lineage so results from a changed engine are never mistaken for older ones."""
PORTFOLIO_ENGINE_NAME = "peak.backtest/portfolio/v1"


@dataclass(frozen=True)
class ResolvedSleeve:
    """A sleeve with everything it inherits filled in: what actually runs."""

    name: str
    symbol: str
    weight: float
    strategy: StrategyConfig
    risk: RiskConfig


def resolve_sleeves(
    portfolio: WeightedPortfolioConfig, *, strategy: StrategyConfig, risk: RiskConfig, symbol: str
) -> tuple[ResolvedSleeve, ...]:
    """Fill each sleeve's missing ``symbol``/``strategy``/``risk`` from the run's ``data.symbol``,
    ``strategy`` and ``risk`` groups. Example: a sleeve ``{weight: 0.5}`` runs the ``strategy`` group."""
    return tuple(
        ResolvedSleeve(
            name=name,
            symbol=sleeve.symbol or symbol,
            weight=sleeve.weight,
            strategy=sleeve.strategy or strategy,
            risk=sleeve.risk or risk,
        )
        for name, sleeve in portfolio.sleeves.items()
    )


def _spec(
    name: str,
    symbol: str,
    weight: float,
    bars: Bars,
    strategy: StrategyConfig,
    risk: RiskConfig,
    capital: CapitalConfig,
    target: np.ndarray | None = None,
) -> SleeveSpec:
    return SleeveSpec(
        name=name,
        symbol=symbol,
        weight=weight,
        target=target_positions(bars, strategy) if target is None else target,
        allow_short=capital.allow_short,
        stop_loss=risk.stop_loss,
        take_profit=risk.take_profit,
        trailing_stop=risk.trailing_stop,
        sizing=capital.sizing_rule(),
    )


def _account(capital: CapitalConfig) -> Account:
    if isinstance(capital, WeightedPortfolioConfig):
        return Account(
            initial_cash=capital.initial_cash,
            rebalance=capital.rebalance,
            rebalance_every=capital.rebalance_every,
            rebalance_threshold=capital.rebalance_threshold,
            max_leverage=capital.max_leverage,
            missing_bars=capital.missing_bars,
        )
    return Account(initial_cash=capital.initial_cash)


def run_backtest(
    bars: Bars,
    *,
    strategy: StrategyConfig,
    execution: ExecutionConfig,
    portfolio: PortfolioConfig,
    risk: RiskConfig,
    data_fingerprint: str,
    target: np.ndarray | None = None,
) -> RunResult:
    """One backtest of ``strategy`` on ``bars`` with the given costs and capital.

    ``target`` replaces the strategy's own targets when given (e.g. targets computed on a longer history
    so that indicators are warm at the first bar of a walk-forward window); ``strategy`` is then recorded
    in lineage only.

    ``portfolio`` sets capital, shorting and sizing; ``risk`` the intrabar stop, target and trailing stop.
    ``data_fingerprint`` is passed through untouched (it identifies the exact input data). An execution
    model beyond flat fee + fixed slippage runs on the portfolio kernel as a single sleeve.
    Example: ``run_backtest(bars, strategy=MACrossoverConfig(), execution=ExecutionConfig(),
    portfolio=PortfolioConfig(), risk=RiskConfig(), data_fingerprint="sha256:...").metrics["sharpe"]``.
    """
    if execution.is_simple():
        if target is None:
            target = target_positions(bars, strategy)
        result = simulate(
            bars,
            target,
            fee_rate=float(execution.fee_rate or 0.0),
            slippage_bps=float(execution.slippage_bps or 0.0),
            initial_cash=portfolio.initial_cash,
            allow_short=portfolio.allow_short,
            stop_loss=risk.stop_loss,
            take_profit=risk.take_profit,
            trailing_stop=risk.trailing_stop,
            sizing=portfolio.sizing_rule(),
        )
        engine = ENGINE_NAME
    else:
        spec = _spec("main", bars.symbol, 1.0, bars, strategy, risk, portfolio, target)
        sim = simulate_portfolio([bars], [spec], execution=execution, account=_account(portfolio))
        result, engine = sim.sleeves[0], PORTFOLIO_ENGINE_NAME
    return RunResult(
        backtest=result,
        metrics=compute_metrics(result, bars.timeframe),
        data_fingerprint=data_fingerprint,
        symbol=bars.symbol,
        timeframe=str(bars.timeframe),
        lineage={
            "engine": engine,
            "strategy": strategy.name,
            "execution": execution.name,
            "portfolio": portfolio.name,
            "risk": risk.name,
        },
    )


def time_weighted(
    sleeve: BacktestResult, total_equity: np.ndarray, weight: float, *, own: bool
) -> BacktestResult:
    """The sleeve with its equity replaced by its time-weighted curve, the basis of its metrics.

    Each bar's profit and loss is divided by the capital the sleeve traded against at the previous close:
    its own equity when sleeves compound alone (``own``, rebalance=none: the curve is unchanged), else
    weight × account equity. Without this a sleeve funded by the others could show a near-zero or negative
    equity and meaningless returns. Example: a sleeve that made 100 on a 2,500 base shows +4 %.
    """
    if own:
        return sleeve
    equity = sleeve.equity
    pnl = np.diff(equity)
    base = weight * total_equity[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        step = np.where(base > 0.0, pnl / base, 0.0)
    curve = np.empty_like(equity)
    curve[0] = equity[0]
    curve[1:] = equity[0] * np.cumprod(1.0 + step)
    return replace(sleeve, equity=curve)


def run_portfolio(
    bars: Mapping[str, Bars],
    sleeves: Sequence[ResolvedSleeve],
    *,
    portfolio: WeightedPortfolioConfig,
    execution: ExecutionConfig,
    data_fingerprint: str,
) -> RunResult:
    """Run resolved ``sleeves`` on one shared account; ``bars`` maps each symbol to its bars.

    The result's ``metrics`` are the whole account's plus ``corr_mean``/``corr_max`` of the sleeves' P&L;
    each ``SleeveRun`` carries its own metrics. Raises ``DataError`` when a sleeve's symbol has no bars.
    Example: ``run_portfolio({"BTC/USDT": btc}, resolve_sleeves(cfg, ...), portfolio=cfg,
    execution=ExecutionConfig(), data_fingerprint="...").sleeves[0].metrics["sharpe"]``.
    """
    missing = sorted({s.symbol for s in sleeves} - set(bars))
    if missing:
        raise DataError(f"no bars loaded for sleeve symbol(s): {', '.join(missing)}")
    series = list(bars.values())
    specs = [
        _spec(s.name, s.symbol, s.weight, bars[s.symbol], s.strategy, s.risk, portfolio) for s in sleeves
    ]
    sim = simulate_portfolio(series, specs, execution=execution, account=_account(portfolio))
    timeframe = series[0].timeframe
    sleeve_runs = tuple(
        SleeveRun(
            name=s.name,
            symbol=s.symbol,
            strategy=s.strategy.name,
            weight=s.weight,
            backtest=result,
            metrics=compute_metrics(
                time_weighted(result, sim.total.equity, s.weight, own=portfolio.rebalance == "none"),
                timeframe,
            ),
        )
        for s, result in zip(sleeves, sim.sleeves, strict=True)
    )
    corr = pnl_correlation([r.equity for r in sim.sleeves])
    return RunResult(
        backtest=sim.total,
        metrics={**compute_metrics(sim.total, timeframe), **correlation_summary(corr)},
        data_fingerprint=data_fingerprint,
        symbol=",".join(bars),
        timeframe=timeframe.text,
        lineage={
            "engine": PORTFOLIO_ENGINE_NAME,
            "strategy": ",".join(sorted({s.strategy.name for s in sleeves})),
            "execution": execution.name,
            "portfolio": portfolio.name,
            "risk": ",".join(sorted({s.risk.name for s in sleeves})),
        },
        sleeves=sleeve_runs,
        correlation=corr,
    )
