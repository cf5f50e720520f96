"""The chain-rule engine: reverse-mode automatic differentiation over NumPy.

A ``Tensor`` holds a NumPy array (``.data``) and, after a backward pass, the gradient
of a loss ``L`` with respect to it (``.grad``, the same shape). Every operation below
does two things, written next to each other:

* **forward**: compute the value ``z = h(x, y)`` and remember the inputs;
* **backward**: given ``dL/dz`` (called ``g`` in the code), return the gradients of its
  inputs by the chain rule,

      dL/dx = dL/dz * dz/dx        dL/dy = dL/dz * dz/dy

  where ``dz/dx`` and ``dz/dy`` are the *local* derivatives of this one operation.
  Each docstring states them.

``Tensor.backward()`` visits the graph from the loss back to the inputs, in reverse
order of creation (a result is always created after its inputs, so this is a
topological order), and hands every node the sum of the gradients that flow into it.
That is all backpropagation is.

Design notes for the curious (they make the engine fast, not different):

* Broadcasting: if ``x`` was broadcast in the forward pass, its gradient is summed
  back to ``x``'s shape (``_unbroadcast``).
* Gradients accumulate in ``.grad`` across ``backward()`` calls until ``zero_grad()``.
* No gradient array exists until the backward pass reaches a tensor; nothing is
  zero-filled in advance.
* A backward function never refers to its own output tensor, so a graph has no
  reference cycles and is freed the moment the last tensor of it goes out of scope.
* The backward pass is a loop, not a recursion: a chain of 100,000 operations works.
* Speed that has nothing to do with the chain rule (the C allocator's settings) lives
  in ``nnlesson/_memory.py``.
"""

from __future__ import annotations

import contextlib
import itertools
import numbers
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np


class _GradMode(threading.local):
    """Whether operations record a graph; switched off inside ``no_grad()``.

    One switch per thread (as in PyTorch): a ``no_grad()`` block in one thread, say a
    widget callback, never stops another thread from recording its graph.
    """

    enabled = True


_grad_mode = _GradMode()
_creation_counter = itertools.count()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block no graph is recorded: results have no parents, no backward.

    Use it for evaluation and plotting, where no gradient is needed::

        with no_grad():
            prediction = model(X)
    """
    previous = _grad_mode.enabled
    _grad_mode.enabled = False
    try:
        yield
    finally:
        _grad_mode.enabled = previous


def is_grad_enabled() -> bool:
    """True unless we are inside ``no_grad()`` (in this thread)."""
    return _grad_mode.enabled


def _unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``g`` back to ``shape``: the gradient of a broadcast operand.

    If ``x`` of shape (3,) was added to every row of a (5, 3) array, each element of
    ``x`` influenced 5 outputs, so its gradient is the sum over those 5 rows.
    """
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    return g


