"""Load the bars a ``data`` config names: read, normalize, check, cache, select, report, fingerprint.

There is no fallback: when the configured source fails, ``DataError`` is raised; synthetic bars are only
produced for an explicit ``data=synthetic``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from peak.core.bars import Bars
from peak.core.errors import DataError
from peak.core.timeframe import Timeframe
from peak.data.cache import cache_key, load_cached, store_cached
from peak.data.checks import check_time, check_values
from peak.data.config import (
    CatalogData,
    CsvData,
    DataConfig,
    GapPolicy,
    ParquetData,
    SampleData,
    SyntheticData,
    symbol_path,
)
from peak.data.hashing import fingerprint
from peak.data.normalize import normalize
from peak.data.quality import QualityReport, quality_report
from peak.data.read import file_kind, parse_raw, read_bytes
from peak.data.sample import bundled_sample
from peak.data.synthetic import synthetic_bars
from peak.data.timestamps import iso, parse_instant

log = logging.getLogger("peak.data")


@dataclass(frozen=True)
class LoadedData:
    """Bars ready for a run, their fingerprint (sha256 hex, 64 characters) and the quality report.

    All three describe the selected period (``data.start`` .. ``data.end``), not the whole file.
    """

    bars: Bars
    fingerprint: str
    quality: QualityReport


def read_ohlcv(path: str | Path, *, symbol: str, timeframe: str) -> Bars:
    """Read, normalize and check one CSV, CSV.gz or parquet file, without the cache.

    Example: ``read_ohlcv("BTCUSDT_1h.csv.gz", symbol="BTC/USDT", timeframe="1h")``. Raises ``DataError``
    naming the file, the column and the first offending row (0-based data row, header excluded).
    """
    file = Path(path).expanduser()
    file_kind(file)
    return _checked_bars(parse_raw(read_bytes(file), file), file, symbol, Timeframe.parse(timeframe))


_MEMO: dict[tuple[str, str], LoadedData] = {}
"""Loaded data by (config, sha256 of the file's bytes), kept for the life of the process: sweep
workers run many jobs on the same file, and a worker forked after a warm-up inherits it. Safe to share
because ``Bars`` arrays are read-only; keyed by content so that a rewritten file is never stale."""
_MEMO_SIZE = 8


def forget_loaded() -> None:
    """Drop what :func:`load_bars` keeps in memory (the on-disk cache stays)."""
    _MEMO.clear()


def load_bars(cfg: DataConfig) -> LoadedData:
    """Load the bars ``cfg`` describes, apply ``start``/``end`` and the gap policy; see ``docs/data.md``.
    A repeated call for the same config and file content returns the same (immutable) data."""
    if isinstance(cfg, SyntheticData):
        bars = synthetic_bars(cfg)
        return LoadedData(bars=bars, fingerprint=fingerprint(bars), quality=quality_report(bars))
    if isinstance(cfg, CatalogData):
        return _catalog_data(cfg)
    path, use_cache = _file_of(cfg)
    file_kind(path)
    data = read_bytes(path)
    tf = Timeframe.parse(cfg.timeframe)
    digest = cache_key(data, symbol=cfg.symbol, timeframe=tf.text)
    key = (cfg.model_dump_json(), digest)
    loaded = _MEMO.get(key)
    if loaded is None:
        bars = _bars_of_file(path, data, digest, cfg.symbol, tf, use_cache=use_cache)
        bars, offset = _select(bars, cfg.start, cfg.end)
        report = quality_report(bars, row_offset=offset)
        loaded = LoadedData(bars=bars, fingerprint=fingerprint(bars), quality=report)
        if len(_MEMO) >= _MEMO_SIZE:
            _MEMO.pop(next(iter(_MEMO)))
        _MEMO[key] = loaded
    _apply_gap_policy(loaded.quality, cfg.gaps)
    return loaded


def _catalog_data(cfg: CatalogData) -> LoadedData:
    """Catalog bars in ``start`` .. ``end`` with the same checks, report and gap policy as a file."""
    from peak.data.catalog import catalog_dir, read_catalog

    start = parse_instant(cfg.start, key="data.start") if cfg.start else None
    end = parse_instant(cfg.end, key="data.end") if cfg.end else None
    folder = catalog_dir(cfg.root, cfg.exchange, cfg.symbol, cfg.timeframe)
    bars = read_catalog(folder, symbol=cfg.symbol, timeframe=cfg.timeframe, start_ns=start, end_ns=end)
    loaded = LoadedData(bars=bars, fingerprint=fingerprint(bars), quality=quality_report(bars))
    _apply_gap_policy(loaded.quality, cfg.gaps)
    return loaded


def _file_of(cfg: SampleData | CsvData | ParquetData) -> tuple[Path, bool]:
    if isinstance(cfg, SampleData):
        return bundled_sample(cfg.symbol, cfg.timeframe), False
    path = Path(symbol_path(cfg.path, cfg.symbol)).expanduser()
    if isinstance(cfg, CsvData):
        return path, cfg.cache
    return path, False


def _bars_of_file(path: Path, data: bytes, key: str, symbol: str, tf: Timeframe, *, use_cache: bool) -> Bars:
    if not use_cache:
        return _checked_bars(parse_raw(data, path), path, symbol, tf)
    cached = load_cached(key, symbol=symbol, timeframe=tf, source=str(path))
    if cached is not None:
        log.debug("cache hit for %s (key %s)", path, key[:12])
        return cached
    bars = _checked_bars(parse_raw(data, path), path, symbol, tf)
    store_cached(key, bars)
    return bars


def _checked_bars(raw: pd.DataFrame, path: Path, symbol: str, tf: Timeframe) -> Bars:
    source = str(path)
    norm = normalize(raw, source=source)
    check_values(norm.frame, source=source, columns=norm.columns)
    check_time(norm.frame["ts"].to_numpy(), tf, source=source, column=norm.time_column)
    return Bars.from_frame(norm.frame, symbol, tf, source=source)


def _select(bars: Bars, start: str | None, end: str | None) -> tuple[Bars, int]:
    """Bars with ``start <= ts < end`` and the position of the first one; DataError when none remain."""
    if start is None and end is None:
        return bars, 0
    lo = int(np.searchsorted(bars.ts, parse_instant(start, key="data.start"))) if start else 0
    hi = int(np.searchsorted(bars.ts, parse_instant(end, key="data.end"))) if end else len(bars)
    if hi <= lo:
        available = f"{iso(bars.ts[0])} .. {iso(bars.ts[-1])}" if len(bars) else "no bars"
        raise DataError(
            f"no bars in the requested range start={start} (inclusive) .. end={end} (exclusive); "
            f"the data covers {available}",
            source=bars.source,
        )
    return bars.slice(lo, hi), lo


def _apply_gap_policy(report: QualityReport, policy: GapPolicy) -> None:
    if not report.gap_count or policy == "ignore":
        return
    if policy == "error":
        first = report.gaps[0]
        raise DataError(
            f"gap of {first.missing_bars} missing {report.timeframe} bars starting {first.start}, before "
            f"this row; {report.gap_count} gaps in total, largest {report.largest_gap} (data.gaps=error)",
            source=report.source,
            row=first.row,
        )
    log.warning("data has gaps: %s", report.summary())
