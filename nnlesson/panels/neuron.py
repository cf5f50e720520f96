r"""Panels and figures of notebook 1, "What is a neuron?".

A neuron with inputs ``x_i``, weights ``w_i``, bias ``b`` and activation ``phi``::

    z = sum_i w_i x_i + b          y = phi(z)

Its decision line is ``z = 0``, i.e. ``w_1 x_1 + w_2 x_2 + b = 0`` for two inputs: the
weight vector ``w`` is perpendicular to it and points to the side where ``z > 0``.

Panels (each factory takes no required argument and returns a ``widgets.Panel``):

* :func:`neuron_panel`: sliders for ``w_1``, ``w_2``, ``b`` and the slice ``x_2``, a
  dropdown for ``phi``; left, the output along a slice ``y(x_1)``; right, the output over
  the input plane with the decision line, the weight vector and the four XOR corners.
* :func:`xor_panel`: a 2-H-1 network trained on XOR; hidden units, activation and seed
  as controls; the decision regions with every hidden neuron's line, and the loss curve.

Figures and helpers for the static cells: :func:`activations_figure`,
:func:`collapse_linear`, :func:`demo_network`, :func:`linear_fit_error`, :func:`warp_figure`,
:func:`hand_xor_network`, :func:`draw_neuron_lines`, :func:`best_line`, :func:`compare_regions`,
:func:`decision_line`, :func:`xor_corners_right`, :func:`neuron_diagram`,
:func:`xor_success`.
"""

from __future__ import annotations

import numpy as np
from matplotlib import ticker
from matplotlib.figure import Figure

from nnlesson import activations, data, nn, plots, train, widgets
from nnlesson.engine import Tensor, no_grad

__all__ = [
    "ACTIVATIONS",
    "PANELS",
    "XOR_CORNERS",
    "XOR_LABELS",
    "activations_figure",
    "collapse_linear",
    "compare_regions",
    "decision_line",
    "demo_network",
    "draw_neuron_lines",
    "hand_xor_network",
    "linear_fit_error",
    "neuron_diagram",
    "neuron_panel",
    "best_line",
    "warp_figure",
    "xor_corners_right",
    "xor_panel",
    "xor_success",
]

PANELS = ("neuron_panel", "xor_panel")

ACTIVATIONS = ("tanh", "sigmoid", "relu", "leaky_relu", "linear")
"""The activations of this notebook, in the order they are introduced."""

XOR_CORNERS = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
XOR_LABELS = np.array([0, 0, 1, 1])
"""The four XOR inputs and their classes: 1 where exactly one coordinate is positive."""

LIMIT = 3.0  # the input plane shown is [-LIMIT, LIMIT]^2


# ------------------------------------------------------------------ activations
def activations_figure(names=ACTIVATIONS, z: np.ndarray | None = None) -> Figure:
    r"""Every activation side by side: ``phi(z)`` in the top row, its derivative
    ``phi'(z)`` below (computed with ``activations.get(name).numpy`` / ``.derivative``)."""
    z = np.linspace(-4, 4, 801) if z is None else z
    fig, axes = plots.subplots(2, len(names), width=2.1, height=2.0, sharex=True)
    for column, name in enumerate(names):
        act = activations.get(name)
        top, bottom = axes[0, column], axes[1, column]
        top.plot(z, act.numpy(z), color=plots.PALETTE[0])
        bottom.plot(z, act.derivative(z), color=plots.PALETTE[1])
        for ax in (top, bottom):
            ax.axhline(0, color=plots.COLORS["grey"], linewidth=0.8)
            ax.axvline(0, color=plots.COLORS["grey"], linewidth=0.8)
        top.set_title(name)
        top.set_ylim(-1.6, 2.6)
        bottom.set_ylim(-0.1, 1.15)
        bottom.set_xlabel("$z$")
    axes[0, 0].set_ylabel(r"$a = \varphi(z)$")
    axes[1, 0].set_ylabel(r"$\varphi'(z) = da/dz$")
    return fig


