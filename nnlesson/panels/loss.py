r"""Panels and figures of notebook 4, "What is a loss?".

A loss ``L`` is one number that says how far the predictions are from the targets ``t``;
its gradient is what training follows downhill. Notation as in :mod:`nnlesson.losses`:
``n`` samples, ``t`` the target, ``z`` a logit (the output before sigmoid/softmax),
``p = sigma(z)`` or ``p = softmax(z)`` a predicted probability, ``y_hat`` a regression
prediction (the data sets call their targets ``y``)::

    MSE   L = (1/n) sum_i (y_hat_i - t_i)^2             dL/dy_hat_i = 2 (y_hat_i - t_i) / n
    BCE   L = -(1/n) sum_i [t_i ln p_i + (1 - t_i) ln(1 - p_i)]     dL/dz_i = (p_i - t_i) / n
    CCE   L = -(1/n) sum_i sum_k t_ik ln p_ik                       dL/dz_ik = (p_ik - t_ik) / n

Every gradient shown here is computed by the engine's ``backward()``, never typed in.

Panels (each factory takes no required argument and returns a ``widgets.Panel``):

* :func:`mse_panel`: sliders for the slope and intercept of a line through 8 points;
  left, the data with each squared error drawn as a square; middle, the gradient
  ``dL/dy_hat_i`` of every prediction (engine bars, formula dots); right, the MSE over
  (slope, intercept) with the current line and one gradient-descent step as an arrow.
* :func:`bce_panel`: a slider for the logit ``z`` of one sigmoid output and a dropdown for
  the target; BCE against ``p``, BCE against ``z`` computed three ways (from logits,
  clipped probabilities, the naive formula), and the gradient that reaches ``z``
  (BCE from logits, BCE on clipped ``p``, MSE on a sigmoid output).
* :func:`softmax_panel`: sliders for the three logits of a 3-class output and a dropdown
  for the true class; bars of the logits, the softmax probabilities (with the one-hot
  target), and the gradient ``p - t``.

Helpers for the static cells: :func:`least_squares_line`, :func:`line_loss_and_gradients`,
:func:`logit_gradient`, :func:`bce_three_ways`, :func:`softmax_loss_and_gradient`,
:func:`saturated_neuron`, :func:`saturated_neuron_figure`, :func:`compare_losses`,
:func:`comparison_figure`.
"""

from __future__ import annotations

import numpy as np
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from numpy.typing import ArrayLike

from nnlesson import data, losses, nn, plots, train, widgets
from nnlesson.engine import Tensor

__all__ = [
    "GRADIENT_KINDS",
    "LINE_DATA",
    "LOSS_LABELS",
    "PANELS",
    "bce_panel",
    "bce_three_ways",
    "compare_losses",
    "intuition_figure",
    "comparison_figure",
    "least_squares_line",
    "line_loss_and_gradients",
    "logit_gradient",
    "mse_panel",
    "saturated_neuron",
    "saturated_neuron_figure",
    "softmax_loss_and_gradient",
    "softmax_panel",
]

PANELS = ("mse_panel", "bce_panel", "softmax_panel")

LINE_DATA = {"n": 8, "noise": 0.35, "seed": 141}
"""The regression points of the MSE panel: ``data.line(**LINE_DATA)``."""

GRADIENT_KINDS = {
    "bce_logits": "BCE, from_logits=True",
    "bce_probability": "BCE on clipped p = σ(z)",
    "mse_sigmoid": "MSE on p = σ(z)",
}
"""The three ways a sigmoid output can be trained, as named in the figures."""

LOSS_LABELS = {
    "mse": "MSE",
    "binary_cross_entropy": "binary cross-entropy",
    "bce": "binary cross-entropy",
    "categorical_cross_entropy": "cross-entropy",
    "cce": "cross-entropy",
    "sparse_categorical_cross_entropy": "cross-entropy",
    "scce": "cross-entropy",
}
"""How the figures name each loss."""

C = plots.COLORS
P = plots.PALETTE


