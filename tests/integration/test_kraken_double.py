"""The unmodified ccxt.kraken and peak.exchange against the loopback Kraken double (one per module)."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator

import ccxt
import pytest

from peak.core.errors import ExchangeError, TemporaryExchangeError
from peak.exchange import ExchangeClient, ExchangeConfig, ExchangeHalted, OrderStateUnknown, open_exchange
from peak.exchange.double import DoubleConfig, Fault, KrakenDouble

NOW = 1_700_000_000


@pytest.fixture(scope="module")
def double() -> Iterator[KrakenDouble]:
    with KrakenDouble(DoubleConfig(port=0, now_s=NOW)) as server:
        yield server


@pytest.fixture()
def raw(double: KrakenDouble) -> ccxt.kraken:
    """ccxt.kraken exactly as shipped, only its API roots pointed at the double."""
    exchange = ccxt.kraken({"apiKey": double.key, "secret": double.secret, "enableRateLimit": False})
    exchange.urls["api"]["public"] = exchange.urls["api"]["private"] = double.url
    return exchange


def _client(double: KrakenDouble, monkeypatch: pytest.MonkeyPatch, **cfg: object) -> ExchangeClient:
    monkeypatch.setenv("PEAK_EXCHANGE_KEY", double.key)
    monkeypatch.setenv("PEAK_EXCHANGE_SECRET", double.secret)
    settings = {"env": "paper", "base_url": double.url, "rate_limit_ms": 0, "backoff_s": 0.001} | cfg
    return open_exchange(ExchangeConfig.model_validate(settings))


@pytest.fixture()
def client(double: KrakenDouble, monkeypatch: pytest.MonkeyPatch) -> Iterator[ExchangeClient]:
    double.faults.clear()
    with _client(double, monkeypatch, retries=0) as ex:
        yield ex


def test_ccxt_kraken_when_public_calls_then_fixtures_and_series_parse(raw: ccxt.kraken) -> None:
    markets = raw.load_markets()
    assert {"BTC/USDT", "BTC/USD", "LTC/USDT"} <= set(markets)
    assert raw.fetch_ticker("BTC/USDT")["last"] > 1000
    bars = raw.fetch_ohlcv("BTC/USDT", "1h")
    assert len(bars) == 720 and bars[-1][0] == NOW // 3600 * 3600 * 1000
    since = (NOW // 3600 - 5) * 3_600_000
    assert [b[0] for b in raw.fetch_ohlcv("BTC/USDT", "1h", since)][:2] == [since, since + 3_600_000]
    trades = raw.fetch_trades("BTC/USDT", (NOW - 600) * 1000)
    assert trades and all(t["timestamp"] >= (NOW - 600) * 1000 for t in trades)


def test_ccxt_kraken_when_order_lifecycle_then_book_and_balance_follow(raw: ccxt.kraken) -> None:
    before = raw.fetch_balance()["total"]["USDT"]
    assert float(raw.private_post_balance()["result"]["USDT"]) == before  # the legacy Balance endpoint
    limit = raw.create_order("BTC/USDT", "limit", "buy", 0.01, 1000.0, {"clientOrderId": "life-1"})
    assert any(o["id"] == limit["id"] for o in raw.fetch_open_orders("BTC/USDT"))
    fetched = raw.fetch_order(limit["id"], "BTC/USDT")
    assert (fetched["status"], fetched["clientOrderId"], fetched["price"]) == ("open", "life-1", 1000.0)
    assert raw.fetch_balance()["BTC"]["used"] == 0  # a buy holds quote, not base
    raw.cancel_order(limit["id"], "BTC/USDT")
    assert raw.fetch_order(limit["id"], "BTC/USDT")["status"] == "canceled"
    market = raw.create_order("BTC/USDT", "market", "buy", 0.01)
    assert raw.fetch_order(market["id"], "BTC/USDT")["status"] == "closed"
    assert raw.fetch_balance()["total"]["USDT"] < before - 0.01 * 1000


def test_double_when_clock_advances_past_limit_then_order_fills(
    double: KrakenDouble, raw: ccxt.kraken
) -> None:
    price = raw.fetch_ticker("BTC/USDT")["last"]
    order = raw.create_order("BTC/USDT", "limit", "sell", 0.01, round(price * 1.001, 1))
    _control(double, "clock", {"advance_s": 86_400})
    assert raw.fetch_order(order["id"], "BTC/USDT")["status"] == "closed"


def _order_calls(double: KrakenDouble, start: int) -> list[str]:
    """Endpoints called since request ``start``, without ccxt's load_markets (Assets, AssetPairs)."""
    return [r["endpoint"] for r in double.requests[start:] if r["endpoint"] not in ("Assets", "AssetPairs")]