# ------------------------------------------------------------------ linear layers collapse
def collapse_linear(model: nn.MLP) -> tuple[np.ndarray, np.ndarray]:
    r"""The single layer ``(W, b)`` that computes the same map as an all-linear MLP.

    ``(X W_1 + b_1) W_2 + b_2 = X (W_1 W_2) + (b_1 W_2 + b_2)``, and so on for more layers.
    Raises ``ValueError`` if a layer has a non-linear activation (then no such layer exists).
    """
    nonlinear = [layer.name for layer in model.layers if layer.activation_name not in ("linear", "identity")]
    if nonlinear:
        raise ValueError(
            f"only an all-linear network collapses to one layer; non-linear: {', '.join(nonlinear)}"
        )
    W = np.eye(model.n_inputs)
    b = np.zeros(model.n_inputs)
    for layer in model.layers:
        W = W @ layer.W.data
        b = b @ layer.W.data + layer.b.data
    return W, b


def demo_network(activation: str, seed: int = 13, bias_std: float = 0.5) -> nn.MLP:
    """A 2-2-2-2 MLP (three layers of two neurons, linear output) whose hidden layers use
    ``activation``. Weights as ``nn.MLP`` draws them (Xavier uniform); the biases, which
    ``nn.MLP`` starts at 0, are drawn too (normal, std ``bias_std``) so they take part.
    The same seed gives the same weights and biases whatever the activation."""
    model = nn.MLP([2, 2, 2, 2], activation=activation, seed=seed)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        layer.b.data[...] = bias_std * rng.standard_normal(layer.fan_out)
    return model


def linear_fit_error(model, X: np.ndarray) -> float:
    """Root-mean-square error of the best single linear map ``X @ W + b`` fitted (least
    squares) to the model's outputs on ``X``: ~0 exactly when the model is linear on ``X``."""
    Y = _forward(model, X)
    Y = Y.reshape(len(X), -1)
    design = np.column_stack([X, np.ones(len(X))])
    coef, *_ = np.linalg.lstsq(design, Y, rcond=None)
    return float(np.sqrt(np.mean((design @ coef - Y) ** 2)))


def _forward(model, X: np.ndarray) -> np.ndarray:
    with no_grad():
        out = model(Tensor(X, requires_grad=False))
    return out.data


def _grid_lines(limit: float = 2.0, n_lines: int = 9, n_points: int = 100):
    """Horizontal and vertical lines of a square grid, each an ``(n_points, 2)`` array."""
    ticks = np.linspace(-limit, limit, n_lines)
    t = np.linspace(-limit, limit, n_points)
    horizontal = [np.column_stack([t, np.full_like(t, c)]) for c in ticks]
    vertical = [np.column_stack([np.full_like(t, c), t]) for c in ticks]
    return horizontal, vertical


def warp_figure(models, titles) -> Figure:
    """How each 2-D -> 2-D model maps a square grid of the input plane: one panel for the
    input grid, then one per model. Straight lines stay straight under a linear map."""
    horizontal, vertical = _grid_lines()
    fig, axes = plots.subplots(1, len(models) + 1, width=3.0, height=3.0)
    maps = [None, *models]
    for ax, model, title in zip(axes[0], maps, ["input grid", *titles]):
        for lines, color in ((horizontal, plots.PALETTE[0]), (vertical, plots.PALETTE[1])):
            for line in lines:
                out = line if model is None else _forward(model, line)
                ax.plot(out[:, 0], out[:, 1], color=color, linewidth=1.0)
        ax.set_title(title)
        ax.set_xlabel("output 1" if model is not None else "$x_1$")
        ax.set_ylabel("output 2" if model is not None else "$x_2$")
        ax.set_aspect("equal", adjustable="datalim")
    return fig


# ------------------------------------------------------------------ one neuron in the plane
def decision_line(w1: float, w2: float, b: float, limit: float = LIMIT):
    """Two points of the line ``w1 x1 + w2 x2 + b = 0`` spanning the square
    ``[-limit, limit]^2`` (parametrised along the axis it is least steep to), or ``None``
    when ``w1 = w2 = 0`` (then ``z = b`` everywhere and there is no line)."""
    if w1 == 0 and w2 == 0:
        return None
    t = np.array([-limit, limit])
    if abs(w2) >= abs(w1):
        return t, -(w1 * t + b) / w2
    return -(w2 * t + b) / w1, t


