"""Every figure of the notebooks, drawn in one style.

* ``PALETTE``: the Okabe-Ito colours, safe for the common forms of colour blindness.
* ``subplots(...)``: a styled figure for a static plot in a notebook cell (pyplot-managed,
  so Jupyter shows it when the cell ends: write ``fig = plots.loss_curves(...)``).
* ``panel_figure(...)``: a styled figure that belongs to an interactive panel (not managed
  by pyplot; the panel renders it itself).
* Reusable drawings: ``loss_curves``, ``histograms``, ``decision_regions``,
  ``function_curve`` and friends. Each takes ``ax`` (or makes a figure) and labels its axes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from nnlesson.engine import Tensor, no_grad

# Okabe & Ito (2008): blue, orange, bluish green, vermillion, reddish purple, sky blue, yellow, black.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
COLORS = {
    "train": PALETTE[0],
    "validation": PALETTE[1],
    "diverged": PALETTE[3],
    "good": PALETTE[2],
    "class0": PALETTE[0],
    "class1": PALETTE[1],
    "highlight": PALETTE[3],
    "grey": "#999999",
}
# Diverging map for decision regions / surfaces: blue (class 0) to orange (class 1).
REGION_CMAP = ListedColormap(
    np.vstack(
        [
            np.linspace([0.75, 0.86, 0.95], [1.0, 1.0, 1.0], 128),
            np.linspace([1.0, 1.0, 1.0], [0.98, 0.87, 0.68], 128),
        ]
    ),
    name="nnlesson_regions",
)

STYLE = {
    "figure.dpi": 100,
    "savefig.dpi": 100,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.fontsize": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
}
matplotlib.rcParams.update(STYLE)

DIVERGED_MARKER = "X"


def subplots(nrows: int = 1, ncols: int = 1, width: float = 4.2, height: float = 3.2, **kwargs):
    """A styled pyplot figure of ``nrows x ncols`` axes, each about ``width x height`` inches."""
    return plt.subplots(
        nrows, ncols, figsize=(width * ncols, height * nrows), layout="constrained", squeeze=False, **kwargs
    )


def panel_figure(nrows: int = 1, ncols: int = 1, width: float = 4.0, height: float = 3.2, **kwargs):
    """A styled figure for an interactive panel: not managed by pyplot, drawn with Agg.

    Returns ``(figure, axes)`` with ``axes`` a 2-D array. The layout is computed once, at
    the panel's first render, and then frozen (re-solving it on every redraw would cost
    more than the drawing itself).
    """
    fig = Figure(figsize=(width * ncols, height * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
    return fig, axes


# ------------------------------------------------------------------ loss curves
def loss_curves(
    runs,
    ax: Axes | None = None,
    log: bool = True,
    per: str = "step",
    title: str = "Training loss",
    validation: bool = False,
    ylim: tuple[float, float] | None = None,
) -> Figure:
    """Plot one or more training runs' loss against step (or epoch).

    ``runs``: a ``History`` or a mapping ``label -> History``. A run that diverged ends
    with a cross where it did, labelled "diverged" (in the run's colour when there are
    several runs, else vermillion). So that one exploding run does
    not flatten all the others, the loss axis stops at 30x the largest starting loss
    (or at ``ylim``, if given) and such a run's cross sits at the top edge.
    """
    if validation and per != "epoch":
        raise ValueError("validation loss is measured once per epoch: use per='epoch' with validation=True")
    if ax is None:
        _, axes = subplots()
        ax = axes[0, 0]
    if not isinstance(runs, Mapping):
        runs = {"": runs}
    ax.cla()
    for i, (label, history) in enumerate(runs.items()):
        color = PALETTE[i % len(PALETTE)]
        draw_loss_curve(ax, history, label=label, color=color, per=per, mark=False)
        if validation and getattr(history, "val_loss", None):
            epochs = np.arange(1, len(history.val_loss) + 1)  # validation: after each epoch
            ax.plot(epochs, finite_or_nan(history.val_loss), "--", color=color, label=f"{label} validation")
    ax.set_xlabel("SGD step" if per == "step" else "epoch")
    ax.set_ylabel("loss")
    if log:
        ax.set_yscale("log")
    diverged = {label: h for label, h in runs.items() if getattr(h, "diverged", False)}
    if ylim is not None:
        ax.set_ylim(*ylim)
    elif diverged:
        starts = [loss_points(h, per)[1][:1] for h in runs.values()]
        starts = np.concatenate(starts)[np.isfinite(np.concatenate(starts))]
        bottom, top = ax.get_ylim()
        if starts.size and top > 30 * starts.max():
            ax.set_ylim(bottom, 30 * starts.max())
    colors = {label: PALETTE[i % len(PALETTE)] for i, label in enumerate(runs)}
    for label, history in diverged.items():
        # With several runs the cross takes the colour of its run; alone, the alarm colour.
        color = colors[label] if len(runs) > 1 else COLORS["diverged"]
        mark_divergence(
            ax, history, color=color, per=per, label=f"{label}: diverged" if label else "diverged"
        )
    ax.set_title(title)
    if any(runs) or validation:
        ax.legend(loc="best")
    return ax.figure


def draw_loss_curve(
    ax: Axes, history, label: str = "", color: str | None = None, per: str = "step", mark: bool = True
):
    """Draw one run's loss curve on ``ax``; mark divergence (unless ``mark=False``).
    Returns the line.

    Steps are numbered from 0, as in ``History.step_loss`` (the loss of step k is measured
    before its update); epochs from 1 (the mean loss over epoch 1, 2, ...).
    """
    x, values = loss_points(history, per)
    (line,) = ax.plot(x, finite_or_nan(values), color=color, label=label or None)
    if mark and getattr(history, "diverged", False):
        mark_divergence(ax, history, per=per)
    return line


def loss_points(history, per: str = "step") -> tuple[np.ndarray, np.ndarray]:
    """(x, loss) of a run: x is the step index (from 0) or the epoch number (from 1)."""
    if per not in ("step", "epoch"):
        raise ValueError(f"per must be 'step' or 'epoch', got {per!r}")
    values = np.asarray(history.step_loss if per == "step" else history.epoch_loss, dtype=float)
    start = 0 if per == "step" else 1
    return np.arange(start, start + len(values)), values


def mark_divergence(
    ax: Axes,
    history,
    color: str = COLORS["diverged"],
    per: str = "step",
    y: float | None = None,
    label: str = "diverged",
) -> list:
    """A cross where the run diverged, labelled "diverged (step N)"; returns its artists
    (so a panel can remove them at the next update).

    The cross sits at height ``y``, by default the run's largest finite loss, pulled down
    inside the axes when the y-limits are already fixed below it. The label goes to the
    right of the cross when the run diverged early (so it stays inside the axes).
    """
    x, values = loss_points(history, per)
    if per == "step":
        where = history.diverged_at_step if history.diverged_at_step is not None else len(values) - 1
    else:
        where = (history.diverged_at_epoch if history.diverged_at_epoch is not None else len(values)) + 1
    if y is None:
        finite = values[np.isfinite(values)]
        y = finite.max() if finite.size else 1.0
        if not ax.get_autoscaley_on():
            bottom, top = ax.get_ylim()
            highest = top / 1.6 if ax.get_yscale() == "log" else top - 0.06 * (top - bottom)
            y = min(y, highest)
    (cross,) = ax.plot([where], [y], DIVERGED_MARKER, color=color, markersize=11, zorder=5, label="_diverged")
    low, high = ax.get_xlim()
    early = where < low + 0.4 * (high - low)
    text = ax.annotate(
        f"{label} ({per} {where})",
        (where, y),
        textcoords="offset points",
        xytext=(9, -4) if early else (-8, -14),
        ha="left" if early else "right",
        color=color,
        fontsize=9,
    )
    return [cross, text]


def finite_or_nan(values) -> np.ndarray:
    """``values`` as floats, with NaN where they are infinite: a plotted line breaks there
    instead of shooting off the axes (a diverged loss is marked separately)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.isfinite(values), values, np.nan)


