r"""Panels and figures of notebook 2, "What is the learning rate?".

Gradient descent moves every weight a step against its gradient::

    w <- w - alpha * dL/dw                    (alpha: the learning rate)

On a quadratic ``L(w) = 1/2 * sum_i lambda_i w_i^2`` each coordinate simply shrinks by a
factor per step, ``w_i <- (1 - alpha * lambda_i) w_i``, so gradient descent

* crawls when ``alpha * lambda_i`` is tiny (the factor is close to 1),
* zig-zags but converges when ``1 < alpha * lambda_i < 2`` (the factor is negative),
* diverges when ``alpha * lambda_i > 2`` (the factor's size exceeds 1).

The largest stable learning rate is therefore ``2 / lambda_max`` (``max_stable_lr``):
it depends on the curvature of the loss, not on a universal constant.

Computations (no figure): ``quadratic_loss``, ``descend`` (gradient descent with the
engine, step by step), ``max_stable_lr``, ``moons_run``, ``lr_sweep``, ``best_lr``, ``useful_range``,
``minibatch_gradients``, ``sgd_run``.
Static figures: ``quadratic_figure``, ``compare_runs``, ``plot_lr_sweep``, ``mystery_runs``.
Panels (``PANELS``): ``descent_panel``, ``training_panel``, ``batch_size_panel``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnlesson import data, nn, plots, train, widgets
from nnlesson._checks import as_rng, positive_int, positive_number
from nnlesson.engine import Tensor
from nnlesson.optim import SGD

__all__ = [
    "BOWL_CURVATURES",
    "BOWL_START",
    "Descent",
    "PANELS",
    "batch_size_panel",
    "best_lr",
    "compare_runs",
    "descend",
    "descent_panel",
    "lr_sweep",
    "max_stable_lr",
    "minibatch_gradients",
    "moons_data",
    "moons_run",
    "mystery_runs",
    "plot_lr_sweep",
    "quadratic_figure",
    "quadratic_loss",
    "sgd_run",
    "training_panel",
    "useful_range",
]

PANELS = ("descent_panel", "training_panel", "batch_size_panel")

EXPLOSION_FACTOR = train.EXPLOSION_FACTOR  # the same divergence rule as train.fit


# ------------------------------------------------------------------ quadratics
def quadratic_loss(curvatures) -> Callable[[Tensor], Tensor]:
    r"""The quadratic bowl ``L(w) = 1/2 * sum_i lambda_i * w_i^2`` as a function of a Tensor ``w``.

    ``curvatures`` are the ``lambda_i`` (one number for a 1-D parabola). Its gradient is
    ``dL/dw_i = lambda_i * w_i`` and its curvature (second derivative) along ``w_i`` is
    ``lambda_i``.
    """
    lam = np.asarray(curvatures, dtype=np.float64)
    if lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam <= 0):
        raise ValueError(f"curvatures must be finite numbers > 0, got {curvatures!r}")

    def loss(w: Tensor) -> Tensor:
        return 0.5 * (lam * w * w).sum()

    return loss


def max_stable_lr(curvature) -> float:
    r"""The largest learning rate for which gradient descent on ``L = (lambda/2) w^2`` does not
    diverge: ``2 / lambda`` (``lambda``: the curvature, or the largest one, ``lambda_max``).

    One step multiplies ``w`` by ``1 - alpha * lambda``; that shrinks ``|w|`` only while
    ``|1 - alpha * lambda| <= 1``, i.e. ``alpha <= 2 / lambda`` (LeCun et al. 1998,
    "Efficient BackProp", section 5). At exactly ``2 / lambda`` it bounces forever.
    """
    lam = np.max(np.asarray(curvature, dtype=np.float64))
    return 2.0 / positive_number(lam, "curvature (lambda)")


@dataclass
class Descent:
    """The result of :func:`descend`.

    ``path``: the positions ``w_0, w_1, ...`` (shape ``(k, d)``; ``d = 1`` for a scalar);
    ``losses``: ``L(w_t)`` at each of them; ``diverged_at_step``: the step whose loss
    exploded (the same rule as ``train.fit``), or None.
    """

    path: np.ndarray
    losses: np.ndarray
    lr: float
    diverged_at_step: int | None = None

    @property
    def diverged(self) -> bool:
        return self.diverged_at_step is not None

    @property
    def final(self) -> np.ndarray:
        """The last position reached."""
        return self.path[-1]

    def summary(self) -> str:
        """One line: ``"after 50 steps w = 0.813, L = 0.00994"`` or ``"diverged at step 26 (...)"``."""
        if self.diverged:
            return f"diverged at step {self.diverged_at_step} (L = {self.losses[-1]:.3g})"
        where = ", ".join(f"{value:.3f}" for value in self.final)
        return f"after {len(self.path) - 1} steps w = {where}, L = {self.losses[-1]:.3g}"

    def history(self) -> train.History:
        """The run as a ``train.History`` (step losses, divergence), for ``plots``."""
        return train.History(
            step_loss=[float(v) for v in self.losses],
            diverged=self.diverged,
            diverged_at_step=self.diverged_at_step,
            divergence_reason="loss exploded" if self.diverged else "",
            lr=self.lr,
        )


def descend(loss_fn: Callable[[Tensor], Tensor], w0, lr: float, steps: int) -> Descent:
    r"""Gradient descent with the engine: ``steps`` times ``w <- w - lr * dL/dw``.

    Each step evaluates ``L = loss_fn(w)``, calls ``L.backward()`` to get ``dL/dw`` and
    moves ``w`` against it. Stops early, marking divergence, when a loss is not finite or
    exceeds ``1e4 * max(L(w_0), 1)``.
    """
    lr = positive_number(lr, "lr (the learning rate)")
    steps = positive_int(steps, "steps")
    w = Tensor(np.atleast_1d(np.asarray(w0, dtype=np.float64)), label="w")
    path, losses = [w.data.copy()], []
    limit = math.inf
    diverged_at = None
    with np.errstate(all="ignore"):
        for step in range(steps + 1):
            loss = loss_fn(w)
            value = float(loss.data)
            losses.append(value)
            if not value < limit:  # NaN, inf or exploded
                diverged_at = step
                break
            if step == 0:
                limit = EXPLOSION_FACTOR * max(value, 1.0)
            if step == steps:
                break
            loss.backward()
            w.data -= lr * w.grad  # the gradient-descent step
            w.zero_grad()
            path.append(w.data.copy())
    return Descent(np.array(path), np.array(losses), lr, diverged_at)


def quadratic_figure(
    curvature: float = 1.0, products: Sequence[float] = (0.2, 1.5, 2.1), steps: int = 12, w0: float = 1.0
) -> Figure:
    r"""Gradient descent on the parabola ``L = (lambda/2) w^2`` for several ``alpha * lambda``.

    Left: the parabola and the points ``w_t`` each run visits (joined in visiting order).
    Right: ``|w_t|`` per step on a log scale: a straight line going down (converges) or up
    (diverges); its slope is ``log|1 - alpha * lambda|``.
    """
    loss_fn = quadratic_loss(curvature)
    fig, axes = plots.subplots(1, 2, width=4.4, height=3.3)
    left, right = axes[0]
    x = np.linspace(-2.2 * abs(w0), 2.2 * abs(w0), 301)
    left.plot(x, 0.5 * curvature * x**2, color=plots.COLORS["grey"], linewidth=1.2, label="$L(w)$")
    for i, product in enumerate(products):
        alpha = product / curvature
        run = descend(loss_fn, w0, alpha, steps)
        w = run.path[:, 0]
        color = plots.PALETTE[i % len(plots.PALETTE)]
        label = rf"$\alpha\lambda$ = {product:g}"
        shown = np.abs(w) <= 2.2 * abs(w0)
        left.plot(
            w[shown],
            0.5 * curvature * w[shown] ** 2,
            "-o",
            color=color,
            markersize=4,
            linewidth=1,
            alpha=0.85,
            label=label,
        )
        right.plot(np.arange(len(w)), np.abs(w), "-o", color=color, markersize=3, label=label)
    left.set_xlabel("$w$")
    left.set_ylabel(r"$L(w) = \frac{\lambda}{2} w^2$")
    left.set_title(rf"Steps on the parabola ($\lambda$ = {curvature:g})")
    left.set_ylim(-0.05 * curvature * w0**2, 2.6 * curvature * w0**2)
    left.legend(loc="upper center", fontsize=8)
    right.set_yscale("log")
    right.set_xlabel("step $t$")
    right.set_ylabel("$|w_t|$ (distance to the minimum)")
    right.set_title(r"$|w_t| = |1-\alpha\lambda|^t\,|w_0|$")
    right.legend(loc="best", fontsize=8)
    return fig


# ------------------------------------------------------------------ a small network
MOONS = {"n": 200, "noise": 0.1, "seed": 0}
NETWORK = (2, 16, 16, 1)


def moons_data() -> tuple[np.ndarray, np.ndarray]:
    """The data set of this notebook: 200 points of ``two_moons`` (noise 0.1, seed 0)."""
    return data.two_moons(**MOONS)


def moons_run(
    lr: float,
    epochs: int = 200,
    loss: str = "mse",
    batch_size: int | None = None,
    sizes: Sequence[int] = NETWORK,
    seed: int = 0,
) -> tuple[nn.MLP, train.History]:
    """Train a fresh tanh MLP (``sizes``, seeded) on :func:`moons_data` with ``train.fit``.

    ``loss="mse"`` treats the 0/1 labels as numbers to fit (as TensorFlow Playground
    does); ``loss="bce"`` uses cross-entropy on the output logit. Returns (model, history).
    """
    X, y = moons_data()
    model = nn.MLP(list(sizes), activation="tanh", seed=seed)
    history = train.fit(
        model,
        X,
        y,
        loss=loss,
        lr=lr,
        epochs=epochs,
        batch_size=batch_size,
        from_logits=loss != "mse",
        seed=seed,
    )
    return model, history


def lr_sweep(
    lrs: Sequence[float], loss: str = "mse", epochs: int = 200, **kwargs
) -> dict[float, train.History]:
    """``{lr: History}``: one :func:`moons_run` per learning rate, everything else fixed."""
    return {float(lr): moons_run(lr, epochs=epochs, loss=loss, **kwargs)[1] for lr in lrs}


def best_lr(sweep: Mapping[float, train.History]) -> float:
    """The learning rate of the sweep whose run ended with the lowest loss (diverged runs excluded)."""
    finals = {lr: h.final_loss for lr, h in sweep.items() if not h.diverged and math.isfinite(h.final_loss)}
    if not finals:
        raise ValueError("every run of the sweep diverged: there is no best learning rate")
    return min(finals, key=finals.get)


def useful_range(sweep: Mapping[float, train.History], tolerance: float = 2.0) -> tuple[float, float]:
    """The smallest and largest learning rate whose run did not diverge and ended with a loss
    within ``tolerance`` times the best final loss of the sweep."""
    finals = {lr: h.final_loss for lr, h in sweep.items() if not h.diverged and math.isfinite(h.final_loss)}
    if not finals:
        raise ValueError("every run of the sweep diverged: there is no useful range")
    best = min(finals.values())
    good = sorted(lr for lr, value in finals.items() if value <= tolerance * best)
    return good[0], good[-1]


def plot_lr_sweep(
    sweeps: Mapping[str, Mapping[float, train.History]],
    ax: Axes | None = None,
    tolerance: float = 2.0,
    title: str = "Final loss against learning rate",
) -> Figure:
    """Final training loss against learning rate (both log scales), one curve per sweep,
    diverged runs as crosses, each sweep's useful range (:func:`useful_range`) shaded."""
    if ax is None:
        _, axes = plots.subplots(width=6.4, height=3.6)
        ax = axes[0, 0]
    for i, (label, sweep) in enumerate(sweeps.items()):
        color = plots.PALETTE[i % len(plots.PALETTE)]
        lrs = np.array(list(sweep))
        finals = np.array([h.final_loss for h in sweep.values()])
        diverged = np.array([h.diverged for h in sweep.values()])
        ax.plot(lrs, np.where(diverged, np.nan, finals), "-o", color=color, markersize=4, label=label)
        if diverged.any():
            ax.plot(
                lrs[diverged],
                np.minimum(finals[diverged], 1e5),
                plots.DIVERGED_MARKER,
                color=color,
                markersize=9,
                linestyle="none",
                label=f"{label}: diverged",
            )
        low, high = useful_range(sweep, tolerance)
        ax.axvspan(low / 1.15, high * 1.15, color=color, alpha=0.15, linewidth=0)
        ax.annotate(
            f"useful\n{low:.2g}–{high:.2g}",
            (math.sqrt(low * high), 0.8),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="top",
            fontsize=8,
            color=color,
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(r"learning rate $\alpha$ (log scale)")
    ax.set_ylabel("final training loss")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    return ax.figure


def mystery_runs(lrs: Sequence[float] = (0.1, 0.3, 0.01), epochs: int = 200) -> tuple[Figure, list[float]]:
    """Real training runs of the moons MLP (MSE), one per learning rate in ``lrs``, drawn
    side by side as "run A", "run B", ... without saying which alpha each used (a quiz).
    Returns ``(figure, lrs)``."""
    fig, axes = plots.subplots(1, len(lrs), width=3.0, height=2.6, sharey=True)
    for i, (ax, lr) in enumerate(zip(axes[0], lrs)):
        _, history = moons_run(lr, epochs=epochs)
        plots.draw_loss_curve(ax, history, color=plots.PALETTE[i % len(plots.PALETTE)])
        ax.set_yscale("log")
        ax.set_title(f"run {chr(ord('A') + i)}")
        ax.set_xlabel("SGD step")
    axes[0, 0].set_ylabel("training loss (log scale)")
    return fig, [float(lr) for lr in lrs]


# ------------------------------------------------------------------ minibatches
LINE = {"n": 200, "noise": 0.5, "seed": 0}


def _design(X: np.ndarray) -> np.ndarray:
    """Rows ``(x, 1)``: a linear model ``w x + b`` is ``A @ (w, b)``."""
    return np.column_stack([X[:, 0], np.ones(len(X))])


def minibatch_gradients(
    batch_size: int | str,
    draws: int = 200,
    seed=0,
    point=(0.0, 0.0),
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient estimates of the MSE of a line ``w x + b`` at ``point = (w, b)``.

    Returns ``(estimates, full)``: ``draws`` gradients ``(dL/dw, dL/db)``, each computed
    by the engine on a random minibatch of ``batch_size`` rows drawn without replacement
    (``"full"``: all rows, so every estimate equals the full gradient), and the full-batch
    gradient. Data: ``data.line`` (200 points, noise 0.5, seed 0) unless given.
    """
    if X is None or y is None:
        X, y = data.line(**LINE)
    A, t = _design(X), np.asarray(y, dtype=np.float64).reshape(-1)
    n = len(A)
    size = n if batch_size == "full" else min(positive_int(batch_size, "batch_size"), n)
    rng = as_rng(seed)

    def gradient(rows: np.ndarray) -> np.ndarray:
        p = Tensor(np.asarray(point, dtype=np.float64), label="(w, b)")
        loss = ((Tensor(A[rows], requires_grad=False) @ p - t[rows]) ** 2).mean()
        loss.backward()
        return p.grad.copy()

    full = gradient(np.arange(n))
    if size == n:
        return np.tile(full, (draws, 1)), full
    estimates = np.array([gradient(rng.choice(n, size, replace=False)) for _ in range(draws)])
    return estimates, full


def sgd_run(
    batch_size: int | str,
    lr: float = 0.1,
    steps: int = 100,
    seed=0,
    X: np.ndarray | None = None,
    y: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, int | None]:
    r"""Minibatch SGD on the line ``w x + b`` (MSE), starting at ``(w, b) = (0, 0)``.

    Returns ``(path, step_loss, diverged_at)``: the parameters after every step
    (``(steps + 1, 2)``, fewer if it diverged), the loss of every step's minibatch
    (what the optimiser saw, before its step), and the step at which the loss exploded
    (the rule of ``train.fit``) or None. Minibatches are drawn by ``data.minibatches``,
    reshuffled every epoch.
    """
    if X is None or y is None:
        X, y = data.line(**LINE)
    A, t = _design(X), np.asarray(y, dtype=np.float64).reshape(-1)
    n = len(A)
    size = n if batch_size == "full" else min(positive_int(batch_size, "batch_size"), n)
    p = Tensor(np.zeros(2), label="(w, b)")
    optimizer = SGD([p], lr=lr)
    rng = as_rng(seed)
    path, losses = [p.data.copy()], []
    limit, diverged_at = math.inf, None
    with np.errstate(all="ignore"):
        while len(losses) < steps and diverged_at is None:
            for Ab, tb in data.minibatches(A, t, size, rng=rng):
                loss = ((Tensor(Ab, requires_grad=False) @ p - tb) ** 2).mean()
                value = float(loss.data)
                losses.append(value)
                if not value < limit:
                    diverged_at = len(losses) - 1
                    break
                if len(losses) == 1:
                    limit = EXPLOSION_FACTOR * max(value, 1.0)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                path.append(p.data.copy())
                if len(losses) == steps:
                    break
    return np.array(path), np.array(losses), diverged_at


# ------------------------------------------------------------------ panel helpers
class _DivergenceMark:
    """The cross and label of ``plots.mark_divergence``, removed again at the next update."""

    def __init__(self, ax: Axes):
        self.ax = ax
        self.artists: list = []

    def show(self, history) -> None:
        for artist in self.artists:
            artist.remove()
        self.artists = plots.mark_divergence(self.ax, history) if history.diverged else []


def compare_runs(runs: Mapping[str, train.History], title: str = "Training loss") -> Figure:
    """``plots.loss_curves`` for several runs on one wide figure (log loss against step)."""
    fig, axes = plots.subplots(width=6.4, height=3.6)
    plots.loss_curves(runs, ax=axes[0, 0], title=title)
    return fig


def _text_box(ax: Axes, x: float = 0.02, y: float = 0.97, va: str = "top", ha: str = "left"):
    return ax.text(
        x,
        y,
        "",
        transform=ax.transAxes,
        va=va,
        ha=ha,
        fontsize=8.5,
        zorder=6,
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "alpha": 0.9, "edgecolor": "#cccccc"},
    )


# ------------------------------------------------------------------ panel 1: the bowl
BOWL_CURVATURES = (1.0, 10.0)  # lambda_1 (a shallow direction), lambda_2 (a steep one)
BOWL_START = (-4.0, 1.5)
BOWL_STEPS = 40


def descent_panel() -> widgets.Panel:
    r"""Gradient descent on the elongated bowl ``L = 1/2 (w_1^2 + 10 w_2^2)``, 40 steps.

    Left: the contours (drawn once) and the path ``w_0, w_1, ...``; right: the loss per
    step (log scale), divergence marked. The learning-rate slider (log scale) moves alpha
    from "crawls along the valley" through "zig-zags across it" to "flies out" beyond
    ``2 / lambda_max = 0.2``.
    """
    lam = np.array(BOWL_CURVATURES)
    loss_fn = quadratic_loss(lam)
    alpha_max = max_stable_lr(lam)
    fig, axes = plots.panel_figure(1, 2, width=4.5, height=3.4, gridspec_kw={"width_ratios": [1.3, 1]})
    ax, ax_loss = axes[0]

    w1, w2 = np.meshgrid(np.linspace(-5, 5, 201), np.linspace(-2.5, 2.5, 101))
    surface = 0.5 * (lam[0] * w1**2 + lam[1] * w2**2)
    ax.contour(
        w1, w2, surface, levels=np.geomspace(0.05, 60, 10), colors=plots.COLORS["grey"], linewidths=0.8
    )
    ax.plot([0], [0], "*", color=plots.COLORS["good"], markersize=12, zorder=4, label="minimum")
    ax.plot([BOWL_START[0]], [BOWL_START[1]], "o", color="black", markersize=6, zorder=4, label="start $w_0$")
    (path_line,) = ax.plot(
        [], [], "-o", color=plots.PALETTE[0], markersize=3, linewidth=1.2, label="path $w_t$"
    )
    ax.set_xlim(-5, 5)
    ax.set_ylim(-2.5, 2.5)
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel(rf"$w_1$ (shallow direction, $\lambda_1$ = {lam[0]:g})")
    ax.set_ylabel(rf"$w_2$ (steep, $\lambda_2$ = {lam[1]:g})")
    ax.set_title(rf"$L = \frac{{1}}{{2}}(w_1^2 + {lam[1]:g}\,w_2^2)$: {BOWL_STEPS} steps of gradient descent")
    legend = ax.legend(loc="upper right", fontsize=7.5, framealpha=0.9)

    (loss_line,) = ax_loss.plot([], [], "-o", color=plots.PALETTE[0], markersize=3)
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, BOWL_STEPS)
    ax_loss.set_ylim(1e-8, 1e6)
    ax_loss.set_xlabel("step $t$")
    ax_loss.set_ylabel("$L(w_t)$ (log scale)")
    ax_loss.set_title("Loss per step")
    box = _text_box(ax_loss, y=0.03, va="bottom")
    mark = _DivergenceMark(ax_loss)

    def update(learning_rate: float) -> str:
        run = descend(loss_fn, BOWL_START, learning_rate, BOWL_STEPS)
        path_line.set_data(run.path[:, 0], run.path[:, 1])
        loss_line.set_data(np.arange(len(run.losses)), run.losses)
        f1, f2 = 1 - learning_rate * lam
        history = run.history()
        mark.show(history)
        if run.diverged:
            verdict = "diverges"
            message = (
                f"α = {learning_rate:.3g} > 2/λ_max = {alpha_max:.2g}: |w₂| grows ×{abs(f2):.2f} per step; "
                f"{history.summary()}"
            )
        elif f2 < -0.5:
            verdict = "zig-zags across the valley"
            message = (
                f"w₂ flips sign every step (×{f2:+.2f}) yet shrinks: it converges because "
                f"α = {learning_rate:.3g} < 2/λ_max = {alpha_max:.2g}"
            )
        elif abs(run.final[0]) > 0.1 * abs(BOWL_START[0]):
            verdict = "crawls along the valley"
            message = (
                f"too small: after {BOWL_STEPS} steps w₁ is still {run.final[0]:.2f} (×{f1:.3f} per step)"
            )
        else:
            verdict = "converges"
            message = f"converges: L = {run.losses[-1]:.2g} after {BOWL_STEPS} steps"
        box.set_text(
            f"α = {learning_rate:.3g}: {verdict}\none step multiplies\n"
            f"  $w_1$ by 1 − αλ₁ = {f1:+.2f}\n  $w_2$ by 1 − αλ₂ = {f2:+.2f}"
        )
        return message

    def moving() -> list:
        return [path_line, legend, loss_line, box, *mark.artists]

    controls = {"learning_rate": widgets.learning_rate_slider(value=10**-0.8, low=1e-3, high=1.0)}
    return widgets.Panel(fig, update, controls, moving=moving, title="Gradient descent on an elongated bowl")


# ------------------------------------------------------------------ panel 2: a network
REFERENCE_LR = 0.1
TRAINING_EPOCHS = 200
MAP_RESOLUTION = 60


def training_panel() -> widgets.Panel:
    """Train the MLP 2-16-16-1 (tanh, MSE) on two moons for 200 full-batch epochs.

    Left: the loss per epoch (one SGD step each; log scale) beside a grey reference run
    (alpha = 0.1, seed 0), divergence marked; right: what the network learned (its output over
    the input plane, the data on top). Controls: the learning rate and the seed of the
    initial weights.
    """
    X, labels = moons_data()
    _, reference = moons_run(REFERENCE_LR, epochs=TRAINING_EPOCHS, seed=0)
    fig, axes = plots.panel_figure(1, 2, width=4.4, height=3.4)
    ax_loss, ax_map = axes[0]

    steps = np.arange(1, reference.steps + 1)
    (ref_line,) = ax_loss.plot(
        steps, plots.finite_or_nan(reference.step_loss), color=plots.COLORS["grey"], linewidth=1.4
    )
    (loss_line,) = ax_loss.plot([], [], color=plots.PALETTE[0])
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, TRAINING_EPOCHS)
    ax_loss.set_ylim(1e-2, 1e6)
    ax_loss.set_xlabel("epoch (= one SGD step: full batch)")
    ax_loss.set_ylabel("training loss (MSE, log scale)")
    network = "-".join(map(str, NETWORK))
    ax_loss.set_title(f"MLP {network} on two moons, α = 0.1")
    ax_loss.legend(
        [loss_line, ref_line],
        ["α of the slider", f"α = {REFERENCE_LR:g}, seed 0 (reference)"],
        loc="upper right",
        fontsize=8,
        framealpha=0.9,
    )
    mark = _DivergenceMark(ax_loss)

    margin = 0.5
    xlim = (X[:, 0].min() - margin, X[:, 0].max() + margin)
    ylim = (X[:, 1].min() - margin, X[:, 1].max() + margin)
    _, _, points = plots.grid(xlim, ylim, resolution=MAP_RESOLUTION)
    image = plots.probability_image(ax_map, xlim, ylim, resolution=MAP_RESOLUTION)
    plots.scatter_classes(ax_map, X, labels)
    ax_map.set_xlim(xlim)
    ax_map.set_ylim(ylim)
    ax_map.set_xlabel("$x_1$")
    ax_map.set_ylabel("$x_2$")
    ax_map.set_title("What it learned (100% of training points right)")
    colorbar = fig.colorbar(image, ax=ax_map, label="network output", shrink=0.9, ticks=[0, 0.5, 1])
    colorbar.ax.set_yticklabels(["0: class 0", "0.5", "1: class 1"])

    def update(learning_rate: float, seed: int) -> str:
        model, history = moons_run(learning_rate, epochs=TRAINING_EPOCHS, seed=seed)
        loss_line.set_data(np.arange(1, history.steps + 1), plots.finite_or_nan(history.step_loss))
        ax_loss.set_title(f"MLP {network} on two moons, α = {learning_rate:.3g}")
        mark.show(history)
        output = train.predict(model, points).reshape(MAP_RESOLUTION, MAP_RESOLUTION)
        image.set_data(plots.finite_or_nan(output))
        if history.diverged:
            ax_map.set_title("Diverged: the weights are meaningless", color=plots.COLORS["diverged"])
        else:
            ax_map.set_title(
                f"What it learned ({history.train_accuracy[-1]:.0%} of training points right)", color="black"
            )
        return history.summary()

    def moving() -> list:
        return [
            loss_line,
            ax_loss.title,
            *mark.artists,
            image,
            *ax_map.collections,
            ax_map.title,
        ]

    controls = {
        "learning_rate": widgets.learning_rate_slider(value=REFERENCE_LR, low=1e-3, high=10.0),
        "seed": widgets.seed_slider(0, high=10),
    }
    return widgets.Panel(
        fig, update, controls, moving=moving, title="Training a small network: the learning rate decides"
    )


# ------------------------------------------------------------------ panel 3: batch size
BATCH_STEPS = 100
GRADIENT_DRAWS = 200


def batch_size_panel() -> widgets.Panel:
    r"""Stochastic vs full-batch gradient descent on a line ``w x + b`` (MSE, 200 points).

    Left: 200 minibatch gradient estimates at the start ``(w, b) = (0, 0)``, scattered
    around the full gradient; their spread shrinks like ``1/sqrt(batch size)``. Middle:
    the path of 100 SGD steps over the contours of the full loss (full batch in black).
    Right: the loss of each step's minibatch. Controls: batch size, learning rate, and
    the seed of the minibatch draws.
    """
    X, y = data.line(**LINE)
    A, t = _design(X), y.reshape(-1)
    fig, axes = plots.panel_figure(1, 3, width=3.3, height=3.3)
    ax_grad, ax_path, ax_loss = axes[0]

    estimates_1, full = minibatch_gradients(1, GRADIENT_DRAWS, seed=0, X=X, y=y)
    rms_1 = float(np.sqrt(np.mean(np.sum((estimates_1 - full) ** 2, axis=1))))
    reach = np.abs(estimates_1 - full).max(axis=0) * 1.05
    ax_grad.set_xlim(full[0] - reach[0], full[0] + reach[0])
    ax_grad.set_ylim(full[1] - reach[1], full[1] + reach[1])
    cloud = ax_grad.scatter(
        estimates_1[:, 0],
        estimates_1[:, 1],
        s=10,
        color=plots.PALETTE[0],
        alpha=0.4,
        linewidths=0,
        label="minibatch estimates",
    )
    (star,) = ax_grad.plot(
        [full[0]],
        [full[1]],
        "*",
        color=plots.COLORS["highlight"],
        markersize=14,
        markeredgecolor="white",
        label="full gradient",
    )
    ax_grad.set_xlabel(r"$\partial L/\partial w$")
    ax_grad.set_ylabel(r"$\partial L/\partial b$")
    ax_grad.set_title("Gradient estimates at the start")
    grad_legend = ax_grad.legend(loc="lower right", fontsize=7.5, framealpha=0.9)
    spread_text = _text_box(ax_grad)

    # the loss of the full data set over (w, b), drawn once, and its minimum
    best = np.linalg.lstsq(A, t, rcond=None)[0]
    ww, bb = np.meshgrid(np.linspace(-0.4, 1.6, 121), np.linspace(-0.5, 1.0, 101))
    surface = np.mean((A @ np.stack([ww.ravel(), bb.ravel()]) - t[:, None]) ** 2, axis=0).reshape(ww.shape)
    ax_path.contour(
        ww,
        bb,
        surface,
        levels=np.geomspace(surface.min() * 1.03, surface.max(), 10),
        colors=plots.COLORS["grey"],
        linewidths=0.7,
    )
    (minimum,) = ax_path.plot(
        [best[0]],
        [best[1]],
        "*",
        color=plots.COLORS["good"],
        markersize=13,
        markeredgecolor="white",
        label="minimum",
    )
    (full_path,) = ax_path.plot([], [], color="black", linewidth=1.4, alpha=0.7, label="full batch")
    (sgd_path,) = ax_path.plot([], [], color=plots.PALETTE[0], linewidth=1.0, label="minibatch SGD")
    ax_path.set_xlim(ww.min(), ww.max())
    ax_path.set_ylim(bb.min(), bb.max())
    ax_path.set_xlabel("slope $w$")
    ax_path.set_ylabel("intercept $b$")
    ax_path.set_title(f"Path of {BATCH_STEPS} steps from (0, 0)")
    path_legend = ax_path.legend(loc="upper left", fontsize=7.5, framealpha=0.9)

    (full_loss,) = ax_loss.plot([], [], color="black", alpha=0.7, linewidth=1.4, label="full batch")
    (sgd_loss,) = ax_loss.plot([], [], color=plots.PALETTE[0], linewidth=1.0, label="minibatch")
    ax_loss.set_xlim(0, BATCH_STEPS)
    ax_loss.set_yscale("log")
    ax_loss.set_ylim(1e-3, 1e2)
    ax_loss.set_xlabel("SGD step")
    ax_loss.set_ylabel("loss on the step's batch (log scale)")
    ax_loss.set_title("Loss per step")
    loss_legend = ax_loss.legend(loc="upper right", fontsize=7.5, framealpha=0.9)
    mark = _DivergenceMark(ax_loss)

    cache: dict = {}

    def cached(key, compute):
        if key not in cache:
            cache[key] = compute()
        return cache[key]

    def update(batch_size, learning_rate: float, seed: int) -> str:
        estimates, _ = cached(
            ("gradients", batch_size, seed),
            lambda: minibatch_gradients(batch_size, GRADIENT_DRAWS, seed=seed, X=X, y=y),
        )
        cloud.set_offsets(estimates)
        rms = float(np.sqrt(np.mean(np.sum((estimates - full) ** 2, axis=1))))
        label = f"full batch ({len(X)} rows)" if batch_size == "full" else f"batch size {batch_size}"
        lines = [label, f"spread (RMS error) = {rms:.3f}"]
        if batch_size not in ("full", 1):
            lines.append(f"batch size 1: {rms_1:.3f}; ÷ √{batch_size} = {rms_1 / math.sqrt(batch_size):.3f}")
        spread_text.set_text("\n".join(lines))
        path_f, loss_f, _ = cached(
            ("full run", learning_rate), lambda: sgd_run("full", learning_rate, BATCH_STEPS, seed=0, X=X, y=y)
        )
        path_s, loss_s, diverged_at = sgd_run(batch_size, learning_rate, BATCH_STEPS, seed=seed, X=X, y=y)
        full_path.set_data(path_f[:, 0], path_f[:, 1])
        sgd_path.set_data(path_s[:, 0], path_s[:, 1])
        full_loss.set_data(np.arange(len(loss_f)), plots.finite_or_nan(loss_f))
        sgd_loss.set_data(np.arange(len(loss_s)), plots.finite_or_nan(loss_s))
        mark.show(
            train.History(
                step_loss=list(loss_s), diverged=diverged_at is not None, diverged_at_step=diverged_at
            )
        )
        if diverged_at is not None:
            return f"{label}: diverged at step {diverged_at}; α = {learning_rate:.3g} is too large here"
        distance = float(np.linalg.norm(path_s[-1] - best))
        return (
            f"{label}: gradient spread {rms:.3f}; after {BATCH_STEPS} steps (w, b) is "
            f"{distance:.3f} from the minimum"
        )

    def moving() -> list:
        return [
            cloud,
            star,
            grad_legend,
            spread_text,
            full_path,
            sgd_path,
            minimum,
            path_legend,
            full_loss,
            sgd_loss,
            loss_legend,
            *mark.artists,
        ]

    controls = {
        "batch_size": widgets.batch_size_dropdown(value=8),
        "learning_rate": widgets.learning_rate_slider(value=0.1, low=1e-3, high=1.0),
        "seed": widgets.seed_slider(0, high=10),
    }
    return widgets.Panel(
        fig,
        update,
        controls,
        moving=moving,
        title="Minibatches: noisy but cheap estimates of the gradient",
        columns=3,
    )
