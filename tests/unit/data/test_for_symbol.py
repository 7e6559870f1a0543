"""One data source serving several symbols: path placeholders and per-symbol synthetic seeds."""

from __future__ import annotations

import pytest

from peak.data.config import CsvData, SampleData, SyntheticData, for_symbol, symbol_path


def test_symbol_path_when_placeholders_then_filled_from_symbol() -> None:
    assert symbol_path("d/{pair}_{base}-{quote}.csv", "ETH/USDT") == "d/ETHUSDT_ETH-USDT.csv"


def test_for_symbol_when_file_without_placeholder_serves_two_symbols_then_error_says_how() -> None:
    with pytest.raises(ValueError, match=r"put \{pair\}"):
        for_symbol(CsvData(path="/x/btc.csv"), "ETH/USDT", n_symbols=2)
    assert for_symbol(CsvData(path="/x/{pair}.csv"), "ETH/USDT", n_symbols=2).symbol == "ETH/USDT"
    assert for_symbol(SampleData(), "SOL/USDT", n_symbols=3).symbol == "SOL/USDT"


def test_for_symbol_when_synthetic_then_distinct_reproducible_seeds() -> None:
    base = SyntheticData(seed=7)
    a, b = (for_symbol(base, s, n_symbols=2) for s in ("AAA/USD", "BBB/USD"))
    assert a.seed != b.seed and a == for_symbol(base, "AAA/USD", n_symbols=2)
    assert for_symbol(base, "AAA/USD").seed == 7
