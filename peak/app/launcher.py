"""Peak's Hydra launcher: compose once per group choice, then run the jobs on every core.

Hydra's launchers compose every job's config from the YAML tree (50-100 ms each, serially in the main
process). Jobs of a sweep differ mostly in value overrides (``strategy.fast=5``), which Hydra applies
after composition anyway. This launcher composes one template per distinct set of group choices
(``strategy=rsi_reversion``, ``experiment=x``), and each job applies its value overrides onto a copy of
its template with Hydra's own override code, so the result equals a full compose.

Jobs run in a pool of forked worker processes (``n_jobs``, joblib semantics: -1 = all cores). The fork
happens after the templates are composed and mlflow is imported, so workers start in milliseconds and
are reused for many jobs. Each job goes through the steps of Hydra's ``run_job`` without its copies
(:mod:`peak.app.job_runner`): its own output folder with ``.hydra/`` files, its log file,
``HydraConfig`` set, and the job callbacks.
"""

from __future__ import annotations

import copy
import logging
import multiprocessing
import os
import pickle
import signal
import sys
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hydra._internal.config_loader_impl import ConfigLoaderImpl, get_overrides_dirname
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.core.override_parser.types import Override
from hydra.core.plugins import Plugins
from hydra.core.utils import JobReturn, JobStatus, configure_log, filter_overrides, setup_globals
from hydra.errors import HydraException
from hydra.plugins.launcher import Launcher
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict, read_write
from omegaconf.errors import OmegaConfBaseException

from peak.app.job_runner import JobFiles, run_sweep_job
from peak.app.paths import project_root
from peak.core.errors import ConfigError

log = logging.getLogger(__name__)

PLUGIN_PACKAGE = "hydra_plugins.peak"
"""Hydra instantiates launchers and sweepers only from this namespace; see :func:`register_plugins`."""


@dataclass
class _Batch:
    """What the forked workers need, set before the fork so nothing is pickled: the templates by
    group-choice key, and each job's number and parsed overrides."""

    master: DictConfig
    context: HydraContext
    task: TaskFunction | None
    templates: dict[tuple[str, ...], tuple[bytes, bytes]] = field(default_factory=dict)
    """Pickled (the full config, the config without ``hydra``): unpickling a copy costs ~3 ms where
    ``copy.deepcopy`` of a DictConfig costs ~20 ms."""
    jobs: list[tuple[int, list[Override], tuple[str, ...]]] = field(default_factory=list)
    hydra_nodes: dict[tuple[str, ...], bytes] = field(default_factory=dict)
    """Each template's ``hydra`` node as plain data, pickled: converting it per job costs ~12 ms."""
    sweep_dir: str = ""
    """``hydra.sweep.dir`` resolved once (jobs share it, as Hydra's launchers assume)."""


def new_batch(master: DictConfig, context: HydraContext, task: TaskFunction | None = None) -> _Batch:
    """An empty batch for the sweep config ``master``; ``task`` None when it is only checked."""
    return _Batch(master, context, task)


_current: _Batch | None = None
_WARM_UP_TEMPLATES = 4
"""Templates warmed up before the fork; a sweep over many group choices warms up the first few."""


def worker_count(n_jobs: int, n_tasks: int) -> int:
    """Processes to start: ``n_jobs`` > 0 as given, -1 every core, -2 all but one (joblib semantics),
    never more than there are jobs. Example: ``worker_count(-1, 200) == 2`` on 2 cores."""
    if n_jobs == 0:
        raise ConfigError("hydra.launcher.n_jobs must not be 0 (use -1 for every core or a count)")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    wanted = n_jobs if n_jobs > 0 else cores + 1 + n_jobs
    return max(1, min(wanted, n_tasks))


def _is_composition(override: Override, context: HydraContext, cache: dict[str, bool]) -> bool:
    """True for overrides that change what gets composed (a group choice or a Hydra setting)."""
    if override.is_hydra_override() or override.package is not None:
        return True
    key = override.key_or_group
    if key not in cache:
        repository = getattr(context.config_loader, "repository", None)
        # Without a repository we cannot tell; composing fully is slow but always right.
        cache[key] = repository is None or bool(repository.group_exists(key))
    return cache[key]


def plan_batch(batch: _Batch, job_overrides: Sequence[Sequence[str]], first_idx: int) -> None:
    """Parse each job's overrides, split off its group choices and compose one template per choice set."""
    parser = OverridesParser.create(config_loader=batch.context.config_loader)
    groups: dict[str, bool] = {}
    # Jobs repeat the same few override strings (a 20 x 10 grid has 30); parsing one costs ~2 ms.
    known: dict[str, Override] = {}
    for offset, lines in enumerate(job_overrides):
        for line in lines:
            if line not in known:
                known[line] = parser.parse_overrides([line])[0]
        parsed = [copy.copy(known[line]) for line in lines]
        key = tuple(str(o.input_line) for o in parsed if _is_composition(o, batch.context, groups))
        if key not in batch.templates:
            template = batch.context.config_loader.load_sweep_config(batch.master, list(key))
            full = pickle.dumps(template)
            hydra_node = OmegaConf.to_container(template.hydra, resolve=False, enum_to_str=True)
            batch.hydra_nodes[key] = pickle.dumps(hydra_node)
            with read_write(template), open_dict(template):
                del template["hydra"]
            batch.templates[key] = (full, pickle.dumps(template))
        batch.jobs.append((first_idx + offset, parsed, key))


