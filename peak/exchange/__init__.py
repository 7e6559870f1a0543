"""``peak.exchange``: the only place Peak talks to ccxt.

Stable API (for ``peak.data`` download code, ``peak.live`` and ops)::

    from peak.exchange import ExchangeConfig, open_exchange

    cfg = ExchangeConfig(id="kraken", env="paper", base_url="http://127.0.0.1:8765")
    ex = open_exchange(cfg)                 # SafetyError if paper/testnet would reach production
    ex.timeframes                           # {"1m": 1, "5m": 5, ..., "1h": 60, "1d": 1440, ...}
    ex.fetch_ohlcv("BTC/USDT", "1h", since_ms=1_700_000_000_000, limit=720)
                                            # [[time_ms, open, high, low, close, volume], ...]
    ex.fetch_trades("BTC/USDT", since_ms=None, limit=1000)   # ccxt trade dicts, oldest first
    order = ex.create_order("BTC/USDT", "buy", "limit", 0.01, 50_000.0, client_id="peak-1")
    ex.fetch_order(order["id"]); ex.fetch_open_orders("BTC/USDT"); ex.cancel_order(order["id"])
    ex.fetch_balance()
    ex.close()

Every call goes through the error ladder (``peak.exchange.ladder``): ccxt exceptions become
``TemporaryExchangeError`` (retried with backoff, longer after rate limits), ``ExchangeError`` (refused)
or ``ExchangeHalted`` (stop trading). Each raised error has ``policy``, ``ambiguous``, ``rate_limited``
and ``ccxt_class`` attributes. Order creates are never retried blindly (``peak.exchange.orders``); when
even the lookup by client id fails, ``OrderStateUnknown`` (an ``ExchangeError``) says: reconcile first.

Credentials come only from ``$PEAK_EXCHANGE_KEY``/``$PEAK_EXCHANGE_SECRET`` (names configurable) or
``secret_file``. The loopback Kraken double for tests is ``peak.exchange.double``.
"""

from peak.exchange.client import ExchangeClient, build_ccxt, open_exchange
from peak.exchange.config import ExchangeConfig, check_safe_to_start
from peak.exchange.ladder import LADDER, ExchangeHalted, OrderStateUnknown, translate

__all__ = [
    "LADDER",
    "ExchangeClient",
    "ExchangeConfig",
    "ExchangeHalted",
    "OrderStateUnknown",
    "build_ccxt",
    "check_safe_to_start",
    "open_exchange",
    "translate",
]