# ------------------------------------------------------------------ intuition
def intuition_figure() -> Figure:
    r"""Two penalties side by side. Left: the squared error ``e^2`` of an error
    ``e = y_hat - t`` (with ``|e|`` for comparison): small errors cost little, big ones a
    lot. Right: the "surprise" ``-ln p`` of giving probability ``p`` to what really
    happened: 0 when sure and right, unbounded when sure and wrong."""
    fig, axes = plots.subplots(1, 2, width=4.2, height=3.1)
    ax_e, ax_p = axes[0]
    e = np.linspace(-2.5, 2.5, 501)
    ax_e.plot(e, e**2, color=P[0], label=r"squared error $e^2$")
    ax_e.plot(e, np.abs(e), "--", color=C["grey"], label=r"absolute error $|e|$")
    for v, offset, ha in ((0.5, (12, -4), "left"), (2.0, (-10, 8), "right")):
        ax_e.plot([v], [v**2], "o", color=C["highlight"])
        ax_e.annotate(
            f"e = {v:g} costs {v**2:g}",
            (v, v**2),
            xytext=offset,
            textcoords="offset points",
            ha=ha,
            fontsize=9,
        )
    ax_e.set_xlabel(r"error $e = \hat y - t$")
    ax_e.set_ylabel("penalty")
    ax_e.set_title("Regression: squared error")
    ax_e.set_ylim(-0.2, 6.5)
    ax_e.legend(loc="upper center")

    p = np.linspace(0.002, 1.0, 500)
    ax_p.plot(p, -np.log(p), color=P[1], label=r"$-\ln p$")
    for v in (0.9, 0.5, 0.1, 0.01):
        right = v > 0.8
        ax_p.plot([v], [-np.log(v)], "o", color=C["highlight"])
        ax_p.annotate(
            f"p = {v:g}: {-np.log(v):.2f}",
            (v, -np.log(v)),
            xytext=(-4, 10) if right else (8, 4),
            textcoords="offset points",
            ha="right" if right else "left",
            fontsize=9,
        )
    ax_p.set_xlabel("probability $p$ given to the true answer")
    ax_p.set_ylabel("penalty (surprise)")
    ax_p.set_title("Classification: cross-entropy")
    ax_p.set_ylim(-0.2, 6.5)
    ax_p.set_xlim(0, 1.05)
    ax_p.legend(loc="upper right")
    return fig


# ------------------------------------------------------------------ MSE on a line
def least_squares_line(x: np.ndarray, t: np.ndarray) -> tuple[float, float]:
    r"""The closed-form minimiser of the MSE of ``y_hat = slope * x + intercept``.

    ``slope = cov(x, t) / var(x)`` and ``intercept = mean(t) - slope * mean(x)``
    (where the gradient of the MSE is zero).
    """
    x, t = np.ravel(x), np.ravel(t)
    slope = float(np.mean((x - x.mean()) * (t - t.mean())) / np.var(x))
    return slope, float(t.mean() - slope * x.mean())


def line_loss_and_gradients(slope: float, intercept: float, x: np.ndarray, t: np.ndarray) -> dict:
    r"""MSE of the line ``y_hat = slope * x + intercept`` and its gradients, by the engine.

    Returns ``{"loss", "prediction", "dL/dy_hat" (one per point), "dL/dslope",
    "dL/dintercept"}``: one ``backward()`` fills all of them (the chain rule takes
    ``dL/dy_hat_i = 2 (y_hat_i - t_i) / n`` on to the two parameters).
    """
    w = Tensor(float(slope), label="slope")
    b = Tensor(float(intercept), label="intercept")
    prediction = w * np.ravel(x) + b
    loss = losses.mse(prediction, np.ravel(t))
    loss.backward()
    return {
        "loss": float(loss.data),
        "prediction": prediction.data.copy(),
        "dL/dy_hat": prediction.grad.copy(),
        "dL/dslope": float(w.grad),
        "dL/dintercept": float(b.grad),
    }


def _square_vertices(x: np.ndarray, t: np.ndarray, prediction: np.ndarray) -> np.ndarray:
    """One square per point with the error segment (x, t)-(x, y_hat) as its side, drawn
    towards the middle of the plot so it stays in view. Shape ``(n, 4, 2)``."""
    side = np.abs(prediction - t)
    inward = np.where(x > 0, -1.0, 1.0) * side
    return np.stack(
        [
            np.column_stack([x, t]),
            np.column_stack([x, prediction]),
            np.column_stack([x + inward, prediction]),
            np.column_stack([x + inward, t]),
        ],
        axis=1,
    )


