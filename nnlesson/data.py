r"""Small synthetic data sets, made with NumPy on the spot (nothing is downloaded).

Every generator is ``name(n=..., noise=..., seed=None) -> (X, y)``:

* ``X`` has shape ``(n, n_features)``, float64, roughly standardised (centred on 0,
  spread about 1), so default initialisations and learning rates behave;
* classification sets return integer labels ``y`` of shape ``(n,)`` (int64, classes
  ``0 … k-1``, rows in random order); regression sets return ``y`` of shape ``(n, 1)``;
* ``noise`` is the standard deviation of the Gaussian noise added (to every coordinate
  of ``X`` for classification, to ``y`` for regression), in the units of the result;
* the same ``seed`` gives the same data, bit for bit.

=============  ==============  ======================================================
name           task            what it is
=============  ==============  ======================================================
``line``       regression      ``y = slope * x + intercept + noise``, x in [-2, 2]
``sine``       regression      ``y = sin(2 x) + noise``, x in [-2, 2]: needs a hidden layer
``xor``        2 classes       four clusters at (+-1, +-1); class 1 where x1 * x2 < 0
``two_moons``  2 classes       two interleaving half circles (alias ``moons``)
``circles``    2 classes       a ring (class 0) around a disc (class 1)
``spirals``    ``k`` classes   ``k`` interleaved spiral arms (default 2)
``blobs``      ``k`` classes   ``k`` Gaussian clusters on a circle (default 3)
=============  ==============  ======================================================

``make(name, **kwargs)`` builds one by name, ``names()`` lists them. Helpers:
``train_val_split``, ``minibatches`` and ``one_hot``.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Iterator

import numpy as np

from nnlesson._checks import as_rng, finite_array, lookup, positive_int, positive_number

__all__ = [
    "blobs",
    "circles",
    "line",
    "make",
    "minibatches",
    "names",
    "one_hot",
    "sine",
    "spirals",
    "task",
    "train_val_split",
    "two_moons",
    "xor",
]


# ------------------------------------------------------------------------ checks
def _noise(value) -> float:
    try:
        noise = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"noise must be a number >= 0, got {value!r}") from None
    if not math.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0 (a standard deviation), got {value!r}")
    return noise


def _n(value, at_least: int = 1) -> int:
    n = positive_int(value, "n (the number of points)")
    if n < at_least:
        raise ValueError(f"n must be at least {at_least} for this data set (one point per group), got {n}")
    return n


def _classes(value, name: str = "k (the number of classes)") -> int:
    k = positive_int(value, name)
    if k < 2:
        raise ValueError(f"{name} must be at least 2, got {k}")
    return k


def _finish(X: np.ndarray, labels: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle the rows (so classes are mixed, as minibatches want) and fix the dtypes."""
    order = rng.permutation(len(labels))
    return np.ascontiguousarray(X[order], dtype=np.float64), labels[order].astype(np.int64)


def _balanced_groups(n: int, k: int) -> np.ndarray:
    """Group index 0..k-1 for n points, as equal in size as possible (0, 1, ..., k-1, 0, ...)."""
    return np.arange(n) % k


# ------------------------------------------------------------------------ regression
def line(
    n: int = 100,
    noise: float = 0.1,
    seed=None,
    slope: float = 0.8,
    intercept: float = 0.3,
) -> tuple[np.ndarray, np.ndarray]:
    """Linear regression: ``y = slope * x + intercept + noise * N(0, 1)``, x uniform in [-2, 2].

    ``X`` shape ``(n, 1)``, ``y`` shape ``(n, 1)``. One linear neuron (no hidden layer)
    can fit it exactly, up to the noise.
    """
    n, noise, rng = _n(n), _noise(noise), as_rng(seed)
    slope = float(finite_array(slope, "slope"))
    intercept = float(finite_array(intercept, "intercept"))
    x = rng.uniform(-2.0, 2.0, size=(n, 1))
    y = slope * x + intercept + noise * rng.standard_normal((n, 1))
    return x, y


