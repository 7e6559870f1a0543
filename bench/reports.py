"""Benchmark ``peak report``: a run report (HTML + PDF) of a 37,660-bar run and a sweep report over a real
500-job sweep, end to end as a reviewer runs them, with a same-run baseline.

Both studies are produced first by real ``peak-run`` commands in a fresh project home whose store is
already migrated: the full BTCUSDT 1h file (``data=csv``) and ``peak-run -m`` with 25 x 20 = 500 jobs on
the bundled sample. Then each report command runs ``REPEATS`` times in a fresh process (wall time from
exec to exit, imports included), and once more in a child process that times its stages. Baselines, in
the same run: the bare imports every Python report tool pays (pandas, matplotlib, weasyprint, plotly,
jinja2), and reading the same runs through MlflowClient instead of Peak's sqlite read path.
Targets: run report < 5 s, sweep report over 500 children < 15 s.

    python bench/reports.py      # writes the "## reports" section of bench/RESULTS.md
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from results_md import ROOT, machine_lines, shared_data_dir, write_section

SECTION = "## reports"
BIN = Path(sys.executable).parent
REPEATS = 3
RUN_TARGET_S, SWEEP_TARGET_S = 5.0, 15.0
FULL_FILE = shared_data_dir() / "market" / "BTCUSDT_1h.csv.gz"
RUN = ["data=csv", f"data.path={FULL_FILE}", "data.symbol=BTC/USDT", "data.timeframe=1h"]
SWEEP = ["-m", "strategy.fast=range(1,26)", "strategy.slow=range(60,80)", "data.start=2024-03-01"]
JOBS = 500
IMPORTS = "import pandas, matplotlib.pyplot, weasyprint, plotly, jinja2"


def _home(base: Path) -> Path:
    """A project home with a migrated store (migration costs seconds and is not what we measure)."""
    sys.path.insert(0, str(ROOT))
    from peak.tracking.store import open_client

    home = base / "home"
    (home / "mlruns").mkdir(parents=True)
    open_client(f"sqlite:///{home / 'mlruns' / 'mlflow.db'}")
    return home


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    return env | {"PEAK_HOME": str(home), "PEAK_CACHE_DIR": str(home / "cache"), "PEAK_PROGRESS": "0"}


def _peak_run(home: Path, args: list[str], pattern: str) -> str:
    proc = subprocess.run(
        [str(BIN / "peak-run"), *args], cwd=ROOT, env=_env(home), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"peak-run {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return re.findall(pattern, proc.stdout)[-1]


def _wall(home: Path, args: list[str]) -> float:
    """Seconds from exec to exit of ``peak`` with ``args``."""
    start = time.perf_counter()
    proc = subprocess.run(
        [str(BIN / "peak"), *args], cwd=ROOT, env=_env(home), capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"peak {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return elapsed


def _python(code: str, *args: str) -> dict[str, float]:
    """Run ``code`` in a fresh interpreter; it prints one JSON line of timings."""
    out = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


_STAGES = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from peak.reporting import pdf, reports, static_charts
from peak.reporting.html import render_html
from peak.reporting.source import load_run
from peak.reporting.write import write_report
static_charts._pyplot(); pdf.load_weasyprint()
t1 = time.perf_counter()
kind, uri, run_id, out = sys.argv[1:5]
source = load_run(uri, run_id)
if kind == "run":
    from peak.reporting.run_report import build_run_report
    report = build_run_report(source)
else:
    from peak.reporting.sweep_report import build_sweep_report
    from peak.reporting.trials import load_trials
    report = build_sweep_report(source, load_trials(uri, source))
t2 = time.perf_counter()
write_report(report, ("html",), Path(out))
t3 = time.perf_counter()
printed = render_html(report, printing=True)
t4 = time.perf_counter()
doc = pdf.load_weasyprint().HTML(string=printed).render()
doc.write_pdf(Path(out) / "stages.pdf")
t5 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "read+build": t2 - t1, "html": t3 - t2, "static charts": t4 - t3,
                  "pdf layout+write": t5 - t4, "pages": len(doc.pages)}))
"""

