r"""Panels and figures of notebook 6, "Putting it together": one network, every control.

A multi-layer perceptron with ``depth`` hidden layers of ``width`` units learns to
separate two classes in the plane (two moons, circles, spirals or XOR)::

    A_0 = X,   A_l = phi(A_{l-1} @ W_l + b_l)  (l = 1 … depth),   output = A_depth @ W_out + b_out

trained by (minibatch) gradient descent ``w <- w - alpha * dL/dw`` on a loss whose choice
also fixes the output layer (:data:`LOSSES`):

* ``bce``: one linear output unit, a logit ``z``; ``p(class 1) = sigmoid(z)`` inside the
  loss (binary cross-entropy from logits);
* ``mse``: one linear output unit fitted to the 0/1 labels by squared error; class 1 where
  the output exceeds 0.5;
* ``scce``: two linear output units (logits), softmax inside the loss (sparse categorical
  cross-entropy); class 1 where ``softmax(z)_1 > 0.5``.

Computations (no figure): :func:`dataset`, :class:`Settings`, :func:`estimated_seconds`,
:func:`train_run` (training in ten chunks with a snapshot of every layer after each one),
:class:`Run` (``probability_on``, ``accuracy``, ``saturation``).
Static figures: :func:`run_figure` (the panel's picture of one run), :func:`compare_figure`
(several runs side by side).
Panels (``PANELS``): :func:`playground_panel`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache

import ipywidgets as w
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FormatStrFormatter, MaxNLocator, NullLocator

from nnlesson import activations, data, nn, plots, train, widgets
from nnlesson.nn import LayerTrace

__all__ = [
    "DATASETS",
    "LOSSES",
    "PANELS",
    "LossSetup",
    "Run",
    "Settings",
    "PlaygroundFigure",
    "affordable_epochs",
    "check_environment",
    "compare_figure",
    "dataset",
    "describe",
    "estimated_seconds",
    "first_taste_panel",
    "gradient_norms",
    "outcome",
    "playground_panel",
    "run_figure",
    "train_run",
]

PANELS = ("playground_panel", "first_taste_panel")

# ------------------------------------------------------------------ the data
DATASETS = ("two_moons", "circles", "spirals", "xor")
"""The two-class data sets of the playground (``nnlesson.data`` names)."""

N_POINTS = 200
VAL_FRACTION = 0.25
DATA_SEED = 0
MARGIN = 0.4
GRID = 64  # the decision map is GRID x GRID points


@cache
def dataset(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X_train, X_val, y_train, y_val`` for one of :data:`DATASETS`: 200 points (seed 0,
    the generator's default noise), a quarter of them held out for validation."""
    X, y = data.make(name, n=N_POINTS, seed=DATA_SEED)
    parts = data.train_val_split(X, y, VAL_FRACTION, seed=DATA_SEED)
    for part in parts:
        part.setflags(write=False)  # cached: shared by every run
    return parts


@cache
def _plane(name: str) -> tuple[tuple[float, float], tuple[float, float], np.ndarray]:
    """(xlim, ylim, grid points (GRID*GRID, 2)) covering a data set with a margin."""
    X_train, X_val, _, _ = dataset(name)
    X = np.vstack([X_train, X_val])
    xlim = (float(X[:, 0].min() - MARGIN), float(X[:, 0].max() + MARGIN))
    ylim = (float(X[:, 1].min() - MARGIN), float(X[:, 1].max() + MARGIN))
    _, _, points = plots.grid(xlim, ylim, resolution=GRID)
    return xlim, ylim, points


# ------------------------------------------------------------------ losses and output layers
@dataclass(frozen=True)
class LossSetup:
    """How a loss choice shapes the network's last layer and how its output is read.

    ``loss``: the name for ``train.fit``; ``outputs``: units of the (linear) output layer;
    ``from_logits``: passed to the loss; ``label``: shown in the dropdown;
    ``output_layer``: one sentence saying what the last layer is.
    """

    key: str
    loss: str
    outputs: int
    from_logits: bool
    label: str
    output_layer: str


LOSSES: dict[str, LossSetup] = {
    "bce": LossSetup(
        "bce",
        "binary_cross_entropy",
        1,
        True,
        "BCE · 1 output (logit)",
        "output layer: 1 linear unit, a logit z; p(class 1) = σ(z), applied inside the loss",
    ),
    "mse": LossSetup(
        "mse",
        "mse",
        1,
        False,
        "MSE · 1 output (fits 0/1)",
        "output layer: 1 linear unit fitted to the labels 0/1 by squared error; class 1 where it exceeds 0.5",
    ),
    "scce": LossSetup(
        "scce",
        "sparse_categorical_cross_entropy",
        2,
        True,
        "SCCE · 2 outputs (softmax)",
        "output layer: 2 linear units (logits), softmax inside the loss; class 1 where p₁ > 0.5",
    ),
}


