"""Peak's Hydra sweeper: Hydra's basic sweep expansion without composing every job up front.

Hydra's ``BasicSweeper`` composes each job's config once to validate the batch, then the launcher
composes it again to run it: two full composes per job, serially in the main process. Peak checks the
sweep's keys before Hydra starts (``check_overrides`` in ``peak-run``), and Peak's launcher reports a
combination that does not compose as a failed job with the reason, so the validation pass is skipped.
Everything else (job order, numbering, ``multirun.yaml``, ``hydra.sweep.dir/subdir``) is the basic
sweeper's own code.
"""

from __future__ import annotations

from collections.abc import Sequence

from hydra._internal.core_plugins.basic_sweeper import BasicSweeper
from hydra.plugins.sweeper import Sweeper


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
        """Skipped on purpose (see the module docstring): the launcher composes what the jobs need."""
        return None