def xor_corners_right(w1: float, w2: float, b: float) -> int:
    """How many of the four XOR corners a neuron puts on their class's side of its line
    (class 1 where ``z > 0``). No neuron gets all four: XOR is not linearly separable."""
    z = XOR_CORNERS @ np.array([w1, w2]) + b
    return int(np.sum((z > 0).astype(int) == XOR_LABELS))


def _fix_ticks(ax, xticks, yticks) -> None:
    """Fixed tick positions: the panel's axes never change range, and automatic tick
    placement would be recomputed on every redraw."""
    ax.xaxis.set_major_locator(ticker.FixedLocator(xticks))
    ax.yaxis.set_major_locator(ticker.FixedLocator(yticks))


def _plane_axes(ax, limit: float, ticks: list, legend_size: float):
    """Finish an input-plane axes (x_1 across, x_2 up, square, fixed ticks, no grid, the
    legend of what is drawn on it); returns its title, for the panel to update."""
    _fix_ticks(ax, ticks, ticks)
    ax.set_xlim(-limit, limit)
    ax.set_ylim(-limit, limit)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    ax.legend(loc="lower left", fontsize=legend_size, framealpha=0.9)
    return ax.set_title(" ")


def _clim(name: str) -> tuple[float, float]:
    return {"tanh": (-1.0, 1.0), "sigmoid": (0.0, 1.0)}.get(name, (-LIMIT, LIMIT))


def neuron_panel(
    w1: float = 1.5, w2: float = -1.0, b: float = 0.5, x2: float = 0.5, activation: str = "tanh"
) -> widgets.Panel:
    r"""One neuron with two inputs, ``y = phi(w_1 x_1 + w_2 x_2 + b)``, live.

    Left: the output ``y`` (and the pre-activation ``z``, dashed) along the slice
    ``x_2 = const`` of the input plane, with the place where ``z = 0``.
    Right: ``y`` over the whole plane (colour), the decision line ``z = 0``, the weight
    vector ``w`` (perpendicular to the line, pointing to ``z > 0``), the slice of the left
    plot (dashed) and the four XOR corners, with how many of them the line gets right.
    """
    fig, axes = plots.panel_figure(1, 2, width=4.3, height=3.6)
    ax_slice, ax_plane = axes[0]
    x1 = np.linspace(-LIMIT, LIMIT, 301)
    n = 121
    g = np.linspace(-LIMIT, LIMIT, n)
    G1, G2 = np.meshgrid(g, g)

    # left: a slice
    ax_slice.axhline(0, color=plots.COLORS["grey"], linewidth=0.8)
    (z_line,) = ax_slice.plot(
        x1, x1, "--", color=plots.COLORS["grey"], linewidth=1.2, label="$z$ (pre-activation)", gid="z"
    )
    (y_line,) = ax_slice.plot(
        x1, x1, color=plots.PALETTE[0], linewidth=2.2, label=r"$y = \varphi(z)$", gid="y"
    )
    zero_mark = ax_slice.axvline(0, color="k", linestyle=":", linewidth=1.2, label="$z = 0$", gid="zero")
    ax_slice.set_xlim(-LIMIT, LIMIT)
    ax_slice.set_ylim(-2.5, 2.5)
    _fix_ticks(ax_slice, [-3, -2, -1, 0, 1, 2, 3], [-2, -1, 0, 1, 2])
    ax_slice.set_xlabel("$x_1$")
    ax_slice.set_ylabel("output")
    ax_slice.legend(loc="upper left", fontsize=8)
    slice_title = ax_slice.set_title(" ")

    # right: the plane
    image = ax_plane.imshow(
        np.zeros((n, n)),
        origin="lower",
        extent=(-LIMIT, LIMIT, -LIMIT, LIMIT),
        cmap=plots.REGION_CMAP,
        interpolation="bilinear",
        aspect="equal",
    )
    colorbar = fig.colorbar(image, ax=ax_plane, shrink=0.85)
    colorbar.set_label("output $y$")
    (boundary,) = ax_plane.plot([], [], color="k", linewidth=1.6, label="$z = 0$", gid="boundary")
    (slice_line,) = ax_plane.plot(
        [-LIMIT, LIMIT], [0, 0], "--", color=plots.COLORS["grey"], linewidth=1.0, gid="slice"
    )
    arrow = ax_plane.annotate(
        "",
        xy=(1, 0),
        xytext=(0, 0),
        arrowprops={"arrowstyle": "-|>", "color": plots.COLORS["highlight"], "linewidth": 1.8},
        gid="w",
    )
    arrow.arrow_patch.set_clip_box(ax_plane.bbox)
    arrow_label = ax_plane.text(0, 0, "$w$", color=plots.COLORS["highlight"], fontsize=11, clip_on=True)
    plots.scatter_classes(ax_plane, XOR_CORNERS, XOR_LABELS)
    for collection in ax_plane.collections:
        collection.set_sizes([60])
    plane_title = _plane_axes(ax_plane, LIMIT, [-3, -2, -1, 0, 1, 2, 3], legend_size=8)

    def update(w1, w2, b, x2, activation):
        act = activations.get(activation)
        z = w1 * x1 + w2 * x2 + b
        z_line.set_ydata(z)
        y_line.set_ydata(act.numpy(z))
        if w1 != 0:
            zero_mark.set_xdata([-(w2 * x2 + b) / w1] * 2)
        zero_mark.set_visible(w1 != 0)
        slice_title.set_text(f"slice at $x_2$ = {x2:.2f}: $y$ = {activation}($z$)")

        image.set_data(act.numpy(w1 * G1 + w2 * G2 + b))
        image.set_clim(*_clim(activation))
        line = decision_line(w1, w2, b)
        boundary.set_data(*(line if line is not None else ([], [])))
        slice_line.set_ydata([x2, x2])
        norm2 = w1 * w1 + w2 * w2
        if norm2 > 0:
            foot = -b * np.array([w1, w2]) / norm2  # the point of the line closest to 0
            tip = foot + np.array([w1, w2])
            visible = bool(np.all(np.abs(foot) <= LIMIT))
            arrow.xy, arrow.xyann = tuple(tip), tuple(foot)
            arrow_label.set_position(tuple(foot + 1.12 * np.array([w1, w2]) + 0.05))
        else:
            visible = False
        arrow.set_visible(visible)
        arrow_label.set_visible(visible)
        right = xor_corners_right(w1, w2, b)
        plane_title.set_text(f"$y$ over the input plane; XOR corners right: {right}/4")

    controls = {
        "w1": widgets.float_slider("weight w₁", w1, -3.0, 3.0, 0.1),
        "w2": widgets.float_slider("weight w₂", w2, -3.0, 3.0, 0.1),
        "b": widgets.float_slider("bias b", b, -3.0, 3.0, 0.1),
        "x2": widgets.float_slider("slice x₂ (left plot)", x2, -3.0, 3.0, 0.1),
        "activation": widgets.activation_dropdown(activation, ACTIVATIONS),
    }
    return widgets.Panel(fig, update, controls, title="One neuron: y = φ(w₁x₁ + w₂x₂ + b)")