def _value_overrides(parsed: list[Override], key: tuple[str, ...]) -> list[Override]:
    return [o for o in parsed if str(o.input_line) not in key]


def apply_value_overrides(batch: _Batch, position: int) -> DictConfig:
    """Job ``position``'s full config: a fresh copy of its template with its value overrides applied.
    Raises Hydra's or OmegaConf's error when an override does not apply, as a full compose would."""
    _, parsed, key = batch.jobs[position]
    cfg: DictConfig = pickle.loads(batch.templates[key][0])
    ConfigLoaderImpl._apply_overrides_to_config(_value_overrides(parsed, key), cfg)
    return cfg


def job_configs(batch: _Batch, position: int) -> tuple[DictConfig, DictConfig, JobFiles]:
    """The config Hydra would compose for job ``position`` (its template plus its value overrides, with
    ``hydra.overrides.task``, ``override_dirname`` and the job number filled in as Hydra does), the
    same without its ``hydra`` node, as fresh objects, and where the job's files go."""
    idx, parsed, key = batch.jobs[position]
    cfg = apply_value_overrides(batch, position)
    task = pickle.loads(batch.templates[key][1])
    ConfigLoaderImpl._apply_overrides_to_config(_value_overrides(parsed, key), task)
    task_overrides = [o for o in parsed if not o.is_hydra_override()]
    job = cfg.hydra.job
    with open_dict(cfg.hydra):
        cfg.hydra.overrides.task = [str(o.input_line) for o in task_overrides]
        job.override_dirname = get_overrides_dirname(
            overrides=task_overrides,
            kv_sep=job.config.override_dirname.kv_sep,
            item_sep=job.config.override_dirname.item_sep,
            exclude_keys=list(job.config.override_dirname.exclude_keys),
        )
        job.id = f"{job.name}_{idx}"
        job.num = idx
    # Same resolved ${now:...} values as the sweep's own config, like Hydra's load_sweep_config.
    OmegaConf.copy_cache(from_config=batch.master, to_config=cfg)
    OmegaConf.copy_cache(from_config=batch.master, to_config=task)
    return cfg, task, _job_files(batch, key, cfg)


def _job_files(batch: _Batch, key: tuple[str, ...], cfg: DictConfig) -> JobFiles:
    """The job's output folder and its ``hydra`` node as plain data, from the template's node with the
    fields that differ per job set (what ``to_container`` of the job's own node gives, ~50x faster)."""
    node: dict[str, Any] = pickle.loads(batch.hydra_nodes[key])
    job = cfg.hydra.job
    subdir_raw = node["sweep"]["subdir"]
    subdir = str(job.num) if subdir_raw == "${hydra.job.num}" else str(cfg.hydra.sweep.subdir)
    output_dir = os.path.abspath(os.path.join(batch.sweep_dir or str(cfg.hydra.sweep.dir), subdir))
    node["overrides"]["task"] = list(cfg.hydra.overrides.task)
    node["job"].update(override_dirname=job.override_dirname, id=job.id, num=job.num)
    node["runtime"]["output_dir"] = output_dir
    return JobFiles(output_dir=output_dir, hydra=node)


def _record_invalid_job(batch: _Batch, position: int, exc: Exception) -> JobReturn:
    """A job whose overrides do not apply to its group choices fails like any other job: one line on
    stderr, a FAILED child run with the error, and the sweep goes on."""
    from peak.tracking.config import TrackingConfig
    from peak.tracking.store import resolve_uri
    from peak.tracking.sweep import record_failed_job

    idx, parsed, key = batch.jobs[position]
    lines = [str(o.input_line) for o in parsed if not o.is_hydra_override()]
    # One line, so the run's ``peak.error`` tag (the last line) carries the whole reason.
    reason = " ".join(str(exc).split("Config search path:")[0].split())
    base = " ".join(key) or "the defaults"
    error = ConfigError(f"{reason} (overrides {' '.join(lines)} on the config composed with {base})")
    print(f"peak-run: job {idx} ({' '.join(lines)}) failed: {error}", file=sys.stderr)
    template = pickle.loads(batch.templates[key][1])
    tracking = TrackingConfig.model_validate(OmegaConf.to_container(template.tracking, resolve=True))
    if tracking.enabled:
        uri = resolve_uri(tracking.uri, project_root())
        record_failed_job(uri, tracking.experiment, lines, idx, f"ConfigError: {error}")
    return JobReturn(overrides=lines, status=JobStatus.COMPLETED, _return_value=None)


