"""Retry with exponential backoff for calls that go through the error ladder.

Example::

    bars = call_with_retry(lambda: ex.fetch_ohlcv("BTC/USDT", "1h"), "fetch_ohlcv", RetryPolicy(retries=3))
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import ccxt

from peak.core.errors import ExchangeError
from peak.exchange.ladder import translate

T = TypeVar("T")

# Rate-limit replies mean the venue counts our calls: wait clearly longer than for a network blip.
RATE_LIMIT_FACTOR = 4.0


@dataclass(frozen=True)
class RetryPolicy:
    """``retries`` extra attempts; wait ``backoff_s * 2**attempt`` seconds, capped at ``max_backoff_s``."""

    retries: int = 3
    backoff_s: float = 0.5
    max_backoff_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep

    def wait(self, attempt: int, err: ExchangeError) -> float:
        """Sleep before attempt ``attempt + 1`` and return the seconds slept."""
        factor = RATE_LIMIT_FACTOR if getattr(err, "rate_limited", False) else 1.0
        seconds = min(self.max_backoff_s, self.backoff_s * factor * 2**attempt)
        self.sleep(seconds)
        return seconds


def call_with_retry(call: Callable[[], T], what: str, policy: RetryPolicy) -> T:
    """Run ``call``; translate ccxt errors; retry those whose policy is ``retry``; raise the Peak error.

    Only for calls that are safe to repeat (reads, cancels). Order creation uses ``peak.exchange.orders``.
    """
    attempt = 0
    while True:
        try:
            return call()
        except ccxt.BaseError as exc:
            err = translate(exc, what)
            if getattr(err, "policy", "") != "retry" or attempt >= policy.retries:
                raise err from exc
            policy.wait(attempt, err)
            attempt += 1
