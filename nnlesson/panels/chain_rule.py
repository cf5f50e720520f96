r"""Panels and helpers of notebook 5, "What is the chain rule in gradient flow?".

* Small graphs to draw: :func:`tanh_graph` (``L = tanh(w x + b)``), :func:`fanout_graph`
  (``a = x y;  L = a + x``), :func:`exercise_graph`, and the four gates of
  :func:`gates_figure` / :func:`gate_rows` (add distributes, multiply swaps, max routes,
  tanh scales: CS231n's "patterns in backward flow").
* :func:`backward_steps_panel`: step through ``L.backward()`` one node at a time, in the
  engine's order, on a drawing of the graph; sliders for the inputs ``x, w, b``.
* Backpropagation by hand, in NumPy, as forward/backward pairs in the style of CS231n's
  ``layers.py`` (``affine_forward`` / ``affine_backward`` ...), for a whole MLP:
  :func:`mlp_gradients_by_hand` and :func:`compare_with_engine`.
* Exercise helpers: :func:`check_backward` runs ``gradcheck`` on a backward function the
  learner writes for a new operation (softsign ``x / (1 + |x|)`` or the cube ``x^3``).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib.figure import Figure

from nnlesson import losses, nn, plots, widgets
from nnlesson.engine import Tensor, gradcheck
from nnlesson.exercises import Feedback
from nnlesson.graph_drawing import BackwardStep, backward_steps, draw_graph, format_value, graph_nodes

__all__ = [
    "PANELS",
    "affine_backward",
    "affine_forward",
    "backward_steps_panel",
    "check_backward",
    "compare_with_engine",
    "describe_step",
    "exercise_gradients",
    "exercise_graph",
    "fanout_graph",
    "gate_rows",
    "gates_figure",
    "mlp_gradients_by_hand",
    "mse_backward",
    "mse_forward",
    "softsign",
    "softsign_backward_solution",
    "tanh_backward",
    "tanh_forward",
    "tanh_graph",
]

PANELS = ("backward_steps_panel",)


# ------------------------------------------------------------------ small graphs
def _named(t: Tensor, label: str) -> Tensor:
    t.label = label
    return t


def tanh_graph(x: float = 1.5, w: float = -0.8, b: float = 0.5) -> Tensor:
    """``L = tanh(w x + b)``, every node labelled: ``x, w, b, w·x, z, L``. Returns ``L``."""
    xt, wt, bt = Tensor(x, label="x"), Tensor(w, label="w"), Tensor(b, label="b")
    wx = _named(wt * xt, "w·x")
    z = _named(wx + bt, "z")
    return _named(z.tanh(), "L")


def fanout_graph(x: float = 2.0, y: float = -3.0) -> Tensor:
    """``a = x y;  L = a + x``: ``x`` is used twice, so its two gradients add up. Returns ``L``."""
    xt, yt = Tensor(x, label="x"), Tensor(y, label="y")
    a = _named(xt * yt, "a")
    return _named(a + xt, "L")


def exercise_graph(x: float = 2.0, y: float = 1.5, z: float = 1.0) -> Tensor:
    """``L = max(x y, z) (x + z)``: ``x`` and ``z`` each reach ``L`` along two paths."""
    xt, yt, zt = Tensor(x, label="x"), Tensor(y, label="y"), Tensor(z, label="z")
    m = _named(_named(xt * yt, "x·y").maximum(zt), "m")
    s = _named(xt + zt, "s")
    return _named(m * s, "L")


def exercise_gradients(x: float = 2.0, y: float = 1.5, z: float = 1.0) -> dict[str, float]:
    """``{label: dL/d(label)}`` for :func:`exercise_graph`, by the engine on a fresh graph."""
    L = exercise_graph(x, y, z)
    L.backward()
    return {t.label: float(t.grad) for t in graph_nodes(L) if t.label}


# ------------------------------------------------------------------ the gates
_GATES = (
    ("add", "+", "distributes: every input gets g unchanged"),
    ("multiply", "*", "swaps: each input gets g times the other input"),
    ("max", "max", "routes: the larger input gets all of g, the other 0"),
    ("tanh", "tanh", "scales: g times the local slope 1 − z²"),
)


def _gate(op: str, x: float, y: float, tanh_x: float) -> tuple[Tensor, list[Tensor]]:
    """``z`` for one gate (labelled inputs ``x``, ``y``; tanh takes ``tanh_x`` alone)."""
    if op == "tanh":
        xt = Tensor(tanh_x, label="x")
        return _named(xt.tanh(), "z"), [xt]
    xt, yt = Tensor(x, label="x"), Tensor(y, label="y")
    z = {"+": lambda: xt + yt, "*": lambda: xt * yt, "max": lambda: xt.maximum(yt)}[op]()
    return _named(z, "z"), [xt, yt]


def gate_rows(x: float = 3.0, y: float = -2.0, upstream: float = 2.0, tanh_x: float = 0.5) -> list[dict]:
    """For each gate ``z = x + y, x * y, max(x, y), tanh(x)``: what it receives and passes.

    Each row: ``gate``, ``rule``, ``z`` (forward value), ``upstream`` (dL/dz) and
    ``passed`` (``{"x": dL/dx, "y": dL/dy}``), computed by the engine's ``backward``.
    """
    rows = []
    for name, op, rule in _GATES:
        z, inputs = _gate(op, x, y, tanh_x)
        z.backward(np.asarray(upstream, dtype=float))
        passed = {t.label: float(t.grad) for t in inputs}
        rows.append(
            {"gate": name, "rule": rule, "z": float(z.data), "upstream": float(upstream), "passed": passed}
        )
    return rows


def gates_figure(x: float = 3.0, y: float = -2.0, upstream: float = 2.0, tanh_x: float = 0.5) -> Figure:
    """The four gates drawn by ``draw_graph``, each receiving dL/dz = ``upstream``; the
    arrows carry what each passes back."""
    fig, axes = plots.subplots(2, 2, width=4.6, height=2.3)
    for ax, (name, op, rule) in zip(axes.ravel(), _GATES):
        z, _ = _gate(op, x, y, tanh_x)
        z.backward(np.asarray(upstream, dtype=float))
        draw_graph(z, ax=ax, edge_grads=True, fontsize=7.5)
        ax.set_title(f"{name} {rule}".replace("*", ""), fontsize=9.5)
    fig.suptitle(f"Four gates, each receiving ∂L/∂z = {upstream:g} from above (arrows: what they pass back)")
    return fig


# ------------------------------------------------------------------ stepping through backward
_INFIX = {"+": " + ", "-": " − ", "*": " × ", "/": " / ", "@": " @ "}


def _name(node: Tensor, wrap: bool = False) -> str:
    """A node's label (``(op)`` without one); wrapped in brackets if it has an operator in it."""
    name = node.label or f"({node.op})"
    return f"({name})" if wrap and any(c in name for c in "+-*·/@ ") and not name.startswith("(") else name


