r"""How a signal passes through many layers: per-layer statistics of a deep stack.

The experiment of Glorot & Bengio (2010) and He et al. (2015): a stack of ``depth``
dense layers of ``width`` units each, biases 0, weights drawn by one initialisation
scheme, fed with ``n_samples`` standard-normal inputs ``X`` (shape ``(n, width)``)::

    A_0 = X,     Z_l = A_{l-1} @ W_l,     A_l = phi(Z_l)          l = 1 … depth

* **forward** (:func:`forward_statistics`): the activations ``A_l`` of every layer. With
  zero-mean weights ``Var[z] = fan_in * Var[w] * E[a^2]``, so the spread of ``A_l``
  shrinks layer after layer when ``fan_in * Var[w]`` is too small (vanishing signal) and
  grows or saturates when it is too large;
* **backward** (:func:`backward_statistics`): the back-propagated gradients
  ``G_l = dL/dA_l``. Starting from an upstream gradient ``G_depth`` at the top (random
  standard-normal, or all ones), the chain rule through layer ``l`` gives::

      dL/dZ_l = G_l * phi'(Z_l)          G_{l-1} = dL/dZ_l @ W_l^T

  so ``Var[G_{l-1}] = fan_out * Var[w] * Var[G_l * phi']``: the gradient shrinks or grows
  with ``fan_out * Var[w]`` on its way down towards the input.

Everything is plain NumPy (the engine would compute the same numbers; a hand-written
loop is faster for a stack this size), under ``np.errstate(all="ignore")`` so that a
saturating or exploding stack emits no warning.

**Schemes.** Every initialiser of :mod:`nnlesson.init` by name, plus two documented
extras that are not in ``init`` because nobody should use them, but that the classic
experiments need:

* ``standard_uniform``: ``U[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` (std ``1/sqrt(3 fan_in)``),
  the "standard" initialisation that Glorot & Bengio (2010) compare against (and PyTorch's
  default for ``nn.Linear``): with tanh, its signal shrinks by about ``sqrt(1/3)`` per layer;
* ``large_normal``: ``N(0, 1)``, weights of standard deviation 1 whatever the width: a
  tanh stack saturates (almost every unit near ±1), a ReLU stack explodes.

``scheme_names()`` lists them all, ``get_scheme(name)`` returns the initialiser and
``scheme_std(name, fan_in, fan_out)`` its weights' standard deviation (``init.expected_std``
for the schemes of ``init``).

**Reproducible layer by layer.** Layer ``l`` draws its weights from its own random stream
(``SeedSequence(seed, spawn_key=(l,))``), so a stack of depth 10 is exactly the first 10
layers of the stack of depth 40 with the same seed: making the stack deeper adds layers
and changes nothing below them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnlesson import activations as _activations
from nnlesson import data as _data
from nnlesson import init as _init
from nnlesson import nn as _nn
from nnlesson import train as _train
from nnlesson._checks import as_rng, lookup, positive_int

__all__ = [
    "EXTRA_SCHEMES",
    "SATURATION_THRESHOLD",
    "DeepStack",
    "SignalStatistics",
    "backward_statistics",
    "forward_statistics",
    "get_scheme",
    "large_normal",
    "scheme_label",
    "scheme_names",
    "scheme_std",
    "standard_uniform",
    "train_with_each_scheme",
    "variance_factor",
]

SATURATION_THRESHOLD = 0.97
"""A tanh unit counts as saturated when ``|a| > 0.97`` (its derivative ``1 - a^2`` is then
below 0.06), as in Karpathy's "makemore part 3"; a sigmoid unit when it is within the same
share of its output range of 0 or 1 (``|2a - 1| > 0.97``)."""

_INPUT_STREAM = 2**31 - 1
"""Spawn key of the inputs' random stream (the layers use 0, 1, 2, …)."""