def sine(n: int = 200, noise: float = 0.1, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """1-D nonlinear regression: ``y = sin(2 x) + noise * N(0, 1)``, x uniform in [-2, 2].

    ``X`` shape ``(n, 1)``, ``y`` shape ``(n, 1)``. About 1.3 periods: a straight line
    cannot fit it, a hidden layer of a few tanh units can.
    """
    n, noise, rng = _n(n), _noise(noise), as_rng(seed)
    x = rng.uniform(-2.0, 2.0, size=(n, 1))
    y = np.sin(2.0 * x) + noise * rng.standard_normal((n, 1))
    return x, y


# ------------------------------------------------------------------------ classification
def xor(n: int = 200, noise: float = 0.3, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """XOR: four Gaussian clusters centred at (+-1, +-1) with standard deviation ``noise``.

    Label 1 for the clusters at (1, -1) and (-1, 1) (where x1 * x2 < 0: "exactly one
    coordinate positive"), 0 for the other two. No straight line separates the classes.
    ``X`` shape ``(n, 2)``, labels shape ``(n,)``; n >= 4.
    """
    n, noise, rng = _n(n, 4), _noise(noise), as_rng(seed)
    centres = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    cluster = _balanced_groups(n, 4)
    X = centres[cluster] + noise * rng.standard_normal((n, 2))
    labels = (cluster >= 2).astype(np.int64)
    return _finish(X, labels, rng)


def two_moons(n: int = 200, noise: float = 0.1, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles ("moons"), class 0 on top, class 1 below.

    The classic shape (as scikit-learn's ``make_moons``: upper arc of the unit circle and a
    lower arc shifted by (1, 0.5)), centred on the origin and scaled by 1.4, so x1 spans
    about [-2.1, 2.1] and x2 about [-1, 1]. ``noise`` is added after scaling.
    ``X`` shape ``(n, 2)``, labels shape ``(n,)``; n >= 2.
    """
    n, noise, rng = _n(n, 2), _noise(noise), as_rng(seed)
    labels = _balanced_groups(n, 2)
    t = rng.uniform(0.0, np.pi, size=n)
    upper = np.column_stack([np.cos(t), np.sin(t)])
    lower = np.column_stack([1.0 - np.cos(t), 0.5 - np.sin(t)])
    X = np.where(labels[:, None] == 0, upper, lower)
    X = (X - np.array([0.5, 0.25])) * 1.4 + noise * rng.standard_normal((n, 2))
    return _finish(X, labels, rng)


def circles(
    n: int = 200, noise: float = 0.1, seed=None, factor: float = 0.5
) -> tuple[np.ndarray, np.ndarray]:
    """A ring of radius 1.5 (class 0) around a ring of radius ``1.5 * factor`` (class 1).

    No line separates them; a hidden layer (or the feature x1^2 + x2^2) does.
    ``X`` shape ``(n, 2)``, labels shape ``(n,)``; n >= 2, 0 < factor < 1.
    """
    n, noise, rng = _n(n, 2), _noise(noise), as_rng(seed)
    factor = float(finite_array(factor, "factor"))
    if not 0.0 < factor < 1.0:
        raise ValueError(f"factor (inner radius / outer radius) must be between 0 and 1, got {factor}")
    labels = _balanced_groups(n, 2)
    t = rng.uniform(0.0, 2.0 * np.pi, size=n)
    radius = np.where(labels == 0, 1.5, 1.5 * factor)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)]) + noise * rng.standard_normal((n, 2))
    return _finish(X, labels, rng)


def spirals(
    n: int = 300, noise: float = 0.05, seed=None, k: int = 2, turns: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """``k`` interleaved spiral arms, one class each (CS231n's spiral data set, smoother).

    Arm ``j`` is ``r * 2 * (cos t, sin t)`` with r uniform in [0.05, 1] and
    ``t = 2 pi (turns * r + j / k)``: the arms start near the centre and wind ``turns``
    times outwards, to radius 2. Hard for a linear model, a classic test for an MLP.
    ``X`` shape ``(n, 2)``, labels shape ``(n,)``; n >= k.
    """
    k = _classes(k, "k (the number of arms)")
    n, noise, rng = _n(n, k), _noise(noise), as_rng(seed)
    turns = positive_number(turns, "turns")
    labels = _balanced_groups(n, k)
    r = rng.uniform(0.05, 1.0, size=n)
    t = 2.0 * np.pi * (turns * r + labels / k)
    X = 2.0 * r[:, None] * np.column_stack([np.cos(t), np.sin(t)]) + noise * rng.standard_normal((n, 2))
    return _finish(X, labels, rng)


def blobs(n: int = 200, noise: float = 0.5, seed=None, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``k`` Gaussian clusters with standard deviation ``noise``, centred evenly on a circle
    of radius 1.5 (class ``j`` at angle ``2 pi j / k``). Linearly separable when the noise
    is small: softmax regression suffices. ``X`` shape ``(n, 2)``, labels ``(n,)``; n >= k.
    """
    k = _classes(k)
    n, noise, rng = _n(n, k), _noise(noise), as_rng(seed)
    angles = 2.0 * np.pi * np.arange(k) / k
    centres = 1.5 * np.column_stack([np.cos(angles), np.sin(angles)])
    labels = _balanced_groups(n, k)
    X = centres[labels] + noise * rng.standard_normal((n, 2))
    return _finish(X, labels, rng)


# ------------------------------------------------------------------------ the registry
_DATASETS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "line": line,
    "sine": sine,
    "xor": xor,
    "two_moons": two_moons,
    "circles": circles,
    "spirals": spirals,
    "blobs": blobs,
}
_ALIASES = {
    "moons": "two_moons",
    "linear": "line",
    "linear_regression": "line",
    "sin": "sine",
    "spiral": "spirals",
    "blob": "blobs",
    "circle": "circles",
}
_REGRESSION = frozenset({"line", "sine"})


def make(name: str, **kwargs) -> tuple[np.ndarray, np.ndarray]:
    """Build the data set called ``name`` (case-insensitive; ``moons`` = ``two_moons``),
    passing ``kwargs`` (``n``, ``noise``, ``seed``, ...) to its generator.

    An argument the generator does not take raises ``ValueError`` listing the ones it does.
    """
    generator = lookup(name, _DATASETS, "data set", _ALIASES)
    allowed = list(inspect.signature(generator).parameters)
    unknown = sorted(set(kwargs) - set(allowed))
    if unknown:
        raise ValueError(
            f"data set {generator.__name__!r} has no argument {', '.join(unknown)}; "
            f"it takes {', '.join(allowed)}"
        )
    return generator(**kwargs)


def names() -> list[str]:
    """The data sets' canonical names: regression first, then classification."""
    return list(_DATASETS)


def task(name: str) -> str:
    """``"regression"`` or ``"classification"`` for a data set name."""
    generator = lookup(name, _DATASETS, "data set", _ALIASES)
    return "regression" if generator.__name__ in _REGRESSION else "classification"


# ------------------------------------------------------------------------ helpers
def _pair(X, y) -> tuple[np.ndarray, np.ndarray]:
    X, y = np.asarray(X), np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(
            f"X and y must be arrays with one row per example, got shapes {X.shape} and {y.shape}"
        )
    if len(X) != len(y):
        raise ValueError(f"X and y must have the same number of rows, got {len(X)} and {len(y)}")
    return X, y


def train_val_split(
    X, y, val_fraction: float = 0.2, seed=None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle the rows and split them: ``X_train, X_val, y_train, y_val``
    (scikit-learn's order). ``round(val_fraction * n)`` rows go to validation; both parts
    get at least one row. ``fit(model, X_train, y_train, validation=(X_val, y_val))``.
    """
    X, y = _pair(X, y)
    try:
        fraction = float(val_fraction)
    except (TypeError, ValueError):
        raise ValueError(f"val_fraction must be a number between 0 and 1, got {val_fraction!r}") from None
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"val_fraction must be strictly between 0 and 1, got {val_fraction!r}")
    n = len(X)
    n_val = int(round(fraction * n))
    if n_val < 1 or n_val > n - 1:
        raise ValueError(
            f"val_fraction={fraction:g} of {n} rows leaves {n_val} for validation and {n - n_val} for "
            f"training; both need at least one"
        )
    order = as_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return X[train], X[val], y[train], y[val]


def minibatches(
    X, y, batch_size: int, rng=None, shuffle: bool = True
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` pairs covering every row once (one epoch).

    Rows are shuffled first (with ``rng``) unless ``shuffle=False``; the last batch is
    smaller when ``batch_size`` does not divide n; a ``batch_size`` >= n gives one batch.
    """
    X, y = _pair(X, y)
    batch_size = positive_int(batch_size, "batch_size")
    n = len(X)
    if shuffle:
        order = as_rng(rng).permutation(n)
        X, y = X[order], y[order]
    for start in range(0, n, batch_size):
        yield X[start : start + batch_size], y[start : start + batch_size]


def one_hot(labels, k: int | None = None) -> np.ndarray:
    """Integer labels ``(n,)`` -> one-hot rows ``(n, k)`` (float64): row i has a 1 in column
    ``labels[i]``. ``k`` defaults to ``max(labels) + 1``."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or (labels.size and labels.dtype.kind not in "iub"):
        raise ValueError(f"labels must be a 1-D array of integer class indices, got shape {labels.shape}")
    labels = labels.astype(np.int64)
    if k is None:
        k = int(labels.max()) + 1 if labels.size else 1
    k = positive_int(k, "k (the number of classes)")
    if labels.size and (labels.min() < 0 or labels.max() >= k):
        raise ValueError(
            f"labels must lie in 0..{k - 1} for k={k}, got values {labels.min()}..{labels.max()}"
        )
    out = np.zeros((labels.size, k))
    out[np.arange(labels.size), labels] = 1.0
    return out