# ------------------------------------------------------------------ from one neuron to a layer
def best_line(X: np.ndarray, labels: np.ndarray, n_angles: int = 360, n_offsets: int = 201):
    """The best a single neuron can do on 2-D data: search lines ``w . x + b = 0`` with
    unit ``w`` at ``n_angles`` angles and ``n_offsets`` offsets ``b`` (over the data's
    range), predicting class 1 where ``w . x + b > 0``. Returns ``(accuracy, w, b)``."""
    angles = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    directions = np.column_stack([np.cos(angles), np.sin(angles)])  # (A, 2)
    reach = float(np.abs(X).max())
    offsets = np.linspace(-reach, reach, n_offsets)  # (B,)
    projections = X @ directions.T  # (n, A)
    predicted = projections[:, :, None] + offsets[None, None, :] > 0  # (n, A, B)
    scores = (predicted == (np.asarray(labels) == 1)[:, None, None]).mean(axis=0)
    a, o = np.unravel_index(np.argmax(scores), scores.shape)
    return float(scores[a, o]), directions[a], float(offsets[o])


def hand_xor_network(k: float = 3.0) -> nn.MLP:
    r"""A 2-2-1 network with weights set by hand that solves XOR.

    Hidden neuron 1 fires (``h_1`` near +1) only near the corner (1, -1): ``z_1 = k(x_1 - x_2 - 1)``;
    hidden neuron 2 only near (-1, 1): ``z_2 = k(-x_1 + x_2 - 1)``; both use tanh. The output
    ``y = sigmoid(2 h_1 + 2 h_2 + 2)`` is above 1/2 when one of them fires: class 1
    outside the band between the two parallel lines ``x_1 - x_2 = +-1``.
    """
    model = nn.MLP([2, 2, 1], activation="tanh", output_activation="sigmoid", seed=0)
    hidden, output = model.layers
    hidden.W.data[...] = [[k, -k], [-k, k]]
    hidden.b.data[...] = [-k, -k]
    output.W.data[...] = [[2.0], [2.0]]
    output.b.data[...] = [2.0]
    return model