# ------------------------------------------------------------------ the extra schemes
def standard_uniform(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    r"""The "standard" init of Glorot & Bengio (2010): ``U[-1/sqrt(fan_in), 1/sqrt(fan_in)]``.

    ``Var[w] = (1/fan_in) / 3``, so ``fan_in * Var[w] = 1/3``: with tanh (about linear
    near 0) the variance of the signal is divided by about 3 at every layer, and the
    back-propagated gradients shrink the same way. Also the default of PyTorch's
    ``nn.Linear``. Std ``1/sqrt(3 fan_in)``.
    """
    fan_in = positive_int(fan_in, "fan_in")
    fan_out = positive_int(fan_out, "fan_out")
    limit = 1.0 / math.sqrt(fan_in)
    return as_rng(rng).uniform(-limit, limit, size=(fan_in, fan_out))


def large_normal(fan_in: int, fan_out: int, rng=None) -> np.ndarray:
    r"""Plain ``N(0, 1)`` weights ("large random numbers"), whatever the layer width.

    ``fan_in * Var[w] = fan_in``: each layer multiplies the variance of the signal by
    about ``fan_in``, so tanh units saturate at once and a ReLU stack explodes.
    """
    fan_in = positive_int(fan_in, "fan_in")
    fan_out = positive_int(fan_out, "fan_out")
    return as_rng(rng).standard_normal((fan_in, fan_out))


EXTRA_SCHEMES: dict[str, Callable[..., np.ndarray]] = {
    "standard_uniform": standard_uniform,
    "large_normal": large_normal,
}
_EXTRA_STD: dict[str, Callable[[int, int], float]] = {
    "standard_uniform": lambda fi, fo: 1.0 / math.sqrt(3.0 * fi),
    "large_normal": lambda fi, fo: 1.0,
}
_LABELS = {
    "zeros": "zeros",
    "constant": "constant 0.5",
    "random_normal": "small random N(0, 0.01²)",
    "random_uniform": "small random U[±0.05]",
    "standard_uniform": "standard U[±1/√n]",
    "large_normal": "large random N(0, 1)",
    "lecun_normal": "LeCun normal",
    "lecun_uniform": "LeCun uniform",
    "xavier_normal": "Xavier normal",
    "xavier_uniform": "Xavier uniform",
    "he_normal": "He normal",
    "he_uniform": "He uniform",
}


def scheme_names() -> list[str]:
    """Every scheme, from the worst ideas to the best: ``init.names()`` with the extras
    ``standard_uniform`` and ``large_normal`` after the small random ones."""
    names = _init.names()
    at = names.index("random_uniform") + 1
    return names[:at] + list(EXTRA_SCHEMES) + names[at:]


def get_scheme(name: str) -> Callable[..., np.ndarray]:
    """The initialiser ``f(fan_in, fan_out, rng)`` called ``name``: any name or alias of
    :func:`nnlesson.init.get`, or an extra of this module (case-insensitive). An unknown
    name raises ``ValueError`` listing every scheme."""
    try:
        return _init.get(name)
    except ValueError:
        every_scheme = {n: EXTRA_SCHEMES[n] if n in EXTRA_SCHEMES else _init.get(n) for n in scheme_names()}
        return lookup(name, every_scheme, "initialisation scheme")


def _canonical(name: str) -> str:
    """The scheme's canonical name (``"glorot_uniform"`` -> ``"xavier_uniform"``)."""
    return get_scheme(name).__name__


def scheme_std(name: str, fan_in: int, fan_out: int) -> float:
    """The standard deviation of the weights the scheme draws (``init.expected_std`` for
    the schemes of :mod:`nnlesson.init`)."""
    key = _canonical(name)
    if key in _EXTRA_STD:
        return _EXTRA_STD[key](positive_int(fan_in, "fan_in"), positive_int(fan_out, "fan_out"))
    return _init.expected_std(key, fan_in, fan_out)


def scheme_label(name: str) -> str:
    """A short human label for plots, e.g. ``"Xavier uniform"`` or ``"standard U[±1/√n]"``."""
    key = _canonical(name)
    return _LABELS.get(key, key)


# ------------------------------------------------------------------ the statistics
@dataclass
class SignalStatistics:
    """What the signal looks like at every layer of a deep stack.

    ``kind`` is ``"activations"`` (``values[l]`` = the activations ``A_{l+1}``) or
    ``"gradients"`` (``values[l]`` = ``dL/dA_{l+1}``); each of shape ``(n_samples, width)``.
    Per layer (arrays of length ``depth``; index 0 is layer 1, the one next to the input):

    * ``std``: the standard deviation over all samples and units of the layer;
    * ``rms``: the root mean square ``sqrt(mean(v^2))`` (the "second moment" He et al.
      keep constant; equal to ``std`` for zero-mean values);
    * ``saturated``: the share of saturated units (tanh ``|a| > 0.97``; sigmoid
      ``|2a - 1| > 0.97``); NaN for gradients and for activations without a flat
      asymptote (relu, leaky_relu, linear);
    * ``zero``: the share of values exactly 0 (a ReLU that is off; everything with ``zeros``).
    """

    kind: str
    init: str
    activation: str
    width: int
    n_samples: int
    seed: int | None
    values: list[np.ndarray]
    std: np.ndarray
    rms: np.ndarray
    saturated: np.ndarray
    zero: np.ndarray

    @property
    def depth(self) -> int:
        return len(self.values)

    def ratio(self) -> float:
        """``std`` of the last layer over ``std`` of the first (NaN if the first is 0):
        how much of the signal is left after ``depth`` layers.

        Gradients flow the other way, from the top down: the share of the top layer's
        gradient left at the bottom is ``std[0] / std[-1]``, the inverse of this ratio.
        """
        with np.errstate(all="ignore"):
            return float(self.std[-1] / self.std[0]) if self.std[0] > 0 else math.nan

    def histogram(self, layer: int, edges: np.ndarray, drop_zeros: bool = False) -> np.ndarray:
        """The share of this layer's values in each bin of ``edges`` (layer 1 = first).

        Values outside the range are counted in the first or last bin (so an exploding
        layer piles up at the edges instead of vanishing from the plot). With
        ``drop_zeros`` the values exactly 0 are left out (the share is still of all values).
        """
        if not 1 <= layer <= self.depth:
            raise ValueError(f"layer must be between 1 and {self.depth}, got {layer}")
        return _histogram(self.values[layer - 1], np.asarray(edges, dtype=float), drop_zeros)


def _histogram(values: np.ndarray, edges: np.ndarray, drop_zeros: bool) -> np.ndarray:
    flat = values.ravel()
    total = flat.size
    if drop_zeros:
        flat = flat[flat != 0]
    bins = len(edges) - 1
    with np.errstate(all="ignore"):
        position = (flat - edges[0]) * (bins / (edges[-1] - edges[0]))
        position = np.nan_to_num(position, nan=0.0, posinf=bins, neginf=0.0)
        index = np.clip(position, 0, bins - 1).astype(np.intp)
    return np.bincount(index, minlength=bins)[:bins] / max(total, 1)


def _saturated(name: str, A: np.ndarray) -> float:
    if name == "tanh":
        return float(np.count_nonzero(np.abs(A) > SATURATION_THRESHOLD)) / A.size
    if name == "sigmoid":
        return float(np.count_nonzero(np.abs(2.0 * A - 1.0) > SATURATION_THRESHOLD)) / A.size
    return math.nan


def _summaries(values: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    with np.errstate(all="ignore"):
        std = np.array([float(v.std()) for v in values])
        rms = np.array([math.sqrt(float(np.mean(v * v))) for v in values])
        zero = np.array([1.0 - np.count_nonzero(v) / v.size for v in values])
    return std, rms, zero


def _seed_entropy(seed) -> int:
    """An integer for SeedSequence from None / int / Generator (see ``_checks.as_rng``)."""
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise ValueError(f"seed must be >= 0, got {seed}")
        return int(seed)
    return int(as_rng(seed).integers(2**63))


# ------------------------------------------------------------------ the stack
class DeepStack:
    """A stack of ``width``-unit dense layers (biases 0) drawn with one scheme, and its inputs.

    ``DeepStack("xavier_uniform", width=256, n_samples=1000, seed=0)``. The weights are
    drawn lazily, layer by layer, and kept: asking for a deeper stack draws only the new
    layers, and each forward pass is remembered per activation, so changing the depth
    (the panels' depth slider) costs only the layers that were not computed yet.

    * ``weights(depth)``: the list ``[W_1, …, W_depth]``, each ``(width, width)``;
    * ``inputs``: ``X``, standard normal, shape ``(n_samples, width)``;
    * ``forward(activation, depth)``: ``(Z, A)`` lists of pre-activations and activations;
    * ``forward_statistics`` / ``backward_statistics``: see the module functions.
    """

    def __init__(self, init: str = "xavier_uniform", width: int = 256, n_samples: int = 1000, seed=0):
        self.init = _canonical(init)
        self._initialiser = get_scheme(self.init)
        self.width = positive_int(width, "width (units per layer)")
        self.n_samples = positive_int(n_samples, "n_samples (inputs fed to the stack)")
        self.seed = seed if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool) else None
        self._entropy = _seed_entropy(seed)
        rng = np.random.default_rng(np.random.SeedSequence(self._entropy, spawn_key=(_INPUT_STREAM,)))
        self.inputs = rng.standard_normal((self.n_samples, self.width))
        self._weights: list[np.ndarray] = []
        self._passes: dict[str, tuple[list[np.ndarray], list[np.ndarray]]] = {}

    def weights(self, depth: int) -> list[np.ndarray]:
        """``[W_1, …, W_depth]``; layer ``l`` from its own stream ``SeedSequence(seed, spawn_key=(l-1,))``."""
        depth = positive_int(depth, "depth (number of layers)")
        while len(self._weights) < depth:
            layer = len(self._weights)
            rng = np.random.default_rng(np.random.SeedSequence(self._entropy, spawn_key=(layer,)))
            W = np.asarray(self._initialiser(self.width, self.width, rng=rng), dtype=np.float64)
            self._weights.append(W)
        return self._weights[:depth]

    def forward(self, activation: str, depth: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """``(Z, A)``: per layer the pre-activations ``Z_l = A_{l-1} @ W_l`` and ``A_l = phi(Z_l)``."""
        act = _activations.get(activation)
        if act.name == "softmax":
            raise ValueError("softmax is an output activation; use tanh, sigmoid, relu, leaky_relu or linear")
        weights = self.weights(depth)
        Zs, As = self._passes.setdefault(act.name, ([], []))
        with np.errstate(all="ignore"):
            A = As[-1] if As else self.inputs
            for W in weights[len(As) :]:
                Z = A @ W
                A = Z if act.name == "linear" else act.numpy(Z)
                Zs.append(Z)
                As.append(A)
        return Zs[:depth], As[:depth]

    def forward_statistics(self, activation: str = "tanh", depth: int = 10) -> SignalStatistics:
        """Per-layer statistics of the activations ``A_1 … A_depth``."""
        name = _activations.get(activation).name
        _, As = self.forward(name, depth)
        saturated = np.array([_saturated(name, A) for A in As])
        return self._statistics("activations", name, As, saturated)

    def backward_statistics(
        self, activation: str = "tanh", depth: int = 10, upstream: str = "normal"
    ) -> SignalStatistics:
        """Per-layer statistics of the back-propagated gradients ``dL/dA_1 … dL/dA_depth``.

        ``upstream``: the gradient arriving at the top layer, ``dL/dA_depth``: ``"normal"``
        (standard normal, from its own seeded stream; as for a loss whose gradient has no
        preferred direction) or ``"ones"``.
        """
        act = _activations.get(activation)
        Zs, As = self.forward(act.name, depth)
        weights = self.weights(depth)
        if upstream == "normal":
            rng = np.random.default_rng(np.random.SeedSequence(self._entropy, spawn_key=(_INPUT_STREAM - 1,)))
            G = rng.standard_normal((self.n_samples, self.width))
        elif upstream == "ones":
            G = np.ones((self.n_samples, self.width))
        else:
            raise ValueError(f"upstream must be 'normal' or 'ones', got {upstream!r}")
        grads = [G]
        with np.errstate(all="ignore"):
            for layer in range(depth - 1, 0, -1):  # from the top down to layer 1's output
                G = (G * _derivative(act, Zs[layer], As[layer])) @ weights[layer].T
                grads.append(G)
        grads.reverse()
        return self._statistics("gradients", act.name, grads, np.full(depth, math.nan))

    def _statistics(self, kind: str, activation: str, values, saturated) -> SignalStatistics:
        std, rms, zero = _summaries(values)
        return SignalStatistics(
            kind, self.init, activation, self.width, self.n_samples, self.seed,
            values, std, rms, saturated, zero,
        )  # fmt: skip


def _derivative(act, Z: np.ndarray, A: np.ndarray) -> np.ndarray:
    """``phi'(Z)``, from the activations where that saves recomputing phi."""
    if act.name == "tanh":
        return 1.0 - A * A
    if act.name == "sigmoid":
        return A * (1.0 - A)
    return act.derivative(Z)


# ------------------------------------------------------------------ one-call versions
def forward_statistics(
    init: str = "xavier_uniform",
    activation: str = "tanh",
    depth: int = 10,
    width: int = 256,
    n_samples: int = 1000,
    seed=0,
) -> SignalStatistics:
    """Feed ``n_samples`` standard-normal inputs through ``depth`` layers of ``width`` units
    drawn with ``init`` (a scheme of :func:`scheme_names`) and activation ``activation``;
    return the per-layer statistics of the activations (:class:`SignalStatistics`).

    >>> s = forward_statistics("standard_uniform", "tanh", depth=10)
    >>> bool(s.std[-1] < s.std[0] / 3)       # Glorot & Bengio 2010: the signal fades
    True
    """
    return DeepStack(init, width, n_samples, seed).forward_statistics(activation, depth)


def backward_statistics(
    init: str = "xavier_uniform",
    activation: str = "tanh",
    depth: int = 10,
    width: int = 256,
    n_samples: int = 1000,
    seed=0,
    upstream: str = "normal",
) -> SignalStatistics:
    """As :func:`forward_statistics`, for the gradients ``dL/dA_l`` back-propagated from an
    upstream gradient at the top layer (``"normal"`` or ``"ones"``) down to layer 1."""
    return DeepStack(init, width, n_samples, seed).backward_statistics(activation, depth, upstream)


# ------------------------------------------------------------------ the simple theory
_LINEAR_REGIME_GAIN = {
    "linear": 1.0,
    "tanh": 1.0,
    "relu": 0.5,
    "leaky_relu": (1.0 + _activations.LEAKY_SLOPE**2) / 2,
}


def variance_factor(init: str, activation: str, width: int) -> float:
    r"""By how much one square layer (``fan_in = fan_out = width``) multiplies the variance
    of the signal, by the simple theory: ``c * width * Var[w]``.

    ``c`` is what the activation keeps of the variance: 1 for ``linear`` and for ``tanh``
    near 0 (where ``tanh(z) ≈ z``; saturation makes the real factor smaller), 1/2 for
    ``relu`` (it zeroes half of a symmetric input: He et al. 2015, §2.2) and
    ``(1 + 0.01^2)/2`` for ``leaky_relu``. The same factor applies to the back-propagated
    gradient (``c = E[phi'(z)^2]``, ``fan_out`` instead of ``fan_in``). After ``L`` layers
    the standard deviation is multiplied by ``variance_factor ** (L / 2)``.

    NaN where the theory does not apply: ``sigmoid`` (its outputs are not centred on 0)
    and ``constant`` (its weights are not centred on 0). ``zeros`` gives 0.
    """
    key = _canonical(init)
    name = _activations.get(activation).name
    width = positive_int(width, "width")
    if name not in _LINEAR_REGIME_GAIN or key == "constant":
        return math.nan
    return _LINEAR_REGIME_GAIN[name] * width * scheme_std(key, width, width) ** 2


# ------------------------------------------------------------------ training with each scheme
def train_with_each_scheme(
    schemes: Sequence[str],
    activation: str = "tanh",
    depth: int = 5,
    width: int = 32,
    lr: float = 0.1,
    epochs: int = 300,
    dataset: str = "two_moons",
    n: int = 200,
    seed: int = 0,
) -> dict[str, _train.History]:
    """Train the same network once per scheme and return ``{scheme label: History}``.

    Everything but the initial weights is the same: the data set (``data.make(dataset,
    n=n, seed=seed)``), the network ``MLP([2] + [width] * depth + [1])`` with ``activation``
    in the hidden layers and a linear output, the seed of the weights, binary
    cross-entropy on the logits (``from_logits=True``), full-batch gradient descent with
    learning rate ``lr`` for ``epochs`` epochs. Ready for ``plots.loss_curves``.
    """
    X, y = _data.make(dataset, n=n, seed=seed)
    sizes = [X.shape[1]] + [positive_int(width, "width")] * positive_int(depth, "depth") + [1]
    runs = {}
    for scheme in schemes:
        model = _nn.MLP(sizes, activation=activation, init=get_scheme(scheme), seed=seed)
        runs[scheme_label(scheme)] = _train.fit(
            model, X, y, loss="binary_cross_entropy", lr=lr, epochs=epochs, seed=seed, from_logits=True
        )
    return runs
