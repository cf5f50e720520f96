"""Panels of notebook 3, "How are weights initialised?".

* ``activations_panel()``: a deep stack fed with standard-normal inputs; choose the init
  scheme, the activation, the depth and the width, and see one histogram of activations
  per layer (stacked as a "ridgeline", layer 1 on top) and their standard deviation against
  depth (Glorot & Bengio 2010, Fig. 6; He et al. 2015, §2.2);
* ``gradients_panel()``: the same for the back-propagated gradients ``dL/dA_l``
  (Glorot & Bengio 2010, Fig. 7);
* ``symmetry_panel()``: a small network trained from each init; with zeros or a constant
  every hidden unit keeps the same weights after training (the symmetry is never broken).

Static figures for the notebook: ``signal_figure`` (several schemes side by side) and
``mystery_figure`` (the "which scheme is it?" exercise). Every number comes from
:mod:`nnlesson.signal_propagation`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nnlesson import data, nn, plots, train, widgets
from nnlesson import signal_propagation as sp

PANELS = ("activations_panel", "gradients_panel", "symmetry_panel")

MAX_HISTOGRAMS = 10
"""How many layers get a histogram; deeper stacks show layers evenly spread from 1 to depth."""

PANEL_VALUES_PER_LAYER = 32_768
"""The panels feed about ``PANEL_VALUES_PER_LAYER // width`` inputs (128 for 256 units):
some 33,000 values per layer, plenty for a 41-bin histogram."""

PANEL_WORK_PER_LAYER = 256**3 // 2
"""...but at most ``PANEL_WORK_PER_LAYER // width**2`` inputs, so that one layer costs at most
about 8 million multiply-adds (32 inputs for 512 units) and 40 wide layers stay fast."""

# x-range of the histograms, per activation (values outside are counted in the edge bins)
_ACTIVATION_RANGE = {
    "tanh": (-1.0, 1.0),
    "sigmoid": (0.0, 1.0),
    "relu": (0.0, 5.0),
    "leaky_relu": (-0.5, 5.0),
    "linear": (-5.0, 5.0),
}
_GRADIENT_RANGE = (-4.0, 4.0)
_BINS = 41  # odd: 0 sits in the middle of a bin
_RIDGE_HEIGHT = 0.9  # of one row


def panel_samples(width: int) -> int:
    """How many inputs the panels feed to a stack of this width (see ``PANEL_VALUES_PER_LAYER``)."""
    return int(min(2048, max(32, min(PANEL_VALUES_PER_LAYER // width, PANEL_WORK_PER_LAYER // width**2))))


def shown_layers(depth: int, most: int = MAX_HISTOGRAMS) -> list[int]:
    """The layers (1-based) that get a histogram: all of them up to ``most``, else spread evenly."""
    if depth <= most:
        return list(range(1, depth + 1))
    return sorted({int(round(v)) for v in np.linspace(1, depth, most)})


def _edges(kind: str, activation: str) -> np.ndarray:
    low, high = _GRADIENT_RANGE if kind == "gradients" else _ACTIVATION_RANGE[activation]
    return np.linspace(low, high, _BINS + 1)


def _describe(stats: sp.SignalStatistics, layer: int) -> str:
    """The note beside a histogram: std, and the saturated (tanh/sigmoid) or zero (relu) share."""
    i = layer - 1
    text = f"σ {stats.std[i]:.2g}"
    if stats.kind == "activations" and not math.isnan(stats.saturated[i]):
        text += f", sat {stats.saturated[i]:.0%}"
    elif stats.kind == "activations" and stats.activation == "relu":
        text += f", {stats.zero[i]:.0%} = 0"
    return text


def _compute(stack: sp.DeepStack, kind: str, activation: str, depth: int) -> sp.SignalStatistics:
    if kind == "activations":
        return stack.forward_statistics(activation, depth)
    return stack.backward_statistics(activation, depth)


# ------------------------------------------------------------------ the stack cache
class _Stacks:
    """Keeps the last few ``DeepStack``s so moving the depth or activation reuses them."""

    def __init__(self, keep: int = 3):
        self.keep = keep
        self._stacks: dict[tuple, sp.DeepStack] = {}

    def get(self, scheme: str, width: int, seed: int = 0) -> sp.DeepStack:
        key = (scheme, width, seed)
        stack = self._stacks.pop(key, None)
        if stack is None:
            stack = sp.DeepStack(scheme, width, panel_samples(width), seed)
        self._stacks[key] = stack  # most recent last
        while len(self._stacks) > self.keep:
            self._stacks.pop(next(iter(self._stacks)))
        return stack


# ------------------------------------------------------------------ drawings
class _Ridges:
    """One histogram per layer, stacked in one axes (layer 1 on top), each scaled to its row.

    Cheaper to draw than one axes per layer, and the change from layer to layer reads at
    a glance. ``notes`` puts the std (and saturated/zero share) at the right of every row.
    """

    def __init__(self, ax: Axes, kind: str, color: str = plots.PALETTE[0], notes: bool = True):
        self.ax, self.kind = ax, kind
        self._layers: tuple[int, ...] = ()
        edges = _edges(kind, "tanh")
        self.stairs = [
            ax.stairs(np.zeros(_BINS), edges, baseline=0.0, fill=True, color=color, alpha=0.85, linewidth=0)
            for _ in range(MAX_HISTOGRAMS)
        ]
        self.notes = [
            ax.text(1.01, 0.0, "", transform=ax.get_yaxis_transform(), fontsize=8, va="bottom", ha="left")
            for _ in range(MAX_HISTOGRAMS if notes else 0)
        ]
        ax.grid(False)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        ax.set_xlabel("activation $a$" if kind == "activations" else r"gradient $\partial L/\partial a$")

    def draw(self, stats: sp.SignalStatistics, layers: Sequence[int]) -> None:
        edges = _edges(self.kind, stats.activation)
        drop_zeros = self.kind == "activations" and stats.activation == "relu"
        rows = len(layers)
        for k, artist in enumerate(self.stairs):
            if k >= rows:
                artist.set_visible(False)
                if k < len(self.notes):
                    self.notes[k].set_text("")
                continue
            layer, offset = layers[k], float(rows - 1 - k)
            counts = stats.histogram(layer, edges, drop_zeros=drop_zeros)
            peak = float(counts.max())
            heights = counts * (_RIDGE_HEIGHT / peak) if peak > 0 else counts
            artist.set_data(heights + offset, edges, offset)
            artist.set_visible(True)
            if k < len(self.notes):
                self.notes[k].set_y(offset + 0.15)
                self.notes[k].set_text(_describe(stats, layer))
        if (edges[0], edges[-1]) != self.ax.get_xlim():
            self.ax.set_xlim(edges[0], edges[-1])
        if tuple(layers) != self._layers:
            self._layers = tuple(layers)
            self.ax.set_ylim(-0.05, rows)
            self.ax.set_yticks(np.arange(rows) + 0.3, [f"layer {layer}" for layer in reversed(layers)])


def _std_axes(ax: Axes, kind: str) -> None:
    reference = "input std = 1" if kind == "activations" else "std arriving at the top = 1"
    ax.axhline(1.0, color=plots.COLORS["grey"], linewidth=0.8, linestyle=":", label=reference)
    ax.set_yscale("log")
    flow = "" if kind == "activations" else ";\nthe gradient flows right to left"
    ax.set_xlabel(f"layer (1 = next to the input{flow})")
    ax.set_ylabel("std of " + ("activations" if kind == "activations" else "gradients") + " (log scale)")


def _std_limits(ax: Axes, *curves: np.ndarray) -> None:
    values = np.concatenate([np.asarray(c, dtype=float).ravel() for c in curves] + [np.array([1.0])])
    finite = values[np.isfinite(values) & (values > 0)]
    low = max(float(finite.min()), 1e-300) / 3
    high = min(float(finite.max()), 1e300) * 3
    ax.set_ylim(min(low, 0.1), max(high, 10.0))


class _SignalView:
    """The panel's figure: ridgeline of histograms (left) and std against depth (right)."""

    def __init__(self, kind: str):
        self.kind = kind
        fig, axes = plots.panel_figure(1, 2, width=4.6, height=4.0)
        self.figure = fig
        self.ridges = _Ridges(axes[0, 0], kind)
        self.ridge_title = axes[0, 0].set_title("")
        ax = self.std_ax = axes[0, 1]
        theory = r"simple theory: × $\sqrt{c\,n\,\mathrm{Var}[w]}$ per layer"
        (self.theory,) = ax.plot([], [], "--", color=plots.COLORS["grey"], label=theory)
        (self.line,) = ax.plot([], [], "-", color=plots.PALETTE[3], label="measured")
        (self.marks,) = ax.plot([], [], "o", color=plots.PALETTE[0], markersize=5, label="histograms shown")
        _std_axes(ax, kind)
        self.std_title = ax.set_title("")
        self.note = ax.text(
            0.5, 0.5, "", transform=ax.transAxes, ha="center", va="center", color=plots.COLORS["diverged"]
        )
        ax.legend(loc="upper left", fontsize=8)

    def draw(self, stats: sp.SignalStatistics, factor: float, label: str) -> None:
        depth = stats.depth
        layers = shown_layers(depth)
        self.ridges.draw(stats, layers)
        what = "activations" if self.kind == "activations" else "back-propagated gradients"
        self.ridge_title.set_text(f"{what}, {label}")
        x = np.arange(1, depth + 1)
        std = np.where(stats.std > 0, stats.std, np.nan)
        self.line.set_data(x, std)
        self.marks.set_data(layers, std[np.array(layers) - 1])
        anchor_layer = 1 if self.kind == "activations" else depth
        anchor = std[anchor_layer - 1]
        theory = np.array([])
        if math.isfinite(factor) and factor > 0 and math.isfinite(anchor):
            theory = anchor * math.sqrt(factor) ** np.abs(x - anchor_layer)
            self.theory.set_data(x, theory)
            per_layer = f": theory × {math.sqrt(factor):.3g} per layer"
        else:
            self.theory.set_data([], [])
            per_layer = ""
        self.std_ax.set_xlim(0.5, depth + 0.5)
        _std_limits(self.std_ax, std, theory)
        self.std_title.set_text(f"std against depth{per_layer}")
        self.note.set_text("" if np.isfinite(std).any() else "std = 0 in every layer:\nnothing gets through")


