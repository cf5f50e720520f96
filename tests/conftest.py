"""Shared test set-up: draw with Agg (no screen) inside the package's unit tests only."""

import matplotlib

matplotlib.use("Agg")