# ------------------------------------------------------------------ histograms
def histograms(
    arrays: Sequence[np.ndarray],
    labels: Sequence[str] | None = None,
    bins: int | np.ndarray = 40,
    range_: tuple[float, float] | None = None,
    xlabel: str = "value",
    title: str = "",
    axes=None,
) -> Figure:
    """One histogram per array side by side (e.g. one per layer), shared bins."""
    n = len(arrays)
    if axes is None:
        fig, ax_grid = subplots(1, n, width=2.2, height=2.2, sharey=True)
        axes = ax_grid[0]
    if range_ is None:
        finite = [a[np.isfinite(a)] for a in map(np.ravel, arrays)]
        low = min((f.min() for f in finite if f.size), default=-1.0)
        high = max((f.max() for f in finite if f.size), default=1.0)
        range_ = (low, high) if high > low else (low - 1, high + 1)
    edges = bins if isinstance(bins, np.ndarray) else np.linspace(*range_, bins + 1)
    for i, (ax, values) in enumerate(zip(axes, arrays)):
        ax.cla()
        counts, _ = np.histogram(np.ravel(values), bins=edges)
        ax.stairs(counts / max(counts.sum(), 1), edges, fill=True, color=PALETTE[0], alpha=0.8)
        ax.set_title(labels[i] if labels else f"layer {i + 1}", fontsize=9)
        ax.set_xlabel(xlabel)
    axes[0].set_ylabel("fraction of units")
    if title:
        axes[0].figure.suptitle(title)
    return axes[0].figure


