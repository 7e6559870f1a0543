"""Loaders, normalizer, quality checks, parquet cache and fingerprints for OHLCV bars."""

from typing import TYPE_CHECKING

from peak.core.lazy import lazy_exports

if TYPE_CHECKING:
    from peak.data.hashing import fingerprint
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
__getattr__, __dir__ = lazy_exports(
    __name__,
    {
        "fingerprint": "peak.data.hashing",
        "LoadedData": "peak.data.load",
        "load_bars": "peak.data.load",
        "read_ohlcv": "peak.data.load",
        "QualityReport": "peak.data.quality",
        "bundled_pairs": "peak.data.sample",
        "bundled_sample": "peak.data.sample",
        "synthetic_bars": "peak.data.synthetic",
    },
)
