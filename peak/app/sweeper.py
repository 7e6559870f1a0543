"""Peak's Hydra sweeper: Hydra's basic sweep expansion with a cheaper check of the batch.

Hydra's ``BasicSweeper`` composes each job's config once to validate the batch, then the launcher
composes it again to run it: two full composes per job (50-100 ms each), the first serially in the main
process. Jobs of a sweep differ mostly in value overrides, so this sweeper composes once per distinct
set of group choices and applies each job's value overrides onto a copy, which raises exactly where a
full compose would: a combination that does not compose still fails before the first job runs. With
Peak's launcher (``hydra/launcher=peak``) the check is left to the launcher, which composes the same
templates anyway and reports a combination that does not compose as that job's failure. Everything
else (job order, numbering, ``multirun.yaml``, ``hydra.sweep.dir/subdir``) is the basic sweeper's code.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.errors import HydraException
from hydra.plugins.sweeper import Sweeper
from omegaconf.errors import OmegaConfBaseException

from peak.core.errors import ConfigError

log = logging.getLogger(__name__)

FAST_LAUNCHER_HINT_JOBS = 50
"""From this many jobs in a batch, a sweep on another launcher suggests Peak's (docs/sweeps.md)."""


class PeakSweeper(BasicSweeper):
    """``hydra/sweeper=peak``: the cartesian product of the sweep overrides, as ``hydra/sweeper=basic``."""

    def __init__(self, max_batch_size: int | None = None, params: dict[str, str] | None = None) -> None:
        # Not BasicSweeper.__init__: its super(BasicSweeper, self) fails once Hydra's plugin scan has
        # re-executed the basic_sweeper module and rebound that name to a new class.
        Sweeper.__init__(self)
        self.overrides = None
        self.batch_index = 0
        self.max_batch_size = max_batch_size
        self.params = params or {}
        self.hydra_context = None
        self.config = None
        self.launcher = None

    def validate_batch_is_legal(self, batch: Sequence[Sequence[str]]) -> None:
        """Raise as Hydra's check would if a job's config does not compose (see the module docstring)."""
        from peak.app.launcher import PeakLauncher, apply_value_overrides, new_batch, plan_batch

        if isinstance(self.launcher, PeakLauncher):
            return None
        if self.config is None or self.hydra_context is None:
            raise RuntimeError("PeakSweeper.validate_batch_is_legal called before setup")
        if len(batch) >= FAST_LAUNCHER_HINT_JOBS:
            log.info("%d jobs: hydra/launcher=peak runs a sweep this size several times faster", len(batch))
        checked = new_batch(self.config, self.hydra_context)
        plan_batch(checked, batch, 0)
        for position, lines in enumerate(batch):
            try:
                apply_value_overrides(checked, position)
            except (HydraException, OmegaConfBaseException) as exc:
                reason = " ".join(str(exc).split())
                raise ConfigError(
                    f"sweep job {position} ({' '.join(lines)}) does not compose: {reason}"
                ) from exc
        return None