def mse_panel(slope: float = 0.2, intercept: float = -0.4) -> widgets.Panel:
    r"""Move a line through 8 points: the squared errors, the MSE and its gradients.

    Left: the data, the line ``y_hat = slope * x + intercept`` and each squared error as
    a square (the axes have equal scales, so the area of a square *is* its squared error
    and the MSE is their mean area). Middle: ``dL/dy_hat_i`` for every point, bars from
    the engine's ``backward()``, dots from the formula ``2 (y_hat_i - t_i) / n``.
    Right: the MSE over (slope, intercept), the current line (dot), the least-squares
    line (star) and one step of gradient descent with learning rate 0.5 (arrow).
    """
    x2, t2 = data.line(**LINE_DATA)
    x, t = x2[:, 0], t2[:, 0]
    n = len(x)
    best = least_squares_line(x, t)
    slopes, intercepts = np.linspace(-0.5, 2.0, 126), np.linspace(-1.0, 1.5, 126)
    ss, bb = np.meshgrid(slopes, intercepts)
    surface = np.mean((ss[..., None] * x + bb[..., None] - t) ** 2, axis=-1)
    corners = [
        line_loss_and_gradients(s, b, x, t)["dL/dy_hat"] for s in slopes[[0, -1]] for b in intercepts[[0, -1]]
    ]
    g_limit = 1.1 * max(np.abs(g).max() for g in corners)
    step = 0.5

    fig, axes = plots.panel_figure(1, 3, width=3.6, height=3.5)
    ax_data, ax_grad, ax_surface = axes[0]

    squares = PolyCollection(
        _square_vertices(x, t, t),
        facecolors=C["highlight"],
        edgecolors=C["highlight"],
        alpha=0.25,
        linewidths=1,
    )
    ax_data.add_collection(squares)
    xs = np.array([-2.4, 2.4])
    (line,) = ax_data.plot(
        xs, slope * xs + intercept, color=C["train"], label=r"$\hat y = $ slope·x + intercept"
    )
    ax_data.scatter(x, t, color="k", s=18, zorder=3, label="data $(x_i, t_i)$")
    ax_data.set_xlim(*xs)
    ax_data.set_ylim(-2.6, 3.2)
    ax_data.set_aspect("equal", adjustable="box")
    ax_data.set_xlabel("$x$")
    ax_data.set_ylabel("$t$ (target), $\\hat y$ (prediction)")
    ax_data.legend(loc="upper left", fontsize=8)
    data_title = ax_data.set_title("")

    order = np.argsort(x)
    bars = ax_grad.bar(x, np.zeros(n), width=0.14, color=C["train"], label="engine: backward()")
    (formula_dots,) = ax_grad.plot(
        x[order], np.zeros(n), "o", color=C["highlight"], markersize=4, label=r"formula $2(\hat y_i - t_i)/n$"
    )
    ax_grad.axhline(0, color=C["grey"], linewidth=0.8)
    ax_grad.set_xlim(*xs)
    ax_grad.set_ylim(-g_limit, g_limit)
    ax_grad.set_xlabel("$x_i$")
    ax_grad.set_ylabel(r"$\partial L / \partial \hat y_i$")
    ax_grad.set_title("gradient for each prediction")
    ax_grad.legend(loc="upper left", fontsize=8)

    levels = np.geomspace(surface.min() * 1.05, surface.max(), 12)
    ax_surface.contour(ss, bb, surface, levels=levels, cmap="viridis", linewidths=0.9)
    ax_surface.plot(*best, "*", color=C["good"], markersize=13, label="least squares", zorder=4)
    (current,) = ax_surface.plot(
        [slope], [intercept], "o", color=C["highlight"], markersize=7, label="your line", zorder=6
    )
    arrow = FancyArrowPatch(
        (slope, intercept),
        (slope, intercept),
        arrowstyle="-|>",
        mutation_scale=14,
        color=C["highlight"],
        linewidth=1.6,
        zorder=6,
    )
    ax_surface.add_patch(arrow)
    ax_surface.plot([], [], color=C["highlight"], label=f"one step, α = {step:g}")
    ax_surface.set_xlim(slopes[0], slopes[-1])
    ax_surface.set_ylim(intercepts[0], intercepts[-1])
    ax_surface.set_xlabel("slope")
    ax_surface.set_ylabel("intercept")
    ax_surface.set_title("MSE over (slope, intercept)")
    ax_surface.legend(loc="upper right", fontsize=8, framealpha=0.7)

    def update(slope: float, intercept: float) -> str:
        r = line_loss_and_gradients(slope, intercept, x, t)
        prediction, grad = r["prediction"], r["dL/dy_hat"]
        line.set_ydata(slope * xs + intercept)
        squares.set_verts(_square_vertices(x, t, prediction))
        data_title.set_text(f"MSE = mean square area = {r['loss']:.3f}")
        for bar, g in zip(bars, grad, strict=True):
            bar.set_height(g)
        formula_dots.set_ydata((2.0 * (prediction - t) / n)[order])
        current.set_data([slope], [intercept])
        arrow.set_positions(
            (slope, intercept), (slope - step * r["dL/dslope"], intercept - step * r["dL/dintercept"])
        )
        return (
            f"MSE = {r['loss']:.4f} · engine: ∂L/∂slope = {r['dL/dslope']:+.3f}, "
            f"∂L/∂intercept = {r['dL/dintercept']:+.3f} (least squares: slope {best[0]:.2f}, "
            f"intercept {best[1]:.2f})"
        )

    controls = {
        "slope": widgets.float_slider("slope", slope, -0.5, 2.0),
        "intercept": widgets.float_slider("intercept", intercept, -1.0, 1.5),
    }
    return widgets.Panel(fig, update, controls, title="Mean squared error: move the line")


