"""Benchmark the whole ``peak-run`` process on the full BTC/USDT hourly file (37,660 bars).

Measures wall time of the real console script in a fresh process (compose, validate, load from the
parquet cache, backtest, write the run folder, log to a sqlite MLflow store), next to baselines from the
same run: the bare interpreter, ``import mlflow`` alone, and ``peak-run tracking=off``.
Target: the full process under 3 s. Writes the ``## peak-run process`` section of bench/RESULTS.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from results_md import ROOT, machine_lines, shared_data_dir, write_section

HEADING = "## peak-run process"
REPEATS = 5
BIN = Path(sys.executable).parent


def _wall(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def _series(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    times = sorted(_wall(args, env) for _ in range(REPEATS))
    return times[0], times[len(times) // 2]


def main() -> None:
    csv = shared_data_dir() / "market" / "BTCUSDT_1h.csv.gz"
    if not csv.is_file():
        raise SystemExit(f"shared data not found at {csv}; set PEAK_SHARED_DATA")
    home = Path(tempfile.mkdtemp(prefix="peak-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    env.update(PEAK_HOME=str(home), PEAK_CACHE_DIR=str(home / "cache"))
    data = ["data=csv", f"data.path={csv}", "data.symbol=BTC/USDT", "data.timeframe=1h"]
    peak_run = str(BIN / "peak-run")
    _wall([peak_run, *data], env)  # creates the store, fills the parquet cache and the numba cache
    rows = [
        ("python -c pass", _series([sys.executable, "-c", "pass"], env)),
        ("python -c 'import mlflow'", _series([sys.executable, "-c", "import mlflow"], env)),
        (
            "python -c 'import hydra, pandas, numba'",
            _series([sys.executable, "-c", "import hydra, pandas, numba"], env),
        ),
        ("peak-run tracking=off (37,660 bars)", _series([peak_run, *data, "tracking=off"], env)),
        ("peak-run, MLflow sqlite (37,660 bars)", _series([peak_run, *data], env)),
    ]
    lines = [
        HEADING,
        "",
        f"Wall time of a fresh process, best / median of {REPEATS}, warm parquet and numba caches, existing "
        "store. `python bench/peak_run.py` regenerates this section. Target: full `peak-run` under 3 s.",
        "",
        *machine_lines(),
        "",
        "| command | best s | median s |",
        "|---|---:|---:|",
        *(f"| {label} | {best:.2f} | {median:.2f} |" for label, (best, median) in rows),
        "",
        "The full run logs through a helper process that imports mlflow on the second core while the main "
        "process composes, loads and simulates, so its wall time approaches max(import mlflow, tracking=off) "
        "rather than their sum.",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    write_section(HEADING, text)


if __name__ == "__main__":
    main()
