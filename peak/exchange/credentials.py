"""API credentials from environment variables or a secret file, never from config values.

Example: ``PEAK_EXCHANGE_KEY=abc PEAK_EXCHANGE_SECRET=c2VjcmV0`` → ``Credentials("abc", "c2VjcmV0")``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from peak.core.errors import ConfigError
from peak.exchange.config import ExchangeConfig


@dataclass(frozen=True)
class Credentials:
    """An API key and its secret (Kraken: the secret is base64). ``repr`` never shows the secret."""

    key: str
    secret: str = field(repr=False)


def load_credentials(cfg: ExchangeConfig) -> Credentials | None:
    """Credentials from ``cfg.secret_file`` if set, else from the env vars; ``None`` when neither is set."""
    if cfg.secret_file is not None:
        path = Path(cfg.secret_file).expanduser()
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise ConfigError(f"exchange.secret_file {path}: cannot read JSON: {exc}") from exc
        if not isinstance(data, dict) or not {"key", "secret"} <= set(data):
            raise ConfigError(f"exchange.secret_file {path}: needs a JSON object with 'key' and 'secret'")
        return Credentials(str(data["key"]), str(data["secret"]))
    key, secret = os.environ.get(cfg.key_env), os.environ.get(cfg.secret_env)
    if key and secret:
        return Credentials(key, secret)
    if key or secret:
        raise ConfigError(f"exchange: set both {cfg.key_env} and {cfg.secret_env}, not just one")
    return None
