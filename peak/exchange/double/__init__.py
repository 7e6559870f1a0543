"""The loopback Kraken double: a stateful fake of Kraken's spot REST API for the unmodified ccxt.kraken.

Example::

    from peak.exchange.double import DoubleConfig, KrakenDouble

    with KrakenDouble(DoubleConfig(port=0)) as double:
        double.url                                   # http://127.0.0.1:<port>
        double.add_fault("ambiguous_create", endpoint="AddOrder")
        double.calls("AddOrder")                     # recorded requests

CLI: ``peak exchange double --port 8765``.
"""

from peak.exchange.double.auth import DEFAULT_KEY, DEFAULT_SECRET, sign
from peak.exchange.double.faults import Fault
from peak.exchange.double.server import DoubleConfig, KrakenDouble

__all__ = ["DEFAULT_KEY", "DEFAULT_SECRET", "DoubleConfig", "Fault", "KrakenDouble", "sign"]