def _probability(output: np.ndarray, setup: LossSetup) -> np.ndarray:
    """The network's output read as p(class 1) (MSE: the output itself, clipped to [0, 1])."""
    with np.errstate(all="ignore"):
        if setup.outputs == 2:
            z = output[:, 1] - output[:, 0]  # softmax of two logits = sigmoid of their difference
        else:
            z = output.reshape(-1)
            if not setup.from_logits:
                return np.clip(z, 0.0, 1.0)
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # sigmoid, without overflow


# ------------------------------------------------------------------ settings and cost
@dataclass(frozen=True)
class Settings:
    """Everything that defines one training run of the playground."""

    dataset: str = "two_moons"
    loss: str = "bce"
    activation: str = "tanh"
    init: str = "xavier_uniform"
    lr: float = 0.3
    depth: int = 2
    width: int = 16
    batch_size: int | str = "full"
    epochs: int = 150
    seed: int = 0

    @property
    def setup(self) -> LossSetup:
        return LOSSES[self.loss]

    @property
    def sizes(self) -> list[int]:
        """``[2, width, …, width, outputs]``: the layer widths of the MLP."""
        return [2] + [self.width] * self.depth + [self.setup.outputs]

    @property
    def batch(self) -> int | None:
        """The batch size for ``train.fit`` (``None``: full batch)."""
        return None if self.batch_size == "full" else int(self.batch_size)


# Cost model of one run on the reference 2-core machine (measured with single-threaded
# BLAS; milliseconds). A step costs a fixed overhead per layer plus the multiply-adds.
_MS_STEP, _MS_LAYER, _MS_PER_MEGA = 0.05, 0.03, 0.6
_MS_EPOCH_LAYER = 0.02
N_SNAPSHOTS = 10
"""Training runs in this many equal chunks; every layer is recorded after each one."""


def _parameters(sizes: Sequence[int]) -> int:
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def estimated_seconds(settings: Settings, epochs: int | None = None) -> float:
    """A rough estimate of how long :func:`train_run` takes for ``settings`` (or only
    ``epochs`` of it): steps x (overhead per layer + multiply-adds), plus the snapshots."""
    n_train = len(dataset(settings.dataset)[0])
    n_val = N_POINTS - n_train
    epochs = settings.epochs if epochs is None else epochs
    batch = n_train if settings.batch is None else min(settings.batch, n_train)
    steps = math.ceil(n_train / batch)
    layers, params = len(settings.sizes) - 1, _parameters(settings.sizes)
    step_ms = _MS_STEP + _MS_LAYER * layers + _MS_PER_MEGA * 1e-6 * batch * params
    epoch_ms = steps * step_ms + _MS_EPOCH_LAYER * layers + 0.5 * _MS_PER_MEGA * 1e-6 * n_val * params
    snapshot_ms = 2 * _MS_STEP + 2 * _MS_LAYER * layers + 1.5 * _MS_PER_MEGA * 1e-6 * n_train * params
    return 1e-3 * (epochs * epoch_ms + (N_SNAPSHOTS + 1) * snapshot_ms)


