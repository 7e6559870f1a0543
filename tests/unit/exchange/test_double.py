"""The double's pieces without HTTP: price path, OHLC window and cursor, trades paging, auth, faults."""

from __future__ import annotations

import pytest

from peak.exchange.double.auth import Authenticator, sign
from peak.exchange.double.book import Book, KrakenReject
from peak.exchange.double.endpoints import load_pairs
from peak.exchange.double.faults import Fault, FaultPlan
from peak.exchange.double.market import OHLC_LIMIT, TRADE_SPACING_S, ohlc_rows, trade_rows

NOW = 1_700_000_000


def test_ohlc_rows_when_since_is_old_then_only_720_most_recent_candles() -> None:
    rows, last = ohlc_rows("XXBT", 60, NOW - 10_000 * 3600, NOW)
    assert len(rows) == OHLC_LIMIT
    assert rows[-1][0] == NOW // 3600 * 3600  # the forming candle comes last
    assert last == rows[-2][0]  # the newest committed candle


def test_ohlc_rows_when_requested_twice_then_identical_and_consistent() -> None:
    first, _ = ohlc_rows("XXBT", 60, NOW - 5 * 3600, NOW)
    again, _ = ohlc_rows("XXBT", 60, NOW - 3 * 3600, NOW + 60)
    assert first[-3][:5] == again[-3][:5]
    for _t, o, h, lo, c, *_ in first:
        assert float(lo) <= min(float(o), float(c)) <= max(float(o), float(c)) <= float(h)


def test_trade_rows_when_paged_with_last_then_contiguous_without_overlap() -> None:
    page1, last1 = trade_rows("XXBT", NOW - 3600, 100, NOW)
    page2, _ = trade_rows("XXBT", int(last1), 100, NOW)
    assert len(page1) == len(page2) == 100
    assert page2[0][6] == page1[-1][6] + 1
    assert page2[0][2] - page1[-1][2] == TRADE_SPACING_S


def test_trade_rows_when_since_near_now_then_never_past_now() -> None:
    rows, _ = trade_rows("XXBT", NOW - 60, None, NOW)
    assert rows and all(r[2] <= NOW for r in rows)


def test_authenticator_when_nonce_repeats_then_invalid_nonce() -> None:
    auth = Authenticator("k", "c2VjcmV0")
    body = "nonce=5&x=1"
    auth.check("/0/private/Balance", body, "5", "k", sign("/0/private/Balance", body, "5", "c2VjcmV0"))
    with pytest.raises(KrakenReject, match="EAPI:Invalid nonce"):
        auth.check("/0/private/Balance", body, "5", "k", sign("/0/private/Balance", body, "5", "c2VjcmV0"))


@pytest.mark.parametrize(
    ("key", "forged", "error"), [("bad", False, "Invalid key"), ("k", True, "signature")]
)
def test_authenticator_when_key_or_signature_wrong_then_rejected(key: str, forged: bool, error: str) -> None:
    signature = "AAAA" if forged else sign("/0/private/Balance", "nonce=1", "1", "c2VjcmV0")
    with pytest.raises(KrakenReject, match=error):
        Authenticator("k", "c2VjcmV0").check("/0/private/Balance", "nonce=1", "1", key, signature)


def test_book_when_limit_buy_and_price_falls_through_then_fills_and_updates_balances() -> None:
    book = Book(load_pairs(), {"USDT": 10_000.0}, checked_s=NOW)
    limit = book.price("XBTUSDT", NOW) * 0.999
    form = {"pair": "XBTUSDT", "type": "buy", "ordertype": "limit", "volume": "0.1", "price": str(limit)}
    txid = book.add_order(form, NOW)["txid"][0]
    assert book.orders[txid]["status"] == "open"
    step = next(s for s in range(60, 86_400 * 30, 600) if book.price("XBTUSDT", NOW + s) < limit)
    book.advance(NOW + step)
    assert book.orders[txid]["status"] == "closed"
    assert book.balances["XXBT"] == pytest.approx(0.1)
    assert book.balances["USDT"] < 10_000.0 - 0.1 * limit


def test_book_when_buy_exceeds_free_balance_then_insufficient_funds() -> None:
    book = Book(load_pairs(), {"USDT": 10.0}, checked_s=NOW)
    with pytest.raises(KrakenReject, match="EOrder:Insufficient funds"):
        book.add_order({"pair": "XBTUSDT", "type": "buy", "ordertype": "market", "volume": "1"}, NOW)
    assert book.orders == {}


def test_fault_plan_when_count_used_up_then_no_more_faults() -> None:
    plan = FaultPlan([Fault(kind="rate_limit", endpoint="OHLC", count=2)])
    assert plan.take("Ticker") is None
    assert [plan.take("OHLC") is not None for _ in range(3)] == [True, True, False]
