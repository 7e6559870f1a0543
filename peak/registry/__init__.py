"""Promotion gates and the MLflow model registry: candidate → paper → live, each step judged on evidence.

- :mod:`peak.registry.gate`: the Go/No-Go gate model and its evaluation (also used by ``task=robustness``);
- :mod:`peak.registry.evidence`: the logged runs a promotion is judged on;
- :mod:`peak.registry.verdict`: the gate judged on that evidence, criterion by criterion;
- :mod:`peak.registry.stages`: stage order and the four-eyes rule;
- :mod:`peak.registry.models`: registered models (one per strategy lineage), versions and stage aliases;
- :mod:`peak.registry.records`: immutable promotion records in the ``promotions`` experiment;
- :mod:`peak.registry.promote` and :mod:`peak.registry.listing`: what ``peak promote`` and
  ``peak registry list`` do.

mlflow is imported lazily inside functions: importing this package costs nothing.
"""
