"""``peak-run``: the Hydra app. Compose, validate, run one task, report; nothing else lives here."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from peak.app.config import validate_run_config
from peak.app.hydra_compose import to_plain
from peak.app.paths import conf_dir, register_resolvers
from peak.app.preflight import CommandLine, check_overrides, check_single_run, parse_command_line
from peak.app.summary import format_summary
from peak.core.errors import PeakError
from peak.tracking.worker import TrackingWorker

log = logging.getLogger("peak")
_worker: TrackingWorker | None = None


def _fail(exc: PeakError) -> None:
    # A user error is one clear message and an exit code, never a traceback wall.
    print(f"peak-run: error: {exc}", file=sys.stderr)
    sys.exit(exc.exit_code)


def _task(cfg: DictConfig) -> None:
    try:
        run_cfg = validate_run_config(to_plain(cfg))
        hydra_cfg = HydraConfig.get()
        run_dir = Path(hydra_cfg.runtime.output_dir)
        overrides = list(hydra_cfg.overrides.task)
        from peak.app.backtest_task import run_backtest_task

        outcome = run_backtest_task(run_cfg, run_dir, overrides, _worker)
    except PeakError as exc:
        _fail(exc)
        return
    print(format_summary(outcome))


_hydra_entry = hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(_task)


def _preflight(command: CommandLine, worker: TrackingWorker | None) -> bool:
    """Validate before Hydra creates anything; returns whether the run will be tracked."""
    try:
        if command.multirun:
            check_overrides(command.overrides, conf_dir())
            return True
        return validate_run_config(check_single_run(command.overrides, conf_dir())).tracking.enabled
    except PeakError as exc:
        if worker is not None:
            worker.close()
        _fail(exc)
        return False


def main() -> None:
    """Console entry point of ``peak-run``: check overrides, then hand over to Hydra."""
    global _worker
    register_resolvers()
    command = parse_command_line(sys.argv[1:])
    if command is not None and not command.multirun and "tracking=off" not in command.overrides:
        # Import mlflow on the other core while this process composes, loads and simulates.
        _worker = TrackingWorker.fork()
    # With no overrides the composition is the checked-in default; the task validates it anyway.
    if command is not None and command.overrides and not _preflight(command, _worker) and _worker is not None:
        _worker.close()
        _worker = None
    try:
        _hydra_entry()
    finally:
        if _worker is not None:
            _worker.close()


if __name__ == "__main__":
    main()
