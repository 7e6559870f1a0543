"""Kraken's private-call authentication, checked the way Kraken does.

``API-Sign`` = base64(HMAC-SHA512(key=base64decode(secret), msg=path + SHA256(nonce + postdata))), and each
key's nonce must grow strictly.

Example: ``sign("/0/private/Balance", "nonce=1", "1", secret)`` → the header ccxt sends.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading

from peak.exchange.double.book import KrakenReject

# A fixed, clearly fake credential pair for tests and the CLI (the secret must be valid base64).
DEFAULT_KEY = "peak-double-key"
DEFAULT_SECRET = base64.b64encode(b"peak-double-secret-not-a-real-key").decode()


def sign(path: str, body: str, nonce: str, secret: str) -> str:
    """The ``API-Sign`` header value for a POST of ``body`` (url-encoded, with ``nonce``) to ``path``."""
    digest = hashlib.sha256((nonce + body).encode()).digest()
    mac = hmac.new(base64.b64decode(secret), path.encode() + digest, hashlib.sha512)
    return base64.b64encode(mac.digest()).decode()


class Authenticator:
    """Checks key, signature and nonce of private requests; thread-safe."""

    def __init__(self, key: str = DEFAULT_KEY, secret: str = DEFAULT_SECRET) -> None:
        self.key, self.secret = key, secret
        self._last_nonce = 0
        self._lock = threading.Lock()

    def check(self, path: str, body: str, nonce: str | None, key: str | None, signature: str | None) -> None:
        """Raise ``KrakenReject`` with Kraken's string when the request is not properly signed."""
        if key != self.key:
            raise KrakenReject("EAPI:Invalid key")
        if not nonce or not nonce.isdigit():
            raise KrakenReject("EAPI:Invalid nonce")
        if not signature or not hmac.compare_digest(signature, sign(path, body, nonce, self.secret)):
            raise KrakenReject("EAPI:Invalid signature")
        with self._lock:
            if int(nonce) <= self._last_nonce:
                raise KrakenReject("EAPI:Invalid nonce")
            self._last_nonce = int(nonce)