def affordable_epochs(settings: Settings, seconds: float) -> int:
    """The most epochs (at least 1, at most ``settings.epochs``) estimated to train in ``seconds``."""
    per_epoch = estimated_seconds(settings, 1) - estimated_seconds(settings, 0)
    fixed = estimated_seconds(settings, 0)
    return int(max(1, min(settings.epochs, (seconds - fixed) // per_epoch)))


# ------------------------------------------------------------------ a run
@dataclass
class Snapshot:
    """The network after ``epoch`` epochs: one ``LayerTrace`` per layer, recorded on the
    training set (activations ``a``, pre-activations ``z``, gradients, ``W``, ``b``)."""

    epoch: int
    layers: list[LayerTrace]

    @property
    def hidden(self) -> list[LayerTrace]:
        """The hidden layers' traces (the output layer left out)."""
        return self.layers[:-1]


@dataclass
class Run:
    """One training run: its settings, the trained model, the merged ``train.History``
    (one entry per epoch across all chunks) and the snapshots (epoch 0 first).
    ``epochs_trained`` is less than ``settings.epochs`` for a preview cut short by a
    time budget, or when training diverged."""

    settings: Settings
    model: nn.MLP
    history: train.History
    snapshots: list[Snapshot]
    epochs_trained: int
    seconds: float = 0.0
    _grid_cache: dict = field(default_factory=dict, repr=False)

    @property
    def complete(self) -> bool:
        """Trained every epoch asked for (or stopped by divergence, which ends a run)."""
        return self.history.diverged or self.epochs_trained >= self.settings.epochs

    def probability_on(self, points: np.ndarray, snapshot: int = -1) -> np.ndarray:
        """p(class 1) for ``points`` (n, 2) with the weights of ``snapshots[snapshot]``."""
        A = np.asarray(points, dtype=np.float64)
        with np.errstate(all="ignore"):
            for layer in self.snapshots[snapshot].layers:
                A = activations.get(layer.activation).numpy(A @ layer.W + layer.b)
        return _probability(A, self.settings.setup)

    def accuracy(self, split: str = "train", snapshot: int = -1) -> float:
        """The share of ``split`` ("train" or "val") points classified right at a snapshot."""
        X_train, X_val, y_train, y_val = dataset(self.settings.dataset)
        X, y = (X_train, y_train) if split == "train" else (X_val, y_val)
        p = self.probability_on(X, snapshot)
        return float(np.mean((p > 0.5) == (y == 1)))

    def saturation(self, snapshot: int = -1) -> list[float]:
        """Per hidden layer, the share of units "stuck": |a| > 0.97 for tanh, a < 0.03 or
        a > 0.97 for sigmoid, a = 0 (no gradient) for ReLU; 0 for other activations."""
        return [_stuck_share(layer) for layer in self.snapshots[snapshot].hidden]

    def grid_probability(self, snapshot: int) -> np.ndarray:
        """p(class 1) on the data set's GRID x GRID map (cached)."""
        snapshot = snapshot % len(self.snapshots)
        if snapshot not in self._grid_cache:
            _, _, points = _plane(self.settings.dataset)
            self._grid_cache[snapshot] = self.probability_on(points, snapshot).reshape(GRID, GRID)
        return self._grid_cache[snapshot]

    def summary(self) -> str:
        """One line: final losses and accuracies, or where it diverged."""
        h = self.history
        if h.diverged:
            return f"diverged in epoch {h.diverged_at_epoch + 1} (loss = {h.final_loss:.3g})"
        return (
            f"after {self.epochs_trained} epochs: training loss {h.final_loss:.3g}, validation loss "
            f"{h.val_loss[-1]:.3g}; accuracy {self.accuracy('train'):.0%} (training), "
            f"{self.accuracy('val'):.0%} (validation)"
        )


def _stuck_share(layer: LayerTrace) -> float:
    a = layer.a
    if layer.activation == "tanh":
        return float(np.mean(np.abs(a) > 0.97))
    if layer.activation == "sigmoid":
        return float(np.mean((a < 0.03) | (a > 0.97)))
    if layer.activation == "relu":
        return float(np.mean(a <= 0.0))
    return 0.0


def _append(total: train.History, part: train.History) -> None:
    """Extend ``total`` by the chunk ``part`` (steps and epochs counted on from ``total``)."""
    steps, epochs = len(total.step_loss), len(total.epoch_loss)
    total.step_loss += part.step_loss
    total.epoch_loss += part.epoch_loss
    total.val_loss += part.val_loss
    total.train_accuracy += part.train_accuracy
    total.val_accuracy += part.val_accuracy
    total.epochs += part.epochs
    if part.diverged:
        total.diverged = True
        total.diverged_at_step = steps + part.diverged_at_step
        total.diverged_at_epoch = epochs + part.diverged_at_epoch
        total.divergence_reason = part.divergence_reason


def train_run(
    settings: Settings | None = None,
    max_seconds: float | None = None,
    progress: Callable[[Run], None] | None = None,
    **changes,
) -> Run:
    """Train a fresh MLP with ``settings`` (or the defaults with ``changes``); return a :class:`Run`.

    Training runs in :data:`N_SNAPSHOTS` equal chunks of epochs (``train.fit`` each, the
    same model and learning rate throughout, so the result is one continuous run); after
    every chunk each layer is recorded with ``model.trace`` on the training set (epoch 0 is
    recorded before training) and ``progress(run_so_far)`` is called. A diverged run stops.
    ``max_seconds``: train only as many epochs as :func:`estimated_seconds` says fit in
    that time (a quick preview).
    """
    settings = replace(settings or Settings(), **changes)
    setup = settings.setup
    if settings.dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {', '.join(DATASETS)}, got {settings.dataset!r}")
    X_train, X_val, y_train, y_val = dataset(settings.dataset)
    epochs = settings.epochs if max_seconds is None else affordable_epochs(settings, max_seconds)
    model = nn.MLP(settings.sizes, activation=settings.activation, init=settings.init, seed=settings.seed)
    history = train.History(lr=settings.lr, loss=setup.loss, batch_size=settings.batch or len(X_train))

    def record(epoch: int) -> Snapshot:
        return Snapshot(epoch, model.trace(X_train, y_train, setup.loss, from_logits=setup.from_logits))

    start = time.perf_counter()
    run = Run(settings, model, history, [record(0)], 0)
    bounds = np.unique(np.round(np.linspace(0, epochs, N_SNAPSHOTS + 1)).astype(int))
    for chunk, (done, until) in enumerate(zip(bounds[:-1], bounds[1:])):
        part = train.fit(
            model,
            X_train,
            y_train,
            loss=setup.loss,
            from_logits=setup.from_logits,
            lr=settings.lr,
            epochs=int(until - done),
            batch_size=settings.batch,
            seed=settings.seed * 1000 + chunk,
            validation=(X_val, y_val),
        )
        _append(history, part)
        run.epochs_trained = len(history.epoch_loss)
        if history.diverged:
            break
        run.snapshots.append(record(int(until)))
        if progress is not None:
            progress(run)
    run.seconds = time.perf_counter() - start
    return run


# ------------------------------------------------------------------ the figure
def _activation_range(run: Run) -> tuple[float, float]:
    """Histogram range of the hidden activations, the same for every snapshot of a run."""
    name = run.settings.activation
    if name == "tanh":
        return -1.0, 1.0
    if name == "sigmoid":
        return 0.0, 1.0
    values = np.concatenate([layer.a.ravel() for s in run.snapshots for layer in s.hidden])
    values = values[np.isfinite(values)]
    low, high = (
        (float(np.percentile(values, 0.5)), float(np.percentile(values, 99.5))) if values.size else (0, 1)
    )
    if name == "relu":
        low = 0.0
    if high - low < 1e-6:
        low, high = low - 0.5, high + 0.5
    return low, high


_STUCK_WORD = {"tanh": "sat.", "sigmoid": "sat.", "relu": "zero"}


def _layer_histograms(run: Run, bins: int = 31) -> tuple[np.ndarray, list[list[np.ndarray]]]:
    """(edges, counts[snapshot][layer]): every hidden layer's activation histogram at every
    snapshot, as the share of all (row, unit) activations in each bin; shared edges."""
    low, high = _activation_range(run)
    edges = np.linspace(low, high, bins + 1)
    counts = []
    for snap in run.snapshots:
        per_layer = []
        for layer in snap.hidden:
            a = layer.a.ravel()
            c, _ = np.histogram(np.clip(a[np.isfinite(a)], low, high), bins=edges)
            per_layer.append(c / max(a.size, 1))
        counts.append(per_layer)
    return edges, counts


class _Ridge:
    """Every hidden layer's activation histogram on one axes, layer 1 at the bottom
    (a "ridgeline" plot, as Glorot & Bengio 2010 overlay them in their Fig. 6)."""

    HEIGHT = 0.85  # of the space between two layers

    def __init__(self, ax: Axes, max_depth: int, color: str = plots.PALETTE[0]):
        self.ax = ax
        self.stairs = [
            ax.stairs(
                np.full(2, float(i)), [0.0, 0.5, 1.0], baseline=float(i), fill=True, color=color, alpha=0.8
            )
            for i in range(max_depth)
        ]
        ax.set_xlabel("activation $a$ of a hidden unit")
        ax.set_title("Activations per layer (training set)", y=1.0)
        ax.grid(False, axis="y")

    def set_depth(self, depth: int, low: float, high: float) -> None:
        for i, stairs in enumerate(self.stairs):
            stairs.set_visible(i < depth)
        self.depth = depth
        self.ax.set_ylim(-0.1, depth)
        self.ax.set_yticks(np.arange(depth) + 0.4)
        self.ax.tick_params(axis="y", length=0, labelsize=7.5 if depth <= 4 else 6.5)
        self.ax.set_xlim(low, high)

    def show(
        self, edges: np.ndarray, counts: Sequence[np.ndarray], top: float, run: Run, snapshot: int
    ) -> None:
        scale = self.HEIGHT / top if top > 0 else 1.0
        word = _STUCK_WORD.get(run.settings.activation)
        stuck = run.saturation(snapshot)
        labels = []
        for i, (c, layer) in enumerate(zip(counts, run.snapshots[snapshot].hidden)):
            self.stairs[i].set_data(i + c * scale, edges, float(i))
            text = f"layer {i + 1}\nstd {np.std(layer.a):.2g}"
            if word:
                text += f"\n{stuck[i]:.0%} {word}"
            labels.append(text)
        self.ax.set_yticklabels(labels)


def _map_axes(ax: Axes, name: str, probability: np.ndarray | None = None):
    """Decision map of data set ``name`` on ``ax``: p(class 1) as an image, training data on top."""
    xlim, ylim, _ = _plane(name)
    image = plots.probability_image(ax, xlim, ylim, probability, resolution=GRID)
    X_train, _, y_train, _ = dataset(name)
    scatters = []
    for k, marker in ((0, "o"), (1, "s")):
        scatters.append(
            ax.scatter(
                X_train[y_train == k, 0],
                X_train[y_train == k, 1],
                s=12,
                color=plots.PALETTE[k],
                marker=marker,
                edgecolors="white",
                linewidths=0.4,
                label=f"class {k}",
            )
        )
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    return image, scatters


def _loss_limits(histories: Sequence[train.History]) -> tuple[float, float]:
    values = np.concatenate(
        [
            plots.finite_or_nan(list(h.step_loss[:1]) + list(h.epoch_loss) + list(h.val_loss))
            for h in histories
        ]
    )
    values = values[np.isfinite(values) & (values > 0)]
    if not values.size:
        return 0.1, 10.0
    low, high = float(values.min()), float(values.max())
    return max(low / 1.6, 1e-7), max(high * 1.6, low * 10)


FIG_SIZE = (10.2, 3.5)


class PlaygroundFigure:
    """The playground's picture of one run, drawn on a figure made once and updated in place.

    Left: training and validation loss per epoch (log scale), divergence marked, a grey line
    at the epoch shown. Middle: each hidden layer's activation histogram on the training set
    at that epoch, with its standard deviation and share of stuck (saturated or zero) units.
    Right: p(class 1) over the plane at that epoch, the training data on top.
    """

    MAX_DEPTH = 6

    def __init__(self, fig: Figure):
        self.fig = fig
        self.ax_loss, self.ax_hist, self.ax_map = fig.subplots(1, 3, width_ratios=[1, 1, 1.1])
        ax = self.ax_loss
        (self.train_line,) = ax.plot([], [], color=plots.COLORS["train"], label="training")
        (self.val_line,) = ax.plot([], [], "--", color=plots.COLORS["validation"], label="validation")
        self.now_line = ax.axvline(0, color=plots.COLORS["grey"], linewidth=1, zorder=1)
        ax.set_yscale("log")
        ax.yaxis.set_minor_locator(NullLocator())  # log-scale minor ticks cost drawing time
        ax.set_xlabel("epoch")
        ax.set_ylabel("loss (log scale)")
        ax.set_title("Loss per epoch", y=1.0)
        ax.legend(loc="upper right", fontsize=8)
        self.note = ax.text(
            0.02,
            0.03,
            "",
            transform=ax.transAxes,
            fontsize=8,
            va="bottom",
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "alpha": 0.85, "edgecolor": "#cccccc"},
        )
        self.cross: list = []
        self.ridge = _Ridge(self.ax_hist, self.MAX_DEPTH)
        self.image, self.scatters = _map_axes(self.ax_map, "two_moons")
        for axis in (self.ax_map.xaxis, self.ax_map.yaxis):
            axis.set_major_locator(MaxNLocator(5))
        self.ax_map.set_title(" ", fontsize=9.5, y=1.0)  # y given: matplotlib skips re-placing it every draw
        fig.colorbar(self.image, ax=self.ax_map, label="p(class 1)", shrink=0.9)
        self._shown: tuple | None = None  # the run the loss curve and histograms are drawn for

    def _new_run(self, run: Run) -> None:
        """Redraw what changes only with a new run: data, loss curves, histogram scale."""
        s, h = run.settings, run.history
        X_train, _, y_train, _ = dataset(s.dataset)
        xlim, ylim, _ = _plane(s.dataset)
        self.image.set_extent((*xlim, *ylim))
        self.ax_map.set_xlim(xlim)
        self.ax_map.set_ylim(ylim)
        for k, scatter in enumerate(self.scatters):
            scatter.set_offsets(X_train[y_train == k])

        epochs = np.arange(1, len(h.epoch_loss) + 1)
        self.train_line.set_data(epochs, plots.finite_or_nan(h.epoch_loss))
        self.val_line.set_data(epochs, plots.finite_or_nan(h.val_loss))
        self.ax_loss.set_xlim(0, s.epochs)
        low, high = _loss_limits([h])
        self.ax_loss.set_ylim(low, high)
        for artist in self.cross:
            artist.remove()
        self.cross = plots.mark_divergence(self.ax_loss, h, per="epoch", y=high / 1.6) if h.diverged else []
        if not run.complete:
            self.note.set_text(f"quick preview: {run.epochs_trained} of {s.epochs} epochs")
        else:
            self.note.set_text(
                f"{s.depth} × {s.width} {s.activation}, {s.init}\nα = {s.lr:.3g}, "
                f"batch {s.batch_size}, {s.setup.key.upper()}"
            )

        self.edges, self.counts = _layer_histograms(run)
        self.top = max((c.max(initial=0.0) for per in self.counts for c in per), default=0.0)
        self.ridge.set_depth(s.depth, self.edges[0], self.edges[-1])

    def show(self, run: Run, snapshot: int = -1) -> str:
        """Draw ``run`` at ``run.snapshots[snapshot]``; returns a caption."""
        key = (id(run), run.epochs_trained)
        if self._shown != key:
            self._new_run(run)
            self._shown = key
        index = snapshot % len(run.snapshots)
        snap = run.snapshots[index]
        self.now_line.set_xdata([snap.epoch, snap.epoch])
        self.image.set_data(run.grid_probability(index))
        self.ridge.show(self.edges, self.counts[index], self.top, run, index)
        self.ax_hist.set_title(f"Activations per layer at epoch {snap.epoch}")
        train_acc, val_acc = run.accuracy("train", index), run.accuracy("val", index)
        caption = f"epoch {snap.epoch}: {train_acc:.0%} training, {val_acc:.0%} validation right"
        diverged = run.history.diverged and index == len(run.snapshots) - 1
        self.ax_map.set_title(
            caption + (" (then diverged)" if diverged else ""),
            fontsize=9.5,
            color=plots.COLORS["diverged"] if diverged else "black",
        )
        return caption


def run_figure(run: Run, snapshot: int = -1, title: str = "") -> Figure:
    """A static (pyplot-managed) figure of one run: the picture the playground shows."""
    fig = plt.figure(figsize=FIG_SIZE, layout="constrained")
    PlaygroundFigure(fig).show(run, snapshot)
    if title:
        fig.suptitle(title)
    return fig


def compare_figure(runs: Mapping[str, Run], histograms: bool = False, title: str = "") -> Figure:
    """Several runs side by side after training: their loss curves on one axes (training
    solid, validation dashed, divergence marked), and for each run its decision map (and,
    with ``histograms``, its activations per layer below the map)."""
    labels = list(runs)
    n = len(labels)
    rows = 2 if histograms else 1
    fig = plt.figure(figsize=(3.5 * (n + 1), 3.2 * rows), layout="constrained")
    gs = fig.add_gridspec(rows, n + 1)
    ax_loss = fig.add_subplot(gs[:, 0] if histograms else gs[0, 0])
    ax_loss.set_yscale("log")
    for i, label in enumerate(labels):
        run = runs[label]
        h = run.history
        color = plots.PALETTE[i % len(plots.PALETTE)]
        epochs = np.arange(1, len(h.epoch_loss) + 1)
        ax_loss.plot(epochs, plots.finite_or_nan(h.epoch_loss), color=color, label=label)
        ax_loss.plot(epochs, plots.finite_or_nan(h.val_loss), "--", color=color, linewidth=1.2)
        ax = fig.add_subplot(gs[0, i + 1])
        _map_axes(ax, run.settings.dataset, run.grid_probability(-1))
        verdict = (
            f"diverged in epoch {h.diverged_at_epoch + 1}"
            if h.diverged
            else f"{run.accuracy('val'):.0%} of validation points right"
        )
        ax.set_title(
            f"{label}\n{verdict}", fontsize=9.5, color=plots.COLORS["diverged"] if h.diverged else "black"
        )
        if histograms:
            ridge = _Ridge(fig.add_subplot(gs[1, i + 1]), run.settings.depth, color=color)
            edges, counts = _layer_histograms(run)
            top = max((c.max(initial=0.0) for c in counts[-1]), default=0.0)
            ridge.set_depth(run.settings.depth, edges[0], edges[-1])
            ridge.show(edges, counts[-1], top, run, -1)
            ridge.ax.set_title(f"{label}: activations at epoch {run.snapshots[-1].epoch}", fontsize=9.5)
    low, high = _loss_limits([r.history for r in runs.values()])
    for i, run in enumerate(runs.values()):
        if run.history.diverged:
            plots.mark_divergence(ax_loss, run.history, per="epoch", y=high / 1.6, label=labels[i])
    ax_loss.set_ylim(low, high)
    if high / low < 10:  # within one decade: label the minor ticks too (else too crowded)
        ax_loss.yaxis.set_minor_formatter(FormatStrFormatter("%.2g"))
    ax_loss.set_xlim(0, max(r.settings.epochs for r in runs.values()))
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("loss (log scale)")
    ax_loss.set_title("Loss (solid: training, dashed: validation)", fontsize=9.5)
    ax_loss.legend(loc="upper right", fontsize=8)
    if title:
        fig.suptitle(title)
    return fig


# ------------------------------------------------------------------ reading a run
def outcome(run: Run) -> str:
    """What happened, in one word: ``"diverged"``; ``"stalled"`` (the training loss fell by
    less than 5% of its starting value, or the network classifies no better than always
    answering the commoner class); ``"learned"`` (at least 90% of the validation points
    right); otherwise ``"underfits"`` (it learned something, not enough)."""
    h = run.history
    if h.diverged:
        return "diverged"
    y_train = dataset(run.settings.dataset)[2]
    majority = max(np.mean(y_train), 1 - np.mean(y_train))
    if h.final_loss > 0.95 * h.step_loss[0] or run.accuracy("train") <= majority + 0.02:
        return "stalled"
    return "learned" if run.accuracy("val") >= 0.9 else "underfits"


def gradient_norms(run: Run, snapshot: int = 0) -> list[float]:
    """Per layer (hidden layers, then the output layer), the size ``||dL/dW_l||`` of the
    weight gradient at a snapshot (epoch 0 by default): how much each layer would learn."""
    return [float(np.linalg.norm(layer.grad_W)) for layer in run.snapshots[snapshot].layers]


def describe(runs: Mapping[str, Run]) -> str:
    """A small table of several runs: final training loss, accuracies and the outcome."""
    width = max(len(label) for label in runs)
    lines = [f"{'run':<{width}}  {'train loss':>10}  {'train acc':>9}  {'val acc':>7}  outcome"]
    for label, run in runs.items():
        h = run.history
        loss = f"{h.final_loss:.3g}" if math.isfinite(h.final_loss) else "inf"
        train_acc = f"{run.accuracy('train'):.0%}" if not h.diverged else "-"
        val_acc = f"{run.accuracy('val'):.0%}" if not h.diverged else "-"
        lines.append(f"{label:<{width}}  {loss:>10}  {train_acc:>9}  {val_acc:>7}  {outcome(run)}")
    return "\n".join(lines)


def check_environment() -> str:
    """Check that the packages the notebooks need import and are recent enough; returns
    ``"environment OK"`` or raises ``RuntimeError`` saying what to install."""
    import importlib.metadata as metadata

    needed = {"numpy": (1, 24), "matplotlib": (3, 7), "ipywidgets": (8, 0), "ipykernel": (6, 0)}
    problems = []
    for package, minimum in needed.items():
        try:
            version = metadata.version(package)
        except metadata.PackageNotFoundError:
            problems.append(f"{package} is not installed")
            continue
        parts = tuple(int(p) for p in version.split(".")[:2] if p.isdigit())
        if parts < minimum:
            problems.append(f"{package} {version} is older than {'.'.join(map(str, minimum))}")
    if problems:
        raise RuntimeError(
            "; ".join(problems) + ". Install the pinned versions: pip install -r requirements.txt -e ."
        )
    return "environment OK"


# ------------------------------------------------------------------ the panels
PREVIEW_SECONDS = 0.06
"""Without "train all epochs", a run is cut to the epochs expected to train in this time."""
PROGRESS_SECONDS = 0.5
"""While a long run trains, the figure is redrawn at most this often."""
EXPENSIVE = ("learning_rate", "depth", "width", "epochs")


def playground_panel(settings: Settings | None = None) -> widgets.Panel:
    """Train an MLP on a 2-D data set with every control of notebooks 1–5; see :class:`PlaygroundFigure`.

    Every change retrains from scratch (seeded: the same settings give the same run).
    A run expected to take longer than :data:`PREVIEW_SECONDS` is a quick preview (its
    first epochs only, said in the figure and the message) until "train all epochs" is
    ticked; then the whole run trains, the figure updating every chunk of epochs, and the
    costly sliders retrain when released rather than while dragged. The expected time is
    :func:`estimated_seconds` times how much slower than estimated the last run was, so a
    busy or slow machine gets shorter previews. "epoch shown" scrubs through the run's
    snapshots (loss-curve marker, activation histograms, decision map) without retraining.
    """
    s = settings or Settings()
    fig = Figure(figsize=FIG_SIZE, layout="constrained")
    FigureCanvasAgg(fig)
    picture = PlaygroundFigure(fig)
    controls = {
        "dataset": widgets.dataset_dropdown(s.dataset, options=DATASETS),
        "loss": widgets.loss_dropdown(s.loss, options=[(v.label, k) for k, v in LOSSES.items()]),
        "activation": widgets.activation_dropdown(s.activation),
        "init": widgets.init_dropdown(s.init),
        "learning_rate": widgets.learning_rate_slider(s.lr, low=1e-3, high=30.0),
        "batch_size": widgets.batch_size_dropdown(s.batch_size, options=("full", 32, 8, 1)),
        "depth": widgets.depth_slider(s.depth, low=1, high=PlaygroundFigure.MAX_DEPTH),
        "width": widgets.width_slider(s.width, low=1, high=64),
        "epochs": widgets.epochs_slider(s.epochs, low=10, high=500, step=10),
        "view": widgets.int_slider("epoch shown (% of run)", 100, 0, 100, step=100 // N_SNAPSHOTS),
        "full_run": w.Checkbox(
            value=False,
            description="train all epochs (slower; shows progress)",
            indent=False,
            layout=widgets.CONTROL_LAYOUT,
        ),
    }
    state: dict = {"key": None, "run": None, "panel": None, "slowness": 1.0, "drawn": 0.0}

    def progress(run: Run) -> None:
        panel = state["panel"]
        if panel is None or time.perf_counter() - state["drawn"] < PROGRESS_SECONDS:
            return
        picture.show(run, -1)
        picture.note.set_text(f"training… {run.epochs_trained} of {run.settings.epochs} epochs")
        picture._shown = None  # the finished run redraws everything
        panel.message.value = f"training… epoch {run.epochs_trained} of {run.settings.epochs}"
        panel.image.value = panel.png()
        state["drawn"] = time.perf_counter()

    def update(
        dataset, loss, activation, init, learning_rate, batch_size, depth, width, epochs, view, full_run
    ) -> str:
        for name in EXPENSIVE:  # long runs retrain when a slider is released, not while it moves
            controls[name].continuous_update = not full_run
        settings = Settings(
            dataset,
            loss,
            activation,
            init,
            float(learning_rate),
            int(depth),
            int(width),
            batch_size,
            int(epochs),
            s.seed,
        )
        budget = None if full_run else PREVIEW_SECONDS / state["slowness"]
        length = settings.epochs if budget is None else affordable_epochs(settings, budget)
        if state["key"] != (settings, length):
            state["drawn"] = time.perf_counter()
            run = train_run(settings, max_seconds=budget, progress=progress if full_run else None)
            expected = estimated_seconds(settings, run.epochs_trained)
            state["slowness"] = float(np.clip(run.seconds / expected, 1.0, 20.0))
            state["key"], state["run"] = (settings, length), run
        run = state["run"]
        wanted = view / 100 * run.epochs_trained
        index = int(np.argmin([abs(snap.epoch - wanted) for snap in run.snapshots]))
        picture.show(run, index)
        text = f"{run.settings.setup.output_layer}. {run.summary()}"
        if not run.complete:
            text += (
                f". Quick preview: {run.epochs_trained} of {run.settings.epochs} epochs; tick "
                f"'train all epochs' for the whole run (about "
                f"{estimated_seconds(run.settings) * state['slowness']:.1f} s)"
            )
        return text

    panel = widgets.Panel(
        fig, update, controls, title="Putting it together: a network with every control", columns=3
    )
    state["panel"] = panel
    return panel


def first_taste_panel() -> widgets.Panel:
    r"""One neuron ``a = tanh(w_1 x_1 + w_2 x_2 + b)`` over the input plane: sliders for
    ``w_1``, ``w_2``, ``b``; the colour is its output, the black line where ``z = 0``.
    Notebook 0's first taste (notebook 1 takes it apart)."""
    fig, axes = plots.panel_figure(1, 1, width=5.0, height=3.6)
    ax = axes[0, 0]
    xx, yy, _ = plots.grid((-2, 2), (-2, 2), resolution=GRID)
    image = ax.imshow(
        np.zeros_like(xx),
        origin="lower",
        extent=(-2, 2, -2, 2),
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        aspect="equal",
        interpolation="bilinear",
    )
    (boundary,) = ax.plot([], [], color="black", linewidth=1.5, label="$z = 0$")
    (arrow,) = ax.plot([], [], color=plots.COLORS["highlight"], linewidth=2.5, label="direction of $w$")
    ax.set_xlim(-2, 2)
    ax.set_ylim(-2, 2)
    ax.set_xlabel("input $x_1$")
    ax.set_ylabel("input $x_2$")
    ax.legend(loc="lower left", fontsize=8)
    fig.colorbar(image, ax=ax, label="output $a$ of the neuron")
    t = np.linspace(-3, 3, 2)

    def update(w1: float, w2: float, b: float) -> str:
        neuron = nn.Neuron(weights=[w1, w2], bias=b, activation="tanh")
        image.set_data(train.predict(neuron, np.column_stack([xx.ravel(), yy.ravel()])).reshape(xx.shape))
        norm = math.hypot(w1, w2)
        if norm > 0:  # the points with w . x + b = 0: a line perpendicular to w
            p0 = -b * np.array([w1, w2]) / norm**2
            boundary.set_data(p0[0] - w2 / norm * t * 2, p0[1] + w1 / norm * t * 2)
            arrow.set_data([p0[0], p0[0] + w1 / norm * 0.6], [p0[1], p0[1] + w2 / norm * 0.6])
        else:
            boundary.set_data([], [])
            arrow.set_data([], [])
        sign2, sign_b = ("+" if w2 >= 0 else "−"), ("+" if b >= 0 else "−")
        ax.set_title(f"a = tanh({w1:.1f} x₁ {sign2} {abs(w2):.1f} x₂ {sign_b} {abs(b):.1f})", y=1.0)
        return "" if norm > 0 else "w = 0: the output is the same everywhere"

    controls = {
        "w1": widgets.float_slider("weight w₁", 1.0, -3.0, 3.0, step=0.1),
        "w2": widgets.float_slider("weight w₂", -0.5, -3.0, 3.0, step=0.1),
        "b": widgets.float_slider("bias b", 0.0, -2.0, 2.0, step=0.1),
    }
    panel = widgets.Panel(fig, update, controls, title="One neuron, two inputs", columns=3)
    return panel