class Tensor:
    """A NumPy array that remembers how it was computed, so gradients can flow back.

    >>> x = Tensor(2.0, label="x")
    >>> y = (x * x + 1.0).tanh()
    >>> y.backward()
    >>> round(float(x.grad), 6)      # dy/dx = (1 - tanh(x^2 + 1)^2) * 2x
    0.000726

    Tensors you create (leaves) require a gradient unless ``requires_grad=False``;
    Python numbers and arrays mixed into an expression become constants.
    """

    __slots__ = ("data", "_grad", "requires_grad", "parents", "op", "label", "_backward", "_order")

    # Make ``ndarray + Tensor`` call Tensor.__radd__ instead of NumPy's own loop.
    __array_ufunc__ = None

    def __init__(self, data, label: str = "", requires_grad: bool = True, dtype=np.float64):
        if isinstance(data, Tensor):
            data = data.data
        try:
            array = np.array(data)  # a copy: the tensor never shares memory with your array
        except (TypeError, ValueError) as error:  # e.g. a ragged list
            raise ValueError(f"Tensor data must be a number or an array of numbers: {error}") from None
        if array.dtype.kind not in "biuf":  # bool, int, unsigned, float; not None, str, complex
            raise ValueError(
                f"Tensor data must be a number or an array of numbers, got {type(data).__name__} "
                f"(NumPy dtype {array.dtype})"
            )
        self.data = array.astype(dtype, copy=False)
        self._grad = None
        self.requires_grad = bool(requires_grad)
        self.parents: tuple[Tensor, ...] = ()
        self.op = ""
        self.label = label
        self._backward = None
        self._order = next(_creation_counter)

    # ------------------------------------------------------------------ basics
    @property
    def grad(self) -> np.ndarray:
        """dL/d(this tensor); zeros until a backward pass reaches it.

        May be assigned an array of this tensor's shape, or ``None`` to forget it.
        """
        if self._grad is None:
            self._grad = np.zeros_like(self.data)
        return self._grad

    @grad.setter
    def grad(self, value) -> None:
        if value is None:
            self._grad = None
            return
        g = np.asarray(value, dtype=self.data.dtype)
        if g.shape != self.data.shape:
            raise ValueError(f"grad must have the tensor's shape {self.data.shape}, got shape {g.shape}")
        self._grad = g

    @property
    def has_grad(self) -> bool:
        """True once a backward pass has stored a gradient here (``.grad`` reads zeros before)."""
        return self._grad is not None

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad`` reads as zeros again)."""
        self._grad = None

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def T(self) -> Tensor:
        return self.transpose()

    def item(self) -> float:
        """The value of a one-element tensor (any shape: (), (1,), (1, 1)) as a Python float."""
        if self.data.size != 1:
            raise ValueError(f"item() needs a one-element tensor; this one has shape {self.data.shape}")
        return float(self.data.item())

    def numpy(self) -> np.ndarray:
        """The value as a NumPy array (the same object as ``.data``)."""
        return self.data

    def __repr__(self) -> str:
        value = np.array2string(self.data, precision=4, threshold=20, separator=", ")
        extras = "".join(
            [f", op={self.op!r}" if self.op else "", f", label={self.label!r}" if self.label else ""]
        )
        return f"Tensor({value}{extras})"

    # --------------------------------------------------------- building graphs
    @staticmethod
    def _result(data, parents: tuple[Tensor, ...], op: str, backward: Callable) -> Tensor:
        """Wrap the output of an operation; record its graph only if a gradient is needed."""
        out = Tensor.__new__(Tensor)
        out.data = data if type(data) is np.ndarray else np.asarray(data)
        out._grad = None
        out.op = op
        out.label = ""
        out._order = next(_creation_counter)
        needs_grad = False
        if _grad_mode.enabled:
            for parent in parents:  # a plain loop: this runs for every node of every graph
                if parent.requires_grad:
                    needs_grad = True
                    break
        if needs_grad:
            out.requires_grad = True
            out.parents = parents
            out._backward = backward
        else:
            out.requires_grad = False
            out.parents = ()
            out._backward = None
        return out

    @staticmethod
    def _constant(value) -> Tensor:
        """A Python number or array used in an expression: part of the graph, no gradient."""
        if isinstance(value, Tensor):
            return value
        return Tensor(value, requires_grad=False)

    # ------------------------------------------------------------ arithmetic
    def __add__(self, other) -> Tensor:
        """z = x + y.   dz/dx = 1, dz/dy = 1: addition hands g to both inputs unchanged."""
        other = Tensor._constant(other)
        xs, ys = self.data.shape, other.data.shape

        def backward(g):
            return _unbroadcast(g, xs), _unbroadcast(g, ys)

        return Tensor._result(self.data + other.data, (self, other), "+", backward)

    def __mul__(self, other) -> Tensor:
        """z = x * y.   dz/dx = y, dz/dy = x: multiplication swaps its inputs."""
        other = Tensor._constant(other)
        x, y = self.data, other.data

        def backward(g):
            return _unbroadcast(g * y, x.shape), _unbroadcast(g * x, y.shape)

        return Tensor._result(x * y, (self, other), "*", backward)

    def __sub__(self, other) -> Tensor:
        """z = x - y.   dz/dx = 1, dz/dy = -1."""
        other = Tensor._constant(other)
        xs, ys = self.data.shape, other.data.shape

        def backward(g):
            return _unbroadcast(g, xs), _unbroadcast(-g, ys)

        return Tensor._result(self.data - other.data, (self, other), "-", backward)

    def __truediv__(self, other) -> Tensor:
        """z = x / y.   dz/dx = 1/y, dz/dy = -x/y^2."""
        other = Tensor._constant(other)
        x, y = self.data, other.data

        def backward(g):
            gx = g / y
            return _unbroadcast(gx, x.shape), _unbroadcast(-gx * x / y, y.shape)

        return Tensor._result(x / y, (self, other), "/", backward)

    def __neg__(self) -> Tensor:
        """z = -x.   dz/dx = -1."""

        def backward(g):
            return (-g,)

        return Tensor._result(-self.data, (self,), "neg", backward)

    def __pow__(self, exponent) -> Tensor:
        """z = x^p for a number p.   dz/dx = p x^(p-1)."""
        if not isinstance(exponent, numbers.Real):
            raise ValueError(
                f"only a plain number may be used as an exponent (x ** 2, x ** 0.5), got {exponent!r}"
            )
        p = float(exponent)
        x = self.data

        def backward(g):
            return (g * p * x ** (p - 1.0),)

        return Tensor._result(x**p, (self,), f"**{exponent:g}", backward)

    def __matmul__(self, other) -> Tensor:
        """z = x @ y (matrix product).   dL/dx = g @ y^T,  dL/dy = x^T @ g.

        With X of shape (n, fan_in) and W of shape (fan_in, fan_out) this is a whole
        layer's weighted sums at once: z[i, j] = sum_k X[i, k] W[k, j].
        """
        other = Tensor._constant(other)
        x, y = self.data, other.data
        if x.ndim == 0 or y.ndim == 0 or x.ndim > 2 or y.ndim > 2:
            raise ValueError(
                f"@ needs 1-D or 2-D operands, got shapes {x.shape} @ {y.shape}; use * for scalars"
            )
        if x.shape[-1] != y.shape[0]:
            raise ValueError(
                f"cannot multiply shapes {x.shape} @ {y.shape}: the inner sizes "
                f"{x.shape[-1]} and {y.shape[0]} must be equal"
            )
        need_x, need_y = self.requires_grad, other.requires_grad

        def backward(g):
            if x.ndim == 2 and y.ndim == 2:
                gx = g @ y.T if need_x else None
                gy = x.T @ g if need_y else None
            elif x.ndim == 2:  # matrix @ vector -> vector
                gx = np.outer(g, y) if need_x else None
                gy = x.T @ g if need_y else None
            elif y.ndim == 2:  # vector @ matrix -> vector
                gx = y @ g if need_x else None
                gy = np.outer(x, g) if need_y else None
            else:  # vector @ vector -> scalar
                gx, gy = g * y, g * x
            return gx, gy

        return Tensor._result(x @ y, (self, other), "@", backward)

    def __radd__(self, other) -> Tensor:
        return Tensor._constant(other) + self

    def __rmul__(self, other) -> Tensor:
        return Tensor._constant(other) * self

    def __rsub__(self, other) -> Tensor:
        return Tensor._constant(other) - self

    def __rtruediv__(self, other) -> Tensor:
        return Tensor._constant(other) / self

    def __rmatmul__(self, other) -> Tensor:
        return Tensor._constant(other) @ self

    # ------------------------------------------------------------ reductions
    def sum(self, axis=None, keepdims: bool = False) -> Tensor:
        """z = sum_i x_i.   dz/dx_i = 1: every summed element gets the gradient g."""
        shape = self.data.shape

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g, shape),)

        return Tensor._result(self.data.sum(axis=axis, keepdims=keepdims), (self,), "sum", backward)

    def mean(self, axis=None, keepdims: bool = False) -> Tensor:
        """z = (1/n) sum_i x_i.   dz/dx_i = 1/n."""
        shape = self.data.shape
        out = self.data.mean(axis=axis, keepdims=keepdims)
        n = self.data.size // max(np.size(out), 1)

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (np.broadcast_to(g / n, shape),)

        return Tensor._result(out, (self,), "mean", backward)

    def logsumexp(self, axis: int = -1, keepdims: bool = False) -> Tensor:
        """z = log sum_k exp(x_k), computed stably as m + log sum_k exp(x_k - m), m = max x.

        dz/dx_k = exp(x_k) / sum_j exp(x_j) = softmax(x)_k.
        """
        x = self.data
        m = x.max(axis=axis, keepdims=True)
        e = np.exp(x - m)
        s = e.sum(axis=axis, keepdims=True)
        out = m + np.log(s)
        probabilities = e / s

        def backward(g):
            if axis is not None and not keepdims:
                g = np.expand_dims(g, axis)
            return (g * probabilities,)

        return Tensor._result(out if keepdims else out.squeeze(axis), (self,), "logsumexp", backward)

    # ---------------------------------------------------------- elementwise
    def exp(self) -> Tensor:
        """z = e^x.   dz/dx = e^x = z."""
        z = np.exp(self.data)

        def backward(g):
            return (g * z,)

        return Tensor._result(z, (self,), "exp", backward)

    def log(self) -> Tensor:
        """z = ln x.   dz/dx = 1/x."""
        x = self.data

        def backward(g):
            return (g / x,)

        return Tensor._result(np.log(x), (self,), "log", backward)

    def tanh(self) -> Tensor:
        """z = tanh x.   dz/dx = 1 - tanh(x)^2 = 1 - z^2."""
        z = np.tanh(self.data)

        def backward(g):
            return (g * (1.0 - z * z),)

        return Tensor._result(z, (self,), "tanh", backward)

    def sigmoid(self) -> Tensor:
        """z = 1 / (1 + e^-x).   dz/dx = z (1 - z).

        Computed as exp(-softplus(-x)), which never overflows for large |x|.
        """
        z = np.exp(-np.logaddexp(0.0, -self.data))

        def backward(g):
            return (g * z * (1.0 - z),)

        return Tensor._result(z, (self,), "sigmoid", backward)

    def relu(self) -> Tensor:
        """z = max(0, x).   dz/dx = 1 where x > 0, else 0."""
        x = self.data

        def backward(g):
            return (g * (x > 0),)

        return Tensor._result(np.maximum(x, 0.0), (self,), "relu", backward)

    def leaky_relu(self, slope: float = 0.01) -> Tensor:
        """z = x where x > 0, else slope * x.   dz/dx = 1 where x > 0, else slope."""
        if not isinstance(slope, numbers.Real):
            raise ValueError(f"slope must be a number (0.01 is usual), got {slope!r}")
        x = self.data
        positive = x > 0

        def backward(g):
            return (g * np.where(positive, 1.0, slope),)

        return Tensor._result(np.where(positive, x, slope * x), (self,), "leaky_relu", backward)

    def softplus(self) -> Tensor:
        """z = ln(1 + e^x), computed stably.   dz/dx = sigmoid(x) = e^(x - z).

        (e^(x - z) = e^x / (1 + e^x) is the sigmoid; x - z <= 0, so it never overflows.)
        """
        x = self.data
        z = np.logaddexp(0.0, x)

        def backward(g):
            return (g * np.exp(x - z),)

        return Tensor._result(z, (self,), "softplus", backward)

    def abs(self) -> Tensor:
        """z = |x|.   dz/dx = sign(x) (0 at x = 0)."""
        x = self.data

        def backward(g):
            return (g * np.sign(x),)

        return Tensor._result(np.abs(x), (self,), "abs", backward)

    def maximum(self, other) -> Tensor:
        """z = max(x, y) elementwise.   The gradient is routed to the larger input:
        dz/dx = 1 where x >= y (else 0), dz/dy = 1 where y > x (else 0)."""
        other = Tensor._constant(other)
        x, y = self.data, other.data
        x_wins = x >= y

        def backward(g):
            return _unbroadcast(g * x_wins, x.shape), _unbroadcast(g * ~x_wins, y.shape)

        return Tensor._result(np.maximum(x, y), (self, other), "max", backward)

    def clip(self, low: float, high: float) -> Tensor:
        """z = min(max(x, low), high).   dz/dx = 1 inside [low, high], 0 where clipped."""
        x = self.data
        inside = (x >= low) & (x <= high)

        def backward(g):
            return (g * inside,)

        return Tensor._result(np.clip(x, low, high), (self,), "clip", backward)

    def softmax(self, axis: int = -1) -> Tensor:
        """s_k = e^(x_k) / sum_j e^(x_j)  (shifted by max x for stability).

        ds_k/dx_j = s_k (delta_kj - s_j), so  dL/dx = s * (g - sum_k g_k s_k).
        """
        x = self.data
        e = np.exp(x - x.max(axis=axis, keepdims=True))
        s = e / e.sum(axis=axis, keepdims=True)

        def backward(g):
            return (s * (g - (g * s).sum(axis=axis, keepdims=True)),)

        return Tensor._result(s, (self,), "softmax", backward)

    def log_softmax(self, axis: int = -1) -> Tensor:
        """z_k = x_k - logsumexp(x), stable for logits of any size.

        dL/dx = g - softmax(x) * sum_k g_k.
        """
        x = self.data
        shifted = x - x.max(axis=axis, keepdims=True)
        log_norm = np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
        z = shifted - log_norm
        s = np.exp(z)

        def backward(g):
            return (g - s * g.sum(axis=axis, keepdims=True),)

        return Tensor._result(z, (self,), "log_softmax", backward)

    # ----------------------------------------------------------- shape ops
    def reshape(self, *shape) -> Tensor:
        """Same numbers, new shape; the gradient is reshaped back."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        old = self.data.shape

        def backward(g):
            return (g.reshape(old),)

        return Tensor._result(self.data.reshape(shape), (self,), "reshape", backward)

    def transpose(self) -> Tensor:
        """Reverse the axes (the matrix transpose for 2-D); the gradient is transposed back."""

        def backward(g):
            return (g.T,)

        return Tensor._result(self.data.T, (self,), "T", backward)

    def __getitem__(self, index) -> Tensor:
        """z = x[index].   The gradient goes back to the picked elements (and adds up
        where an element was picked twice)."""
        if isinstance(index, Tensor):
            index = index.data.astype(int)
        x = self.data

        def backward(g):
            gx = np.zeros_like(x)
            np.add.at(gx, index, g)
            return (gx,)

        return Tensor._result(x[index], (self,), "[]", backward)

    # --------------------------------------------------------- the backward pass
    def backward(self, grad=None, keep_grads: bool = True) -> None:
        """Run the chain rule from this tensor back to every tensor it depends on.

        ``grad`` is dL/d(this tensor); leave it out for a one-element tensor such as a
        loss (then dL/dL = 1). Gradients *accumulate* into ``.grad``: call ``zero_grad()``
        (or an optimizer's ``zero_grad()``) between training steps.

        ``keep_grads=True`` (the default) keeps the gradient of every node of the graph,
        intermediate results included, so you can inspect and draw them.
        ``keep_grads=False`` keeps only the leaves' (the tensors you created, such as
        weights); training loops use it because it is faster and uses less memory.
        """
        if not self.requires_grad:
            raise ValueError(
                "backward() needs a tensor that depends on a tensor requiring a gradient; "
                "this one does not (was it computed inside no_grad(), or only from constants?)"
            )
        if grad is None:
            if self.data.size != 1:
                raise ValueError(
                    f"backward() without grad= works only for a one-element tensor such as a "
                    f"loss; this one has shape {self.data.shape}. Reduce it first (.sum(), "
                    f".mean()) or pass grad= with that shape"
                )
            seed = np.ones_like(self.data)
        else:
            seed = np.asarray(grad, dtype=self.data.dtype)
            if seed.shape != self.data.shape:
                raise ValueError(f"grad has shape {seed.shape} but the tensor has shape {self.data.shape}")

        # 1. Every node that needs a gradient, each after all the nodes that use it.
        nodes = backward_order(self)

        # 2. Hand each node the total gradient flowing into it, then apply its chain rule.
        pending = {self: seed}
        for node in nodes:
            g = pending.pop(node, None)
            if g is None:
                continue
            if node._backward is None or keep_grads:
                # Store (and accumulate) the gradient. A copy, so that no two tensors
                # ever share one gradient array.
                node._grad = np.array(g) if node._grad is None else node._grad + g
            if node._backward is None:
                continue
            for parent, parent_grad in zip(node.parents, node._backward(g), strict=True):
                if parent_grad is None or not parent.requires_grad:
                    continue
                if parent in pending:  # reached twice (fan-out): gradients add up
                    pending[parent] = pending[parent] + parent_grad
                else:
                    pending[parent] = parent_grad