# ------------------------------------------------------------------ BCE on one sigmoid output
def logit_gradient(z: ArrayLike, t: ArrayLike, kind: str = "bce_logits") -> np.ndarray:
    r"""``dL_i/dz_i`` for each logit ``z_i`` with target ``t_i``, computed by ``backward()``.

    ``kind``: ``"bce_logits"`` (BCE with ``from_logits=True``: ``p - t``),
    ``"bce_probability"`` (BCE on ``p = sigma(z)`` clipped to ``[1e-7, 1 - 1e-7]``: ``p - t``
    inside, 0 where clipped) or ``"mse_sigmoid"`` (MSE on ``p = sigma(z)``:
    ``2 (p - t) p (1 - p)``). Each element's own loss, so the mean's ``1/n`` is undone.
    """
    z = Tensor(np.atleast_1d(np.asarray(z, dtype=float)), label="z")
    t = np.broadcast_to(np.asarray(t, dtype=float), z.shape)
    if kind == "bce_logits":
        loss = losses.bce(z, t, from_logits=True)
    elif kind == "bce_probability":
        loss = losses.bce(z.sigmoid(), t)
    elif kind == "mse_sigmoid":
        loss = losses.mse(z.sigmoid(), t)
    else:
        raise ValueError(f"kind must be one of {', '.join(GRADIENT_KINDS)}, got {kind!r}")
    loss.backward()
    return z.grad * z.size + 0.0  # + 0.0 turns -0.0 (a clipped gradient) into 0.0


def bce_three_ways(z: ArrayLike, t: ArrayLike) -> dict[str, np.ndarray]:
    r"""The BCE of each logit ``z_i`` with target ``t_i`` (0 or 1), computed three ways.

    * ``"from_logits"``: ``losses.bce(z, t, from_logits=True)``, exact for any z;
    * ``"clipped"``: ``losses.bce(sigma(z), t)``: p clipped to ``[1e-7, 1 - 1e-7]``, so at
      most ``-ln(1e-7) = 16.12``;
    * ``"naive"``: the textbook formula in plain NumPy, ``-(t ln p + (1 - t) ln(1 - p))``:
      ``inf`` or ``nan`` once ``p`` rounds to exactly 0 or 1 (NumPy warnings silenced).

    Element by element (``losses.bce`` returns the mean; these are its terms, with the
    same stable form and the same ``losses.EPS``), for curves over many z at once.
    """
    z = np.atleast_1d(np.asarray(z, dtype=float))
    t = np.broadcast_to(np.asarray(t, dtype=float), z.shape)
    exact = np.logaddexp(0.0, z) - z * t  # softplus(z) - z t, the form from_logits uses
    with np.errstate(all="ignore"):
        p = 1.0 / (1.0 + np.exp(-z))
        naive = -(t * np.log(p) + (1.0 - t) * np.log(1.0 - p))
    pc = np.clip(p, losses.EPS, 1.0 - losses.EPS)
    clipped = -(t * np.log(pc) + (1.0 - t) * np.log(1.0 - pc))
    return {"from_logits": exact, "clipped": clipped, "naive": naive}


def _naive_breaks(z: np.ndarray, naive: np.ndarray) -> float | None:
    """The first z where the naive formula is no longer finite (None if it never breaks)."""
    bad = np.flatnonzero(~np.isfinite(naive))
    return float(z[bad[0]]) if bad.size else None


