"""Shared test set-up.

* Draw with Agg (no screen) inside the package's unit tests only (never for notebooks).
* Hypothesis: no per-example deadline (the machine may be busy); in CI (CI=true) the
  examples are derandomized, so a CI run is reproducible.
"""

import os

import matplotlib
from hypothesis import settings

matplotlib.use("Agg")

settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") == "true" else "default")
