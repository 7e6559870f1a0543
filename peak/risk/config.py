"""``risk`` group: risk rules applied inside backtests."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from peak.core.config import FrozenModel


class RiskConfig(FrozenModel):
    """Intrabar exits, each a fraction of the entry fill price; null = off.

    The stop triggers when the bar's low reaches it (high for a short) and fills at the worse of the open
    and the stop; the take-profit fills at the better of the open and the target; slippage applies to both.
    If both could trigger in one bar the stop wins. After either exit the strategy must go flat before it can
    re-enter that side. Details and examples: docs/backtest.md.
    """

    name: Literal["backtest"] = "backtest"
    stop_loss: float | None = Field(default=None, gt=0.0, lt=1.0)
    """Exit a long at entry × (1 − stop_loss), a short at entry × (1 + stop_loss); e.g. 0.03."""
    take_profit: float | None = Field(default=None, gt=0.0, le=100.0)
    """Exit a long at entry × (1 + take_profit), a short at entry × (1 − take_profit); e.g. 0.06."""
    trailing_stop: float | None = Field(default=None, gt=0.0, lt=1.0)
    """Exit a long at (highest high since entry) × (1 − trailing_stop), a short mirrored; e.g. 0.05."""