def bce_panel(z: float = 2.0, target: int = 1) -> widgets.Panel:
    r"""One sigmoid output ``p = sigma(z)`` and its binary cross-entropy.

    Controls: the logit ``z`` and the target ``t`` (0 or 1). Left: BCE against ``p`` for
    both targets (``-ln p`` for t = 1, ``-ln(1 - p)`` for t = 0). Middle: BCE against ``z``
    from logits (exact), on clipped probabilities (flat at ``-ln(1e-7) = 16.12``), and by
    the naive formula (``inf``/``nan`` once ``p`` rounds to 1). Right: the gradient that
    reaches ``z`` for three ways of training a sigmoid output (:data:`GRADIENT_KINDS`):
    ``p - t`` from logits; 0 where ``p`` was clipped; ``2 (p - t) p (1 - p)`` with MSE,
    which vanishes exactly when the output is confidently wrong. Markers: engine values.
    """
    zs = np.linspace(-40.0, 40.0, 1601)
    curves = {tt: bce_three_ways(zs, tt) for tt in (0, 1)}
    grads = {tt: {kind: logit_gradient(zs, tt, kind) for kind in GRADIENT_KINDS} for tt in (0, 1)}
    breaks = {tt: _naive_breaks(zs, curves[tt]["naive"]) for tt in (0, 1)}
    ps = np.linspace(0.0, 1.0, 1001)
    p_ceiling = 6.0

    fig, axes = plots.panel_figure(1, 3, width=3.7, height=3.3)
    ax_p, ax_z, ax_g = axes[0]

    with np.errstate(divide="ignore"):
        p_curves = {1: -np.log(np.clip(ps, losses.EPS, 1.0)), 0: -np.log(np.clip(1.0 - ps, losses.EPS, 1.0))}
    p_lines = {
        tt: ax_p.plot(
            ps, p_curves[tt], color=P[1 - tt], label=f"t = {tt}: " + ("$-\\ln p$" if tt else "$-\\ln(1-p)$")
        )[0]
        for tt in (1, 0)
    }
    (p_marker,) = ax_p.plot([], [], "o", color=C["highlight"], markersize=8, zorder=5)
    p_text = ax_p.text(
        0.5,
        0.93,
        "",
        transform=ax_p.transAxes,
        ha="center",
        va="top",
        fontsize=9,
        bbox={"boxstyle": "round", "facecolor": "white", "edgecolor": C["grey"]},
    )
    ax_p.set_xlim(0, 1)
    ax_p.set_ylim(0, p_ceiling)
    ax_p.set_xlabel(r"predicted probability $p = \sigma(z)$")
    ax_p.set_ylabel("BCE of one prediction")
    ax_p.set_title("BCE against p")
    ax_p.legend(loc="center right", fontsize=8)

    styles = {
        "from_logits": ("-", P[0], 3.2, "from_logits=True (exact)"),
        "clipped": ("-", P[1], 1.8, f"clipped to [ε, 1−ε], ε = {losses.EPS:g}"),
        "naive": (":", "k", 1.6, "naive NumPy formula"),
    }
    z_lines, z_markers = {}, {}
    for key, (ls, color, lw, label) in styles.items():
        z_lines[key] = ax_z.plot(zs, zs * 0, ls, color=color, linewidth=lw, label=label)[0]
        z_markers[key] = ax_z.plot([], [], "o", color=color, markersize=6, zorder=5)[0]
    (break_marker,) = ax_z.plot([], [], "X", color=C["diverged"], markersize=10, zorder=6)
    break_text = ax_z.annotate(
        "",
        (0, 0),
        xytext=(39, 7),
        ha="right",
        va="center",
        color=C["diverged"],
        fontsize=8.5,
        arrowprops={"arrowstyle": "->", "color": C["diverged"]},
    )
    z_cursor = ax_z.axvline(z, color=C["grey"], linewidth=0.8)
    ax_z.set_xlim(zs[0], zs[-1])
    ax_z.set_ylim(-1.5, 44)
    ax_z.set_xlabel("logit $z$")
    ax_z.set_ylabel("BCE")
    ax_z.set_title("BCE against z, three ways")
    z_legend = ax_z.legend(loc="upper right", fontsize=7.5)

    g_styles = {
        "bce_logits": ("-", P[0], 3.2),
        "bce_probability": ("-", P[1], 1.8),
        "mse_sigmoid": ("--", P[4], 1.8),
    }
    g_lines, g_markers = {}, {}
    for kind, (ls, color, lw) in g_styles.items():
        g_lines[kind] = ax_g.plot(zs, zs * 0, ls, color=color, linewidth=lw, label=GRADIENT_KINDS[kind])[0]
        g_markers[kind] = ax_g.plot([], [], "o", color=color, markersize=6, zorder=5)[0]
    g_cursor = ax_g.axvline(z, color=C["grey"], linewidth=0.8)
    ax_g.axhline(0, color=C["grey"], linewidth=0.8)
    ax_g.set_xlim(zs[0], zs[-1])
    ax_g.set_ylim(-1.15, 1.15)
    ax_g.set_xlabel("logit $z$")
    ax_g.set_ylabel(r"$\partial L / \partial z$")
    ax_g.set_title("gradient reaching the logit")
    g_legend = ax_g.legend(loc="upper left", fontsize=7.5)

    def update(z: float, target: int) -> str:
        tt = int(target)
        for key, line_ in z_lines.items():
            line_.set_ydata(plots.finite_or_nan(curves[tt][key]))
        for kind, line_ in g_lines.items():
            line_.set_ydata(grads[tt][kind])
        where = breaks[tt]
        if where is None:
            break_marker.set_data([], [])
            break_text.set_text("")
        else:
            i = int(np.searchsorted(zs, where))
            value, last = curves[tt]["naive"][i], curves[tt]["naive"][i - 1]
            break_marker.set_data([where], [last])
            break_text.xy = (where, last)
            break_text.set_text(f"naive: {value} for z ≥ {where:.1f}\n(σ(z) rounds to 1.0)")
        # legends go where the curves of this target leave room
        z_legend.set_loc("upper right" if tt == 1 else "upper left")
        g_legend.set_loc("upper left" if tt == 1 else "lower right")
        for t_, line_ in p_lines.items():
            line_.set_linewidth(2.6 if t_ == tt else 1.0)
            line_.set_alpha(1.0 if t_ == tt else 0.35)

        # the current point, by the package itself
        zt = Tensor([float(z)], label="z")
        loss = losses.bce(zt, [float(tt)], from_logits=True)
        loss.backward()
        p = float(Tensor([float(z)]).sigmoid().data[0])
        clipped_loss = float(losses.bce(np.array([p]), [float(tt)]).data)
        with np.errstate(all="ignore"):
            naive = bce_three_ways(z, tt)["naive"][0]
        p_marker.set_data([p], [min(clipped_loss, p_ceiling)])
        p_text.set_text(f"p = {_probability(p)}, t = {tt}: BCE = {clipped_loss:.3f}")
        for key, value in (("from_logits", float(loss.data)), ("clipped", clipped_loss), ("naive", naive)):
            z_markers[key].set_data(([z], [value]) if np.isfinite(value) else ([], []))
        for kind, marker in g_markers.items():
            marker.set_data([z], [logit_gradient(z, tt, kind)[0]])
        z_cursor.set_xdata([z, z])
        g_cursor.set_xdata([z, z])
        return (
            f"z = {z:.2f} → p = σ(z) = {_probability(p)}, t = {tt}. "
            f"BCE from logits = {float(loss.data):.4f}, on clipped p = {clipped_loss:.4f}, "
            f"naive = {naive:.4f} · engine ∂L/∂z = {float(zt.grad[0]):+.4f} = p − t"
        )

    controls = {
        "z": widgets.float_slider("logit z", z, -40.0, 40.0, step=0.5),
        "target": _choice("target t", [("t = 1", 1), ("t = 0", 0)], target),
    }
    return widgets.Panel(fig, update, controls, title="Binary cross-entropy of one sigmoid output")