_LINE_COLORS = [plots.PALETTE[i] for i in (4, 3, 2, 7, 5, 1, 0)]


def draw_neuron_lines(ax, W: np.ndarray, b: np.ndarray, label: str = "hidden neuron"):
    """Draw each neuron's line ``z_j = 0`` (column ``j`` of ``W``, entry ``j`` of ``b``) on
    ``ax`` across its current limits (which are kept), numbered; returns the lines."""
    xlim, ylim = ax.get_xlim(), ax.get_ylim()
    reach = 2 * max(map(abs, (*xlim, *ylim)))
    lines = []
    for j in range(W.shape[1]):
        points = decision_line(W[0, j], W[1, j], b[j], reach)
        if points is None:
            continue
        color = _LINE_COLORS[j % len(_LINE_COLORS)]
        name = f"{label} {j + 1}: $z_{j + 1} = 0$"
        (line,) = ax.plot(*points, "--", color=color, linewidth=1.6, label=name)
        lines.append(line)
    ax.set_xlim(xlim)
    ax.set_ylim(ylim)
    return lines


def compare_regions(models, titles, X: np.ndarray, labels: np.ndarray, threshold: float = 0.5) -> Figure:
    """Decision regions of several models side by side (``plots.decision_regions``), each
    titled with its training accuracy, on one colour scale: output 0 (blue) to 1 (orange),
    so an output stuck near 1/2 shows as white, not as strong colours."""
    fig, axes = plots.subplots(1, len(models), width=3.4, height=3.3)
    for ax, model, title in zip(axes[0], models, titles):
        acc = train.accuracy(model, X, labels, threshold=threshold)
        plots.decision_regions(model, X, labels, ax=ax, threshold=threshold, title=f"{title}: {acc:.0%}")
        for artist in ax.collections:
            if artist.get_cmap() is plots.REGION_CMAP:  # the filled contours, not the scatter
                artist.set_clim(0.0, 1.0)  # decision_regions scales colours to the data's range
        if ax is not axes[0, 0]:
            ax.set_ylabel("")
    return fig


XOR_EPOCHS = 150
XOR_LR = 1.0


