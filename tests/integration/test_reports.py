"""``peak report run|sweep|robustness`` and ``report.enabled=true`` end to end: real runs on the bundled
sample logged by ``peak-run`` into a tmp sqlite store, then reports built from nothing but the run id
(``peak report`` runs in-process here; tests/docs runs the console script on docs/reporting.md).

The studies (one sweep whose children are a portfolio backtest and its robustness study, with reports
enabled) are produced once per session, even when xdist workers each run some of these tests; reports
only read the store, so every worker reads the same one.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peak.app.cli import app
from peak.reporting import pdf
from peak.reporting.pdf import APT_PACKAGES
from peak.tracking.read import read_children, read_run
from tests.support.cli import BIN, PROJECT_ROOT, isolated_env, store_uri
from tests.support.reports import assert_a4, external_references, pdf_text

runner = CliRunner()
# One sweep makes every study at the cost of one start-up: a portfolio backtest and its robustness study
# (the sweep's two children, each writing its reports at the end), under a parent run.
SWEEP = [
    "-m",
    "task=backtest,robustness",
    "experiment=multi_style_moderate",
    "data.start=2023-10-01",
    "report.enabled=true",
    "report.formats=[html,md]",
]


@dataclass(frozen=True)
class Studies:
    home: Path
    uri: str
    ids: dict[str, str]


def _produce(home: Path, template: Path) -> dict[str, str]:
    """Run the sweep; returns run ids by role: ``sweep`` (the parent), ``run`` and ``robustness``."""
    (home / "mlruns").mkdir(parents=True)
    shutil.copyfile(template, home / "mlruns" / "mlflow.db")
    proc = subprocess.run(
        [str(BIN / "peak-run"), *SWEEP],
        cwd=PROJECT_ROOT,
        env=isolated_env(home),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    parent = re.findall(r"parent run ([0-9a-f]{32})", proc.stdout)[-1]
    uri = store_uri(home)
    ids = {"sweep": parent}
    for child in read_children(uri, read_run(uri, parent)):
        ids["run" if child.tags["peak.task"] == "backtest" else "robustness"] = child.run_id
    (home / "ids.json").write_text(json.dumps(ids))
    return ids


@pytest.fixture(scope="session")
def studies(tmp_path_factory: pytest.TempPathFactory, mlflow_template_db: Path) -> Studies:
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        home = tmp_path_factory.mktemp("report-studies")
        return Studies(home, store_uri(home), _produce(home, mlflow_template_db))
    shared = tmp_path_factory.getbasetemp().parent / "report-studies"
    with open(f"{shared}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "ids.json").is_file():
            shutil.rmtree(shared, ignore_errors=True)  # what a failed producer left
            _produce(shared, mlflow_template_db)
    return Studies(shared, store_uri(shared), json.loads((shared / "ids.json").read_text()))


def _report(studies: Studies, kind: str, run_id: str, out: Path, *extra: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["report", kind, run_id, "--uri", studies.uri, "--out", str(out), *extra])
    return result.exit_code, result.stdout, result.stderr


def test_peak_run_when_report_enabled_then_reports_logged_as_mlflow_artifacts(studies: Studies) -> None:
    # A study adds its own report; the sweep's parent gets the sweep report once its jobs have ended.
    expected = {"run": ["run"], "robustness": ["robustness", "run"], "sweep": ["sweep"]}
    for role, kinds in expected.items():
        run = read_run(studies.uri, studies.ids[role])
        folder = Path(run.artifact_uri.removeprefix("file://")) / "reports"
        names = sorted(p.name for p in folder.iterdir())
        assert names == [f"{kind}_{run.run_id}.{ext}" for kind in kinds for ext in ("html", "md")], role
        html = (folder / f"{kinds[-1]}_{run.run_id}.html").read_text()
        assert external_references(html) == []
        if role == "sweep":
            assert all(studies.ids[job] in html for job in ("run", "robustness"))
            continue
        assert f"| Sharpe | {run.metrics['sharpe']:.4f} |" in (folder / f"run_{run.run_id}.md").read_text()


def test_peak_report_run_when_portfolio_run_then_html_pdf_md_with_sleeves_and_lineage(
    studies: Studies, tmp_path: Path
) -> None:
    run_id = studies.ids["run"]
    code, out, err = _report(studies, "run", run_id, tmp_path, "--format", "html,pdf,md")
    assert code == 0, err
    assert out.splitlines() == [f"wrote {tmp_path}/run_{run_id}.{ext}" for ext in ("html", "md", "pdf")]
    run = read_run(studies.uri, run_id)
    html = (tmp_path / f"run_{run_id}.html").read_text()
    assert external_references(html) == [] and "Plotly.newPlot" in html
    for tag in (
        "peak.git_sha",
        "peak.config_hash",
        "peak.data_fingerprint",
        "peak.data_start",
        "peak.symbol",
    ):
        assert run.tags[tag] in html, tag
    text = pdf_text(tmp_path / f"run_{run_id}.pdf")
    assert assert_a4(tmp_path / f"run_{run_id}.pdf") >= 3
    assert f"{run.metrics['sharpe']:.4f}" in text and f"{run.metrics['total_return']:.2%}" in text
    sleeves = json.loads(Path(run.artifact_uri.removeprefix("file://"), "sleeves.json").read_text())[
        "sleeves"
    ]
    md = (tmp_path / f"run_{run_id}.md").read_text()
    assert "## Sleeves" in md and all(f"| {name} |" in md for name in sleeves)
    assert "Sleeves" in text and "Lineage" in text


def test_peak_report_sweep_when_multirun_then_children_ranked_with_run_ids_dsr_and_pbo(
    studies: Studies, tmp_path: Path
) -> None:
    parent = read_run(studies.uri, studies.ids["sweep"])
    code, _, err = _report(studies, "sweep", parent.run_id, tmp_path, "--format", "html,md")
    assert code == 0, err
    children = read_children(studies.uri, parent)
    html = (tmp_path / f"sweep_{parent.run_id}.html").read_text()
    assert len(children) == 2 and all(c.run_id in html for c in children)
    assert external_references(html) == [] and "sharpe by task" in html
    # Ties (the study re-runs the same backtest) go to the lower job number, as in the report.
    best = max(children, key=lambda c: (c.metrics["sharpe"], -int(c.tags["peak.sweep_job"])))
    md = (tmp_path / f"sweep_{parent.run_id}.md").read_text()
    assert f"(run {best.run_id}): task={best.tags['peak.task']}." in md
    for key, label in (("sweep.deflated_sharpe", "Deflated Sharpe"), ("sweep.pbo", "PBO")):
        assert f"| {label} | {parent.metrics[key]:.3f} |" in md, key


def test_peak_report_robustness_when_study_then_verdict_criterion_by_criterion_in_every_format(
    studies: Studies, tmp_path: Path
) -> None:
    run = read_run(studies.uri, studies.ids["robustness"])
    code, _, err = _report(studies, "robustness", run.run_id, tmp_path)
    assert code == 0, err
    gate = json.loads(Path(run.artifact_uri.removeprefix("file://"), "gate.json").read_text())
    passed = sum(c["passed"] for c in gate["criteria"])
    verdict = f"{run.tags['peak.verdict']}: gate go_no_go passed {passed} of {len(gate['criteria'])} criteria"
    text = pdf_text(tmp_path / f"robustness_{run.run_id}.pdf")
    pages = assert_a4(tmp_path / f"robustness_{run.run_id}.pdf")
    assert f"page 1 of {pages}" in text and f"page {pages} of {pages}" in text
    assert verdict in text and all(c["name"] in text for c in gate["criteria"])
    md = (tmp_path / f"robustness_{run.run_id}.md").read_text()
    assert f"> **{verdict}**" in md and md.count("| configured |") == 5  # one row per fold
    assert all(f"| {s} | {s} |" in md for s in ("crash_bar", "gap", "flash_rally"))
    html = (tmp_path / f"robustness_{run.run_id}.html").read_text()
    assert "Monte-Carlo equity fan" in html and external_references(html) == []


def test_peak_report_when_weasyprint_libraries_missing_then_html_md_and_one_line_naming_packages(
    studies: Studies, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def missing() -> None:
        raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file")

    monkeypatch.setattr(pdf, "_weasyprint", missing)
    run_id = studies.ids["sweep"]
    code, out, err = _report(studies, "sweep", run_id, tmp_path)
    assert code == 1 and len(err.strip().splitlines()) == 1, err
    assert (
        err.startswith("peak report sweep: error: PDF output needs")
        and f"apt-get install {APT_PACKAGES}" in err
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"sweep_{run_id}.html", f"sweep_{run_id}.md"]
    assert out.count("wrote ") == 2


def test_peak_report_when_wrong_kind_or_unknown_run_then_one_line_error_and_exit_code(
    studies: Studies, tmp_path: Path
) -> None:
    code, _, err = _report(studies, "robustness", studies.ids["sweep"], tmp_path)
    assert code == 2 and err.count("\n") == 1
    assert f"run {studies.ids['sweep']} is a task=sweep run, not a robustness study" in err
    code, _, err = _report(studies, "run", "0" * 32, tmp_path)
    assert (
        code == 4
        and err.strip() == f"peak report run: error: no run {'0' * 32} in the store at {studies.uri}"
    )
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