def _probability(p: float) -> str:
    """A probability with the digits that matter: ``0.8808``, ``1 − 9.4e-14``, ``2.1e-09``."""
    if p == 1.0:
        return "1.0 (rounded)"
    if p > 0.9999:
        return f"1 − {1.0 - p:.2g}"
    return f"{p:.2g}" if p < 1e-4 else f"{p:.4f}"


def _choice(description: str, options: list, value) -> widgets.w.Dropdown:
    """A dropdown in the panels' style."""
    return widgets.w.Dropdown(
        options=options,
        value=value,
        description=description,
        style=widgets.CONTROL_STYLE,
        layout=widgets.CONTROL_LAYOUT,
    )


# ------------------------------------------------------------------ softmax + CCE
def softmax_loss_and_gradient(logits: ArrayLike, label: int) -> tuple[np.ndarray, float, np.ndarray]:
    r"""``(p, L, dL/dz)`` for one row of logits and its true class, by the engine:
    ``p = softmax(z)``, ``L = -ln p_label`` (``losses.cce(z, one-hot, from_logits=True)``)
    and the gradient ``dL/dz = p - onehot(label)`` from ``backward()``."""
    z = Tensor(np.asarray(logits, dtype=float).reshape(1, -1), label="z")
    target = data.one_hot([int(label)], k=z.shape[1])
    loss = losses.cce(z, target, from_logits=True)
    loss.backward()
    p = z.softmax(axis=-1).data[0]
    return p, float(loss.data), z.grad[0].copy()