def xor_panel(hidden: int = 4, activation: str = "tanh", seed: int = 0) -> widgets.Panel:
    r"""Train a 2-H-1 network (hidden activation ``phi``, sigmoid output, cross-entropy,
    full-batch gradient descent, ``XOR_EPOCHS`` = 150 epochs) on XOR and show what it learnt.

    Left: the output probability over the input plane, the data, and every hidden
    neuron's line ``z_j = 0``: the network bends and combines these lines. Right: the loss
    curve. One hidden unit still gives one straight boundary (parallel to its line) and
    reaches about 75%; a linear hidden layer at most that of one neuron; a few tanh units
    reach 100%.
    """
    X, labels = data.xor(n=120, noise=0.3, seed=0)
    limit = 2.5
    fig, axes = plots.panel_figure(1, 2, width=4.2, height=3.6)
    ax_plane, ax_loss = axes[0]
    n = 81
    g = np.linspace(-limit, limit, n)
    G1, G2 = np.meshgrid(g, g)
    grid_points = Tensor(np.column_stack([G1.ravel(), G2.ravel()]), requires_grad=False)

    image = ax_plane.imshow(
        np.full((n, n), 0.5),
        origin="lower",
        extent=(-limit, limit, -limit, limit),
        cmap=plots.REGION_CMAP,
        vmin=0,
        vmax=1,
        interpolation="bilinear",
        aspect="equal",
    )
    colorbar = fig.colorbar(image, ax=ax_plane, shrink=0.85)
    colorbar.set_label("P(class 1)")
    fig.get_layout_engine().set(wspace=0.06)  # room between the colour bar and the loss plot
    colorbar.set_ticks([0.0, 0.5, 1.0])
    plots.scatter_classes(ax_plane, X, labels)
    max_hidden = 8
    hidden_lines = [
        ax_plane.plot(
            [],
            [],
            "--",
            color=plots.PALETTE[4],
            linewidth=1.3,
            label="hidden neurons' $z_j = 0$" if j == 0 else None,
            gid=f"hidden{j}",
        )[0]
        for j in range(max_hidden)
    ]
    plane_title = _plane_axes(ax_plane, limit, [-2, -1, 0, 1, 2], legend_size=7)

    epochs = np.arange(1, XOR_EPOCHS + 1)
    (loss_line,) = ax_loss.plot(epochs, np.ones(XOR_EPOCHS), color=plots.COLORS["train"], gid="loss")
    ax_loss.axhline(np.log(2), color=plots.COLORS["grey"], linestyle=":", linewidth=1.0)
    ax_loss.text(
        XOR_EPOCHS,
        np.log(2) * 1.1,
        "ln 2: a coin flip",
        ha="right",
        va="bottom",
        fontsize=8,
        color=plots.COLORS["grey"],
    )
    ax_loss.set_yscale("log")
    ax_loss.set_xlim(0, XOR_EPOCHS)
    ax_loss.xaxis.set_major_locator(ticker.MultipleLocator(50))
    ax_loss.set_ylim(1e-3, 3)
    # fixed ticks: a log axis re-computes many (minor) ticks on every draw otherwise
    ax_loss.yaxis.set_major_locator(ticker.FixedLocator([1e-3, 1e-2, 1e-1, 1.0]))
    ax_loss.yaxis.set_major_formatter(ticker.FixedFormatter(["0.001", "0.01", "0.1", "1"]))
    ax_loss.yaxis.set_minor_locator(ticker.NullLocator())
    ax_loss.set_xlabel("epoch")
    ax_loss.set_ylabel("cross-entropy loss")
    loss_title = ax_loss.set_title(" ")
    fixed_artists = (len(ax_loss.lines), len(ax_loss.texts))

    def update(hidden, activation, seed):
        model = nn.MLP([2, hidden, 1], activation=activation, output_activation="sigmoid", seed=seed)
        history = train.fit(model, X, labels, loss="bce", lr=XOR_LR, epochs=XOR_EPOCHS)
        with no_grad(), np.errstate(all="ignore"):
            probability = model(grid_points).data.reshape(n, n)
        image.set_data(np.nan_to_num(probability, nan=0.5))
        W, b = model.layers[0].W.data, model.layers[0].b.data
        for j, line in enumerate(hidden_lines):
            points = decision_line(W[0, j], W[1, j], b[j], limit) if j < hidden else None
            line.set_data(*(points if points is not None else ([], [])))
        # the loss curve, and a divergence marker if it blew up
        for artist in ax_loss.lines[fixed_artists[0] :] + ax_loss.texts[fixed_artists[1] :]:
            artist.remove()
        loss = np.asarray(history.step_loss, dtype=float)
        loss_line.set_data(np.arange(1, history.steps + 1), plots.finite_or_nan(loss))
        if history.diverged:
            plots.mark_divergence(ax_loss, history)
        acc = train.accuracy(model, X, labels)
        plane_title.set_text(f"2-{hidden}-1, {activation}: accuracy {acc:.0%}")
        loss_title.set_text(f"training loss (final {history.final_loss:.3g})")
        return history.summary() if history.diverged else None

    controls = {
        "hidden": widgets.int_slider("hidden neurons", hidden, 1, max_hidden),
        "activation": widgets.activation_dropdown(activation, ACTIVATIONS),
        "seed": widgets.seed_slider(seed),
    }
    return widgets.Panel(fig, update, controls, title="XOR: one hidden layer of H neurons")


