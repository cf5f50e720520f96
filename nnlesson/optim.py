r"""Optimisers: how a gradient becomes a change of the weights.

Gradient descent moves every parameter ``w`` a small step against its gradient::

    w <- w - alpha * dL/dw                   (alpha: the learning rate)

With **momentum** ``mu`` (0 <= mu < 1) the step is a running, decaying sum of past
gradients, a "velocity" ``v`` that starts at 0::

    v <- mu * v - alpha * dL/dw
    w <- w + v

so steps grow along directions where the gradient keeps its sign and cancel where it
oscillates (Polyak's heavy ball; the form PyTorch and Keras use up to a rescaling of v).
``mu = 0`` is plain gradient descent.

Typical loop::

    optimizer = SGD(model.parameters(), lr=0.1)
    for epoch in range(100):
        optimizer.zero_grad()              # gradients accumulate: reset them first
        loss = mse(model(X), y)
        loss.backward()
        optimizer.step()
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

from nnlesson._checks import positive_number
from nnlesson.engine import Tensor

__all__ = ["SGD"]


class SGD:
    r"""Stochastic gradient descent, optionally with momentum.

    ``SGD(params, lr, momentum=0.0)``: ``params`` are the Tensors to train (e.g.
    ``model.parameters()``), ``lr`` the learning rate alpha (a finite number > 0),
    ``momentum`` mu in [0, 1).

    ``step()`` applies, to every parameter ``w`` with gradient ``g = dL/dw``::

        mu = 0:   w <- w - alpha * g
        mu > 0:   v <- mu * v - alpha * g ;   w <- w + v

    The update happens in place on ``w.data``, so the model sees the new values.
    ``zero_grad()`` resets the gradients (call it before every ``backward()``).
    ``lr`` (alias ``learning_rate``) and ``momentum`` may be changed between steps;
    they are checked every time.
    """

    def __init__(self, params: Iterable[Tensor], lr: float, momentum: float = 0.0):
        self.params: list[Tensor] = list(params)
        if not self.params:
            raise ValueError("SGD got no parameters to train (an empty list)")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise ValueError(f"SGD trains Tensors; parameter {i} is a {type(p).__name__}")
            if p.data.dtype.kind != "f":
                raise ValueError(f"parameter {i} must hold floats to be trained, got dtype {p.data.dtype}")
        self.lr = lr
        self.momentum = momentum
        self.velocities: list[np.ndarray] = [np.zeros_like(p.data) for p in self.params]

    # -- hyper-parameters, validated whenever they are set ------------------------
    @property
    def lr(self) -> float:
        """The learning rate alpha: a finite number > 0."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._lr = positive_number(value, "lr (the learning rate)")

    learning_rate = lr  # the same property under its long name (Keras spells it so)

    @property
    def momentum(self) -> float:
        """The momentum mu, in [0, 1)."""
        return self._momentum

    @momentum.setter
    def momentum(self, value: float) -> None:
        try:
            mu = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"momentum must be a number in [0, 1), got {value!r}") from None
        if not math.isfinite(mu) or not 0.0 <= mu < 1.0:
            raise ValueError(f"momentum must be a number in [0, 1) (0 = none, 0.9 is usual), got {value!r}")
        self._momentum = mu

    # -- the update -----------------------------------------------------------------
    def step(self) -> None:
        """Move every parameter one step against its gradient (see the class docstring)."""
        lr, mu = self._lr, self._momentum
        if mu == 0.0:
            for p in self.params:
                p.data -= lr * p.grad
        else:
            for p, v in zip(self.params, self.velocities, strict=True):
                v *= mu
                v -= lr * p.grad
                p.data += v

    def zero_grad(self) -> None:
        """Reset the gradient of every parameter (``.grad`` reads as zeros again)."""
        for p in self.params:
            p.zero_grad()

    def reset(self) -> None:
        """Forget the momentum (velocities back to 0)."""
        for v in self.velocities:
            v[...] = 0.0

    def __repr__(self) -> str:
        extra = f", momentum={self._momentum:g}" if self._momentum else ""
        return f"SGD({len(self.params)} parameter tensors, lr={self._lr:g}{extra})"