def _run_one(position: int) -> JobReturn:
    """Run one job in a worker through Hydra's ``run_job``, as Hydra's own launchers do."""
    batch = _current
    if batch is None or batch.task is None:
        raise RuntimeError("no sweep batch in this worker")
    try:
        try:
            full, task, files = job_configs(batch, position)
        except (HydraException, OmegaConfBaseException) as exc:
            return _record_invalid_job(batch, position, exc)
        ret = run_sweep_job(batch.context, batch.task, full, task, files)
        # The parent has no use for the job's config; pickling it back costs more than the rest.
        ret.cfg = None
        return ret
    finally:
        # Idle workers are stopped with SIGTERM at the end; what a job printed must not die in a buffer.
        sys.stdout.flush()
        sys.stderr.flush()


def _init_worker() -> None:
    """Forked workers must not act on the sweep's parent run: that is the main process's job."""
    from peak.app.sweep_callback import SweepState

    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    SweepState.parent = None


def _warm_up(batch: _Batch) -> None:
    """Load each template's data and kernels once here, so that every forked worker inherits them."""
    from peak.app.backtest_task import warm_up
    from peak.app.config import validate_run_config
    from peak.app.hydra_compose import to_plain

    for _, task_bytes in list(batch.templates.values())[:_WARM_UP_TEMPLATES]:
        try:
            warm_up(validate_run_config(to_plain(pickle.loads(task_bytes))))
        except Exception as exc:  # the jobs report their own errors, each with its job number
            log.debug("warm-up skipped: %s", exc)


def _run_pool(batch: _Batch, n_workers: int) -> list[JobReturn]:
    from peak.tracking.fork import close_idle_store_connections

    global _current
    _current = batch
    if n_workers > 1:
        _warm_up(batch)
    close_idle_store_connections()
    pool = multiprocessing.get_context("fork").Pool(n_workers, initializer=_init_worker)
    try:
        results = list(pool.imap(_run_one, range(len(batch.jobs)), chunksize=1))
        pool.close()
    except BaseException:
        # SIGTERM or Ctrl-C in the main process: workers close their open child runs as KILLED.
        pool.terminate()
        raise
    finally:
        pool.join()
        _current = None
    return results


class PeakLauncher(Launcher):
    """``hydra/launcher=peak``: see the module docstring. ``n_jobs`` as in joblib (-1 = every core)."""

    def __init__(self, n_jobs: int = -1) -> None:
        self.n_jobs = n_jobs
        self.config: DictConfig | None = None
        self.context: HydraContext | None = None
        self.task_function: TaskFunction | None = None

    def setup(self, *, hydra_context: HydraContext, task_function: TaskFunction, config: DictConfig) -> None:
        self.config, self.context, self.task_function = config, hydra_context, task_function

    def launch(self, job_overrides: Sequence[Sequence[str]], initial_job_idx: int) -> Sequence[JobReturn]:
        """Run every job of the batch; results come back in job order."""
        if self.config is None or self.context is None or self.task_function is None:
            raise RuntimeError("PeakLauncher.launch called before setup")
        setup_globals()
        configure_log(self.config.hydra.hydra_logging, self.config.hydra.verbose)
        sweep_dir = Path(str(self.config.hydra.sweep.dir))
        sweep_dir.mkdir(parents=True, exist_ok=True)
        batch = _Batch(self.config, self.context, self.task_function, sweep_dir=str(sweep_dir.resolve()))
        plan_batch(batch, job_overrides, initial_job_idx)
        n_workers = worker_count(int(self.n_jobs), len(batch.jobs))
        log.info(
            "Peak launcher: %d jobs, %d composed configs, %d processes, sweep output dir %s",
            len(batch.jobs),
            len(batch.templates),
            n_workers,
            sweep_dir,
        )
        for idx, lines in enumerate(job_overrides):
            log.info("\t#%d : %s", initial_job_idx + idx, " ".join(filter_overrides(lines)))
        return _run_pool(batch, n_workers)


def register_plugins() -> None:
    """Make ``hydra/launcher=peak`` and ``hydra/sweeper=peak`` instantiable.

    Hydra accepts plugin classes only from the ``hydra_plugins`` package, looks them up by module name
    and imports the ``_target_``. So each class gets a subclass whose module is ``hydra_plugins.peak``
    (the ``_target_`` in ``conf/hydra/*/peak.yaml``), published as that module and registered.
    Example target: ``hydra_plugins.peak.PeakLauncher``.
    """
    from peak.app.sweeper import PeakSweeper

    if PLUGIN_PACKAGE in sys.modules:
        return
    module = types.ModuleType(PLUGIN_PACKAGE, "Peak's Hydra plugins (registered by peak.app.launcher).")
    plugins = Plugins.instance()
    for cls in (PeakLauncher, PeakSweeper):
        namespace = {"__module__": PLUGIN_PACKAGE, "__doc__": cls.__doc__}
        alias: type[Any] = type(cls.__name__, (cls,), namespace)
        setattr(module, cls.__name__, alias)
        plugins.register(alias)
    sys.modules[PLUGIN_PACKAGE] = module