def _signal_message(stats: sp.SignalStatistics) -> str:
    """One line under the controls: how much of the signal is left."""
    depth = stats.depth
    if stats.kind == "activations":
        text = f"layer {depth}: std {stats.std[-1]:.3g}"
        if stats.std[0] > 0:
            text += f" = {stats.std[-1] / stats.std[0]:.3g} × layer 1's"
        if not math.isnan(stats.saturated[-1]):
            text += f"; {stats.saturated[-1]:.0%} of its units saturated (|a| > 0.97)"
        return text
    text = f"gradient at layer 1: std {stats.std[0]:.3g}"
    if stats.std[-1] > 0:
        text += f" = {stats.std[0] / stats.std[-1]:.3g} × the gradient arriving at layer {depth}"
    return text


def _signal_panel(kind: str, init_value: str, activation: str, depth: int, width: int) -> widgets.Panel:
    view = _SignalView(kind)
    stacks = _Stacks()

    def update(init: str, activation: str, depth: int, width: int) -> str:
        stats = _compute(stacks.get(init, width), kind, activation, depth)
        factor = sp.variance_factor(init, activation, width)
        view.draw(stats, factor, f"{sp.scheme_label(init)}, {activation}")
        return _signal_message(stats)

    controls = {
        "init": widgets.init_dropdown(init_value, options=sp.scheme_names()),
        "activation": widgets.activation_dropdown(activation),
        "depth": widgets.depth_slider(depth, 1, 40),
        "width": widgets.width_slider(width, 16, 512),
    }
    title = "Activations layer by layer" if kind == "activations" else "Gradients layer by layer"
    return widgets.Panel(view.figure, update, controls, title=title)


