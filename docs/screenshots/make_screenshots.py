"""Regenerate the PNGs of docs/reviewing.md from a real sweep, served by ``peak mlflow ui``.

    python docs/screenshots/make_screenshots.py [--out docs/screenshots] [--keep-home]

In a temporary project home it runs a 6-job sweep on the bundled sample, reruns the best job (so the
``peak.reproducible`` tag shows), starts ``peak mlflow ui`` on a free loopback port and photographs the
views docs/reviewing.md describes with Playwright driving Debian's chromium (``/usr/bin/chromium``, or
``$PEAK_CHROMIUM``); no browser is ever downloaded. Takes about a minute.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parents[1]
BIN = Path(sys.executable).parent
SWEEP = ["-m", "strategy.fast=5,10,20", "strategy.slow=50,100", "data.end=2023-10-01"]
COLUMNS = [
    "metrics.`sharpe`",
    "metrics.`total_return`",
    "metrics.`max_drawdown`",
    "metrics.`n_trades`",
    "tags.`peak.override.strategy.fast`",
    "tags.`peak.override.strategy.slow`",
    "tags.`peak.reproducible`",
]
"""The runs-table columns docs/reviewing.md recommends (MLflow's column keys)."""
VIEWPORT = {"width": 1400, "height": 760}


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MLFLOW_TRACKING_URI"}
    return env | {"PEAK_HOME": str(home), "PEAK_CACHE_DIR": str(home / "cache")}


def _run(program: str, args: list[str], home: Path) -> str:
    proc = subprocess.run(
        [str(BIN / program), *args], cwd=PROJECT, env=_env(home), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{program} {' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return proc.stdout


def _api(base: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        f"{base}/api/2.0/mlflow/{path}", json.dumps(body).encode(), {"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _ui(home: Path) -> Iterator[str]:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(BIN / "peak"), "mlflow", "ui", "--port", str(port)],
        cwd=home,
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise SystemExit(f"peak mlflow ui exited:\n{server.stderr.read() if server.stderr else ''}")
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def _page_state(parent: str, search: str) -> dict[str, Any]:
    """The runs page's saved state (MLflow keeps it in localStorage) with Peak's columns and a filter."""
    return {
        "searchFilter": search,
        "orderByKey": "metrics.`sharpe`",
        "orderByAsc": False,
        "startTime": "ALL",
        "lifecycleFilter": "Active",
        "datasetsFilter": [],
        "modelVersionFilter": "All Runs",
        "selectedColumns": COLUMNS,
        "columnOrder": [],
        "columnWidths": {},
        "runsExpanded": {parent: True},
        "runsPinned": [],
        "runsHidden": [],
        "runsVisibilityMap": {},
        "runsHiddenMode": "FIRST_10_RUNS",
        "viewMaximized": False,
        "runListHidden": False,
        "isAccordionReordered": False,
        "useGroupedValuesInCharts": True,
        "hideEmptyCharts": True,
        "groupBy": None,
        "groupsExpanded": {},
        "autoRefreshEnabled": False,
        "globalLineChartConfig": {"xAxisKey": "step", "lineSmoothness": 0, "selectedXAxisMetricKey": ""},
    }


def _seed(experiment: str, state: dict[str, Any]) -> str:
    # The assistant panel would cover a third of every shot; the reviewer closes it once, we pre-close it.
    items = {
        f'MLflowLocalStorage-1.1-ExperimentPage-["{experiment}"]-ReactComponentState': json.dumps(state),
        "mlflow.assistant.fab.autoOpenedOnFirstLoad_v1": "true",
        "mlflow.assistant.panelOpen_v1": "false",
    }
    return "".join(f"localStorage.setItem({json.dumps(k)}, {json.dumps(v)});" for k, v in items.items())


def _shot(browser: Any, url: str, seed: str, path: Path, ready: str, settle_ms: int = 1500) -> Any:
    """Open ``url`` in a fresh context seeded with ``seed``, wait for the text ``ready``, photograph it."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(seed)
    page = context.new_page()
    page.goto(url)
    page.get_by_text(ready).first.wait_for(timeout=30_000)
    page.wait_for_timeout(settle_ms)  # charts and column widths settle after the data arrives
    page.screenshot(path=str(path))
    print(f"wrote {path.relative_to(PROJECT) if path.is_relative_to(PROJECT) else path}")
    return page


def _parallel_coordinates(browser: Any, base: str, ids: list[str], seed: str, path: Path) -> None:
    url = f"{base}/#/compare-runs?runs={json.dumps(ids)}&experiments={json.dumps(['1'])}"
    page = _shot(browser, url, seed, path, ready="Parallel Coordinates Plot")
    # Plot Sharpe instead of MLflow's default first metric (final_equity).
    metrics = page.locator("xpath=//div[text()='Metrics:']/following-sibling::div[1]")
    metrics.locator(".du-bois-light-select-selection-item-remove").first.click()
    metrics.locator(".du-bois-light-select-selector").click()
    page.keyboard.type("sharpe")
    page.locator(".du-bois-light-select-item-option", has_text=re.compile(r"^sharpe$")).first.click()
    page.keyboard.press("Escape")
    page.mouse.click(5, 5)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(path))


def _sweep_jobs(base: str) -> tuple[str, list[str]]:
    """The sweep's parent run id and its jobs' run ids, best Sharpe first."""
    query = {
        "experiment_ids": ["1"],
        "filter": "tags.mlflow.parentRunId IS NOT NULL",
        "order_by": ["metrics.sharpe DESC"],
    }
    jobs = _api(base, "runs/search", query)["runs"]
    tags = {t["key"]: t["value"] for t in jobs[0]["data"]["tags"]}
    return tags["mlflow.parentRunId"], [r["info"]["run_id"] for r in jobs]


def make(out: Path, home: Path) -> None:
    """Run the sweep and the rerun in ``home``, then write the PNGs into ``out``."""
    from playwright.sync_api import sync_playwright

    _run("peak-run", SWEEP, home)
    with _ui(home) as base:
        parent, ids = _sweep_jobs(base)
        best = ids[0]
        _run("peak", ["rerun", best], home)
        chromium = os.environ.get("PEAK_CHROMIUM", "/usr/bin/chromium")
        args = ["--no-sandbox"] if os.geteuid() == 0 else []  # chromium refuses root without it
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=args)
            runs_url = f"{base}/#/experiments/1/runs?workflowType=machine_learning"
            sweep = _page_state(parent, f"tags.mlflow.parentRunId = '{parent}'")
            _shot(browser, runs_url, _seed("1", sweep), out / "runs-sweep.png", ready="matching runs")
            by_fast = _page_state(parent, "tags.`peak.override.strategy.fast` = '10'")
            _shot(browser, runs_url, _seed("1", by_fast), out / "runs-override-filter.png", "matching runs")
            _parallel_coordinates(browser, base, ids, _seed("1", sweep), out / "compare-parallel.png")
            run_url = f"{base}/#/experiments/1/runs/{best}"
            overview = f"{run_url}?workflowType=machine_learning"
            _shot(browser, overview, _seed("1", sweep), out / "run-overview.png", ready="About this run")
            artifacts = f"{run_url}/artifacts/metrics.json?workflowType=machine_learning"
            _shot(browser, artifacts, _seed("1", sweep), out / "run-artifacts.png", ready="avg_trade_return")
            browser.close()


def main() -> None:
    """Command line: ``--out`` (default: this folder) and ``--keep-home`` to inspect the demo project."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the PNGs (default: %(default)s)")
    parser.add_argument("--keep-home", action="store_true", help="keep the temporary project home")
    options = parser.parse_args()
    options.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    home = Path(tempfile.mkdtemp(prefix="peak-screenshots-"))
    try:
        make(options.out.resolve(), home)
    finally:
        if options.keep_home:
            print(f"project home kept at {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
