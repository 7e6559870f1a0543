"""``tracking`` group: where runs are recorded."""

from __future__ import annotations

from pydantic import Field

from peak.core.config import FrozenModel


class TrackingConfig(FrozenModel):
    """MLflow tracking. ``uri`` None means ``$MLFLOW_TRACKING_URI`` or ``sqlite:///<project>/mlruns/mlflow.db``."""

    enabled: bool = True
    uri: str | None = None
    experiment: str = Field(default="peak", min_length=1, max_length=200)
    run_name: str | None = None