_CLIENT_READ = """
import json, sys, time
t0 = time.perf_counter()
from mlflow.tracking import MlflowClient
t1 = time.perf_counter()
uri, run_id, parent_id = sys.argv[1:4]
client = MlflowClient(tracking_uri=uri)
run = client.get_run(run_id)
for name in ("equity.parquet", "trades.csv", "run.json"):
    client.download_artifacts(run_id, name, sys.argv[4])
t2 = time.perf_counter()
parent = client.get_run(parent_id)
children = client.search_runs([parent.info.experiment_id],
                              filter_string=f"tags.`mlflow.parentRunId` = '{parent_id}'", max_results=50000)
t3 = time.perf_counter()
print(json.dumps({"import": t1 - t0, "run": t2 - t1, "children": t3 - t2, "n": len(children)}))
"""

_PEAK_READ = """
import json, sys, time
t0 = time.perf_counter()
from peak.tracking.read import artifact_file, read_children, read_run
uri, run_id, parent_id = sys.argv[1:4]
run = read_run(uri, run_id)
for name in ("equity.parquet", "trades.csv", "run.json"):
    artifact_file(uri, run, name)
t1 = time.perf_counter()
children = read_children(uri, read_run(uri, parent_id))
t2 = time.perf_counter()
print(json.dumps({"import": 0.0, "run": t1 - t0, "children": t2 - t1, "n": len(children)}))
"""


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} | {min(values):.2f}"


def _produce(home: Path) -> tuple[str, str, float]:
    run_id = _peak_run(home, RUN, r"mlflow run: ([0-9a-f]{32})")
    start = time.perf_counter()
    parent_id = _peak_run(home, SWEEP, r"parent run ([0-9a-f]{32})")
    return run_id, parent_id, time.perf_counter() - start


def _measure(home: Path, run_id: str, parent_id: str, out: Path) -> dict[str, Any]:
    uri = f"sqlite:///{home / 'mlruns' / 'mlflow.db'}"
    run_args = ["report", "run", run_id, "--format", "html,pdf", "--out", str(out)]
    sweep_args = ["report", "sweep", parent_id, "--format", "html,pdf", "--out", str(out)]
    floor = [
        _python(
            f"import time; t = time.perf_counter(); {IMPORTS}; "
            "import json; print(json.dumps({'s': time.perf_counter() - t}))"
        )["s"]
        for _ in range(REPEATS)
    ]
    time.sleep(60)  # so that the 1-minute load average below is other work, not the sweep just produced
    load_before = os.getloadavg()[0]
    run_walls, sweep_walls = [], []
    for _ in range(REPEATS):  # interleaved, so a noisy neighbour hits both alike
        run_walls.append(_wall(home, run_args))
        sweep_walls.append(_wall(home, sweep_args))
    return {
        "load": (load_before, os.getloadavg()[0]),
        "floor": floor,
        "run": run_walls,
        "sweep": sweep_walls,
        "run_stages": _python(_STAGES, "run", uri, run_id, str(out / "stages")),
        "sweep_stages": _python(_STAGES, "sweep", uri, parent_id, str(out / "stages")),
        "client_read": _python(_CLIENT_READ, uri, run_id, parent_id, str(out)),
        "peak_read": _python(_PEAK_READ, uri, run_id, parent_id),
    }


def _stage_row(name: str, s: dict[str, float]) -> str:
    keys = ("imports", "read+build", "html", "static charts", "pdf layout+write")
    return f"| {name} | " + " | ".join(f"{s[k]:.2f}" for k in keys) + f" | {s['pages']:.0f} |"


def _verdict(seconds: float, target: float) -> str:
    return f"**met** ({seconds:.2f} s)" if seconds < target else f"**not met** ({seconds:.2f} s)"


