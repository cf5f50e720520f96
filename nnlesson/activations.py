r"""Activation functions: the non-linearity ``a = phi(z)`` of a neuron.

A neuron first forms its pre-activation, the weighted sum of its inputs plus a bias,
and then passes it through an activation function::

    z = sum_i w_i x_i + b          a = phi(z)

(for a whole layer and a batch of rows: ``Z = X @ W + b``, ``A = phi(Z)``).

Without a non-linear ``phi`` a stack of layers collapses into a single linear map, so
the activation is what lets a network bend its decision boundary. During training the
chain rule multiplies every gradient that flows back through a neuron by the local
derivative ``phi'(z) = da/dz``; where that derivative is close to 0 (a *saturated*
tanh or sigmoid, a ReLU with ``z < 0``) learning through that neuron stalls.

This module offers each activation in two forms:

* a **function** on Tensors (``tanh``, ``sigmoid``, ``relu``, ``leaky_relu``, ``linear``
  (alias ``identity``), ``softmax``) built from the engine's operations, so gradients
  flow through it. Numbers and arrays are accepted too and become constant Tensors;
* an :class:`Activation` record from the registry (``get(name)``, ``names()``) that is
  callable the same way and also carries, for plotting in the notebooks, the LaTeX
  formulas and plain NumPy versions of the function and of its derivative::

      act = activations.get("tanh")
      a = act(z_tensor)                 # Tensor -> Tensor, with a gradient
      act.numpy(zs), act.derivative(zs) # ndarray -> ndarray, for a plot
      act.formula, act.derivative_formula
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlesson._checks import lookup
from nnlesson.engine import Tensor, as_tensor

__all__ = [
    "Activation",
    "get",
    "identity",
    "leaky_relu",
    "linear",
    "names",
    "relu",
    "sigmoid",
    "softmax",
    "softmax_jacobian",
    "tanh",
]

LEAKY_SLOPE = 0.01
"""Default slope of ``leaky_relu`` for ``z < 0`` (PyTorch's default; Keras uses 0.2/0.3)."""


# --------------------------------------------------------------------- Tensor functions
def tanh(z) -> Tensor:
    r"""Hyperbolic tangent.

    ``a = tanh(z) = (e^z - e^-z) / (e^z + e^-z)``, values in (-1, 1), zero-centred.

    Derivative: ``da/dz = 1 - tanh(z)^2 = 1 - a^2`` (at most 1, at z = 0; it vanishes
    when |z| is large: the neuron *saturates*).
    """
    return as_tensor(z).tanh()


def sigmoid(z) -> Tensor:
    r"""Logistic sigmoid.

    ``a = sigma(z) = 1 / (1 + e^-z)``, values in (0, 1): read as a probability.

    Derivative: ``da/dz = sigma(z) (1 - sigma(z)) = a (1 - a)`` (at most 1/4, at z = 0:
    passing back through a sigmoid multiplies the gradient by at most 1/4).
    Computed without overflow for any z.
    """
    return as_tensor(z).sigmoid()


def relu(z) -> Tensor:
    r"""Rectified linear unit.

    ``a = max(0, z)``.

    Derivative: ``da/dz = 1`` for z > 0 and ``0`` for z < 0 (at the kink z = 0 we use 0,
    as PyTorch and Keras do). A unit whose z stays negative gets no gradient ("dead ReLU").
    """
    return as_tensor(z).relu()


def leaky_relu(z, slope: float = LEAKY_SLOPE) -> Tensor:
    r"""Leaky ReLU: a ReLU that keeps a small slope for negative inputs.

    ``a = z`` for z > 0 and ``a = slope * z`` otherwise (default slope 0.01).

    Derivative: ``da/dz = 1`` for z > 0 and ``slope`` otherwise (``slope`` at z = 0), so
    no unit ever stops learning completely.
    """
    return as_tensor(z).leaky_relu(slope)


def linear(z) -> Tensor:
    r"""The identity ("no activation"): ``a = z``.

    Derivative: ``da/dz = 1``. Used on the output of a regression network (with MSE).
    Returns ``z`` itself (as a Tensor): no new node is added to the graph.
    """
    return as_tensor(z)


identity = linear


def softmax(z, axis: int = -1) -> Tensor:
    r"""Softmax over the last axis (or ``axis``): k scores ("logits") -> k probabilities
    that sum to 1.

    ``a_k = e^{z_k} / sum_j e^{z_j}``, computed as ``e^{z_k - m} / sum_j e^{z_j - m}``
    with ``m = max_j z_j`` so that logits of any size (even +-1000) do not overflow.

    Derivative: every output depends on every input, so the derivative is a k x k
    Jacobian, ``da_k/dz_j = a_k (delta_kj - a_j)`` (see :func:`softmax_jacobian`);
    its diagonal is ``a_k (1 - a_k)``. Used on the output layer of a k-class classifier,
    with categorical cross-entropy (whose gradient w.r.t. z is then simply ``a - t``).
    """
    return as_tensor(z).softmax(axis=axis)


# --------------------------------------------------------------------- NumPy versions
def _as_float(z) -> np.ndarray:
    return np.asarray(z, dtype=np.float64)


def _np_tanh(z):
    return np.tanh(_as_float(z))


def _np_tanh_derivative(z):
    a = np.tanh(_as_float(z))
    return 1.0 - a * a


def _np_sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -_as_float(z)))  # never overflows