def _formula(node: Tensor) -> str:
    """``z = w·x + b`` style: how a node is made from its parents."""
    args = [_name(p) for p in node.parents]
    if node.op in _INFIX and len(args) == 2:
        return f"{_name(node)} = {args[0]}{_INFIX[node.op]}{args[1]}"
    return f"{_name(node)} = {node.op}({', '.join(args)})"


def describe_step(steps: list[BackwardStep], k: int) -> str:
    """Two lines saying what visit ``k`` (1-based; 0 = before the backward pass) does."""
    n = len(steps)
    if k <= 0:
        return (
            "Forward pass done: every box shows its value, no gradient yet (grad ?).\n"
            "Move 'backward step' to visit the nodes newest first, exactly as Tensor.backward() does."
        )
    step = steps[k - 1]
    me = _name(step.node, wrap=True)
    head = f"Step {k} of {n}: visit {_name(step.node)}"
    if not step.passed:
        return (
            f"{head}. It is a leaf: it keeps ∂L/∂{me} = {format_value(step.grad)}, the sum of every "
            "gradient that reached it.\nNothing more to pass back: the backward pass is done with it."
        )
    scalar = step.grad.size == 1
    locals_ = step.local_gradients if scalar else ()
    parts = []
    for j, (_, parent, g) in enumerate(step.passed):
        p = _name(parent, wrap=True)
        if scalar:
            parts.append(
                f"∂L/∂{p} += {format_value(step.grad)} × {format_value(locals_[j])} = {format_value(g)}"
            )
        else:
            parts.append(f"∂L/∂{p} += {format_value(g)}")
    received = "1 (the start)" if k == 1 else format_value(step.grad)
    return (
        f"{head}, where {_formula(step.node)}. It received ∂L/∂{me} = {received}\n"
        f"and passes back upstream × local:   " + ",   ".join(parts)
    )


