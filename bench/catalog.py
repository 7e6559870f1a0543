"""Benchmark the parquet catalog: read 1M bars from the catalog against the same bars from a CSV, both
through the checking loader, and the download pipeline's bars/s (pagination, merge, atomic month writes,
manifest) with an in-memory exchange client, so the number is Peak's own cost and not the network's, and
against the loopback Kraken double through the real ccxt client.

Bars are 1-minute synthetic bars (1M minutes = 23 month partitions). Writes the ``## catalog`` section of
bench/RESULTS.md. Run: ``python bench/catalog.py`` (about a minute on 2 cores).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from results_md import ROOT, machine_lines, write_section

sys.path.insert(0, str(ROOT))

from peak.app.download import download
from peak.data.catalog import catalog_dir, read_catalog, write_bars
from peak.data.config import SyntheticData
from peak.data.load import read_ohlcv
from peak.data.synthetic import synthetic_bars

HEADING = "## catalog"
N_BARS = 1_000_000
DOWNLOAD_BARS = 50_000


class _MemoryClient:
    """Serves 1-minute candles for any ``since``, like an exchange's OHLCV endpoint, without a network."""

    def fetch_ohlcv(self, symbol: str, timeframe: str, since_ms: int, limit: int) -> list[list[float]]:
        return [[since_ms + k * 60_000, 100.0, 101.0, 99.0, 100.5, 1.0] for k in range(limit)]


def _best(fn: object, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def _double_bars_per_s(folder: Path) -> float:
    """Download Kraken's whole 720-candle 1m window from the loopback double (100 per page, no rate limit)."""
    from peak.exchange import ExchangeConfig, open_exchange
    from peak.exchange.double import DoubleConfig, KrakenDouble

    now_s = 1_717_200_000
    with (
        KrakenDouble(DoubleConfig(port=0, now_s=now_s)) as double,
        open_exchange(ExchangeConfig(id="kraken", base_url=double.url, rate_limit_ms=0)) as ex,
    ):
        start = time.perf_counter()
        summary = download(
            ex,
            folder,
            exchange="kraken",
            symbol="BTC/USD",
            timeframe="1m",
            since_ms=(now_s // 60 - 719) * 60_000,
            page_limit=100,
        )
        return summary.bars_written / (time.perf_counter() - start)


def main() -> None:
    bars = synthetic_bars(SyntheticData(symbol="BTC/USD", timeframe="1m", n_bars=N_BARS, seed=1))
    with tempfile.TemporaryDirectory() as tmp:
        folder = catalog_dir(tmp, "bench", "BTC/USD", "1m")
        write_bars(folder, bars, exchange="bench")
        csv = Path(tmp) / "bars.csv"
        frame = bars.to_frame()
        frame["ts"] = frame["ts"] // 10**9
        frame.to_csv(csv, index=False)
        t_parquet = _best(lambda: read_catalog(folder, symbol="BTC/USD", timeframe="1m"))
        t_csv = _best(lambda: read_ohlcv(csv, symbol="BTC/USD", timeframe="1m"), repeat=2)
        dl_folder = Path(tmp) / "download"
        start = time.perf_counter()
        summary = download(
            _MemoryClient(),
            dl_folder,
            exchange="bench",
            symbol="BTC/USD",
            timeframe="1m",
            since_ms=1704067200000,
            until_ms=1704067200000 + DOWNLOAD_BARS * 60_000,
        )
        t_dl = time.perf_counter() - start
        double_rate = _double_bars_per_s(Path(tmp) / "double")
    if summary.bars_written != DOWNLOAD_BARS:
        raise SystemExit(f"the download wrote {summary.bars_written} bars, not {DOWNLOAD_BARS}")
    text = "\n".join(
        [
            HEADING,
            "",
            *machine_lines(),
            "",
            f"| what | {N_BARS:,} 1-minute bars, checked load, best of 2-3 |",
            "|---|---|",
            f"| catalog (23 monthly parquet files, zstd) | {t_parquet:.2f} s |",
            f"| CSV (unix seconds) | {t_csv:.2f} s |",
            f"| speed-up | {t_csv / t_parquet:.1f}x |",
            "",
            f"Download pipeline with an in-memory client (no network, {DOWNLOAD_BARS:,} bars, 720 per page): "
            f"{DOWNLOAD_BARS / t_dl:,.0f} bars/s. Against the loopback Kraken double over HTTP with ccxt "
            f"(719 complete 1m candles, 100 per page, no rate limit): {double_rate:,.0f} bars/s.",
            "",
        ]
    )
    write_section(HEADING, text)
    print(text)


if __name__ == "__main__":
    main()
