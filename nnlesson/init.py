r"""Weight initialisers: where gradient descent starts from.

Every initialiser is a function ``name(fan_in, fan_out, rng=None) -> ndarray`` that
returns a float64 weight matrix ``W`` of shape ``(fan_in, fan_out)`` for a layer
``Z = X @ W + b``:

* ``fan_in``  = the number of inputs of each unit (the rows of ``W``, the width of the
  previous layer): each pre-activation ``z_j = sum_{i=1}^{fan_in} x_i w_ij + b_j`` adds up
  ``fan_in`` terms;
* ``fan_out`` = the number of units in the layer (the columns of ``W``): in the backward
  pass each input's gradient ``dL/dx_i = sum_{j=1}^{fan_out} w_ij dL/dz_j`` adds up
  ``fan_out`` terms.

Why the scale matters. With independent zero-mean weights and inputs,
``Var[z] = fan_in * Var[w] * E[x^2]``. If ``fan_in * Var[w]`` is larger than 1 the signal
grows layer after layer (activations saturate or explode), if smaller it shrinks towards
0, and the back-propagated gradients do the same with ``fan_out``. Keeping the variance
the same from layer to layer is what lets a deep network learn at all:

* **LeCun et al. 1998** ("Efficient BackProp", §4.6): ``Var[w] = 1/fan_in`` keeps the
  forward signal for a unit whose activation is about linear near 0 (tanh).
* **Glorot & Bengio 2010** (AISTATS): keeping both the forward signal (needs
  ``1/fan_in``) and the backward gradient (needs ``1/fan_out``) gives the compromise
  ``Var[w] = 2/(fan_in + fan_out)`` ("Xavier"/"Glorot"); they show that the old
  ``U[-1/sqrt(n), 1/sqrt(n)]`` makes tanh activations and gradients shrink across layers.
* **He et al. 2015** (§2.2): ReLU zeroes half of its inputs, halving the variance at
  every layer, so it needs ``Var[w] = 2/fan_in`` ("He"/"Kaiming").

Each scheme comes as a *normal* variant (give the standard deviation ``std``) and a
*uniform* variant on ``[-limit, limit]``, whose standard deviation is ``limit/sqrt(3)``;
so ``limit = sqrt(3) * std`` gives the same variance.

**Truncation.** The fan-scaled normal variants (``lecun_normal``, ``xavier_normal``,
``he_normal``) are *truncated* as Keras does: a value further than 2 sigma_0 from 0 is
drawn again, with ``sigma_0 = std / 0.87962566103423978``. Cutting the tails at
``+-2 sigma_0`` makes the spread smaller by exactly that factor, so the weights' standard
deviation still equals the formula (``expected_std``), and no weight is ever larger than
``2 sigma_0 = 2.27 std``: no single huge weight dominates a unit. ``random_normal`` (the
"small random numbers" of std 0.01) is a plain, untruncated normal.

All share: ``rng`` is ``None``, an ``int`` seed or a ``numpy.random.Generator``; the same
seed gives the same weights, bit for bit. ``get(name)`` returns an initialiser by name
(case-insensitive; aliases ``random``, ``glorot_*``, ``kaiming_*``), ``names()`` lists
them, and ``expected_std(name, fan_in, fan_out)`` gives the theoretical standard
deviation of the weights.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from nnlesson._checks import as_rng, lookup, positive_int

__all__ = [
    "constant",
    "expected_std",
    "get",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "names",
    "random",
    "random_normal",
    "random_uniform",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

TRUNCATION_STDS = 2.0
"""Truncated normals keep only values within this many sigma_0 of 0."""

TRUNCATED_STD_FACTOR = 0.87962566103423978
"""Standard deviation of a standard normal truncated to [-2, 2] (Keras' constant)."""

RANDOM_NORMAL_STD = 0.01
RANDOM_UNIFORM_LIMIT = 0.05


def _check_fans(fan_in, fan_out) -> tuple[int, int]:
    return (
        positive_int(fan_in, "fan_in (the number of inputs of each unit, rows of W)"),
        positive_int(fan_out, "fan_out (the number of units in the layer, columns of W)"),
    )


def _truncated_normal(std: float, shape: tuple[int, int], rng) -> np.ndarray:
    """Normal weights cut at +-2 sigma_0 and rescaled so that their std is ``std``.

    Values outside the cut are drawn again (a vectorised redraw of only those; about
    4.6 % of them each round), which is exactly sampling the truncated distribution.
    """
    generator = as_rng(rng)
    sigma0 = std / TRUNCATED_STD_FACTOR
    w = generator.standard_normal(shape)
    outside = np.abs(w) > TRUNCATION_STDS
    while outside.any():
        w[outside] = generator.standard_normal(int(outside.sum()))
        outside = np.abs(w) > TRUNCATION_STDS
    w *= sigma0
    return w


def _uniform(limit: float, shape: tuple[int, int], rng) -> np.ndarray:
    return as_rng(rng).uniform(-limit, limit, size=shape)


# ------------------------------------------------------------------ constant schemes
def zeros(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """All weights 0 (``std = 0``).

    Pro: a fine start for biases. Con: for weights it fails: every unit of a layer
    computes the same thing and gets the same gradient, so the units never become
    different (the symmetry is never broken), and with 0 weights no gradient reaches
    earlier layers. ``rng`` is accepted and ignored.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    as_rng(rng)
    return np.zeros((fan_in, fan_out))


def constant(fan_in: int, fan_out: int, rng=None, *, value: float = 0.5) -> np.ndarray:
    """All weights equal to ``value`` (default 0.5; ``std = 0``).

    Pro: easy to reason about by hand. Con: like ``zeros`` it never breaks the symmetry:
    all units of a layer stay identical for ever. ``rng`` is accepted and ignored.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    as_rng(rng)
    return np.full((fan_in, fan_out), _check_value(value))


def _check_value(value) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"value must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"value must be a finite number, got {value!r}")
    return number


# ------------------------------------------------------------------ fixed-scale random
def random_normal(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """Normal with mean 0 and ``std = 0.01`` ("small random numbers"; not truncated).

    Pro: breaks the symmetry. Con: ignores the layer width, so in a deep network each
    layer multiplies the spread of the signal by about ``sqrt(fan_in) * 0.01`` (0.1 for
    ``fan_in = 100``) and the signal vanishes. Alias: ``random``.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return as_rng(rng).normal(0.0, RANDOM_NORMAL_STD, size=(fan_in, fan_out))


def random_uniform(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """Uniform on ``[-0.05, 0.05]`` (``limit = 0.05``, ``std = 0.05/sqrt(3) = 0.029``).

    Pro: simple, breaks the symmetry. Con: the same scale for every layer width, so the
    variance of the signal is not kept across layers.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _uniform(RANDOM_UNIFORM_LIMIT, (fan_in, fan_out), rng)


# ------------------------------------------------------------------ LeCun
def lecun_normal(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """LeCun normal: ``std = sqrt(1 / fan_in)`` (truncated at 2 sigma_0, see the module).

    Pro: keeps the forward variance for tanh-like units (LeCun 1998); the standard for
    SELU networks. Con: ignores the backward pass, and with ReLU the variance of the
    signal halves at every layer.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _truncated_normal(math.sqrt(1.0 / fan_in), (fan_in, fan_out), rng)


def lecun_uniform(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """LeCun uniform: ``U[-limit, limit]`` with ``limit = sqrt(3 / fan_in)`` (std ``sqrt(1/fan_in)``).

    Pro/con: as ``lecun_normal``, with hard bounds on every weight.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _uniform(math.sqrt(3.0 / fan_in), (fan_in, fan_out), rng)


# ------------------------------------------------------------------ Xavier / Glorot
def xavier_normal(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """Xavier/Glorot normal: ``std = sqrt(2 / (fan_in + fan_out))`` (truncated at 2 sigma_0).

    Pro: balances forward signal and backward gradient for tanh and sigmoid (Glorot &
    Bengio 2010). Con: too small for ReLU: with ``fan_in = fan_out`` the variance of the
    signal then halves at every layer.
    Alias: ``glorot_normal``.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _truncated_normal(math.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out), rng)


def xavier_uniform(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """Xavier/Glorot uniform: ``limit = sqrt(6 / (fan_in + fan_out))`` (std ``sqrt(2/(fan_in+fan_out))``).

    Pro: the Keras default for Dense layers; good for tanh and sigmoid. Con: too small
    for deep ReLU networks. Alias: ``glorot_uniform``.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _uniform(math.sqrt(6.0 / (fan_in + fan_out)), (fan_in, fan_out), rng)


# ------------------------------------------------------------------ He / Kaiming
def he_normal(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """He/Kaiming normal: ``std = sqrt(2 / fan_in)`` (truncated at 2 sigma_0).

    Pro: keeps the signal through ReLU layers, which zero half their inputs (He et al.
    2015). Con: too large for tanh/sigmoid, which then saturate. Alias: ``kaiming_normal``.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _truncated_normal(math.sqrt(2.0 / fan_in), (fan_in, fan_out), rng)


def he_uniform(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    """He/Kaiming uniform: ``limit = sqrt(6 / fan_in)`` (std ``sqrt(2/fan_in)``).

    Pro/con: as ``he_normal``, with hard bounds. Alias: ``kaiming_uniform``.
    """
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    return _uniform(math.sqrt(6.0 / fan_in), (fan_in, fan_out), rng)


# ------------------------------------------------------------------ aliases
random = random_normal
glorot_normal = xavier_normal
glorot_uniform = xavier_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform

# ------------------------------------------------------------------ the registry
_INITIALISERS: dict[str, Callable[..., np.ndarray]] = {
    f.__name__: f
    for f in (
        zeros,
        constant,
        random_normal,
        random_uniform,
        lecun_normal,
        lecun_uniform,
        xavier_normal,
        xavier_uniform,
        he_normal,
        he_uniform,
    )
}
_ALIASES = {
    "random": "random_normal",
    "glorot_normal": "xavier_normal",
    "glorot_uniform": "xavier_uniform",
    "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform",
}

_STD: dict[str, Callable[[int, int], float]] = {
    "zeros": lambda fi, fo: 0.0,
    "constant": lambda fi, fo: 0.0,
    "random_normal": lambda fi, fo: RANDOM_NORMAL_STD,
    "random_uniform": lambda fi, fo: RANDOM_UNIFORM_LIMIT / math.sqrt(3.0),
    "lecun_normal": lambda fi, fo: math.sqrt(1.0 / fi),
    "lecun_uniform": lambda fi, fo: math.sqrt(1.0 / fi),
    "xavier_normal": lambda fi, fo: math.sqrt(2.0 / (fi + fo)),
    "xavier_uniform": lambda fi, fo: math.sqrt(2.0 / (fi + fo)),
    "he_normal": lambda fi, fo: math.sqrt(2.0 / fi),
    "he_uniform": lambda fi, fo: math.sqrt(2.0 / fi),
}


def get(name: str) -> Callable[..., np.ndarray]:
    """The initialiser called ``name`` (case-insensitive, aliases allowed).

    An unknown name raises ``ValueError`` listing the valid names.
    """
    return lookup(name, _INITIALISERS, "initialiser", _ALIASES)


def names() -> list[str]:
    """Canonical names: zeros, constant, random_normal, random_uniform, lecun_normal,
    lecun_uniform, xavier_normal, xavier_uniform, he_normal, he_uniform."""
    return list(_INITIALISERS)


def expected_std(name: str, fan_in: int, fan_out: int, value: float = 0.5) -> float:
    """The theoretical standard deviation of the weights that ``get(name)`` draws.

    ``sqrt(1/fan_in)`` (LeCun), ``sqrt(2/(fan_in+fan_out))`` (Xavier), ``sqrt(2/fan_in)``
    (He), 0.01 (``random_normal``), ``0.05/sqrt(3)`` (``random_uniform``), 0 (``zeros``,
    ``constant`` whatever its ``value``). A uniform on ``[-limit, limit]`` has std
    ``limit/sqrt(3)``.
    """
    initialiser = get(name)
    fan_in, fan_out = _check_fans(fan_in, fan_out)
    _check_value(value)
    return _STD[initialiser.__name__](fan_in, fan_out)