def _control(double: KrakenDouble, what: str, payload: object | None = None) -> object:
    data = None if payload is None else json.dumps(payload).encode()
    request = urllib.request.Request(f"{double.url}/__control/{what}", data=data)
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


@pytest.mark.parametrize(
    ("kind", "endpoint", "error", "ccxt_class"),
    [
        ("rate_limit", "Ticker", TemporaryExchangeError, "DDoSProtection"),
        ("http_500", "Ticker", TemporaryExchangeError, "ExchangeNotAvailable"),
        ("service_unavailable", "Ticker", TemporaryExchangeError, "ExchangeNotAvailable"),
        ("timeout", "Ticker", TemporaryExchangeError, "RequestTimeout"),
        ("invalid_nonce", "BalanceEx", TemporaryExchangeError, "InvalidNonce"),
        ("insufficient_funds", "BalanceEx", ExchangeError, "InsufficientFunds"),
    ],
)
def test_exchange_client_when_fault_injected_then_mapped_to_peak_error(
    double: KrakenDouble, client: ExchangeClient, kind: str, endpoint: str, error: type, ccxt_class: str
) -> None:
    client.load_markets()
    if kind == "timeout":
        client.ccxt.timeout = 400  # ms, set after load_markets; the fault sleeps past it
    _control(
        double, "faults", {"kind": kind, "endpoint": endpoint, "delay_s": 0.8 if kind == "timeout" else 0}
    )
    call = client.fetch_balance if endpoint == "BalanceEx" else lambda: client.fetch_ticker("BTC/USDT")
    with pytest.raises(error) as info:
        call()
    assert type(info.value) is error and info.value.ccxt_class == ccxt_class