def _lines(m: dict[str, Any], sweep_s: float, bars: int, sizes: dict[str, int]) -> list[str]:
    run, sweep, floor = m["run"], m["sweep"], m["floor"]
    client, peak = m["client_read"], m["peak_read"]
    run_s, sweep_med = statistics.median(run), statistics.median(sweep)
    return [
        SECTION,
        "",
        f"`peak report run <id> --format html,pdf` on a {bars:,}-bar run (MA crossover on the full "
        f"BTCUSDT 1h file, `data=csv`) and `peak report sweep <parent> --format html,pdf` over a real "
        f"{JOBS}-job "
        f"`peak-run -m` (25 x 20 MA crossovers on the sample from 2024-03-01; the sweep itself took "
        f"{sweep_s:.0f} s). Wall time of the `peak` process from exec to exit, imports included, median of "
        f"{REPEATS}, the two commands interleaved. `python bench/reports.py` regenerates this section.",
        "",
        *machine_lines(
            f", load average {m['load'][0]:.1f} before and {m['load'][1]:.1f} after "
            "(1-minute; other processes shared the 2 cores)"
        ),
        "",
        "| measurement | median s | best s | runs (s) |",
        "|---|---:|---:|---|",
        f"| run report, HTML + PDF | {_median(run)} | {', '.join(f'{v:.2f}' for v in run)} |",
        f"| sweep report over {JOBS} children, HTML + PDF | {_median(sweep)} | "
        f"{', '.join(f'{v:.2f}' for v in sweep)} |",
        f"| baseline: `{IMPORTS}` alone | {_median(floor)} | {', '.join(f'{v:.2f}' for v in floor)} |",
        "",
        f"- target run report < {RUN_TARGET_S:.0f} s: {_verdict(run_s, RUN_TARGET_S)}; "
        f"target sweep report < {SWEEP_TARGET_S:.0f} s: {_verdict(sweep_med, SWEEP_TARGET_S)}.",
        f"- files: run HTML {sizes['run_html'] / 1e6:.1f} MB (plotly.js is 4.9 MB of it), run PDF "
        f"{sizes['run_pdf'] / 1e3:.0f} kB; sweep HTML {sizes['sweep_html'] / 1e6:.1f} MB, sweep PDF "
        f"{sizes['sweep_pdf'] / 1e3:.0f} kB.",
        "",
        "Stages, one process each (s): imports of the reporting stack, reading the run(s) and building the "
        "report, the interactive HTML, the PDF's matplotlib charts, weasyprint's layout and write.",
        "",
        "| report | imports | read+build | html | static charts | pdf layout+write | pages |",
        "|---|---:|---:|---:|---:|---:|---:|",
        _stage_row("run", m["run_stages"]),
        _stage_row(f"sweep ({JOBS} children)", m["sweep_stages"]),
        "",
        f"Reading the same runs (the run with 3 artifacts; the parent's {peak['n']:.0f} children with "
        "params, metrics and tags): Peak's sqlite read path (`peak/tracking/read.py`) against MlflowClient, "
        "same store.",
        "",
        "| reader | import s | run s | children s |",
        "|---|---:|---:|---:|",
        f"| MlflowClient | {client['import']:.2f} | {client['run']:.2f} | {client['children']:.2f} |",
        f"| peak.tracking.read (sqlite) | {peak['import']:.2f} | {peak['run']:.3f} | "
        f"{peak['children']:.3f} |",
        "",
    ]


def main() -> None:
    if not FULL_FILE.is_file():
        raise SystemExit(f"the full BTCUSDT 1h file is needed: {FULL_FILE} (set PEAK_SHARED_DATA)")
    base = Path(tempfile.mkdtemp(prefix="peak-bench-reports-"))
    try:
        home = _home(base)
        run_id, parent_id, sweep_s = _produce(home)
        out = base / "out"
        measured = _measure(home, run_id, parent_id, out)
        sizes = {
            f"{kind}_{ext}": (out / f"{kind}_{rid}.{ext}").stat().st_size
            for kind, rid in (("run", run_id), ("sweep", parent_id))
            for ext in ("html", "pdf")
        }
        sys.path.insert(0, str(ROOT))
        from peak.tracking.read import read_run

        bars = int(read_run(f"sqlite:///{home / 'mlruns' / 'mlflow.db'}", run_id).tags["peak.n_bars"])
        text = "\n".join(_lines(measured, sweep_s, bars, sizes))
        write_section(SECTION, text)
        print(text)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