def xor_success(hidden_sizes=(1, 2, 4, 8), activation: str = "tanh", seeds=range(10), n: int = 120):
    """For each hidden width H: in how many of ``seeds`` does a 2-H-1 network, trained as
    in :func:`xor_panel`, classify every XOR training point correctly? Returns
    ``{H: (successes, runs)}``."""
    X, labels = data.xor(n=n, noise=0.3, seed=0)
    result = {}
    for hidden in hidden_sizes:
        wins = 0
        for seed in seeds:
            model = nn.MLP([2, hidden, 1], activation=activation, output_activation="sigmoid", seed=seed)
            train.fit(model, X, labels, loss="bce", lr=XOR_LR, epochs=XOR_EPOCHS)
            wins += train.accuracy(model, X, labels) == 1.0
        result[hidden] = (wins, len(seeds))
    return result


# ------------------------------------------------------------------ a drawing of one neuron
def neuron_diagram(x, w, b: float, activation: str = "tanh") -> Figure:
    r"""Draw one neuron with its numbers: inputs ``x_i`` -> weights ``w_i`` -> the sum
    ``z = sum_i w_i x_i + b`` -> the activation ``phi`` -> the output ``y``.
    The values of ``z`` and ``y`` are computed with :class:`nnlesson.nn.Neuron`."""
    x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
    neuron = nn.Neuron(weights=w, bias=b, activation=activation)
    with no_grad():
        z = float(neuron.pre_activation(x).data)
        y = float(neuron(x).data)
    fig, axes = plots.subplots(width=6.8, height=0.9 + 0.75 * len(x))
    ax = axes[0, 0]
    ax.set_axis_off()
    ax.set_xlim(-0.3, 7.4)
    top = 0.75 * (len(x) - 1)
    ax.set_ylim(-0.7, top + 0.55)
    sum_at, act_at, out_at = (3.3, top / 2), (5.1, top / 2), (6.8, top / 2)
    node = {"boxstyle": "circle,pad=0.35", "facecolor": "white", "edgecolor": "k"}
    for i, (xi, wi) in enumerate(zip(x, w)):
        yi = top - 0.75 * i
        color = plots.PALETTE[0] if wi >= 0 else plots.PALETTE[3]
        ax.annotate(
            "",
            xy=(sum_at[0] - 0.42, sum_at[1]),
            xytext=(0.6, yi),
            arrowprops={"arrowstyle": "-|>", "color": color, "lw": 1.6},
        )
        ax.text(
            0,
            yi,
            f"$x_{i + 1}$ = {xi:g}",
            ha="center",
            va="center",
            fontsize=10,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "#eef5fb", "edgecolor": plots.PALETTE[0]},
        )
        t = 0.35
        mid = (0.6 + t * (sum_at[0] - 1.02), yi + t * (sum_at[1] - yi))
        ax.text(
            *mid,
            f"$w_{i + 1}$ = {wi:g}",
            ha="center",
            va="center",
            fontsize=9,
            color=color,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        )
    ax.text(*sum_at, "Σ", ha="center", va="center", fontsize=16, bbox=node)
    ax.text(sum_at[0], sum_at[1] - 0.55, f"+ b = {b:g}\n$z$ = {z:.4f}", ha="center", va="top", fontsize=9)
    ax.annotate(
        "",
        xy=(act_at[0] - 0.45, act_at[1]),
        xytext=(sum_at[0] + 0.4, sum_at[1]),
        arrowprops={"arrowstyle": "-|>", "color": "k"},
    )
    ax.text(*act_at, "φ", ha="center", va="center", fontsize=16, bbox=node)
    ax.text(act_at[0], act_at[1] - 0.55, activation, ha="center", va="top", fontsize=9)
    ax.annotate(
        "",
        xy=(out_at[0] - 0.65, out_at[1]),
        xytext=(act_at[0] + 0.4, act_at[1]),
        arrowprops={"arrowstyle": "-|>", "color": "k"},
    )
    ax.text(
        *out_at,
        f"$y$ = {y:.4f}",
        ha="center",
        va="center",
        fontsize=10,
        bbox={"boxstyle": "round,pad=0.3", "facecolor": "#fdf1dc", "edgecolor": plots.PALETTE[1]},
    )
    ax.set_title(r"one neuron: $y = \varphi(\sum_i w_i x_i + b)$" + "   (blue arrow: w > 0, red: w < 0)")
    return fig
