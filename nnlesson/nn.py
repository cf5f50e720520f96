r"""Networks: one neuron, a dense layer, and a multi-layer perceptron (MLP).

A **neuron** with inputs ``x_1 … x_n``, weights ``w_1 … w_n``, bias ``b`` and
activation ``phi`` computes::

    z = sum_i w_i x_i + b          (the pre-activation)
    y = phi(z)                     (its output, the activation; ``a`` inside a network)

A **dense layer** is ``fan_out`` neurons side by side, all reading the same ``fan_in``
inputs. With a batch of inputs as the rows of ``X`` (shape ``(n, fan_in)``), the weights
of neuron ``j`` as column ``j`` of ``W`` (shape ``(fan_in, fan_out)``) and the biases in
``b`` (shape ``(fan_out,)``), the whole layer and batch is one matrix product::

    Z = X @ W + b                  Z[i, j] = sum_k X[i, k] W[k, j] + b[j]
    A = phi(Z)

An **MLP** is dense layers in a row, each one's output the next one's input.

Everything here is built from :class:`~nnlesson.engine.Tensor` operations, so
``loss.backward()`` fills ``.grad`` of every weight and bias, and an optimiser
(:mod:`nnlesson.optim`) can update them. The forward pass of a layer is exactly three
graph nodes (``@``, ``+``, the activation; two for a linear layer), so training an MLP
costs little more than the same maths written by hand in NumPy.

For histograms of activations and gradients per layer use :meth:`MLP.trace`, which
records them on a separate pass and leaves ordinary calls (``model(X)``) untouched.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnlesson import activations as _activations
from nnlesson import init as _init
from nnlesson import losses as _losses
from nnlesson._checks import as_rng, positive_int
from nnlesson.engine import Tensor, affine
from nnlesson.train import prepare_targets  # how fit() turns labels into targets

__all__ = ["MLP", "Dense", "LayerTrace", "Neuron"]


# ------------------------------------------------------------------------ helpers
def _resolve_activation(activation) -> tuple[str, Callable[[Tensor], Tensor] | None]:
    """(name, function) for a name or a callable; function None means the identity."""
    if isinstance(activation, str):
        act = _activations.get(activation)  # unknown name -> the registry's ValueError
        return act.name, (None if act.name == "linear" else act)
    if activation is _activations.linear:  # also activations.identity, the same function
        return "linear", None
    if callable(activation):
        name = getattr(activation, "name", None) or getattr(activation, "__name__", "custom")
        return str(name), activation
    raise ValueError(
        f"activation must be a name ({', '.join(_activations.names())}) or a callable "
        f"Tensor -> Tensor, got {type(activation).__name__}"
    )


def _resolve_init(init) -> tuple[str, Callable[..., np.ndarray]]:
    """(name, function) for an initialiser given by name or as a callable."""
    if isinstance(init, str):
        init_fn = _init.get(init)  # unknown name -> the registry's ValueError
        return init_fn.__name__, init_fn  # the canonical name: glorot_uniform -> xavier_uniform
    if callable(init):
        return getattr(init, "__name__", "custom"), init
    raise ValueError(
        f"init must be a name ({', '.join(_init.names())}) or a callable "
        f"f(fan_in, fan_out, rng) -> array, got {type(init).__name__}"
    )


def _initial_weights(init_fn, fan_in: int, fan_out: int, rng: np.random.Generator) -> np.ndarray:
    weights = np.array(init_fn(fan_in, fan_out, rng=rng), dtype=np.float64)
    if weights.shape != (fan_in, fan_out):
        raise ValueError(
            f"the initialiser returned shape {weights.shape}, expected (fan_in, fan_out) = "
            f"({fan_in}, {fan_out})"
        )
    return weights


def _as_input(X) -> Tensor:
    """An input batch as a constant Tensor (a Tensor is used as it is)."""
    if isinstance(X, Tensor):
        return X
    return Tensor(X, requires_grad=False)


def _short(array: np.ndarray) -> str:
    return np.array2string(np.asarray(array), precision=4, threshold=8, separator=", ")


# ------------------------------------------------------------------------ Neuron
class Neuron:
    r"""One artificial neuron: ``y = phi(sum_i w_i x_i + b)``.

    Give the weights yourself (``Neuron(weights=[0.5, -1.0], bias=0.1)``) or let an
    initialiser draw them (``Neuron(3, init="xavier_normal", rng=0)``; the bias starts
    at ``bias``, 0 by default).

    * ``neuron(x)`` for one input ``x`` of shape ``(n_inputs,)`` returns a scalar Tensor;
      for a batch ``X`` of shape ``(n, n_inputs)`` it returns shape ``(n,)``.
    * ``neuron.pre_activation(x)`` is ``z = w . x + b`` before ``phi``.
    * ``.w`` (shape ``(n_inputs,)``) and ``.b`` (shape ``()``) are Tensors; after
      ``backward()`` their ``.grad`` holds dL/dw and dL/db.
    * ``.init_name``: the initialiser that drew ``w``, or ``None`` for given weights.
    """

    def __init__(
        self,
        n_inputs: int | None = None,
        activation: str | Callable = "tanh",
        weights=None,
        bias: float = 0.0,
        init: str | Callable = "xavier_normal",
        rng=None,
    ):
        if weights is not None:
            w = np.array(weights, dtype=np.float64)
            if w.ndim != 1 or w.size == 0:
                raise ValueError(f"weights must be a non-empty 1-D list of numbers, got shape {w.shape}")
            if n_inputs is not None and positive_int(n_inputs, "n_inputs") != w.size:
                raise ValueError(f"n_inputs={n_inputs} but {w.size} weights were given")
            self.init_name = None
        else:
            if n_inputs is None:
                raise ValueError("give either n_inputs (weights drawn by init) or weights=[...]")
            n_inputs = positive_int(n_inputs, "n_inputs")
            self.init_name, init_fn = _resolve_init(init)
            w = _initial_weights(init_fn, n_inputs, 1, as_rng(rng))[:, 0]
        if not np.all(np.isfinite(w)):
            raise ValueError("weights must be finite numbers")
        try:
            b = float(bias)
        except (TypeError, ValueError):
            raise ValueError(f"bias must be a number, got {bias!r}") from None
        if not math.isfinite(b):
            raise ValueError(f"bias must be a finite number, got {bias!r}")
        self.activation_name, self._phi = _resolve_activation(activation)
        self.n_inputs = int(w.size)
        self.w = Tensor(w, label="w")
        self.b = Tensor(b, label="b")

    def pre_activation(self, x) -> Tensor:
        """``z = sum_i w_i x_i + b`` (``x @ w + b``), for one input or a batch of rows."""
        x = _as_input(x)
        if x.ndim not in (1, 2) or x.shape[-1] != self.n_inputs:
            raise ValueError(
                f"this neuron has {self.n_inputs} inputs: x must have shape ({self.n_inputs},) "
                f"or (n, {self.n_inputs}), got shape {x.shape}"
            )
        return x @ self.w + self.b

    def __call__(self, x) -> Tensor:
        """``y = phi(z)``: a scalar Tensor for one input, shape ``(n,)`` for a batch."""
        z = self.pre_activation(x)
        return z if self._phi is None else self._phi(z)

    def parameters(self) -> list[Tensor]:
        """``[w, b]``: the Tensors an optimiser updates."""
        return [self.w, self.b]

    def __repr__(self) -> str:
        w, b = _short(self.w.data), float(self.b.data)
        return f"Neuron(w={w}, b={b:.4g}, activation={self.activation_name!r})"


# ------------------------------------------------------------------------ Dense
class Dense:
    r"""A fully connected layer: ``fan_out`` neurons reading the same ``fan_in`` inputs.

    Forward, for a batch ``X`` of shape ``(n, fan_in)``::

        Z = X @ W + b        W: (fan_in, fan_out), b: (fan_out,), Z: (n, fan_out)
        A = phi(Z)

    Backward (what ``loss.backward()`` computes for this layer, given ``G = dL/dZ`` of
    shape ``(n, fan_out)``, itself ``dL/dA * phi'(Z)`` elementwise)::

        dL/dW = X^T @ G              (fan_in, fan_out): input times upstream gradient
        dL/db = sum over rows of G   (fan_out,): b was added to every row
        dL/dX = G @ W^T              (n, fan_in): passed on to the layer below

    ``W`` is drawn by ``init`` (a name from :mod:`nnlesson.init` or a callable
    ``f(fan_in, fan_out, rng) -> array``), ``b`` starts at zero.
    """

    def __init__(
        self,
        fan_in: int,
        fan_out: int,
        activation: str | Callable = "linear",
        init: str | Callable = "xavier_uniform",
        rng=None,
        name: str = "",
    ):
        self.fan_in = positive_int(fan_in, "fan_in")
        self.fan_out = positive_int(fan_out, "fan_out")
        self.activation_name, self._phi = _resolve_activation(activation)
        self.init_name, init_fn = _resolve_init(init)
        self.name = name
        suffix = name.replace("layer", "") if name else ""
        self.W = Tensor(_initial_weights(init_fn, self.fan_in, self.fan_out, as_rng(rng)), label=f"W{suffix}")
        self.b = Tensor(np.zeros(self.fan_out), label=f"b{suffix}")

    def __call__(self, X) -> Tensor:
        """``A = phi(X @ W + b)`` for ``X`` of shape ``(n, fan_in)`` (or ``(fan_in,)``)."""
        if not isinstance(X, Tensor):
            X = _as_input(X)
        if X.shape[-1:] != (self.fan_in,):
            self._wrong_input(X)
        Z = affine(X, self.W, self.b) if X.ndim == 2 else X @ self.W + self.b
        return Z if self._phi is None else self._phi(Z)

    def forward_parts(self, X) -> tuple[Tensor, Tensor]:
        """``(Z, A)``: the pre-activations and the activations (the same Tensor for linear)."""
        X = _as_input(X)
        if X.shape[-1:] != (self.fan_in,):
            self._wrong_input(X)
        Z = X @ self.W + self.b
        return Z, (Z if self._phi is None else self._phi(Z))

    def _wrong_input(self, X) -> None:
        raise ValueError(
            f"{self.name or 'layer'} expects inputs with {self.fan_in} features, shape "
            f"(n, {self.fan_in}); got X of shape {X.shape}"
        )

    def parameters(self) -> list[Tensor]:
        """``[W, b]``."""
        return [self.W, self.b]

    @property
    def n_parameters(self) -> int:
        """``fan_in * fan_out + fan_out``."""
        return self.W.size + self.b.size

    def __repr__(self) -> str:
        return (
            f"Dense({self.fan_in} -> {self.fan_out}, activation={self.activation_name!r}, "
            f"init={self.init_name!r})"
        )


# ------------------------------------------------------------------------ trace record
@dataclass
class LayerTrace:
    """What one layer did on one batch, recorded by :meth:`MLP.trace` (NumPy copies).

    ``z`` pre-activations and ``a`` activations, shape ``(n, fan_out)``; ``W``, ``b`` the
    layer's parameters at that moment. With a loss: ``grad_a`` = dL/dA and ``grad_z`` =
    dL/dZ (same shape as ``a``), ``grad_W`` = dL/dW (shape of ``W``), ``grad_b`` = dL/db;
    otherwise these are ``None``.
    """

    index: int
    name: str
    activation: str
    z: np.ndarray
    a: np.ndarray
    W: np.ndarray
    b: np.ndarray
    grad_a: np.ndarray | None = None
    grad_z: np.ndarray | None = None
    grad_W: np.ndarray | None = None
    grad_b: np.ndarray | None = None
    loss: float | None = None


# ------------------------------------------------------------------------ MLP
class MLP:
    r"""A multi-layer perceptron: dense layers, each one's output the next one's input.

    ``MLP([2, 16, 16, 1])`` has two hidden layers of 16 units and one output unit::

        A_0 = X,   A_l = phi_l(A_{l-1} @ W_l + b_l),   output = A_L

    * ``activation``: of the hidden layers (a name, a callable, or a list with one per
      hidden layer); ``output_activation``: of the last layer (``linear`` gives raw
      scores/logits, as regression and ``from_logits=True`` losses want).
    * ``init``: how every ``W_l`` is drawn (a name from :mod:`nnlesson.init` or a callable
      ``f(fan_in, fan_out, rng) -> array``), biases start at 0. ``seed`` makes it
      reproducible: the same seed gives the same weights, bit for bit.

    ``model(X)`` is the forward pass (a Tensor); ``model.parameters()`` the Tensors to
    train (``[W_1, b_1, W_2, b_2, ...]``); ``model.trace(X, y, loss)`` records every
    layer's activations and gradients for histograms.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Callable | Sequence = "tanh",
        output_activation: str | Callable = "linear",
        init: str | Callable = "xavier_uniform",
        seed=None,
    ):
        if (
            isinstance(sizes, (str, bytes))
            or not isinstance(sizes, Sequence)
            and not hasattr(sizes, "__len__")
        ):
            raise ValueError(f"sizes must be a list of layer widths such as [2, 16, 16, 1], got {sizes!r}")
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(
                f"sizes needs at least an input and an output width, such as [2, 1] or "
                f"[2, 16, 1]; got {sizes}"
            )
        for i, s in enumerate(sizes):
            if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 1:
                raise ValueError(f"every size must be a whole number >= 1; sizes[{i}] = {s!r} in {sizes}")
        self.sizes = [int(s) for s in sizes]
        n_hidden = len(sizes) - 2
        if isinstance(activation, (list, tuple)):
            if len(activation) != n_hidden:
                raise ValueError(
                    f"a list of activations needs one per hidden layer ({n_hidden}), got {len(activation)}"
                )
            hidden_acts = list(activation)
        else:
            _resolve_activation(activation)  # reject a typo even when there is no hidden layer
            hidden_acts = [activation] * n_hidden
        _resolve_init(init)  # reject a bad init before drawing anything
        rng = as_rng(seed)
        acts = hidden_acts + [output_activation]
        shapes = zip(self.sizes[:-1], self.sizes[1:], acts, strict=True)
        self.layers: list[Dense] = [
            Dense(fan_in, fan_out, activation=act, init=init, rng=rng, name=f"layer{i + 1}")
            for i, (fan_in, fan_out, act) in enumerate(shapes)
        ]

    # -- the forward pass ---------------------------------------------------------
    def __call__(self, X) -> Tensor:
        """The output for a batch ``X`` of shape ``(n, sizes[0])``: shape ``(n, sizes[-1])``."""
        A = X if isinstance(X, Tensor) else Tensor(X, requires_grad=False)
        for layer in self.layers:
            A = layer(A)
        return A

    # -- parameters ----------------------------------------------------------------
    def parameters(self) -> list[Tensor]:
        """``[W_1, b_1, W_2, b_2, ...]``: every Tensor an optimiser updates."""
        return [p for layer in self.layers for p in (layer.W, layer.b)]

    def weights(self) -> list[np.ndarray]:
        """The weight matrices ``W_l`` as NumPy arrays (the live arrays, not copies)."""
        return [layer.W.data for layer in self.layers]

    def zero_grad(self) -> None:
        """Reset every parameter's gradient."""
        for p in self.parameters():
            p.zero_grad()

    @property
    def n_parameters(self) -> int:
        """How many numbers training adjusts: sum over layers of fan_in * fan_out + fan_out."""
        return sum(layer.n_parameters for layer in self.layers)

    @property
    def n_inputs(self) -> int:
        return self.sizes[0]

    @property
    def n_outputs(self) -> int:
        return self.sizes[-1]

    @property
    def output_activation(self) -> str:
        """The name of the last layer's activation."""
        return self.layers[-1].activation_name

    # -- recording for histograms ------------------------------------------------
    def trace(self, X, y=None, loss=None, from_logits: bool = False) -> list[LayerTrace]:
        """One recorded forward (and, given ``y`` and ``loss``, backward) pass.

        Returns one :class:`LayerTrace` per layer with NumPy copies of the pre-activations
        ``z``, activations ``a`` and, with a loss, the gradients ``dL/da``, ``dL/dz``,
        ``dL/dW``, ``dL/db`` of this batch (``loss`` is a name from :mod:`nnlesson.losses`
        or a callable; ``y`` as :func:`nnlesson.train.fit` takes it: integer labels are
        converted for the loss the same way).

        The pass has its own graph (every node keeps its gradient), and the parameters'
        ``.grad`` is restored afterwards: tracing does not disturb training.
        """
        if (y is None) != (loss is None):
            raise ValueError("give both y and loss to record gradients, or neither")
        X = _as_input(X)
        zs, as_ = [], []
        A = X
        for layer in self.layers:
            Z, A = layer.forward_parts(A)
            zs.append(Z)
            as_.append(A)
        loss_value = None
        grads = None
        if loss is not None:
            loss_fn = _losses.get(loss) if isinstance(loss, str) else loss
            target = prepare_targets(y, loss_fn, A.shape, what="y")  # also rejects a bad loss
            params = self.parameters()
            saved = [p.grad if p.has_grad else None for p in params]  # restored below
            try:
                for p in params:
                    p.zero_grad()
                with np.errstate(all="ignore"):
                    L = loss_fn(A, target, from_logits=from_logits)
                    L.backward(keep_grads=True)
                loss_value = float(L.data)
                grads = [
                    (
                        a.grad.copy(),
                        z.grad.copy(),
                        layer.W.grad.copy(),
                        layer.b.grad.copy(),
                    )
                    for layer, z, a in zip(self.layers, zs, as_, strict=True)
                ]
            finally:
                for p, g in zip(params, saved, strict=True):
                    p.grad = g
        traces = []
        for i, (layer, Z, A) in enumerate(zip(self.layers, zs, as_, strict=True)):
            g = grads[i] if grads is not None else (None, None, None, None)
            traces.append(
                LayerTrace(
                    index=i,
                    name=layer.name,
                    activation=layer.activation_name,
                    z=Z.data.copy(),
                    a=A.data.copy(),
                    W=layer.W.data.copy(),
                    b=layer.b.data.copy(),
                    grad_a=g[0],
                    grad_z=g[1],
                    grad_W=g[2],
                    grad_b=g[3],
                    loss=loss_value,
                )
            )
        return traces

    def __repr__(self) -> str:
        lines = [f"MLP({self.sizes}, {self.n_parameters} parameters)"]
        lines += [f"  {layer.name}: {layer!r}" for layer in self.layers]
        return "\n".join(lines)