def activations_panel(
    init: str = "standard_uniform", activation: str = "tanh", depth: int = 10, width: int = 256
) -> widgets.Panel:
    """Histograms of the activations of every layer of a deep stack, and their std vs depth.

    Controls: init scheme (every scheme of ``signal_propagation.scheme_names()``),
    activation, depth (1–40 layers), width (16–512 units). The inputs are standard normal.
    """
    return _signal_panel("activations", init, activation, depth, width)


def gradients_panel(
    init: str = "standard_uniform", activation: str = "tanh", depth: int = 10, width: int = 256
) -> widgets.Panel:
    """Histograms of the back-propagated gradients ``dL/dA_l`` per layer, and their std vs
    depth; a standard-normal gradient arrives at the top layer and flows down to layer 1."""
    return _signal_panel("gradients", init, activation, depth, width)


# ------------------------------------------------------------------ symmetry
SYMMETRY_SIZES = (2, 8, 8, 1)


def train_small_network(
    scheme: str, seed: int = 0, epochs: int = 150, lr: float = 0.5
) -> tuple[nn.MLP, train.History, tuple[np.ndarray, np.ndarray]]:
    """Train ``MLP([2, 8, 8, 1])`` (tanh, linear output, BCE on logits) on two moons from
    ``scheme``; return ``(model, history, (X, y))``. Used by ``symmetry_panel`` and notebook 3."""
    X, y = data.make("two_moons", n=200, noise=0.1, seed=0)
    model = nn.MLP(list(SYMMETRY_SIZES), activation="tanh", init=sp.get_scheme(scheme), seed=seed)
    history = train.fit(
        model, X, y, loss="binary_cross_entropy", lr=lr, epochs=epochs, seed=seed, from_logits=True
    )
    return model, history, (X, y)


