"""Benchmark of download-style OHLCV paging through ``peak.exchange`` against the loopback Kraken double.

Run: ``/work/venv/bin/python bench/exchange.py``. Prints a Markdown table and writes it into
bench/RESULTS.md under ``## exchange`` (that section is replaced, other sections are kept).

Each page is one ``fetch_ohlcv`` of 720 one-minute candles (Kraken's maximum) with ``since`` at the start
of the window, as a downloader asks. Baselines in the same process: the unmodified ``ccxt.kraken`` without
Peak's ladder, and plain ``urllib`` + ``json`` on the same URL (HTTP and JSON cost only, no parsing).
"""

from __future__ import annotations

import json
import os
import statistics
import time
import urllib.request
from collections.abc import Callable

import ccxt
from results_md import RESULTS, machine_lines, write_section

from peak.exchange import ExchangeConfig, open_exchange
from peak.exchange.double import DoubleConfig, KrakenDouble

SECTION = "## exchange"
NOW = 1_700_000_000
PAGES = 60
REPEATS = 3
SINCE_MS = (NOW // 60 - 719) * 60_000


def bars_per_s(fetch_page: Callable[[], int]) -> float:
    """Median over REPEATS of (bars fetched in PAGES pages) / seconds."""
    fetch_page()  # warm: markets, connection
    rates = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        bars = sum(fetch_page() for _ in range(PAGES))
        rates.append(bars / (time.perf_counter() - start))
    return statistics.median(rates)


def main() -> None:
    with KrakenDouble(DoubleConfig(now_s=NOW)) as double:
        os.environ["PEAK_EXCHANGE_KEY"], os.environ["PEAK_EXCHANGE_SECRET"] = double.key, double.secret
        cfg = ExchangeConfig(env="paper", base_url=double.url, rate_limit_ms=0)
        with open_exchange(cfg) as client:
            peak_rate = bars_per_s(lambda: len(client.fetch_ohlcv("BTC/USDT", "1m", SINCE_MS, 720)))
        raw = ccxt.kraken({"enableRateLimit": False})
        raw.urls["api"]["public"] = double.url
        ccxt_rate = bars_per_s(lambda: len(raw.fetch_ohlcv("BTC/USDT", "1m", SINCE_MS, 720)))
        url = f"{double.url}/0/public/OHLC?pair=XBTUSDT&interval=1&since={SINCE_MS // 1000 - 60}"

        def plain() -> int:
            with urllib.request.urlopen(url) as response:
                return len(json.loads(response.read())["result"]["XBTUSDT"])

        http_rate = bars_per_s(plain)
    rows = [
        ("peak.exchange ExchangeClient.fetch_ohlcv", peak_rate),
        ("ccxt.kraken.fetch_ohlcv (no ladder)", ccxt_rate),
        ("urllib + json (no parsing)", http_rate),
    ]
    table = [
        "| path | bars/s | vs peak |",
        "|---|---:|---:|",
        *(f"| {name} | {rate:,.0f} | {rate / peak_rate:.2f}× |" for name, rate in rows),
    ]
    text = "\n".join(
        [
            SECTION,
            "",
            f"Paginated `fetch_ohlcv` against the loopback Kraken double: {PAGES} pages of 720 one-minute",
            f"candles, median of {REPEATS} runs, rate limiting off. The double runs in the same process, so",
            "every rate includes generating the candles; against Kraken, its 1 request/s limit dominates.",
            "",
            *machine_lines(f", ccxt {ccxt.__version__}"),
            "",
            *table,
            "",
        ]
    )
    print(text)
    write_section(SECTION, text)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