def softmax_panel(z0: float = 2.0, z1: float = 1.0, z2: float = 0.1, true_class: int = 0) -> widgets.Panel:
    r"""Three logits, their softmax probabilities, the cross-entropy and its gradient.

    Controls: the logits ``z_0, z_1, z_2`` and the true class. Left: the logits. Middle:
    ``p = softmax(z)`` (the true class in green) with the one-hot target as an outline;
    the loss is ``-ln p_true``. Right: ``dL/dz = p - t`` from ``backward()``: negative
    (push up) for the true class, positive (push down) for the others, summing to 0.
    """
    k = 3
    ks = np.arange(k)
    fig, axes = plots.panel_figure(1, 3, width=3.1, height=3.1)
    ax_z, ax_p, ax_g = axes[0]

    def value_labels(ax):
        return [ax.text(i, 0, "", ha="center", fontsize=9) for i in ks]

    z_bars = ax_z.bar(ks, np.zeros(k), color=C["grey"], width=0.6)
    z_text = value_labels(ax_z)
    ax_z.set_ylim(-7, 7)
    ax_z.axhline(0, color="k", linewidth=0.8)
    ax_z.set_title("logits $z_k$")
    ax_z.set_ylabel("$z_k$")

    p_bars = ax_p.bar(ks, np.zeros(k), color=C["train"], width=0.6, label="$p_k$ = softmax(z)$_k$")
    t_bars = ax_p.bar(
        ks, np.zeros(k), fill=False, edgecolor="k", linestyle="--", width=0.72, label="target $t_k$ (one-hot)"
    )
    p_text = value_labels(ax_p)
    ax_p.set_ylim(0, 1.42)
    p_title = ax_p.set_title("")
    ax_p.set_ylabel("probability")
    ax_p.legend(loc="upper right", fontsize=8)

    g_bars = ax_g.bar(ks, np.zeros(k), color=C["highlight"], width=0.6)
    g_text = value_labels(ax_g)
    ax_g.set_ylim(-1.25, 1.25)
    ax_g.axhline(0, color="k", linewidth=0.8)
    ax_g.set_title(r"$\partial L/\partial z_k = p_k - t_k$ (engine)")
    ax_g.set_ylabel(r"$\partial L / \partial z_k$")
    for ax in axes[0]:
        ax.set_xticks(ks, [f"class {i}" for i in ks])
        ax.set_xlim(-0.6, k - 0.4)
        ax.grid(False, axis="x")

    def put(bars, texts, values, fmt, pad):
        for bar, text, v in zip(bars, texts, values, strict=True):
            bar.set_height(v)
            text.set_text(format(v, fmt))
            text.set_y(v + pad if v >= 0 else v - pad)
            text.set_va("bottom" if v >= 0 else "top")

    def update(z0: float, z1: float, z2: float, true_class: int) -> str:
        label = int(true_class)
        p, loss, grad = softmax_loss_and_gradient([z0, z1, z2], label)
        put(z_bars, z_text, [z0, z1, z2], ".1f", 0.2)
        put(p_bars, p_text, p, ".3f", 0.02)
        put(g_bars, g_text, grad, "+.3f", 0.04)
        for i, (bar, t_bar) in enumerate(zip(p_bars, t_bars, strict=True)):
            bar.set_color(C["good"] if i == label else C["train"])
            t_bar.set_height(1.0 if i == label else 0.0)
        p_title.set_text(f"softmax; loss = $-\\ln p_{label}$ = {loss:.3f}")
        return f"p = softmax(z) = [{', '.join(f'{v:.3f}' for v in p)}] · CCE = −ln p_{label} = {loss:.4f}"

    controls = {
        "z0": widgets.float_slider("logit z₀", z0, -6.0, 6.0, step=0.1),
        "z1": widgets.float_slider("logit z₁", z1, -6.0, 6.0, step=0.1),
        "z2": widgets.float_slider("logit z₂", z2, -6.0, 6.0, step=0.1),
        "true_class": _choice("true class", [("class 0", 0), ("class 1", 1), ("class 2", 2)], true_class),
    }
    return widgets.Panel(fig, update, controls, title="Softmax and categorical cross-entropy")


