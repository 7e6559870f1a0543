"""``peak-run``: the Hydra app. Compose, validate, run one task, report; nothing else lives here."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from hydra.errors import HydraException
from hydra.types import RunMode
from omegaconf import DictConfig
from omegaconf.errors import OmegaConfBaseException

from peak.app.config import validate_run_config
from peak.app.hydra_compose import to_plain
from peak.app.launcher import register_plugins
from peak.app.paths import conf_dir, project_root, register_resolvers
from peak.app.preflight import CommandLine, check_overrides, parse_command_line
from peak.app.summary import format_summary
from peak.app.sweep_callback import SweepState, close_parent
from peak.core.errors import ConfigError, PeakError, TrackingError
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


def _record_job_failure(raw: dict[str, object], overrides: list[str], job_num: int, exc: PeakError) -> None:
    """A sweep job that failed before its run existed still leaves a FAILED child run with the error."""
    from peak.tracking.config import TrackingConfig
    from peak.tracking.store import resolve_uri
    from peak.tracking.sweep import record_failed_job

    try:
        tracking = TrackingConfig.model_validate(raw.get("tracking"))
    except ValueError:
        return
    if tracking.enabled:
        uri = resolve_uri(tracking.uri, project_root())
        record_failed_job(uri, tracking.experiment, overrides, job_num, f"{type(exc).__name__}: {exc}")


def _finished_before(raw: dict[str, object], job_num: int) -> str | None:
    """In a resumed sweep: the run that already finished this job, if any."""
    from peak.tracking.config import TrackingConfig
    from peak.tracking.store import resolve_uri
    from peak.tracking.sweep import RESUME_ENV, finished_job

    parent = os.environ.get(RESUME_ENV)
    if not parent:
        return None
    tracking = TrackingConfig.model_validate(raw.get("tracking"))
    return finished_job(resolve_uri(tracking.uri, project_root()), parent, job_num)


def _task(cfg: DictConfig) -> None:
    hydra_cfg = HydraConfig.get()
    run_dir = Path(hydra_cfg.runtime.output_dir)
    overrides = list(hydra_cfg.overrides.task)
    in_sweep = hydra_cfg.mode == RunMode.MULTIRUN
    job_num = int(hydra_cfg.job.num) if in_sweep else None
    raw = to_plain(cfg)
    done = _finished_before(raw, job_num) if job_num is not None else None
    if done is not None:
        print(f"peak-run: job {job_num} already finished in run {done}; skipped")
        return
    from peak.app.backtest_task import run_backtest_task  # keeps pandas/numba out of `--help`

    try:
        run_cfg = validate_run_config(raw)
        outcome = run_backtest_task(run_cfg, run_dir, overrides, _State.worker, job_num)
    except PeakError as exc:
        if isinstance(exc, ConfigError):
            _discard_bookkeeping(run_dir)
        if not in_sweep:
            _fail(exc)
        # In a sweep one bad job must not stop the others: record it and let the tally report it.
        print(f"peak-run: job {job_num} ({' '.join(overrides)}) failed: {exc}", file=sys.stderr)
        if not isinstance(exc, TrackingError) and job_num is not None:
            _record_job_failure(raw, overrides, job_num, exc)
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
    register_plugins()  # hydra/launcher=peak and hydra/sweeper=peak
    command = parse_command_line(sys.argv[1:])
    if _may_track(command):
        # Import mlflow on the other core while this process composes, loads and simulates.
        _State.worker = TrackingWorker.fork()
    # Let composition errors reach us instead of Hydra printing them, so we can explain them.
    os.environ["HYDRA_FULL_ERROR"] = "1"
    multirun = command is not None and command.multirun
    try:
        if multirun and command is not None:
            check_overrides(command.overrides, conf_dir())  # before the first job starts
        _hydra_entry()
    except PeakError as exc:
        close_parent("FAILED")
        _fail(exc)
    except (HydraException, OmegaConfBaseException) as exc:
        close_parent("FAILED")
        _fail(_explain(exc, command))
    except BaseException:
        close_parent("FAILED")
        raise
    finally:
        if _State.worker is not None:
            _State.worker.close()
    if multirun:
        _report_sweep()


def _report_sweep() -> None:
    """One line on how the sweep ended; exit 1 when any job failed."""
    tally, status = SweepState.tally, SweepState.status
    if tally is None:
        return
    print(
        f"sweep: {tally.finished} of {tally.total} jobs finished, {tally.failed + tally.killed} failed; "
        f"parent run {SweepState.parent_id} {status}"
    )
    if status != "FINISHED":
        sys.exit(1)


if __name__ == "__main__":
    main()