def unit_spread(W: np.ndarray) -> float:
    """How different the units of a layer are: the largest gap between any column of ``W``
    (one column = one unit's incoming weights) and the first column. 0 means all identical."""
    return float(np.abs(W - W[:, :1]).max())


def symmetry_panel(init: str = "constant", seed: int = 0) -> widgets.Panel:
    """Train ``MLP([2, 8, 8, 1])`` from a chosen init and show its weights after training.

    Left: ``W_1`` (2 inputs × 8 hidden units) with its values; middle: ``W_2`` (8 × 8);
    right: the decision regions. With ``zeros`` or ``constant`` every column (unit) is the
    same after training and the boundary is a straight line; random inits break the tie.
    """
    fig, axes = plots.panel_figure(1, 3, width=3.5, height=3.0)
    ax1, ax2, ax3 = axes[0]
    w1 = ax1.imshow(np.zeros((2, 8)), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    numbers = [[ax1.text(j, i, "", ha="center", va="center", fontsize=7) for j in range(8)] for i in range(2)]
    ax1.set_xticks(range(8))
    ax1.set_yticks([0, 1], ["$x_1$", "$x_2$"])
    ax1.set_xlabel("hidden unit $j$ (column of $W_1$)")
    title1 = ax1.set_title("")
    w2 = ax2.imshow(np.zeros((8, 8)), cmap="RdBu_r", vmin=-1, vmax=1)
    ax2.set_xticks(range(8))
    ax2.set_yticks(range(8))
    ax2.set_xlabel("unit $j$ of layer 2")
    ax2.set_ylabel("unit $i$ of layer 1")
    title2 = ax2.set_title("")
    for ax in (ax1, ax2):
        ax.grid(False)
    fig.colorbar(w2, ax=ax2, shrink=0.85, label="weight")
    X, y = data.make("two_moons", n=200, noise=0.1, seed=0)
    margin = 0.5
    xlim = (X[:, 0].min() - margin, X[:, 0].max() + margin)
    ylim = (X[:, 1].min() - margin, X[:, 1].max() + margin)
    _, _, points = plots.grid(xlim, ylim, resolution=60)
    region = ax3.imshow(
        np.zeros((60, 60)),
        extent=(*xlim, *ylim),
        origin="lower",
        cmap=plots.REGION_CMAP,
        vmin=0,
        vmax=1,
        aspect="auto",
    )
    plots.scatter_classes(ax3, X, y)
    ax3.set_xlim(xlim)
    ax3.set_ylim(ylim)
    ax3.set_xlabel("$x_1$")
    ax3.set_ylabel("$x_2$")
    ax3.grid(False)
    title3 = ax3.set_title("")

    def update(init: str, seed: int) -> str:
        model, history, _ = train_small_network(init, seed)
        W1, W2 = model.layers[0].W.data, model.layers[1].W.data
        limit = max(float(np.abs(W1).max()), float(np.abs(W2).max()), 1e-3)
        for image, W in ((w1, W1), (w2, W2)):
            image.set_data(W)
            image.set_clim(-limit, limit)
        for i in range(2):
            for j in range(8):
                numbers[i][j].set_text(f"{W1[i, j]:.2f}")
        spread1, spread2 = unit_spread(W1), unit_spread(W2)
        title1.set_text(f"$W_1$ after training\nlargest gap between units {spread1:.2g}")
        title2.set_text(f"$W_2$ after training\nlargest gap between units {spread2:.2g}")
        with np.errstate(all="ignore"):
            logits = train.predict(model, points)[:, 0]
            region.set_data((1.0 / (1.0 + np.exp(-logits))).reshape(60, 60))
        accuracy = history.train_accuracy[-1] if history.train_accuracy else math.nan
        title3.set_text(f"{sp.scheme_label(init)}: accuracy {accuracy:.0%}")
        identical = "all hidden units identical" if spread1 < 1e-9 and spread2 < 1e-9 else "units differ"
        return f"{history.summary()}; {identical}"

    controls = {
        "init": widgets.init_dropdown(init),  # every scheme of nnlesson.init
        "seed": widgets.seed_slider(seed),
    }
    return widgets.Panel(fig, update, controls, title="Symmetry: do the hidden units become different?")


# ------------------------------------------------------------------ static figures
def signal_figure(
    schemes: Sequence[str],
    activation: str = "tanh",
    depth: int = 10,
    width: int = 256,
    n_samples: int = 1000,
    kind: str = "activations",
    seed: int = 0,
) -> Figure:
    """Static figure: a ridgeline of layer histograms per scheme, and the std of every scheme
    against depth (log scale). Returns the figure."""
    fig, axes = plots.subplots(1, len(schemes) + 1, width=3.3, height=3.6)
    layers = shown_layers(depth)
    std_ax = axes[0, -1]
    for k, scheme in enumerate(schemes):
        stats = _compute(sp.DeepStack(scheme, width, n_samples, seed), kind, activation, depth)
        color = plots.PALETTE[k % len(plots.PALETTE)]
        _Ridges(axes[0, k], kind, color=color).draw(stats, layers)
        axes[0, k].set_title(sp.scheme_label(scheme), color=color)
        std = np.where(stats.std > 0, stats.std, np.nan)
        std_ax.plot(
            np.arange(1, depth + 1), std, "o-", color=color, markersize=3, label=sp.scheme_label(scheme)
        )
    _std_axes(std_ax, kind)
    std_ax.set_title("std against depth")
    std_ax.legend(fontsize=8, loc="best")
    what = "activations" if kind == "activations" else "back-propagated gradients"
    fig.suptitle(f"{what.capitalize()}: {depth} {activation} layers × {width} units, {n_samples} inputs")
    return fig


def mystery_figure(
    schemes: Sequence[str] = ("standard_uniform", "xavier_uniform", "large_normal"),
    activation: str = "tanh",
    depth: int = 10,
    seed: int = 3,
) -> tuple[Figure, list[str]]:
    """The "which scheme is it?" exercise: the layer histograms of a few schemes in an order
    shuffled with ``seed``, titled "stack A", "stack B", … without their scheme.

    Returns ``(figure, order)``: ``order[k]`` is the scheme behind stack k.
    """
    order = [schemes[i] for i in np.random.default_rng(seed).permutation(len(schemes))]
    fig, axes = plots.subplots(1, len(order), width=2.9, height=3.4)
    for k, scheme in enumerate(order):
        stats = sp.forward_statistics(scheme, activation, depth, width=256, n_samples=500, seed=0)
        _Ridges(axes[0, k], "activations", notes=False).draw(stats, shown_layers(depth))
        axes[0, k].set_title(f"stack {chr(65 + k)}")
    fig.suptitle(f"Three {depth}-layer {activation} stacks of 256 units: which init is which?")
    return fig, order


def loss_figure(runs: dict, title: str, ylim: tuple[float, float] = (1e-3, 20.0)) -> Figure:
    """``plots.loss_curves`` of several runs on a wide figure with the legend outside and the
    loss axis cut to ``ylim``; a run that diverged off the scale gets its cross at the top edge."""
    _, axes = plots.subplots(width=7.5, height=3.6)
    ax = axes[0, 0]
    plots.loss_curves(runs, ax=ax, title=title, ylim=ylim)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9)
    return ax.figure