def backward_steps_panel() -> widgets.Panel:
    """Step through the backward pass of ``L = tanh(w x + b)`` one node at a time.

    ``backward step`` k shows the graph after the engine has visited its first k nodes
    (newest first): visited nodes show their gradient, the node of step k and the
    gradients it passes (on the arrows) are highlighted, nodes not reached yet say
    ``grad ?``. The sliders ``x, w, b`` rebuild the graph at new input values; the drawing
    keeps its artists and only changes their texts and colours.
    """
    fig, axes = plots.panel_figure(1, 1, width=10.0, height=2.9)
    ax = axes[0, 0]
    root = tanh_graph()
    drawing = draw_graph(root, ax=ax, fontsize=7.5)
    left, right, bottom, top = drawing.extent
    ax.set_ylim(bottom - 0.5, top)
    explanation = ax.text(
        left + 0.05, bottom - 0.05, "", ha="left", va="top", fontsize=9.5, linespacing=1.5, gid="explanation"
    )
    title = ax.set_title("")
    n_steps = len(backward_steps(root))

    def update(step: int, x: float, w: float, b: float) -> None:
        graph = tanh_graph(x, w, b)
        steps = backward_steps(graph)
        k = min(step, len(steps))
        done = steps[:k]
        grads = {s.node: s.grad for s in done}
        passed = {(s.node, slot): g for s in done for slot, _, g in s.passed}
        drawing.update(root=graph, grads=grads, passed=passed, highlight=done[-1].node if done else None)
        explanation.set_text(describe_step(steps, k))
        title.set_text(f"Backward pass of L = tanh(w·x + b), step {k} of {len(steps)} (newest node first)")

    controls = {
        "step": widgets.int_slider("backward step", 2, 0, n_steps),
        "x": widgets.float_slider("x", 1.5, -2.0, 2.0, 0.1),
        "w": widgets.float_slider("w", -0.8, -2.0, 2.0, 0.1),
        "b": widgets.float_slider("b", 0.5, -2.0, 2.0, 0.1),
    }
    panel = widgets.Panel(fig, update, controls, title="The backward pass, one node at a time")
    panel.drawing = drawing  # the GraphDrawing, for tests and the curious
    return panel


# ------------------------------------------------------------------ backprop by hand (CS231n style)
def affine_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, tuple]:
    """``out = x @ W + b`` for a batch ``x`` of shape ``(n, fan_in)``; cache for the backward."""
    return x @ W + b, (x, W)


