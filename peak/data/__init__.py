"""Loaders, normalizer, quality checks, parquet cache and fingerprints for OHLCV bars."""

from peak.data.fingerprint import fingerprint
from peak.data.load import LoadedData, load_bars, read_ohlcv
from peak.data.quality import QualityReport
from peak.data.sample import bundled_pairs, bundled_sample
from peak.data.synthetic import synthetic_bars

__all__ = [
    "LoadedData",
    "QualityReport",
    "bundled_pairs",
    "bundled_sample",
    "fingerprint",
    "load_bars",
    "read_ohlcv",
    "synthetic_bars",
]
