"""One sweep job as Hydra's ``run_job`` runs it, without its config copies (ADR 0003).

Hydra's ``run_job`` deep-copies the job's config four times (two ``HydraConfig`` masks, the task config,
the hydra config) and writes ``.hydra/`` with OmegaConf's pure-Python YAML emitter: ~75 ms of CPU a job,
more than a backtest on the sample. Peak's launcher builds each job's config from pickled templates
already, so this runner takes the two configs it needs as fresh objects and copies nothing:

- ``full``: the job's config with its ``hydra`` node; it serves ``HydraConfig.get()`` and the
  ``${hydra:...}`` resolver, as Hydra's masked copy would;
- ``task``: the same config without ``hydra``, the one the task function receives.

The steps and their order are Hydra's: output folder, ``hydra.runtime.output_dir``, optional chdir, job
logging, ``.hydra/config.yaml``, ``hydra.yaml`` and ``overrides.yaml``, ``env_set``, the callbacks'
``on_job_start``/``on_job_end``, and the previous ``HydraConfig`` and working directory restored.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hydra.core.hydra_config import HydraConfig
from hydra.core.utils import JobReturn, JobRuntime, JobStatus, _flush_loggers, configure_log, env_override
from hydra.types import HydraContext, TaskFunction
from omegaconf import DictConfig, OmegaConf, open_dict, read_write

_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _write_yaml(node: Any, path: Path) -> None:
    """``node`` as YAML, unresolved like Hydra's files, through libyaml (~20x OmegaConf's emitter)."""
    is_config = OmegaConf.is_config(node)
    data = OmegaConf.to_container(node, resolve=False, enum_to_str=True) if is_config else node
    path.write_text(yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True), encoding="utf-8")


_log_shape: list[Any] = [None]
"""The last job logging config applied in this process, file names left out."""


def _without_filenames(conf: dict[str, Any]) -> dict[str, Any]:
    specs = conf.get("handlers", {})
    handlers = {name: {k: v for k, v in spec.items() if k != "filename"} for name, spec in specs.items()}
    return {**conf, "handlers": handlers}


def _named_handlers(conf: dict[str, Any]) -> dict[str, logging.Handler]:
    """The live handlers of the root logger and the configured loggers, by their dictConfig name."""
    loggers = [logging.getLogger(), *(logging.getLogger(n) for n in conf.get("loggers", {}))]
    return {h.name: h for lg in loggers for h in lg.handlers if h.name}


def _retarget_files(conf: dict[str, Any]) -> bool:
    """Point the file handlers of the previous job at this job's files; False if one is not there."""
    targets = {n: spec["filename"] for n, spec in conf.get("handlers", {}).items() if "filename" in spec}
    live = _named_handlers(conf)
    handlers = {name: live.get(name) for name in targets}
    if not all(isinstance(h, logging.FileHandler) for h in handlers.values()):
        return False
    for name, handler in handlers.items():
        assert isinstance(handler, logging.FileHandler)  # for the type checker; checked above
        with handler.lock:
            if handler.stream is not None:
                handler.flush()
                handler.stream.close()
            handler.baseFilename = os.path.abspath(str(targets[name]))
            handler.stream = None if handler.delay else handler._open()
    return True


def _configure_job_log(full: DictConfig) -> None:
    """Hydra's ``configure_log`` for the job, which rebuilds every handler (~5 ms). When the previous job
    in this process had the same logging config but for file names, its file handlers are moved to the
    new files instead."""
    node, verbose = full.hydra.job_logging, full.hydra.verbose
    if node is not None and verbose is False:
        conf = OmegaConf.to_container(node, resolve=True)
        assert isinstance(conf, dict)
        shape = _without_filenames(conf)
        if shape == _log_shape[0] and _retarget_files(conf):
            return
        _log_shape[0] = shape
    else:
        _log_shape[0] = None
    configure_log(node, verbose)


@dataclass(frozen=True)
class JobFiles:
    """Where a job writes: its absolute output folder (``hydra.sweep.dir``/``subdir``, e.g.
    ``.../multirun/2026-01-01/12-00-00/7``) and its ``hydra`` node as plain unresolved data, written to
    ``.hydra/hydra.yaml``."""

    output_dir: str
    hydra: dict[str, Any]


def run_sweep_job(
    context: HydraContext, task_function: TaskFunction, full: DictConfig, task: DictConfig, files: JobFiles
) -> JobReturn:
    """Run one job; ``full`` and ``task`` must be this job's own objects (they are changed)."""
    holder = HydraConfig.instance()
    previous, old_cwd = holder.cfg, os.getcwd()
    output_dir = files.output_dir
    with read_write(full.hydra.runtime), open_dict(full.hydra.runtime):
        full.hydra.runtime.output_dir = output_dir
    OmegaConf.set_readonly(full.hydra, True)
    holder.cfg = full  # type: ignore[assignment]  # HydraConfig.get() reads .hydra of it
    chdir = bool(full.hydra.job.chdir)
    try:
        Path(output_dir).mkdir(parents=True, exist_ok=True)
        ret = JobReturn()
        ret.cfg = task
        ret.overrides = list(full.hydra.overrides.task)
        if chdir:
            os.chdir(output_dir)
        ret.working_dir = os.getcwd()
        _configure_job_log(full)
        if full.hydra.output_subdir is not None:
            meta = Path(output_dir) / str(full.hydra.output_subdir)
            meta.mkdir(parents=True, exist_ok=True)
            _write_yaml(task, meta / "config.yaml")
            _write_yaml({"hydra": files.hydra}, meta / "hydra.yaml")
            _write_yaml(full.hydra.overrides.task, meta / "overrides.yaml")
        with env_override(full.hydra.job.env_set):
            context.callbacks.on_job_start(config=full, task_function=task_function)
            try:
                ret.return_value = task_function(task)
                ret.status = JobStatus.COMPLETED
            except Exception as exc:
                ret.return_value = exc
                ret.status = JobStatus.FAILED
        ret.task_name = JobRuntime.instance().get("name")
        _flush_loggers()
        context.callbacks.on_job_end(config=full, job_return=ret)
        return ret
    finally:
        holder.cfg = previous
        if chdir:
            os.chdir(old_cwd)