def affine(x: Tensor, W: Tensor, b: Tensor) -> Tensor:
    """z = x @ W + b in one step: a whole dense layer's weighted sums, one node.

    The same numbers as ``x @ W + b`` (two nodes); layers use it because every node of a
    graph costs a few microseconds of Python, and a training step is mostly such nodes.
    For ``x`` of shape (n, fan_in), ``W`` (fan_in, fan_out), ``b`` (fan_out,) and g = dL/dz:

        dL/dx = g @ W^T        dL/dW = x^T @ g        dL/db = sum of g over the rows
    """
    x, W, b = Tensor._constant(x), Tensor._constant(W), Tensor._constant(b)
    xd, Wd, bd = x.data, W.data, b.data
    if xd.ndim != 2 or Wd.ndim != 2 or bd.shape != Wd.shape[1:] or xd.shape[1] != Wd.shape[0]:
        raise ValueError(
            f"affine needs x (n, fan_in), W (fan_in, fan_out) and b (fan_out,); got shapes "
            f"{xd.shape}, {Wd.shape} and {bd.shape}"
        )
    need_x = x.requires_grad

    def backward(g):
        return (g @ Wd.T if need_x else None), xd.T @ g, g.sum(axis=0)

    return Tensor._result(xd @ Wd + bd, (x, W, b), "affine", backward)


