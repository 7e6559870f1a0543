"""The error ladder covers ccxt's whole exception hierarchy and retries only what is safe to repeat."""

from __future__ import annotations

import importlib
import inspect

import ccxt
import pytest

from peak.core.errors import ExchangeError, TemporaryExchangeError
from peak.exchange.ladder import LADDER, ExchangeHalted, rung_for, translate
from peak.exchange.retry import RetryPolicy, call_with_retry

ccxt_errors = importlib.import_module("ccxt.base.errors")


def _ccxt_exception_classes() -> list[type]:
    return [
        klass
        for _, klass in inspect.getmembers(ccxt_errors, inspect.isclass)
        if issubclass(klass, ccxt.BaseError) and klass.__module__ == ccxt_errors.__name__
    ]


def test_ladder_when_walking_ccxt_hierarchy_then_every_class_has_its_own_rung() -> None:
    classes = _ccxt_exception_classes()
    assert len(classes) >= 40
    missing = [k.__name__ for k in classes if k.__name__ not in LADDER]
    assert not missing, f"add these ccxt exceptions to peak.exchange.ladder.LADDER: {missing}"
    stale = set(LADDER) - {k.__name__ for k in classes}
    assert not stale, f"LADDER names classes ccxt no longer has: {stale}"


@pytest.mark.parametrize("klass", _ccxt_exception_classes(), ids=lambda k: k.__name__)
def test_translate_when_any_ccxt_error_then_peak_error_with_matching_policy(klass: type) -> None:
    err = translate(klass("boom"), "fetch_ticker BTC/USDT")
    assert isinstance(err, ExchangeError)
    expected = {"retry": TemporaryExchangeError, "refuse": ExchangeError, "halt": ExchangeHalted}
    assert type(err) is expected[err.policy]
    assert err.ccxt_class == klass.__name__
    assert "fetch_ticker BTC/USDT" in str(err)


@pytest.mark.parametrize(
    ("klass", "policy", "ambiguous", "rate_limited"),
    [
        (ccxt.DDoSProtection, "retry", False, True),
        (ccxt.RateLimitExceeded, "retry", False, True),
        (ccxt.RequestTimeout, "retry", True, False),
        (ccxt.NetworkError, "retry", True, False),
        (ccxt.ExchangeNotAvailable, "retry", True, False),
        (ccxt.InvalidNonce, "retry", False, False),
        (ccxt.InsufficientFunds, "refuse", False, False),
        (ccxt.OrderNotFound, "refuse", False, False),
        (ccxt.AuthenticationError, "halt", False, False),
        (ccxt.PermissionDenied, "halt", False, False),
    ],
)
def test_rung_for_when_key_exceptions_then_documented_policy(
    klass: type, policy: str, ambiguous: bool, rate_limited: bool
) -> None:
    rung = rung_for(klass("x"))
    assert (rung.policy, rung.ambiguous, rung.rate_limited) == (policy, ambiguous, rate_limited)


def test_rung_for_when_unknown_subclass_then_inherits_parent_rung() -> None:
    class FutureTimeout(ccxt.RequestTimeout):
        pass

    assert rung_for(FutureTimeout("x")) == LADDER["RequestTimeout"]


def _flaky(errors: list[Exception], value: str = "ok"):  # type: ignore[no-untyped-def]
    def call() -> str:
        if errors:
            raise errors.pop(0)
        return value

    return call


def test_call_with_retry_when_transient_errors_then_retries_with_growing_backoff() -> None:
    waits: list[float] = []
    policy = RetryPolicy(retries=3, backoff_s=1.0, max_backoff_s=100.0, sleep=waits.append)
    call = _flaky([ccxt.NetworkError("a"), ccxt.DDoSProtection("b")])
    assert call_with_retry(call, "fetch_ticker", policy) == "ok"
    assert waits == [1.0, 8.0]  # 1·2⁰, then rate limited: 1·4·2¹


def test_call_with_retry_when_retries_exhausted_then_raises_temporary_error() -> None:
    policy = RetryPolicy(retries=1, backoff_s=0.0, sleep=lambda s: None)
    with pytest.raises(TemporaryExchangeError, match="RequestTimeout"):
        call_with_retry(_flaky([ccxt.RequestTimeout("a")] * 3), "fetch_ohlcv", policy)


def test_call_with_retry_when_refused_then_raises_without_retry() -> None:
    waits: list[float] = []
    errors: list[Exception] = [ccxt.InsufficientFunds("no money"), ccxt.NetworkError("never reached")]
    with pytest.raises(ExchangeError, match="InsufficientFunds") as info:
        call_with_retry(_flaky(errors), "fetch_balance", RetryPolicy(sleep=waits.append))
    assert not isinstance(info.value, TemporaryExchangeError)
    assert waits == []
