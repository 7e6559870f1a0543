"""The double's account: balances, orders and a simple fill model against the price path.

Market orders fill at once at the current price; limit orders fill at their limit price as soon as the
path crosses it (checked whenever the clock moves). A taker/maker fee of ``FEE_RATE`` is charged in the
quote asset. Errors are Kraken's own strings, raised as ``KrakenReject``.

Example: ``book.add_order({"pair": "XBTUSDT", "type": "buy", "ordertype": "market", "volume": "0.01"}, now)``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peak.exchange.double.market import price_at

FEE_RATE = 0.0026
DEFAULT_BALANCES = {"ZUSD": 100_000.0, "USDT": 100_000.0, "XXBT": 1.0, "XETH": 10.0}


class KrakenReject(Exception):
    """A request the double answers with Kraken's error string, e.g. ``EOrder:Insufficient funds``."""


@dataclass
class Book:
    """Balances (by Kraken asset code) and orders (by txid) of the double's single account."""

    pairs: dict[str, dict[str, Any]]
    balances: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_BALANCES))
    orders: dict[str, dict[str, Any]] = field(default_factory=dict)
    checked_s: int = 0
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def price(self, pair: str, now_s: int) -> float:
        """Current price of ``pair`` (quote per base)."""
        return float(price_at(self.pairs[pair]["base"], np.array([now_s]))[0])

    def holds(self) -> dict[str, float]:
        """Amounts reserved by open orders, by asset."""
        held: dict[str, float] = {}
        for order in self.orders.values():
            if order["status"] == "open":
                asset, amount = self._reserve(order)
                held[asset] = held.get(asset, 0.0) + amount
        return held

    def _reserve(self, order: dict[str, Any]) -> tuple[str, float]:
        pair = self.pairs[order["descr"]["pair"]]
        volume = float(order["vol"])
        if order["descr"]["type"] == "buy":
            return pair["quote"], volume * float(order["descr"]["price"]) * (1 + FEE_RATE)
        return pair["base"], volume

    def add_order(self, form: dict[str, str], now_s: int) -> dict[str, Any]:
        """Validate and place an order from AddOrder's form; returns Kraken's AddOrder ``result``."""
        pair, side, kind = form.get("pair", ""), form.get("type", ""), form.get("ordertype", "")
        if pair not in self.pairs:
            raise KrakenReject("EQuery:Unknown asset pair")
        if side not in ("buy", "sell") or kind not in ("market", "limit"):
            raise KrakenReject("EGeneral:Invalid arguments")
        try:
            volume = float(form["volume"])
            limit = float(form["price"]) if kind == "limit" else self.price(pair, now_s)
        except (KeyError, ValueError) as exc:
            raise KrakenReject("EGeneral:Invalid arguments:volume") from exc
        text = f"{side} {volume:.8f} {self.pairs[pair]['altname']} @ {kind}" + (
            f" {limit:.1f}" if kind == "limit" else ""
        )
        if form.get("validate") in ("true", "True", "1"):
            return {"descr": {"order": text}}
        order = self._new_order(form, pair, side, kind, volume, limit, text, now_s)
        # A market buy needs its cost at the current price; `_reserve` only covers resting limit orders.
        info = self.pairs[pair]
        asset, needed = (
            (info["quote"], volume * limit * (1 + FEE_RATE)) if side == "buy" else (info["base"], volume)
        )
        if self.balances.get(asset, 0.0) - self.holds().get(asset, 0.0) < needed:
            raise KrakenReject("EOrder:Insufficient funds")
        txid = order.pop("txid")
        self.orders[txid] = order
        if kind == "market" or self._crossed(order, now_s, now_s):
            self._fill(order, self.price(pair, now_s) if kind == "market" else limit, now_s)
        return {"descr": {"order": text}, "txid": [txid]}

    def _new_order(
        self,
        form: dict[str, str],
        pair: str,
        side: str,
        kind: str,
        volume: float,
        limit: float,
        text: str,
        now_s: int,
    ) -> dict[str, Any]:
        n = next(self._ids)
        userref = form.get("userref")
        return {
            "txid": f"O{n:05X}-PEAKD-{n * 7919 % 16**6:06X}",
            "refid": None,
            "userref": int(userref) if userref else None,
            "cl_ord_id": form.get("cl_ord_id"),
            "status": "open",
            "opentm": float(now_s),
            "starttm": 0,
            "expiretm": 0,
            "descr": {
                "pair": pair,
                "type": side,
                "ordertype": kind,
                "price": f"{limit:.5f}" if kind == "limit" else "0",
                "price2": "0",
                "leverage": "none",
                "order": text,
                "close": "",
            },
            "vol": f"{volume:.8f}",
            "vol_exec": "0.00000000",
            "cost": "0.00000",
            "fee": "0.00000",
            "price": "0.00000",
            "stopprice": "0.00000",
            "limitprice": "0.00000",
            "misc": "",
            "oflags": "fciq",
        }

    def _crossed(self, order: dict[str, Any], from_s: int, to_s: int) -> bool:
        pair = order["descr"]["pair"]
        times = np.arange(from_s // 60 * 60, to_s + 1, 60)[-100_000:]  # the path is constant per minute
        path = price_at(self.pairs[pair]["base"], times if len(times) else np.array([to_s]))
        limit = float(order["descr"]["price"])
        return bool(path.min() <= limit) if order["descr"]["type"] == "buy" else bool(path.max() >= limit)

    def _fill(self, order: dict[str, Any], price: float, now_s: int) -> None:
        pair = self.pairs[order["descr"]["pair"]]
        volume = float(order["vol"])
        cost, fee = volume * price, volume * price * FEE_RATE
        sign = 1.0 if order["descr"]["type"] == "buy" else -1.0
        self.balances[pair["base"]] = self.balances.get(pair["base"], 0.0) + sign * volume
        self.balances[pair["quote"]] = self.balances.get(pair["quote"], 0.0) - sign * cost - fee
        order.update(
            status="closed",
            closetm=float(now_s),
            reason=None,
            vol_exec=f"{volume:.8f}",
            cost=f"{cost:.5f}",
            fee=f"{fee:.5f}",
            price=f"{price:.5f}",
        )

    def advance(self, now_s: int) -> None:
        """Fill every open limit order the path crossed since the last check."""
        for order in self.orders.values():
            if order["status"] == "open" and self._crossed(order, self.checked_s or now_s, now_s):
                self._fill(order, float(order["descr"]["price"]), now_s)
        self.checked_s = now_s

    def select(self, status: str, form: dict[str, str]) -> dict[str, dict[str, Any]]:
        """Orders with ``status`` (open/closed), filtered by ``userref`` / ``cl_ord_id`` when given."""
        statuses = ("closed", "canceled") if status == "closed" else ("open",)
        found = {t: o for t, o in self.orders.items() if o["status"] in statuses}
        if form.get("userref"):
            found = {t: o for t, o in found.items() if str(o["userref"]) == form["userref"]}
        if form.get("cl_ord_id"):
            found = {t: o for t, o in found.items() if o["cl_ord_id"] == form["cl_ord_id"]}
        return found

    def cancel(self, form: dict[str, str], now_s: int) -> int:
        """Cancel by ``txid`` (a txid or userref) or ``cl_ord_id``; ``EOrder:Unknown order`` if none."""
        key = form.get("txid") or ""
        hits = [
            o
            for t, o in self.orders.items()
            if o["status"] == "open"
            and (
                t == key
                or str(o["userref"]) == key
                or (form.get("cl_ord_id") and o["cl_ord_id"] == form["cl_ord_id"])
            )
        ]
        if not hits:
            raise KrakenReject("EOrder:Unknown order")
        for order in hits:
            order.update(status="canceled", closetm=float(now_s), reason="User requested")
        return len(hits)

    def cancel_all(self, now_s: int) -> int:
        """Cancel every open order; returns how many."""
        open_ids = [t for t, o in self.orders.items() if o["status"] == "open"]
        for txid in open_ids:
            self.cancel({"txid": txid}, now_s)
        return len(open_ids)

    def balance_ex(self) -> dict[str, dict[str, str]]:
        """BalanceEx ``result``: ``{asset: {"balance": "1.0", "hold_trade": "0.0"}}``."""
        held = self.holds()
        return {
            a: {"balance": f"{v:.8f}", "hold_trade": f"{held.get(a, 0.0):.8f}"}
            for a, v in self.balances.items()
        }
