"""Bar timeframes such as ``1h`` or ``1d`` on a 24/7 crypto calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass

from peak.core.errors import ConfigError

_UNIT_NS = {
    "m": 60 * 10**9,
    "h": 3600 * 10**9,
    "d": 86400 * 10**9,
    "w": 7 * 86400 * 10**9,
}
_PATTERN = re.compile(r"^([1-9][0-9]*)([mhdw])$")
YEAR_NS = 365 * 86400 * 10**9
"""Length of a year on the 24/7 calendar used for annualisation (365 days)."""


@dataclass(frozen=True)
class Timeframe:
    """A bar length. ``Timeframe.parse("1h").bars_per_year == 8760.0``."""

    text: str
    ns: int

    @classmethod
    def parse(cls, text: str) -> Timeframe:
        """Parse ``<n><unit>`` with unit m (minutes), h, d or w, for example ``15m``, ``1h``, ``1d``."""
        match = _PATTERN.match(str(text).strip())
        if match is None:
            raise ConfigError(
                f"timeframe {text!r} is not valid; use <n><unit> with unit m, h, d or w (e.g. 1h, 4h, 1d)"
            )
        count, unit = int(match.group(1)), match.group(2)
        return cls(text=f"{count}{unit}", ns=count * _UNIT_NS[unit])

    @property
    def bars_per_year(self) -> float:
        """Bars in a 365-day year: 8760.0 for 1h, 365.0 for 1d."""
        return YEAR_NS / self.ns

    def __str__(self) -> str:
        return self.text
