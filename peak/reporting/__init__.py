"""Reports for reviewers: a run, a sweep or a robustness study as HTML (interactive, self-contained),
PDF (A4, static charts) and Markdown, built only from what MLflow recorded for a run id.

Entry points are in :mod:`peak.reporting.reports` (``report_run``, ``report_sweep``,
``report_robustness``); ``peak report ...`` and ``report.enabled=true`` call them.
"""
