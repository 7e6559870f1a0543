"""``data`` group: where bars come from. One model per option, selected by ``source``."""

from __future__ import annotations

import datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from peak.core.config import FrozenModel
from peak.core.timeframe import Timeframe

GapPolicy = Literal["warn", "error", "ignore"]


class _BarSource(FrozenModel):
    symbol: str = Field(default="BTC/USDT", pattern=r"^[A-Z0-9]+/[A-Z0-9]+$")
    timeframe: str = "1h"
    start: str | None = None
    """Inclusive first bar open time (ISO 8601, UTC if no offset), or None for the first available bar."""
    end: str | None = None
    """Exclusive end time (ISO 8601), or None for the last available bar."""
    gaps: GapPolicy = "warn"
    """What a missing bar does: warn (default, reported), error (DataError) or ignore (still reported)."""

    @field_validator("timeframe")
    @classmethod
    def _check_timeframe(cls, value: str) -> str:
        try:
            return Timeframe.parse(value).text
        except Exception as exc:  # re-raised as a pydantic error so the key path is attached
            raise ValueError(str(exc)) from exc

    @field_validator("start", "end", mode="before")
    @classmethod
    def _check_time(cls, value: object) -> object:
        return _checked_instant(value)

    @model_validator(mode="after")
    def _check_range(self) -> _BarSource:
        if self.start is None or self.end is None:
            return self
        from peak.data.timestamps import parse_instant  # pandas is imported only when a time is set

        if parse_instant(self.start, key="start") >= parse_instant(self.end, key="end"):
            raise ValueError(f"start {self.start} must be before end {self.end} (end is exclusive)")
        return self


def _checked_instant(value: object) -> object:
    """Keep the text as given (a YAML date becomes its ISO text); fail early when it is not ISO-8601."""
    if isinstance(value, datetime.date):
        value = value.isoformat()
    if not isinstance(value, str):
        return value  # None, or a wrong type that pydantic's own str check reports
    from peak.data.timestamps import parse_instant  # pandas is imported only when a time is set

    try:
        parse_instant(value, key="time")
    except Exception as exc:
        raise ValueError(f"{value!r} is not an ISO-8601 time such as 2023-06-01 or 2023-06-01T12:00") from exc
    return value


class SampleData(_BarSource):
    """The real-data sample bundled in the package (``peak/data/sample``)."""

    source: Literal["sample"] = "sample"


class CsvData(_BarSource):
    """A CSV file, plain or gzipped: ``Date,Open,High,Low,Close,Volume`` or lower-case, ISO or unix s/ms."""

    source: Literal["csv"] = "csv"
    path: str
    cache: bool = True
    """Keep a parquet copy keyed by the file's content hash so the next load skips CSV parsing."""


class ParquetData(_BarSource):
    """A parquet file with the same columns as the CSV format."""

    source: Literal["parquet"] = "parquet"
    path: str


class CatalogData(_BarSource):
    """Bars from the local parquet catalog that ``peak data download`` fills:
    ``<root>/<exchange>/<BASE-QUOTE>/<timeframe>/YYYY-MM.parquet`` (see ``peak.data.catalog``)."""

    source: Literal["catalog"] = "catalog"
    exchange: str = Field(default="kraken", pattern=r"^[a-z0-9_]+$")
    """ccxt exchange id the bars were downloaded from, e.g. kraken or binance."""
    root: str
    """Catalog root folder; conf/data/catalog.yaml sets ``$PEAK_CATALOG_DIR``, else ``<project>/data``."""


class SyntheticData(FrozenModel):
    """Geometric Brownian motion bars. Never used unless selected explicitly with ``data=synthetic``."""

    source: Literal["synthetic"] = "synthetic"
    symbol: str = Field(default="SYN/USD", pattern=r"^[A-Z0-9]+/[A-Z0-9]+$")
    timeframe: str = "1h"
    n_bars: int = Field(default=10_000, ge=2, le=50_000_000)
    seed: int = 0
    start: str = "2020-01-01T00:00:00Z"
    initial_price: float = Field(default=100.0, gt=0)
    annual_drift: float = 0.0
    annual_volatility: float = Field(default=0.6, ge=0, le=10)

    @field_validator("timeframe")
    @classmethod
    def _check_timeframe(cls, value: str) -> str:
        try:
            return Timeframe.parse(value).text
        except Exception as exc:
            raise ValueError(str(exc)) from exc

    @field_validator("start", mode="before")
    @classmethod
    def _check_start(cls, value: object) -> object:
        return _checked_instant(value)


DataConfig = Annotated[
    SampleData | CsvData | ParquetData | CatalogData | SyntheticData, Field(discriminator="source")
]


PATH_FIELDS = ("{pair}", "{base}", "{quote}")
"""Placeholders a csv/parquet ``path`` may hold, filled from the symbol: BTCUSDT, BTC, USDT."""


def symbol_path(path: str, symbol: str) -> str:
    """``path`` with the placeholders filled for ``symbol``.

    Example: ``symbol_path("data/{pair}_1h.csv.gz", "ETH/USDT")`` → ``"data/ETHUSDT_1h.csv.gz"``.
    """
    base, quote = symbol.split("/")
    return path.replace("{pair}", base + quote).replace("{base}", base).replace("{quote}", quote)


def for_symbol(cfg: DataConfig, symbol: str, *, n_symbols: int = 1) -> DataConfig:
    """The same data source for another ``symbol`` (a portfolio loads each of its symbols this way).

    A file source serving several symbols must say where each one is with a placeholder in ``path``;
    a synthetic source derives a distinct, reproducible seed per symbol. Raises ``ValueError`` (reported as
    a config error) when one fixed file would serve several symbols.
    """
    if isinstance(cfg, SyntheticData):
        import zlib

        seed = cfg.seed if n_symbols == 1 else cfg.seed + zlib.crc32(symbol.encode()) % 1_000_000
        return cfg.model_copy(update={"symbol": symbol, "seed": seed})
    placeholders = isinstance(cfg, CsvData | ParquetData) and any(p in cfg.path for p in PATH_FIELDS)
    if isinstance(cfg, CsvData | ParquetData) and n_symbols > 1 and not placeholders:
        raise ValueError(
            f"data.path {cfg.path!r} names one file but the portfolio trades {n_symbols} symbols; put "
            "{pair} (BTCUSDT), {base} or {quote} in it, e.g. data/{pair}_1h.csv.gz"
        )
    return cfg.model_copy(update={"symbol": symbol})
