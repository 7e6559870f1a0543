"""Base class for every configuration model: frozen, and unknown keys are errors."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class FrozenModel(BaseModel):
    """A validated, immutable config section. Misspelt keys fail instead of being ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid")
