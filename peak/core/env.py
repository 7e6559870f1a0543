"""The run environment: where orders may go. Only ``backtest`` exists so far."""

from __future__ import annotations

from typing import Literal

from peak.core.config import FrozenModel


class EnvConfig(FrozenModel):
    """``env`` group. ``backtest`` never talks to an exchange."""

    name: Literal["backtest"] = "backtest"
