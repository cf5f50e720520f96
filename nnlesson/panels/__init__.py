"""The interactive panels of the notebooks, one module per notebook.

Each module lists its panel factories in ``PANELS``; each factory takes no required
argument and returns a ``widgets.Panel``. ``catalogue()`` gathers them all, so the tests
and the benchmark can drive every panel of every notebook.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

MODULES = ("neuron", "learning_rate", "weight_init", "loss", "chain_rule", "capstone")


def catalogue() -> dict[str, Callable]:
    """``"module.factory" -> factory`` for every panel of every notebook."""
    found = {}
    for name in MODULES:
        try:
            module = importlib.import_module(f"nnlesson.panels.{name}")
        except ModuleNotFoundError as error:
            if error.name == f"nnlesson.panels.{name}":
                continue  # that notebook's panels are not written yet
            raise
        for factory in module.PANELS:
            found[f"{name}.{factory}"] = getattr(module, factory)
    return found
