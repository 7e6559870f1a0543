"""``risk`` group: risk rules applied inside backtests."""

from __future__ import annotations

from typing import Literal

from peak.core.config import FrozenModel


class RiskConfig(FrozenModel):
    """No stop or limit rules yet: positions change only on strategy signals."""

    name: Literal["backtest"] = "backtest"