def backward_order(root: Tensor) -> list[Tensor]:
    """The tensors ``root.backward()`` visits, in the order it visits them.

    Every tensor reachable from ``root`` through parents that require a gradient, found
    with a loop (no recursion limit), sorted by creation, **newest first**. A result is
    always created after its inputs, so each node comes after every node that uses it:
    when the backward pass reaches a node, all the gradient flowing into it has arrived.
    """
    seen, stack = {root}, [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
            if parent.requires_grad and parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return sorted(seen, key=_creation_order, reverse=True)


def _creation_order(t: Tensor) -> int:
    return t._order


def as_tensor(value, requires_grad: bool = False) -> Tensor:
    """``value`` itself if it is already a Tensor, else a new Tensor of it."""
    if isinstance(value, Tensor):
        return value
    return Tensor(value, requires_grad=requires_grad)


# ---------------------------------------------------------------- gradient check
@dataclass(frozen=True)
class GradcheckResult:
    """The outcome of ``gradcheck``: the worst relative error for each input."""

    max_relative_errors: tuple[float, ...]
    tolerance: float

    @property
    def ok(self) -> bool:
        """True when every input's worst relative error is within ``tolerance``."""
        return all(e <= self.tolerance for e in self.max_relative_errors)

    def __bool__(self) -> bool:
        return self.ok

    def __str__(self) -> str:
        verdict = "OK" if self.ok else "MISMATCH"
        errors = ", ".join(f"{e:.1e}" for e in self.max_relative_errors)
        return (
            f"gradcheck {verdict}: worst relative error per input [{errors}] (tolerance {self.tolerance:.0e})"
        )


def gradcheck(
    f: Callable[..., Tensor], *inputs, eps: float = 1e-6, tolerance: float = 1e-6
) -> GradcheckResult:
    """Compare the engine's gradients of ``f(*inputs)`` with central finite differences.

    For each input element x_i:  numeric = (L(x_i + eps) - L(x_i - eps)) / (2 eps),
    where L = sum(f(*inputs) * r) with fixed random weights r (so every output counts).
    (The two outputs are subtracted before they are weighted and summed, so outputs that
    x_i does not touch contribute exactly 0 instead of rounding noise.)
    The relative error of an input is its worst element's error measured against the
    size of that input's gradient:  max_i |a_i - n_i| / max(max_i |a_i|, max_i |n_i|, 1e-8)
    (a for analytic, n for numeric). Measuring against the largest element, not each
    element's own size, keeps tiny gradients (where finite differences only have a few
    correct digits) from raising false alarms; a wrong formula still shows up as an error
    near 1. Below 1e-7 is excellent, above 1e-2 is almost certainly a bug (CS231n's rule).
    Use float64 inputs, away from kinks (relu at 0, |x| at 0, clip at its bounds), where
    the derivative jumps and no finite difference can agree with it.
    The inputs' own ``.grad`` and ``requires_grad`` are left as they were.
    """
    tensors = [x if isinstance(x, Tensor) else Tensor(x) for x in inputs]
    saved = [(t._grad, t.requires_grad) for t in tensors]
    for t in tensors:
        t.requires_grad = True
        t._grad = None
    try:
        out = f(*tensors)
        if not isinstance(out, Tensor):
            raise ValueError(f"gradcheck needs f to return a Tensor, got {type(out).__name__}")
        rng = np.random.default_rng(0)
        weights = rng.standard_normal(out.shape) if out.size > 1 else np.ones(out.shape)
        out.backward(weights)
        analytic = [t.grad.copy() for t in tensors]

        def output() -> np.ndarray:
            with no_grad():  # a copy: reshape, .T or slicing may return a view of the input
                return np.array(f(*tensors).data)

        errors = []
        for t, a in zip(tensors, analytic, strict=True):
            numeric = np.zeros_like(t.data)
            for i in np.ndindex(t.data.shape):  # works whatever the memory layout
                original = t.data[i]
                t.data[i] = original + eps
                up = output()
                t.data[i] = original - eps
                down = output()
                t.data[i] = original
                numeric[i] = np.sum((up - down) * weights) / (2 * eps)
            if a.size == 0:
                errors.append(0.0)
                continue
            scale = max(np.abs(a).max(), np.abs(numeric).max(), 1e-8)
            errors.append(float(np.abs(a - numeric).max() / scale))
    finally:
        for t, (g, requires_grad) in zip(tensors, saved, strict=True):
            t._grad, t.requires_grad = g, requires_grad
    return GradcheckResult(tuple(errors), tolerance)
