"""Exchange config: credentials never come from config, and paper/testnet never reach production."""

from __future__ import annotations

import json
from pathlib import Path

import ccxt
import pytest
from pydantic import ValidationError

from peak.core.errors import ConfigError, SafetyError
from peak.exchange import ExchangeConfig, build_ccxt, check_safe_to_start, open_exchange
from peak.exchange.credentials import load_credentials


@pytest.mark.parametrize("key", ["apiKey", "secret", "api_key", "password"])
def test_exchange_config_when_credential_key_given_then_refused_naming_it(key: str) -> None:
    with pytest.raises(ConfigError, match=key):
        ExchangeConfig.model_validate({"id": "kraken", key: "abc"})


def test_exchange_config_when_unknown_key_then_validation_error_names_it() -> None:
    with pytest.raises(ValidationError, match="base_ulr"):
        ExchangeConfig.model_validate({"base_ulr": "http://127.0.0.1:1"})


@pytest.mark.parametrize("env", ["paper", "testnet"])
@pytest.mark.parametrize("url", [None, "https://api.kraken.com", "https://api.kraken.com/0"])
def test_check_safe_to_start_when_testnet_points_at_production_then_safety_error(
    env: str, url: str | None
) -> None:
    with pytest.raises(SafetyError, match="production"):
        open_exchange(ExchangeConfig(env=env, base_url=url))  # type: ignore[arg-type]


def test_check_safe_to_start_when_validate_only_or_double_then_allowed() -> None:
    check_safe_to_start(ExchangeConfig(env="testnet", validate_only=True))
    check_safe_to_start(ExchangeConfig(env="paper", base_url="http://127.0.0.1:8765"))
    check_safe_to_start(ExchangeConfig(env="backtest"))


def test_build_ccxt_when_base_url_then_both_api_roots_point_at_it() -> None:
    exchange = build_ccxt(ExchangeConfig(base_url="http://127.0.0.1:9/", rate_limit_ms=5, timeout_ms=700))
    assert exchange.urls["api"]["public"] == exchange.urls["api"]["private"] == "http://127.0.0.1:9"
    assert (exchange.enableRateLimit, exchange.rateLimit, exchange.timeout) == (True, 5, 700)


def test_kraken_when_sandbox_requested_then_ccxt_refuses_so_peak_never_uses_it() -> None:
    with pytest.raises(TypeError):
        ccxt.kraken().set_sandbox_mode(True)


def test_load_credentials_when_env_vars_set_then_read_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "k")
    monkeypatch.setenv("MY_SECRET", "c2VjcmV0")
    creds = load_credentials(ExchangeConfig(key_env="MY_KEY", secret_env="MY_SECRET"))
    assert creds is not None and (creds.key, creds.secret) == ("k", "c2VjcmV0")
    assert "c2VjcmV0" not in repr(creds)


def test_load_credentials_when_secret_file_then_read_from_file(tmp_path: Path) -> None:
    path = tmp_path / "kraken.json"
    path.write_text(json.dumps({"key": "k", "secret": "s"}))
    creds = load_credentials(ExchangeConfig(secret_file=str(path)))
    assert creds is not None and creds.key == "k"


def test_load_credentials_when_only_key_set_then_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PEAK_EXCHANGE_KEY", "k")
    monkeypatch.delenv("PEAK_EXCHANGE_SECRET", raising=False)
    with pytest.raises(ConfigError, match="PEAK_EXCHANGE_SECRET"):
        load_credentials(ExchangeConfig())


def test_exchange_client_when_env_backtest_then_order_calls_refused_before_any_request() -> None:
    with (
        open_exchange(ExchangeConfig(env="backtest")) as client,
        pytest.raises(SafetyError, match="backtest"),
    ):
        client.create_order("BTC/USDT", "buy", "market", 0.01)


def test_exchange_client_when_timeframe_unknown_then_config_error_lists_allowed() -> None:
    with open_exchange(ExchangeConfig()) as client, pytest.raises(ConfigError, match="1h"):
        client.fetch_ohlcv("BTC/USDT", "7m", None, None)
