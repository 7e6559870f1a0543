"""The real-data sample shipped inside the package (see ``peak/data/sample/README.md``)."""

from __future__ import annotations

from pathlib import Path

from peak.core.errors import DataError

SAMPLE_DIR = Path(__file__).resolve().parent / "sample"


def bundled_pairs() -> list[tuple[str, str]]:
    """(symbol, timeframe) pairs in the sample, e.g. ``("BTC/USDT", "1h")``."""
    pairs = []
    for path in sorted(SAMPLE_DIR.glob("*USDT_*.csv.gz")):
        stem, timeframe = path.name.removesuffix(".csv.gz").rsplit("_", 1)
        pairs.append((f"{stem.removesuffix('USDT')}/USDT", timeframe))
    return pairs


def bundled_sample(symbol: str, timeframe: str) -> Path:
    """The bundled file for ``symbol`` (``BTC/USDT``) and ``timeframe`` (``1h``)."""
    path = SAMPLE_DIR / f"{symbol.replace('/', '')}_{timeframe}.csv.gz"
    if not path.is_file():
        available = ", ".join(f"{s} {t}" for s, t in bundled_pairs())
        raise DataError(f"no bundled sample for {symbol} {timeframe}; bundled: {available}")
    return path