def _np_sigmoid_derivative(z):
    a = _np_sigmoid(z)
    return a * (1.0 - a)


def _np_relu(z):
    return np.maximum(_as_float(z), 0.0)


def _np_relu_derivative(z):
    return (_as_float(z) > 0).astype(np.float64)


def _np_leaky_relu(z):
    z = _as_float(z)
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def _np_leaky_relu_derivative(z):
    return np.where(_as_float(z) > 0, 1.0, LEAKY_SLOPE)


def _np_linear(z):
    return _as_float(z).copy()


def _np_linear_derivative(z):
    return np.ones_like(_as_float(z))


def _np_softmax(z):
    z = _as_float(z)
    if z.ndim == 0:
        raise ValueError("softmax needs a vector of k scores (at least 1-D), got a single number")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _np_softmax_derivative(z):
    a = _np_softmax(z)
    return a * (1.0 - a)


def softmax_jacobian(z) -> np.ndarray:
    r"""The full Jacobian of softmax over the last axis, as a NumPy array.

    For ``z`` of shape ``(..., k)`` returns shape ``(..., k, k)`` with
    ``J[..., i, j] = da_i/dz_j = a_i (delta_ij - a_j)``, i.e. ``diag(a) - a a^T``.
    Rows (and columns) sum to 0: raising one logit takes probability from the others.
    """
    a = _np_softmax(z)
    return a[..., :, None] * np.eye(a.shape[-1]) - a[..., :, None] * a[..., None, :]


# --------------------------------------------------------------------- the registry
@dataclass(frozen=True)
class Activation:
    r"""One activation function with everything a notebook needs to show it.

    Fields: ``name`` (canonical), ``formula`` and ``derivative_formula`` (LaTeX, in the
    notebooks' notation ``z`` = pre-activation, ``a = \varphi(z)``).

    * ``act(z)`` applies it to a Tensor (or array/number) and returns a Tensor, so
      gradients flow through it;
    * ``act.numpy(z)`` and ``act.derivative(z)`` are plain NumPy, for plots.

    Softmax is the exception for ``derivative``: its derivative is a Jacobian (each output
    depends on every input), so ``derivative`` returns its **diagonal** ``a_k (1 - a_k)``
    (over the last axis, like ``numpy``); :func:`softmax_jacobian` gives the full matrix.
    """

    name: str
    formula: str
    derivative_formula: str
    _tensor_fn: Callable[..., Tensor] = field(repr=False)
    _numpy_fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    _derivative_fn: Callable[[np.ndarray], np.ndarray] = field(repr=False)

    def __call__(self, z) -> Tensor:
        """``a = phi(z)`` on Tensors (arrays and numbers are wrapped as constants)."""
        return self._tensor_fn(z)

    def numpy(self, z) -> np.ndarray:
        """``a = phi(z)`` on a NumPy array (float64), for plotting."""
        return self._numpy_fn(z)

    def derivative(self, z) -> np.ndarray:
        """``da/dz = phi'(z)`` on a NumPy array (float64), for plotting.

        For softmax: the diagonal of the Jacobian, ``a_k (1 - a_k)``; see the class docstring.
        """
        return self._derivative_fn(z)


_ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in (
        Activation(
            "tanh",
            r"a = \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}",
            r"\frac{da}{dz} = 1 - \tanh^2(z) = 1 - a^2",
            tanh,
            _np_tanh,
            _np_tanh_derivative,
        ),
        Activation(
            "sigmoid",
            r"a = \sigma(z) = \frac{1}{1 + e^{-z}}",
            r"\frac{da}{dz} = \sigma(z)\,(1 - \sigma(z)) = a\,(1 - a)",
            sigmoid,
            _np_sigmoid,
            _np_sigmoid_derivative,
        ),
        Activation(
            "relu",
            r"a = \max(0, z)",
            r"\frac{da}{dz} = \begin{cases} 1 & z > 0 \\ 0 & z \le 0 \end{cases}",
            relu,
            _np_relu,
            _np_relu_derivative,
        ),
        Activation(
            "leaky_relu",
            r"a = \begin{cases} z & z > 0 \\ 0.01\,z & z \le 0 \end{cases}",
            r"\frac{da}{dz} = \begin{cases} 1 & z > 0 \\ 0.01 & z \le 0 \end{cases}",
            leaky_relu,
            _np_leaky_relu,
            _np_leaky_relu_derivative,
        ),
        Activation(
            "linear",
            r"a = z",
            r"\frac{da}{dz} = 1",
            linear,
            _np_linear,
            _np_linear_derivative,
        ),
        Activation(
            "softmax",
            r"a_k = \frac{e^{z_k}}{\sum_j e^{z_j}}",
            r"\frac{\partial a_k}{\partial z_j} = a_k\,(\delta_{kj} - a_j)"
            r"\quad\text{(diagonal: } a_k (1 - a_k)\text{)}",
            softmax,
            _np_softmax,
            _np_softmax_derivative,
        ),
    )
}
_ALIASES = {"identity": "linear"}


def get(name: str) -> Activation:
    """The :class:`Activation` called ``name`` (case-insensitive; ``identity`` = ``linear``).

    An unknown name raises ``ValueError`` listing the valid names.
    """
    return lookup(name, _ACTIVATIONS, "activation", _ALIASES)


def names() -> list[str]:
    """Canonical names, in the order a learner meets them:
    tanh, sigmoid, relu, leaky_relu, linear, softmax."""
    return list(_ACTIVATIONS)
