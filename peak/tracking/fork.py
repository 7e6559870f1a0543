"""Making this process safe to fork while MLflow has a database open.

MLflow caches one SQLAlchemy engine per store URI, and the engine keeps idle sqlite connections in its
pool. A forked child would inherit those connections and write through the parent's sqlite handle, which
SQLite forbids (it corrupts locks and the WAL index). Closing the idle connections before forking lets
the parent and every child open their own on next use.
"""

from __future__ import annotations

import sys


def close_idle_store_connections() -> None:
    """Close the pooled connections of MLflow's cached SQLAlchemy engines in this process (the engines
    reconnect lazily). A no-op when mlflow's SQL store was never imported. Call it right before fork."""
    from peak.tracking.direct_store import close_connections

    close_connections()
    module = sys.modules.get("mlflow.store.tracking.sqlalchemy_store")
    if module is None:
        return
    store_class = getattr(module, "SqlAlchemyStore", None)
    engines = getattr(store_class, "_engine_map", None) or {}
    for engine in list(engines.values()):
        engine.dispose()
