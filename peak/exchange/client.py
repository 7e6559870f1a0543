"""``ExchangeClient``: the ccxt exchange behind Peak's error ladder, retries and safety checks.

Example::

    with open_exchange(ExchangeConfig(base_url="http://127.0.0.1:8765", env="paper")) as ex:
        bars = ex.fetch_ohlcv("BTC/USDT", "1h", since_ms=None, limit=100)
"""

from __future__ import annotations

from typing import Any

import ccxt

from peak.core.errors import ConfigError, ExchangeError, SafetyError
from peak.exchange.config import ExchangeConfig, check_safe_to_start
from peak.exchange.credentials import load_credentials
from peak.exchange.orders import create_order_once, new_client_id
from peak.exchange.retry import RetryPolicy, call_with_retry


def build_ccxt(cfg: ExchangeConfig) -> ccxt.Exchange:
    """The ccxt exchange for ``cfg`` with rate limiting on and the double's URL applied (no sandbox mode)."""
    klass = getattr(ccxt, cfg.id, None)
    if not isinstance(klass, type) or not issubclass(klass, ccxt.Exchange):
        raise ConfigError(f"exchange.id={cfg.id!r} is not a ccxt exchange; e.g. 'kraken'")
    creds = load_credentials(cfg)
    options: dict[str, Any] = {
        "enableRateLimit": True,
        "rateLimit": cfg.rate_limit_ms,
        "timeout": cfg.timeout_ms,
    }
    if creds is not None:
        options |= {"apiKey": creds.key, "secret": creds.secret}
    exchange = klass(options)
    if cfg.base_url is not None:
        # ccxt.kraken's sign() appends '/0/<public|private>/<Method>' to these roots itself.
        root = cfg.base_url.rstrip("/")
        api = dict(exchange.urls["api"])
        api["public"] = api["private"] = root
        exchange.urls = {**exchange.urls, "api": api}
    return exchange


class ExchangeClient:
    """Peak's handle on one exchange. Every call goes through the error ladder and retries.

    Order methods refuse in ``env=backtest`` (``SafetyError``); with ``validate_only`` Kraken only checks
    orders (``validate=true``) and never places them.
    """

    def __init__(self, cfg: ExchangeConfig, exchange: ccxt.Exchange) -> None:
        self.cfg = cfg
        self.ccxt = exchange
        self.retry = RetryPolicy(cfg.retries, cfg.backoff_s, cfg.max_backoff_s)

    def __enter__(self) -> ExchangeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, what: str, method: str, *args: Any, **kwargs: Any) -> Any:
        return call_with_retry(lambda: getattr(self.ccxt, method)(*args, **kwargs), what, self.retry)

    @property
    def timeframes(self) -> dict[str, Any]:
        """Timeframes the exchange serves, e.g. ``{"1m": 1, "1h": 60, "1d": 1440}`` for Kraken."""
        return dict(self.ccxt.timeframes or {})

    def load_markets(self) -> dict[str, Any]:
        """Markets keyed by unified symbol (``"BTC/USDT"``); cached by ccxt after the first call."""
        return self._call("load_markets", "load_markets")

    def fetch_ohlcv(
        self, symbol: str, timeframe: str, since_ms: int | None = None, limit: int | None = None
    ) -> list[list[float]]:
        """Candles ``[time_ms, open, high, low, close, volume]`` from ``since_ms`` (inclusive).

        Kraken returns at most its 720 most recent candles, so an old ``since_ms`` yields fewer bars.
        """
        if timeframe not in self.timeframes:
            raise ConfigError(
                f"timeframe {timeframe!r} not served by {self.cfg.id}; use one of {list(self.timeframes)}"
            )
        what = f"fetch_ohlcv {symbol} {timeframe}"
        return self._call(what, "fetch_ohlcv", symbol, timeframe, since_ms, limit)

    def fetch_trades(self, symbol: str, since_ms: int | None = None, limit: int | None = None) -> list[dict]:
        """Public trades (ccxt trade dicts, ``timestamp`` in ms) after ``since_ms``, oldest first."""
        return self._call(f"fetch_trades {symbol}", "fetch_trades", symbol, since_ms, limit)

    def fetch_ticker(self, symbol: str) -> dict:
        """The ccxt ticker of ``symbol`` (``last``, ``bid``, ``ask`` ...)."""
        return self._call(f"fetch_ticker {symbol}", "fetch_ticker", symbol)

    def fetch_balance(self) -> dict:
        """ccxt balance: ``{"BTC": {"free", "used", "total"}, ..., "total": {...}}``."""
        self._require_trading("fetch_balance")
        return self._call("fetch_balance", "fetch_balance")

    def create_order(
        self,
        symbol: str,
        side: str,
        order_type: str,
        amount: float,
        price: float | None = None,
        client_id: str | None = None,
    ) -> dict:
        """Place an order with a client order id, never duplicating it on an ambiguous failure.

        After a timeout or dropped reply the order is looked up by client id (open, then closed orders)
        and only re-sent when not found. Example: ``create_order("BTC/USDT", "buy", "limit", 0.01, 50000.0)``.
        """
        self._require_trading("create_order")
        cid = client_id or new_client_id()
        params: dict[str, Any] = {"validate": True} if self.cfg.validate_only else {}
        return create_order_once(self, symbol, side, order_type, amount, price, cid, params)

    def fetch_order(self, order_id: str, symbol: str | None = None) -> dict:
        """One order by exchange id (Kraken txid)."""
        self._require_trading("fetch_order")
        return self._call(f"fetch_order {order_id}", "fetch_order", order_id, symbol)

    def fetch_open_orders(self, symbol: str | None = None, client_id: str | None = None) -> list[dict]:
        """Open orders, optionally only the one with client order id ``client_id``."""
        self._require_trading("fetch_open_orders")
        params = {"cl_ord_id": client_id} if client_id else {}
        return self._call("fetch_open_orders", "fetch_open_orders", symbol, None, None, params)

    def fetch_closed_orders(self, symbol: str | None = None, client_id: str | None = None) -> list[dict]:
        """Closed (filled or cancelled) orders, optionally only the one with client order id ``client_id``."""
        self._require_trading("fetch_closed_orders")
        params = {"cl_ord_id": client_id} if client_id else {}
        return self._call("fetch_closed_orders", "fetch_closed_orders", symbol, None, None, params)

    def cancel_order(self, order_id: str, symbol: str | None = None) -> dict:
        """Cancel one order by exchange id; an unknown id raises ``ExchangeError`` (refuse)."""
        self._require_trading("cancel_order")
        return self._call(f"cancel_order {order_id}", "cancel_order", order_id, symbol)

    def close(self) -> None:
        """Release the HTTP session (safe to call twice)."""
        session = getattr(self.ccxt, "session", None)
        if session is not None:
            session.close()

    def _require_trading(self, what: str) -> None:
        if self.cfg.env == "backtest":
            raise SafetyError(f"{what}: env=backtest has no account; use env paper, testnet or live")
        if not self.ccxt.apiKey:
            raise ExchangeError(
                f"{what}: no credentials; set {self.cfg.key_env} and {self.cfg.secret_env}"
                " or exchange.secret_file"
            )


def open_exchange(cfg: ExchangeConfig) -> ExchangeClient:
    """Check ``cfg`` is safe to start (``SafetyError`` otherwise) and return a ready ``ExchangeClient``."""
    check_safe_to_start(cfg)
    return ExchangeClient(cfg, build_ccxt(cfg))
