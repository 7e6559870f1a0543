"""The double's Kraken endpoints: ``(form, now_s) -> result`` functions over fixtures, path and book.

Public results come from the real fixtures (Time, SystemStatus, Assets, AssetPairs, Ticker template) and
the deterministic price path (OHLC, Trades, Ticker prices). Private results come from the ``Book``.

Example: ``Endpoints(book).public("OHLC", {"pair": "XBTUSDT", "interval": "60"}, 1_700_000_000)``.
"""

from __future__ import annotations

import copy
import json
from email.utils import formatdate
from importlib import resources
from typing import Any

from peak.exchange.double.book import Book, KrakenReject
from peak.exchange.double.market import INTERVALS_MIN, ohlc_rows, trade_rows


def fixture(name: str) -> Any:
    """The ``result`` of ``peak/exchange/fixtures/<name>.json`` (a real Kraken body)."""
    text = resources.files("peak.exchange").joinpath("fixtures", f"{name}.json").read_text()
    return json.loads(text)["result"]


def load_pairs() -> dict[str, dict[str, Any]]:
    """AssetPairs ``result`` keyed by pair key (``XBTUSDT``, ``XXBTZUSD``, ...)."""
    return fixture("public_AssetPairs_from_ccxt_markets_info")


class Endpoints:
    """Dispatch of one Kraken method name to its result; raises ``KrakenReject`` with Kraken's string."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self._static = {
            "SystemStatus": fixture("public_SystemStatus"),
            "Assets": fixture("public_Assets"),
            "AssetPairs": book.pairs,
        }
        self._ticker = fixture("public_Ticker_XBTUSDT")["XBTUSDT"]
        self._time = fixture("public_Time")

    def pair(self, form: dict[str, str]) -> str:
        """The pair key named by ``pair`` (key or altname)."""
        name = form.get("pair", "")
        for key, info in self.book.pairs.items():
            if name in (key, info.get("altname")):
                return key
        raise KrakenReject("EQuery:Unknown asset pair")

    def public(self, method: str, form: dict[str, str], now_s: int) -> Any:
        """Result of public ``method``."""
        if method in self._static:
            return self._static[method]
        if method == "Time":
            return {**self._time, "unixtime": now_s, "rfc1123": formatdate(now_s, usegmt=True)}
        if method == "Ticker":
            keys = [self.pair({"pair": p.strip()}) for p in form.get("pair", "").split(",")]
            return {key: self._tick(key, now_s) for key in keys}
        if method == "OHLC":
            return self._ohlc(form, now_s)
        if method == "Trades":
            key = self.pair(form)
            since = int(form["since"]) if form.get("since") else None
            count = int(form["count"]) if form.get("count") else None
            rows, last = trade_rows(self.book.pairs[key]["base"], since, count, now_s)
            return {key: rows, "last": last}
        raise KrakenReject("EGeneral:Unknown method")

    def _tick(self, key: str, now_s: int) -> dict[str, Any]:
        price = self.book.price(key, now_s)
        tick = copy.deepcopy(self._ticker)
        tick["a"][0], tick["b"][0], tick["c"][0] = f"{price * 1.0001:.5f}", f"{price:.5f}", f"{price:.5f}"
        tick["o"] = f"{self.book.price(key, now_s - 86_400):.5f}"
        return tick

    def _ohlc(self, form: dict[str, str], now_s: int) -> dict[str, Any]:
        key = self.pair(form)
        interval = int(form.get("interval") or 1)
        if interval not in INTERVALS_MIN:
            raise KrakenReject("EGeneral:Invalid arguments")
        since = int(form["since"]) if form.get("since") else None
        rows, last = ohlc_rows(self.book.pairs[key]["base"], interval, since, now_s)
        return {key: rows, "last": last}

    def private(self, method: str, form: dict[str, str], now_s: int) -> Any:
        """Result of private ``method`` (the caller has authenticated it)."""
        book = self.book
        book.advance(now_s)
        if method == "BalanceEx":
            return book.balance_ex()
        if method == "Balance":
            return {asset: f"{value:.8f}" for asset, value in book.balances.items()}
        if method == "AddOrder":
            return book.add_order(form, now_s)
        if method == "OpenOrders":
            return {"open": book.select("open", form)}
        if method == "ClosedOrders":
            closed = book.select("closed", form)
            return {"closed": closed, "count": len(closed)}
        if method == "QueryOrders":
            wanted = [t for t in form.get("txid", "").split(",") if t]
            if not wanted or any(t not in book.orders for t in wanted):
                raise KrakenReject("EOrder:Invalid order")
            return {t: book.orders[t] for t in wanted}
        if method == "CancelOrder":
            return {"count": book.cancel(form, now_s)}
        if method == "CancelAll":
            return {"count": book.cancel_all(now_s)}
        raise KrakenReject("EGeneral:Unknown method")
