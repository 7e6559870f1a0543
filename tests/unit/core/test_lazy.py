"""Lazily exported names must resolve to the objects, never to a same-named submodule."""

from __future__ import annotations

import importlib
import pkgutil
import types

import pytest

import peak.data


@pytest.mark.parametrize("package", [peak.data])
def test_lazy_exports_when_submodules_loaded_then_names_are_not_modules(package: types.ModuleType) -> None:
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
    for name in package.__all__:
        assert not isinstance(getattr(package, name), types.ModuleType), name