def test_exchange_client_when_rate_limited_twice_then_retries_and_succeeds(
    double: KrakenDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.add_fault("rate_limit", endpoint="OHLC", count=2)
    with _client(double, monkeypatch, retries=2) as ex:
        assert len(ex.fetch_ohlcv("BTC/USDT", "1h", None, None)) == 720


def test_exchange_client_when_key_is_wrong_then_halted(double: KrakenDouble, client: ExchangeClient) -> None:
    client.ccxt.apiKey = "not-the-key"
    with pytest.raises(ExchangeHalted, match="AuthenticationError"):
        client.fetch_balance()


def test_exchange_client_when_insufficient_funds_on_create_then_refused_without_retry(
    double: KrakenDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = len(double.calls("AddOrder"))
    with (
        _client(double, monkeypatch, retries=3) as ex,
        pytest.raises(ExchangeError, match="InsufficientFunds"),
    ):
        ex.create_order("BTC/USDT", "buy", "market", 1_000.0)
    assert len(double.calls("AddOrder")) == before + 1


@pytest.mark.parametrize(
    ("order_type", "price", "status"), [("limit", 1000.0, "open"), ("market", None, "closed")]
)
def test_create_order_when_response_dropped_then_found_by_client_id_without_duplicate(
    double: KrakenDouble, monkeypatch: pytest.MonkeyPatch, order_type: str, price: float | None, status: str
) -> None:
    cid = f"amb-{order_type}"
    double.add_fault("ambiguous_create", endpoint="AddOrder")
    start = len(double.requests)
    with _client(double, monkeypatch, retries=3) as ex:
        order = ex.create_order("BTC/USDT", "buy", order_type, 0.01, price, client_id=cid)
    assert (order["clientOrderId"], order["status"]) == (cid, status)
    endpoints = _order_calls(double, start)
    assert endpoints.count("AddOrder") == 1
    assert endpoints[1] == "OpenOrders"  # looked up before anything else
    assert sum(o["cl_ord_id"] == cid for o in double.book.orders.values()) == 1


def test_create_order_when_timed_out_unprocessed_then_looked_up_and_sent_once_more(
    double: KrakenDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.add_fault("timeout", endpoint="AddOrder", delay_s=0.8)
    start = len(double.requests)
    # 400 ms: short for the test, long enough for the lookups on a busy 2-core CI machine.
    with _client(double, monkeypatch, retries=2, timeout_ms=400) as ex:
        order = ex.create_order("BTC/USDT", "buy", "limit", 0.01, 1000.0, client_id="tmo-1")
    endpoints = _order_calls(double, start)
    assert endpoints == ["AddOrder", "OpenOrders", "ClosedOrders", "AddOrder"]
    assert double.calls("AddOrder")[-1]["params"]["cl_ord_id"] == "tmo-1"
    assert sum(o["cl_ord_id"] == "tmo-1" for o in double.book.orders.values()) == 1
    assert order["id"].startswith("O")


def test_double_when_requests_queried_over_http_then_lists_recorded_calls(double: KrakenDouble) -> None:
    recorded = _control(double, "requests")
    assert isinstance(recorded, list) and any(r["endpoint"] == "AssetPairs" for r in recorded)
    assert all("nonce" not in r["params"] for r in recorded)


def test_create_order_when_validate_only_then_checked_but_never_placed(
    double: KrakenDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = dict(double.book.orders)
    with _client(double, monkeypatch, validate_only=True) as ex:
        ex.create_order("BTC/USDT", "buy", "limit", 0.01, 1000.0, client_id="val-1")
    assert double.calls("AddOrder")[-1]["params"]["validate"] in ("True", "true")
    assert double.book.orders == before


def test_exchange_client_when_latency_injected_then_answers_after_the_delay(
    double: KrakenDouble, client: ExchangeClient
) -> None:
    client.load_markets()
    double.add_fault("latency", endpoint="Ticker", delay_s=0.2)
    start = time.perf_counter()
    assert client.fetch_ticker("BTC/USDT")["last"] > 0
    assert time.perf_counter() - start >= 0.2


def test_ccxt_kraken_when_cancel_all_then_no_open_orders_left(raw: ccxt.kraken) -> None:
    for price in (1000.0, 1100.0):
        raw.create_order("BTC/USDT", "limit", "buy", 0.01, price)
    raw.cancel_all_orders()
    assert raw.fetch_open_orders() == []


def test_create_order_when_dropped_and_lookup_fails_then_order_state_unknown_without_resend(
    double: KrakenDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.add_fault("ambiguous_create", endpoint="AddOrder")
    double.add_fault("http_500", endpoint="OpenOrders", count=2)
    before = len(double.calls("AddOrder"))
    with _client(double, monkeypatch, retries=1) as ex, pytest.raises(OrderStateUnknown, match="unk-1"):
        ex.create_order("BTC/USDT", "buy", "limit", 0.01, 1000.0, client_id="unk-1")
    assert len(double.calls("AddOrder")) == before + 1
    assert not isinstance(OrderStateUnknown("x"), TemporaryExchangeError)


def test_double_when_faults_given_by_config_then_applied_in_order() -> None:
    faults = [Fault(kind="rate_limit", endpoint="Time"), Fault(kind="http_500", endpoint="Time")]
    with KrakenDouble(DoubleConfig(now_s=NOW, faults=faults)) as server:
        exchange = ccxt.kraken({"enableRateLimit": False})
        exchange.urls["api"]["public"] = server.url
        with pytest.raises(ccxt.DDoSProtection):
            exchange.fetch_time()
        with pytest.raises(ccxt.ExchangeNotAvailable):
            exchange.fetch_time()
        assert exchange.fetch_time() == NOW * 1000