# ------------------------------------------------------------------ 2-D inputs
def grid(xlim=(-2.5, 2.5), ylim=(-2.5, 2.5), resolution: int = 80):
    """A ``resolution x resolution`` grid over the input plane: (xx, yy, points (n, 2))."""
    xx, yy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def model_output_on_grid(model: Callable, points: np.ndarray, shape) -> np.ndarray:
    """Evaluate ``model`` (no graph recorded) on grid points; returns the first output (or
    the argmax class for several outputs) in the grid's shape."""
    with no_grad():
        out = model(Tensor(points, requires_grad=False))
    values = out.data if isinstance(out, Tensor) else np.asarray(out)
    if values.ndim == 2 and values.shape[1] > 1:
        values = values.argmax(axis=1)
    return values.reshape(shape)


def decision_regions(
    model: Callable,
    X: np.ndarray,
    labels: np.ndarray,
    ax: Axes | None = None,
    resolution: int = 80,
    threshold: float = 0.0,
    title: str = "Decision regions",
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Colour the input plane by the model's output and scatter the data by class.

    The colours span the output's own range unless ``vmin``/``vmax`` fix them (pass 0 and
    1 for a probability output, so a model unsure everywhere looks pale, not confident).
    The line is where the output crosses ``threshold`` (0 for a logit, 0.5 for a probability).
    """
    if ax is None:
        _, axes = subplots(width=4, height=3.6)
        ax = axes[0, 0]
    margin = 0.5
    xlim = (X[:, 0].min() - margin, X[:, 0].max() + margin)
    ylim = (X[:, 1].min() - margin, X[:, 1].max() + margin)
    xx, yy, points = grid(xlim, ylim, resolution)
    values = model_output_on_grid(model, points, xx.shape)
    ax.cla()
    low = values.min() if vmin is None else vmin
    high = values.max() if vmax is None else vmax
    levels = np.linspace(low, high, 21) if high > low else 20
    ax.contourf(xx, yy, np.clip(values, low, high), levels=levels, cmap=REGION_CMAP, alpha=0.9)
    if np.ptp(values) > 0 and values.min() < threshold < values.max():
        ax.contour(xx, yy, values, levels=[threshold], colors="k", linewidths=1)
    scatter_classes(ax, X, labels)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return ax.figure


def probability_image(ax: Axes, xlim, ylim, values: np.ndarray | None = None, resolution: int = 64):
    """An image of p(class 1) over the input plane, coloured on a fixed 0..1 scale.

    Made once; a panel then updates it in place with ``image.set_data(p)`` (far cheaper
    than a new ``contourf`` on every update). ``values`` defaults to 0.5 everywhere.
    """
    return ax.imshow(
        np.full((resolution, resolution), 0.5) if values is None else values,
        origin="lower",
        extent=(*xlim, *ylim),
        cmap=REGION_CMAP,
        vmin=0.0,
        vmax=1.0,
        aspect="auto",
        interpolation="bilinear",
    )


def scatter_classes(ax: Axes, X: np.ndarray, labels: np.ndarray) -> None:
    """Scatter 2-D points coloured (and shaped) by integer class."""
    markers = ["o", "s", "^", "D", "v", "P", "*", "X"]
    for k in np.unique(labels):
        pick = labels == k
        ax.scatter(
            X[pick, 0],
            X[pick, 1],
            s=14,
            color=PALETTE[int(k) % len(PALETTE)],
            marker=markers[int(k) % len(markers)],
            edgecolors="white",
            linewidths=0.4,
            label=f"class {int(k)}",
        )


def function_curve(
    functions: Mapping[str, Callable[[np.ndarray], np.ndarray]],
    x: np.ndarray | None = None,
    ax: Axes | None = None,
    title: str = "",
    xlabel: str = "$z$",
    ylabel: str = "",
) -> Figure:
    """Plot several 1-D functions of ``x`` on one axes, one colour each, with a legend."""
    if x is None:
        x = np.linspace(-4, 4, 401)
    if ax is None:
        _, axes = subplots()
        ax = axes[0, 0]
    for label, f in functions.items():
        ax.plot(x, f(x), label=label)
    ax.axhline(0, color=COLORS["grey"], linewidth=0.8)
    ax.axvline(0, color=COLORS["grey"], linewidth=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc="best")
    return ax.figure