# ------------------------------------------------------------------ choosing a loss
def saturated_neuron(
    loss: str, w: float = 2.0, b: float = 2.0, lr: float = 0.15, epochs: int = 300
) -> np.ndarray:
    r"""Nielsen's learning-slowdown experiment: one sigmoid neuron, input ``x = 1``, target 0.

    Starts at ``a = sigma(w + b)`` (0.98 for w = b = 2: confidently wrong) and takes
    ``epochs`` gradient-descent steps on ``loss`` (``"mse"`` or ``"bce"``). Returns the
    output ``a`` before every step and after the last, shape ``(epochs + 1,)``.
    (Nielsen, *Neural Networks and Deep Learning*, 2015, ch. 3; his quadratic cost has a
    factor 1/2 that ``mse`` has not, so his steps are half as big.)
    """
    neuron = nn.MLP([1, 1], output_activation="sigmoid", seed=0)
    neuron.layers[0].W.data[:] = w
    neuron.layers[0].b.data[:] = b
    x, t = np.array([[1.0]]), np.array([[0.0]])
    outputs = [float(train.predict(neuron, x)[0, 0])]
    for _ in range(epochs):
        train.fit(neuron, x, t, loss=loss, lr=lr, epochs=1)
        outputs.append(float(train.predict(neuron, x)[0, 0]))
    return np.array(outputs)


def saturated_neuron_figure(epochs: int = 300, **kwargs) -> Figure:
    """The output of the saturated neuron over the epochs, trained with MSE and with BCE."""
    fig, axes = plots.subplots(1, 1, width=5.2, height=3.2)
    ax = axes[0, 0]
    for i, (name, loss) in enumerate((("MSE on the sigmoid", "mse"), ("BCE", "bce"))):
        ax.plot(saturated_neuron(loss, epochs=epochs, **kwargs), color=P[i], label=name)
    ax.axhline(0, color=C["grey"], linewidth=0.8)
    ax.set_xlabel("epoch (one gradient-descent step each)")
    ax.set_ylabel(r"neuron output $a = \sigma(z)$")
    ax.set_title("Starting confidently wrong (target 0): who learns first?")
    ax.set_ylim(-0.03, 1.03)
    ax.legend(loc="center right")
    return fig


def compare_losses(
    dataset: str = "spirals",
    losses_: tuple[str, ...] = ("mse", "cce"),
    sizes: tuple[int, ...] = (2, 32, 32, 3),
    output_activation: str = "softmax",
    lr: float = 0.5,
    epochs: int = 500,
    seed: int = 0,
    **data_kwargs,
) -> dict[str, train.History]:
    r"""Train the same classifier (same architecture, initial weights, data, learning rate
    and epochs) once per loss; returns ``{loss: History}``. Only the loss differs.

    Defaults: 3-class spirals (``data.spirals(n=300, k=3, seed=0)``), an MLP 2-32-32-3 with
    tanh hidden layers and a softmax output, full-batch gradient descent with lr 0.5
    for 500 epochs.
    """
    data_kwargs = {"n": 300, "k": 3, "seed": 0, **data_kwargs} if dataset == "spirals" else data_kwargs
    X, labels = data.make(dataset, **data_kwargs)
    runs = {}
    for loss in losses_:
        model = nn.MLP(list(sizes), activation="tanh", output_activation=output_activation, seed=seed)
        runs[loss] = train.fit(model, X, labels, loss=loss, lr=lr, epochs=epochs)
    return runs


def comparison_figure(runs: dict[str, train.History]) -> Figure:
    """Left: the loss curves (``plots.loss_curves``; each in its own units). Right: the
    training accuracy per epoch, which the losses share."""
    fig, axes = plots.subplots(1, 2, width=4.4, height=3.3)
    labelled = {LOSS_LABELS.get(name, name): history for name, history in runs.items()}
    plots.loss_curves(labelled, ax=axes[0, 0], per="epoch", title="Training loss (different units)")
    ax = axes[0, 1]
    for i, (name, history) in enumerate(runs.items()):
        label = LOSS_LABELS.get(name, name)
        ax.plot(
            np.arange(1, len(history.train_accuracy) + 1), history.train_accuracy, color=P[i], label=label
        )
    ax.set_xlabel("epoch")
    ax.set_ylabel("training accuracy")
    ax.set_ylim(0, 1.02)
    ax.set_title("Training accuracy (same units)")
    ax.legend(loc="lower right")
    return fig
