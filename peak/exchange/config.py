"""Typed configuration of one exchange connection, and the safety check that runs before any call.

Example::

    cfg = ExchangeConfig(id="kraken", env="paper", base_url="http://127.0.0.1:8765")
"""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlparse

from pydantic import BaseModel, ConfigDict, Field, model_validator

from peak.core.errors import ConfigError, SafetyError

Env = Literal["backtest", "paper", "testnet", "live"]

# Keys that would put a credential into a config file or a Hydra override. Credentials come only from
# environment variables or a secret file, so a config value can never leak one into MLflow or logs.
SECRET_KEYS = frozenset({"apikey", "api_key", "key", "secret", "api_secret", "password", "uid", "privatekey"})

# Hosts of the real venue. A paper/testnet config must never reach them with orders that would execute.
PRODUCTION_HOSTS = frozenset({"api.kraken.com", "futures.kraken.com", "api.futures.kraken.com"})


class ExchangeConfig(BaseModel):
    """One exchange connection.

    ``base_url`` (e.g. ``http://127.0.0.1:8765``) replaces ccxt's public and private API roots; ``None``
    means ccxt's default (production) URLs. ``timeout_ms`` is ccxt's per-request timeout,
    ``rate_limit_ms`` the minimum spacing ccxt keeps between requests, ``retries`` how often a retryable
    failure is tried again, with backoff ``backoff_s * 2**attempt`` capped at ``max_backoff_s``.
    Credentials are read from the environment variables ``key_env``/``secret_env`` or from
    ``secret_file`` (JSON ``{"key": ..., "secret": ...}``), never from the config itself.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = "kraken"
    env: Env = "backtest"
    base_url: str | None = None
    validate_only: bool = False
    timeout_ms: int = Field(default=10_000, gt=0)
    rate_limit_ms: int = Field(default=1_000, ge=0)
    retries: int = Field(default=3, ge=0)
    backoff_s: float = Field(default=0.5, ge=0)
    max_backoff_s: float = Field(default=30.0, ge=0)
    key_env: str = "PEAK_EXCHANGE_KEY"
    secret_env: str = "PEAK_EXCHANGE_SECRET"
    secret_file: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _refuse_credentials(cls, data: Any) -> Any:
        if isinstance(data, dict):
            found = sorted(k for k in data if str(k).lower() in SECRET_KEYS)
            if found:
                raise ConfigError(
                    f"exchange config: credential key(s) {found} are refused in config values and overrides; "
                    "set the environment variables named by key_env/secret_env or point secret_file at a "
                    "JSON file with 'key' and 'secret'"
                )
        return data


def is_production_url(base_url: str | None) -> bool:
    """True when ``base_url`` is ccxt's default (``None``) or names a real Kraken host."""
    if base_url is None:
        return True
    host = (urlparse(base_url).hostname or "").lower()
    return host in PRODUCTION_HOSTS or host.endswith(".kraken.com") or host == "kraken.com"


def check_safe_to_start(cfg: ExchangeConfig) -> None:
    """Refuse a paper/testnet config that would send real orders to production.

    Kraken spot has no sandbox (ccxt's ``set_sandbox_mode(True)`` raises), so the only safe ways to run
    paper/testnet are a loopback double (``base_url``) or Kraken's ``validate=true`` (``validate_only``).

    >>> check_safe_to_start(ExchangeConfig(env="testnet", base_url="http://127.0.0.1:8765"))
    """
    if cfg.env in ("paper", "testnet") and is_production_url(cfg.base_url) and not cfg.validate_only:
        target = cfg.base_url or "ccxt's default URL https://api.kraken.com"
        raise SafetyError(
            f"exchange: env={cfg.env} points at production ({target}) without validate_only; "
            "set exchange.base_url to a double (e.g. http://127.0.0.1:8765) or validate_only=true"
        )