def affine_backward(dout: np.ndarray, cache: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given ``dout = dL/d(out)``: ``dx = dout @ W^T``, ``dW = x^T @ dout``, ``db = sum of dout's rows``."""
    x, W = cache
    return dout @ W.T, x.T @ dout, dout.sum(axis=0)


def tanh_forward(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a = tanh(z)``; the cache is ``a`` itself (the derivative is ``1 - a^2``)."""
    a = np.tanh(z)
    return a, a


def tanh_backward(da: np.ndarray, cache: np.ndarray) -> np.ndarray:
    """``dz = da * (1 - a^2)``: the upstream gradient times the local slope, elementwise."""
    return da * (1.0 - cache * cache)


def mse_forward(prediction: np.ndarray, target: np.ndarray) -> tuple[float, tuple]:
    """``L = mean((prediction - target)^2)``."""
    diff = prediction - target
    return float(np.mean(diff * diff)), (diff,)


def mse_backward(cache: tuple) -> np.ndarray:
    """``dL/d(prediction) = 2 (prediction - target) / N`` (N = number of elements; notebook 4
    writes it ``2 (y_hat - t) / n``)."""
    (diff,) = cache
    return 2.0 * diff / diff.size


_HAND_ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "tanh": (tanh_forward, tanh_backward),
    "linear": (lambda z: (z, None), lambda da, cache: da),
}


def mlp_gradients_by_hand(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> tuple[float, list[np.ndarray]]:
    """Forward and backward through an ``nn.MLP`` (tanh or linear layers) with MSE, by hand.

    Forward: for each layer ``Z = A @ W + b`` (affine_forward), ``A = phi(Z)``, keeping
    each cache; then the loss. Backward: the same pairs in reverse order, each turning
    the gradient of its output into the gradients of its inputs. Returns the loss and
    ``[dW1, db1, dW2, db2, ...]`` (the order of ``model.parameters()``). NumPy only.
    """
    caches = []
    A = np.asarray(X, dtype=np.float64)
    for layer in model.layers:
        if layer.activation_name not in _HAND_ACTIVATIONS:
            raise ValueError(
                f"mlp_gradients_by_hand knows the activations {sorted(_HAND_ACTIVATIONS)}, "
                f"not {layer.activation_name!r}"
            )
        act_forward, _ = _HAND_ACTIVATIONS[layer.activation_name]
        Z, affine_cache = affine_forward(A, layer.W.data, layer.b.data)
        A, act_cache = act_forward(Z)
        caches.append((affine_cache, act_cache))
    loss, loss_cache = mse_forward(A, np.asarray(y, dtype=np.float64))
    dA = mse_backward(loss_cache)
    grads: list[np.ndarray] = []
    for layer, (affine_cache, act_cache) in zip(reversed(model.layers), reversed(caches)):
        _, act_backward = _HAND_ACTIVATIONS[layer.activation_name]
        dZ = act_backward(dA, act_cache)
        dA, dW, db = affine_backward(dZ, affine_cache)
        grads = [dW, db, *grads]
    return loss, grads


def compare_with_engine(model: nn.MLP, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """``{parameter label: max |engine gradient - hand gradient|}`` for an MLP with MSE.

    The engine's gradients come from ``losses.mse(model(X), y).backward()``; the
    parameters' ``.grad`` is left as it was.
    """
    params = model.parameters()
    saved = [p.grad.copy() for p in params]
    for p in params:
        p.zero_grad()
    losses.mse(model(Tensor(X, requires_grad=False)), y).backward()
    engine = [p.grad.copy() for p in params]
    for p, g in zip(params, saved):
        p.grad = g
    _, by_hand = mlp_gradients_by_hand(model, X, y)
    return {p.label: float(np.max(np.abs(e - h))) for p, e, h in zip(params, engine, by_hand)}


# ------------------------------------------------------------------ exercise: a new op's backward
def softsign(x: Tensor, backward: Callable[[np.ndarray, np.ndarray], np.ndarray]) -> Tensor:
    """``z = x / (1 + |x|)`` as a new engine operation whose backward is ``backward(x, g)``.

    ``backward`` gets the input values ``x`` and the upstream gradient ``g = dL/dz`` (NumPy
    arrays of the same shape) and must return ``dL/dx``.
    """
    return _custom_op(x, _OPS["softsign"][0], backward, "softsign")


def softsign_backward_solution(x: np.ndarray, g: np.ndarray) -> np.ndarray:
    """dz/dx = ((1 + |x|) - x sign(x)) / (1 + |x|)^2 = 1 / (1 + |x|)^2, times g."""
    return g / (1.0 + np.abs(x)) ** 2


_OPS = {
    "softsign": (
        lambda v: v / (1.0 + np.abs(v)),
        "d/dx [x / (1 + |x|)]: the quotient rule, with d|x|/dx = sign(x)",
    ),
    "cube": (lambda v: v**3, "d/dx x^3 = 3 x^2"),
}


def _custom_op(x: Tensor, forward: Callable, backward: Callable, op: str) -> Tensor:
    values = x.data

    def engine_backward(g):
        return (np.asarray(backward(values, g), dtype=np.float64),)

    # The engine has no public way to register a new operation: build the node as its own ops do.
    return Tensor._result(forward(values), (x,), op, engine_backward)


def check_backward(
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray], op: str = "softsign"
) -> Feedback:
    """Check a hand-written ``backward(x, g) -> dL/dx`` for ``op`` ("softsign" or "cube")
    with ``gradcheck`` (central finite differences) at 7 points, away from any kink."""
    if op not in _OPS:
        raise ValueError(f"op must be one of {sorted(_OPS)}, got {op!r}")
    forward, hint = _OPS[op]
    points = np.array([-2.5, -1.2, -0.4, 0.3, 0.8, 1.7, 3.0])
    g = np.ones_like(points)
    try:
        sample = backward(points.copy(), g)
    except NotImplementedError:
        sample = None
    except Exception as error:  # the learner's code: report, do not crash
        return Feedback(False, f"Your backward raised {type(error).__name__}: {error}")
    if sample is None:
        return Feedback(
            None, "Replace the `return None` in your backward with the formula, then run this cell again."
        )
    if np.shape(sample) != points.shape:
        return Feedback(
            False,
            f"backward must return an array shaped like x {points.shape}, got shape {np.shape(sample)}.",
        )
    with np.errstate(all="ignore"):
        result = gradcheck(lambda t: _custom_op(t, forward, backward, op), Tensor(points), tolerance=1e-5)
    worst = result.max_relative_errors[0]
    if result.ok:
        return Feedback(
            True, f"Correct! gradcheck agrees with your {op} backward to better than 1e-5 everywhere."
        )
    return Feedback(
        False,
        f"Not quite: gradcheck finds a relative error of {worst:.2g}. Hint: {hint}; "
        "and multiply by the upstream gradient g.",
    )
