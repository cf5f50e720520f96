r"""Loss functions: one number that says how wrong the network's predictions are.

Every loss is a function ``loss(prediction, target, from_logits=False) -> Tensor``:

* ``prediction`` is the network's output, a ``Tensor`` (or an array, which is then a
  constant: the loss has a value but nothing to differentiate);
* ``target`` is the wanted output, an array;
* the result is a one-element ``Tensor``; ``loss.backward()`` fills ``.grad`` of every
  parameter the prediction was computed from.

Notation (as in notebook 4): ``n`` samples (rows), ``ŷ`` a predicted number
(regression), ``p`` a predicted probability, ``t`` the target, ``z`` a logit (a raw
score, the output *before* sigmoid/softmax).

``from_logits=True`` says that ``prediction`` holds logits ``z`` rather than
probabilities. The loss then applies sigmoid/softmax itself, in a form that is exact
and finite for any ``z`` (softplus for BCE, log-softmax for the cross-entropies):
prefer it. With probabilities (``from_logits=False``), they are clipped to
``[eps, 1 - eps]`` with ``eps = 1e-7`` (as Keras does) so that a prediction of exactly
0 or 1 gives a large but finite loss; where a probability was clipped its gradient is 0.

Pairing the output layer with the loss:

=======================================  =========================================
loss                                     output layer
=======================================  =========================================
``mse``                                  linear (regression)
``binary_cross_entropy`` (``bce``)       one sigmoid unit per label, or its logit
``categorical_cross_entropy`` (``cce``)  softmax over k units, or the k logits
``sparse_categorical_cross_entropy``     as ``cce``, with integer labels ``(n,)``
=======================================  =========================================

With these pairs the gradient of the loss w.r.t. the output layer's pre-activation is
"prediction minus target", the error signal that backpropagation sends back into the
network: ``dL/dz = (p - t) / N`` for the cross-entropies (N = the number of terms
averaged: all elements for BCE, the n rows for CCE), and ``dL/dŷ = 2 (ŷ - t) / N`` for
MSE with its linear output.

Bad input (shapes that differ, labels out of range, NaN or infinity, probabilities
outside [0, 1]) raises ``ValueError`` saying what was wrong. The checks are a few
vectorised NumPy reductions, cheap enough for every training step.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from nnlesson._checks import lookup
from nnlesson.engine import Tensor, as_tensor

__all__ = [
    "EPS",
    "bce",
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "cce",
    "get",
    "mean_squared_error",
    "mse",
    "names",
    "scce",
    "sparse_categorical_cross_entropy",
]

EPS = 1e-7
"""Probabilities are clipped to ``[EPS, 1 - EPS]`` before the log (Keras' epsilon)."""


# ------------------------------------------------------------------ input checks
def _prediction(prediction, loss: str) -> Tensor:
    p = as_tensor(prediction)
    if p.size == 0:
        raise ValueError(f"{loss}: prediction is empty (shape {p.shape}); give at least one sample")
    if not np.isfinite(p.data).all():
        bad = int(p.data.size - np.count_nonzero(np.isfinite(p.data)))
        raise ValueError(
            f"{loss}: prediction contains {bad} NaN or infinite value(s) "
            f"(has training diverged? try a smaller learning rate)"
        )
    return p


def _target(target, loss: str) -> np.ndarray:
    try:
        t = np.asarray(target, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{loss}: target must be numbers, got {type(target).__name__}") from None
    if not np.isfinite(t).all():
        bad = int(t.size - np.count_nonzero(np.isfinite(t)))
        raise ValueError(f"{loss}: target contains {bad} NaN or infinite value(s)")
    return t


def _same_shape(p: Tensor, t: np.ndarray, loss: str) -> None:
    if p.shape != t.shape:
        hint = ""
        if p.ndim == 2 and p.shape[1] == 1 and t.shape == (p.shape[0],):
            hint = "; reshape the target with target.reshape(-1, 1)"
        elif t.ndim == p.ndim - 1 and t.shape == p.shape[:-1]:
            hint = "; for integer class labels use sparse_categorical_cross_entropy"
        raise ValueError(
            f"{loss}: prediction has shape {p.shape} but target has shape {t.shape}; "
            f"they must be the same{hint}"
        )


def _probabilities(p: Tensor, loss: str) -> None:
    low, high = (float(p.data.min()), float(p.data.max())) if p.size else (0.0, 1.0)
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"{loss}: prediction should be probabilities in [0, 1] but has values from "
            f"{low:.4g} to {high:.4g}; did you mean from_logits=True?"
        )


def _in_unit_interval(t: np.ndarray, loss: str, what: str) -> None:
    if t.size and (t.min() < 0.0 or t.max() > 1.0):
        bad = t[(t < 0.0) | (t > 1.0)][0]
        raise ValueError(f"{loss}: target must be {what} in [0, 1], got a value {bad:g}")


def _rows(p: Tensor, loss: str) -> int:
    if p.ndim != 2:
        raise ValueError(
            f"{loss}: prediction must have shape (n, k) (a row of k class scores per sample), "
            f"got shape {p.shape}" + ("; for one sample use prediction.reshape(1, -1)" if p.ndim == 1 else "")
        )
    return p.shape[0]


def _flag(from_logits, loss: str) -> bool:
    if not isinstance(from_logits, (bool, np.bool_)):
        raise ValueError(f"{loss}: from_logits must be True or False, got {from_logits!r}")
    return bool(from_logits)


# ------------------------------------------------------------------ the losses
def mse(prediction, target, from_logits: bool = False) -> Tensor:
    r"""Mean squared error, for regression.

    ``L = (1/N) sum_i (ŷ_i - t_i)^2`` over all N elements (N = n samples x outputs).

    Output layer: **linear** (no activation), prediction and target of the same shape,
    e.g. ``(n, 1)``. Gradient w.r.t. the prediction (which, with a linear output, is the
    pre-activation z): ``dL/dŷ_i = 2 (ŷ_i - t_i) / N``.

    ``from_logits`` has no meaning for MSE (there are no probabilities to clip): ``False``
    is accepted so every loss can be called alike, ``True`` raises ``ValueError``.
    """
    if _flag(from_logits, "mse"):
        raise ValueError(
            "mse: from_logits=True has no meaning for mean squared error, which compares the "
            "prediction with the target directly; use a linear output and from_logits=False"
        )
    p = _prediction(prediction, "mse")
    t = _target(target, "mse")
    _same_shape(p, t, "mse")
    d = p - t
    return (d * d).mean()


def binary_cross_entropy(prediction, target, from_logits: bool = False) -> Tensor:
    r"""Binary cross-entropy, for yes/no (0/1) targets.

    ``L = -(1/N) sum_i [t_i log p_i + (1 - t_i) log(1 - p_i)]`` over all N elements.

    Output layer: **one sigmoid unit** per label, ``p = sigma(z)`` (or pass its logit
    ``z`` with ``from_logits=True``, better). Targets are 0/1 (or soft labels in [0, 1]),
    same shape as the prediction.

    * probabilities: ``p`` is clipped to ``[1e-7, 1 - 1e-7]`` first;
    * logits: the stable form ``L_i = softplus(z_i) - z_i t_i
      = max(z_i, 0) - z_i t_i + log(1 + e^{-|z_i|})``, finite for any z.

    Gradient w.r.t. the logit: ``dL/dz_i = (sigma(z_i) - t_i) / N = (p_i - t_i) / N``.
    """
    name = "binary_cross_entropy"
    logits = _flag(from_logits, name)
    p = _prediction(prediction, name)
    t = _target(target, name)
    _same_shape(p, t, name)
    _in_unit_interval(t, name, "0/1 labels (or probabilities)")
    if logits:
        return (p.softplus() - p * t).mean()
    _probabilities(p, name)
    p = p.clip(EPS, 1.0 - EPS)
    return -(t * p.log() + (1.0 - t) * (1.0 - p).log()).mean()


def categorical_cross_entropy(prediction, target, from_logits: bool = False) -> Tensor:
    r"""Categorical cross-entropy, for one of k classes with one-hot (or soft) targets.

    ``L = -(1/n) sum_rows sum_k t_k log p_k`` : the mean over the n rows of
    ``-log`` (probability given to the right class).

    Output layer: **softmax over k units**, prediction ``(n, k)`` (or the k logits with
    ``from_logits=True``, better); target ``(n, k)``, rows one-hot or soft labels that
    sum to 1.

    * probabilities: ``p`` is clipped to ``[1e-7, 1 - 1e-7]`` first;
    * logits: ``log p = log_softmax(z) = z - m - log sum_j e^{z_j - m}`` (``m = max z``),
      finite for any z.

    Gradient w.r.t. the logits of row i: ``dL/dz_ik = (p_ik - t_ik) / n`` with
    ``p_i = softmax(z_i)``.
    """
    name = "categorical_cross_entropy"
    logits = _flag(from_logits, name)
    p = _prediction(prediction, name)
    t = _target(target, name)
    _same_shape(p, t, name)
    n = _rows(p, name)
    _in_unit_interval(t, name, "one-hot rows (or probabilities)")
    sums = t.sum(axis=1)
    off = np.abs(sums - 1.0) > 1e-6
    if off.any():
        row = int(np.flatnonzero(off)[0])
        raise ValueError(
            f"{name}: each row of target must sum to 1 (one-hot or soft labels); "
            f"row {row} sums to {sums[row]:g}"
        )
    if logits:
        log_p = p.log_softmax(axis=-1)
    else:
        _probabilities(p, name)
        log_p = p.clip(EPS, 1.0 - EPS).log()
    return (t * log_p).sum() * (-1.0 / n)


def sparse_categorical_cross_entropy(prediction, target, from_logits: bool = False) -> Tensor:
    r"""Sparse categorical cross-entropy: ``cce`` with integer class labels.

    ``L = -(1/n) sum_i log p_{i, y_i}`` where ``y_i`` in ``{0, ..., k-1}`` is the class
    of row i: the same as ``categorical_cross_entropy`` with the one-hot of the labels,
    without building the one-hot matrix.

    Output layer: **softmax over k units**, prediction ``(n, k)`` (or the logits with
    ``from_logits=True``, better); target ``(n,)`` integer labels (``(n, 1)`` is accepted).
    Probabilities are clipped to ``[1e-7, 1 - 1e-7]``; logits go through log-softmax.

    Gradient w.r.t. the logits of row i: ``dL/dz_ik = (p_ik - [k = y_i]) / n``.
    """
    name = "sparse_categorical_cross_entropy"
    logits = _flag(from_logits, name)
    p = _prediction(prediction, name)
    n = _rows(p, name)
    k = p.shape[1]
    labels = _labels(target, n, k, name)
    rows = np.arange(n)
    if logits:
        picked = p.log_softmax(axis=-1)[rows, labels]
    else:
        _probabilities(p, name)
        picked = p[rows, labels].clip(EPS, 1.0 - EPS).log()
    return -picked.mean()


def _labels(target, n: int, k: int, loss: str) -> np.ndarray:
    y = np.asarray(target)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.shape != (n,):
        raise ValueError(
            f"{loss}: target must be ({n},) integer class labels for a prediction of shape "
            f"({n}, {k}), got shape {y.shape}"
            + ("; for one-hot targets use categorical_cross_entropy" if y.shape == (n, k) else "")
        )
    if y.dtype.kind == "f":  # whole numbers stored as floats (1.0) are accepted
        if not np.isfinite(y).all():
            raise ValueError(f"{loss}: target contains NaN or infinite labels")
        whole = y == np.round(y)
        if not whole.all():
            i = int(np.flatnonzero(~whole)[0])
            raise ValueError(f"{loss}: labels must be integers 0..{k - 1}, got label {y[i]:g} at index {i}")
    elif y.dtype.kind not in "iu":
        raise ValueError(f"{loss}: labels must be integers 0..{k - 1}, got an array of dtype {y.dtype}")
    if n and (y.min() < 0 or y.max() >= k):
        i = int(np.flatnonzero((y < 0) | (y >= k))[0])
        raise ValueError(
            f"{loss}: label {y[i]:g} at index {i} is out of range [0, {k}) "
            f"for a prediction with k = {k} classes"
        )
    return y.astype(np.intp, copy=False)


# ------------------------------------------------------------------ aliases, registry
mean_squared_error = mse
bce = binary_cross_entropy
cce = categorical_cross_entropy
scce = sparse_categorical_cross_entropy

_LOSSES: dict[str, Callable[..., Tensor]] = {
    f.__name__: f
    for f in (mse, binary_cross_entropy, categorical_cross_entropy, sparse_categorical_cross_entropy)
}
_ALIASES = {
    "mean_squared_error": "mse",
    "bce": "binary_cross_entropy",
    "cce": "categorical_cross_entropy",
    "scce": "sparse_categorical_cross_entropy",
}


def get(name: str) -> Callable[..., Tensor]:
    """The loss called ``name`` (case-insensitive; ``bce``, ``cce``, ``scce``,
    ``mean_squared_error`` are aliases). An unknown name raises ``ValueError`` listing
    the valid names."""
    return lookup(name, _LOSSES, "loss", _ALIASES)


def names() -> list[str]:
    """Canonical names: mse, binary_cross_entropy, categorical_cross_entropy,
    sparse_categorical_cross_entropy."""
    return list(_LOSSES)
