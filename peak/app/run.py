"""``peak-run``: the Hydra app. Compose, validate, run one task, report; nothing else lives here."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from peak.app.config import validate_run_config
from peak.app.hydra_compose import to_plain
from peak.app.paths import conf_dir, register_resolvers
from peak.app.preflight import CommandLine, check_overrides, parse_command_line
from peak.app.summary import format_summary
from peak.core.errors import ConfigError, PeakError
from peak.tracking.worker import TrackingWorker

_TRACKING_OFF = ("tracking=off", "tracking.enabled=false", "tracking.enabled=False")


class _State:
    """The tracking helper of this process; Hydra's task signature leaves no other way to pass it."""

    worker: TrackingWorker | None = None


def _fail(exc: PeakError) -> None:
    # A user error is one clear message and an exit code, never a traceback wall.
    print(f"peak-run: error: {exc}", file=sys.stderr)
    sys.exit(exc.exit_code)


def _discard_bookkeeping(run_dir: Path) -> None:
    # A config error leaves only Hydra's .hydra/ and log file behind; typos must not litter experiments/.
    if run_dir.is_dir() and all(p.name == ".hydra" or p.suffix == ".log" for p in run_dir.iterdir()):
        shutil.rmtree(run_dir, ignore_errors=True)


def _task(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    try:
        run_cfg = validate_run_config(to_plain(cfg))
    except ConfigError as exc:
        _discard_bookkeeping(run_dir)
        _fail(exc)
        return
    from peak.app.backtest_task import run_backtest_task  # keeps pandas/numba out of `--help`

    try:
        outcome = run_backtest_task(run_cfg, run_dir, list(hydra_cfg.overrides.task), _State.worker)
    except PeakError as exc:
        _fail(exc)
        return
    print(format_summary(outcome))


_hydra_entry = hydra.main(config_path=str(conf_dir()), config_name="config", version_base="1.3")(_task)


def _explain(exc: Exception, command: CommandLine | None) -> ConfigError:
    """Hydra says only "Key 'x' is not in struct"; name the nearest valid keys instead when we can."""
    if command is not None:
        try:
            check_overrides(command.overrides, conf_dir())
        except ConfigError as better:
            return better
    reason = str(exc).split("Config search path:")[0].strip()
    return ConfigError(reason)


def _may_track(command: CommandLine | None) -> bool:
    if command is None or command.multirun:
        return False
    return not any(arg in _TRACKING_OFF for arg in command.overrides)


def main() -> None:
    """Console entry point of ``peak-run``."""
    register_resolvers()
    command = parse_command_line(sys.argv[1:])
    if _may_track(command):
        # Import mlflow on the other core while this process composes, loads and simulates.
        _State.worker = TrackingWorker.fork()
    # Let composition errors reach us instead of Hydra printing them, so we can explain them.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    try:
        if command is not None and command.multirun:
            check_overrides(command.overrides, conf_dir())  # before the first job starts
        _hydra_entry()
    except PeakError as exc:
        _fail(exc)
    except (HydraException, OmegaConfBaseException) as exc:
        _fail(_explain(exc, command))
    finally:
        if _State.worker is not None:
            _State.worker.close()


if __name__ == "__main__":
    main()
