"""The controls learners meet again and again, and ``Panel``: controls + a live figure.

A ``Panel`` owns one matplotlib figure (made with ``plots.panel_figure``) and a set of
ipywidgets controls. Whenever a control changes, it calls ``update(**values)`` (your
function redraws the figure, in place where it can) and shows the new picture::

    fig, axes = plots.panel_figure(1, 2)
    line, = axes[0, 0].plot(x, f(x, 1.0))

    def update(alpha):
        line.set_ydata(f(x, alpha))

    Panel(fig, update, {"alpha": learning_rate_slider()}, title="Step size")

Panels work without a browser too: ``panel.controls["alpha"].value = 0.3`` runs the
update at once (that is how the tests and the benchmark drive them), and
``panel.timings`` records how long each update took (recompute + redraw).
In a live notebook the panel shows as widgets; on GitHub or nbviewer, where no kernel
runs, its figure at the default settings shows as a picture.
"""

from __future__ import annotations

import base64
import html
import io
import time
from collections.abc import Callable, Mapping, Sequence

import ipywidgets as w
import numpy as np
import PIL.Image
from matplotlib.figure import Figure

from nnlesson import activations, data, init, losses

CONTROL_STYLE = {"description_width": "initial"}
CONTROL_LAYOUT = {"width": "320px"}


# ------------------------------------------------------------------ the controls
def learning_rate_slider(value: float = 0.1, low: float = 1e-4, high: float = 10.0) -> w.FloatLogSlider:
    """Learning rate alpha on a log scale (each notch multiplies alpha by about 1.26)."""
    return w.FloatLogSlider(
        value=value,
        base=10,
        min=np.log10(low),
        max=np.log10(high),
        step=0.1,
        description="learning rate α",
        readout_format=".2g",
        continuous_update=True,
        style=CONTROL_STYLE,
        layout=CONTROL_LAYOUT,
    )


def init_dropdown(value: str = "xavier_uniform", options: Sequence[str] | None = None) -> w.Dropdown:
    """Weight initialisation scheme; lists every initialiser of ``nnlesson.init``."""
    return dropdown("init", options or init.names(), value)


def activation_dropdown(value: str = "tanh", options: Sequence[str] | None = None) -> w.Dropdown:
    """Activation function phi of the hidden layers (softmax is for output layers only)."""
    return dropdown("activation φ", options or [n for n in activations.names() if n != "softmax"], value)


def loss_dropdown(value: str = "mse", options: Sequence[str] | None = None) -> w.Dropdown:
    """Loss function."""
    return dropdown("loss", options or losses.names(), value)


def dataset_dropdown(value: str = "two_moons", options: Sequence[str] | None = None) -> w.Dropdown:
    """A synthetic 2-D data set of ``nnlesson.data``."""
    return dropdown("data set", options or data.names(), value)


def seed_slider(value: int = 0, high: int = 20) -> w.IntSlider:
    """Random seed: the same seed gives the same weights and data, bit for bit."""
    return int_slider("seed", value, 0, high)


def depth_slider(value: int = 2, low: int = 1, high: int = 6) -> w.IntSlider:
    """Number of hidden layers."""
    return int_slider("hidden layers", value, low, high)


def width_slider(value: int = 16, low: int = 1, high: int = 64) -> w.IntSlider:
    """Units per hidden layer."""
    return int_slider("units per layer", value, low, high)


def epochs_slider(value: int = 100, low: int = 10, high: int = 500, step: int = 10) -> w.IntSlider:
    """Number of passes over the training data."""
    return int_slider("epochs", value, low, high, step)


def batch_size_dropdown(value: int | str = "full", options: Sequence = (1, 8, 32, "full")) -> w.Dropdown:
    """Minibatch size; "full" means full-batch gradient descent."""
    return dropdown("batch size", options, value)


def dropdown(description: str, options: Sequence, value=None) -> w.Dropdown:
    """A dropdown in the panels' style (``value`` defaults to the first option)."""
    options = list(options)
    return w.Dropdown(
        options=options,
        value=options[0] if value is None else value,
        description=description,
        style=CONTROL_STYLE,
        layout=CONTROL_LAYOUT,
    )


def int_slider(description: str, value: int, low: int, high: int, step: int = 1) -> w.IntSlider:
    """An integer slider in the panels' style."""
    return w.IntSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=True,
        style=CONTROL_STYLE,
        layout=CONTROL_LAYOUT,
    )


def float_slider(
    description: str, value: float, low: float, high: float, step: float = 0.05
) -> w.FloatSlider:
    """A float slider in the panels' style."""
    return w.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        continuous_update=True,
        readout_format=".2f",
        style=CONTROL_STYLE,
        layout=CONTROL_LAYOUT,
    )


# ------------------------------------------------------------------ the panel
class Panel:
    """Controls plus one figure that is redrawn whenever a control changes.

    ``figure``: made with ``plots.panel_figure`` (or any Figure with an Agg canvas).
    ``update``: called as ``update(**values)`` with every control's current value; it
    changes the figure and may return a short message shown under the controls
    (e.g. "diverged at step 37").
    ``controls``: name -> ipywidget; the names are ``update``'s keyword arguments.
    ``moving`` (optional, for speed): a function returning the artists that ``update``
    changes. Then everything else (axes, ticks, labels, contours) is rendered once and
    kept as a background image, and each update draws only the moving artists on top of
    it ("blitting", about 5x faster). The price: axes limits must stay as they were at
    the first render, and moving artists are drawn above the still ones.
    """

    def __init__(
        self,
        figure: Figure,
        update: Callable[..., str | None],
        controls: Mapping[str, w.ValueWidget],
        title: str = "",
        columns: int = 2,
        moving: Callable[[], list] | None = None,
    ):
        self.figure = figure
        self._moving = moving
        self._background = None
        self.controls = dict(controls)
        self.title = title
        self.timings: list[float] = []
        self._update = update
        width_px = int(figure.get_figwidth() * figure.dpi)
        self.image = w.Image(format="png", layout={"width": f"{width_px}px", "max_width": "100%"})
        self.message = w.HTML()
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        rows = [
            w.HBox(list(self.controls.values())[i : i + columns])
            for i in range(0, len(self.controls), columns)
        ]
        header = [w.HTML(f"<b>{title}</b>")] if title else []
        self.widget = w.VBox([*header, *rows, self.message, self.image])
        self.refresh()
        freeze_layout(self.figure)

    @property
    def values(self) -> dict:
        """Every control's current value, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> None:
        """Recompute and redraw with the current control values."""
        start = time.perf_counter()
        try:
            message = self._update(**self.values)
        except Exception as error:
            # Say it where the learner is looking (a callback's traceback only reaches
            # JupyterLab's log console), then let it propagate as usual.
            self.message.value = _message_html(f"error: {type(error).__name__}: {error}", alarm=True)
            raise
        self.message.value = _message_html(message)
        self.image.value = self.png()
        self.timings.append(time.perf_counter() - start)

    def set(self, **values) -> None:
        """Set several controls at once and redraw once (for tests and scripted tours)."""
        for name in values:
            if name not in self.controls:
                raise ValueError(f"this panel has no control {name!r}; it has: {', '.join(self.controls)}")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        self.refresh()

    _holding = False

    def png(self) -> bytes:
        """The figure as PNG bytes: drawn with Agg (only the moving artists, when blitting),
        then encoded as RGB with light compression (~10 ms faster than matplotlib's default
        RGBA at compression level 6; files ~25 % larger)."""
        canvas = self.figure.canvas
        if self._moving is None:
            canvas.draw()
        else:
            artists = self._moving()
            for artist in artists:
                artist.set_animated(True)  # animated artists are left out of a full draw
            if self._background is None:
                canvas.draw()  # the first time: the still parts (this also solves the layout)
                self._background = canvas.copy_from_bbox(self.figure.bbox)
            else:
                canvas.restore_region(self._background)
            renderer = canvas.get_renderer()
            for artist in artists:
                artist.draw(renderer)
        pixels = np.asarray(canvas.buffer_rgba())[..., :3]
        buffer = io.BytesIO()
        PIL.Image.fromarray(pixels).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()

    def _on_change(self, change) -> None:
        if not self._holding:
            self.refresh()

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["image/png"] = base64.b64encode(bytes(self.image.value)).decode("ascii")
        bundle["text/plain"] = f"<nnlesson panel{': ' + self.title if self.title else ''}>"
        return bundle

    def __repr__(self) -> str:
        return f"<nnlesson panel{': ' + self.title if self.title else ''}>"


def freeze_layout(figure: Figure) -> None:
    """Keep the layout of a figure that has been drawn once: its axes positions and axis
    label positions stay where they are.

    Re-solving the constrained layout and re-measuring every tick label to place the axis
    labels would otherwise cost more than the rest of a redraw. Tick labels that grow a
    lot later (axes limits changing by orders of magnitude) may then crowd the labels.
    """
    figure.set_layout_engine("none")
    for ax in figure.axes:
        for axis in (ax.xaxis, ax.yaxis):
            label = axis.label
            if ax.get_visible() and label.get_text():
                position = label.get_transform().transform(label.get_position())
                axis.set_label_coords(*ax.transAxes.inverted().transform(position))


def _message_html(message: str | None, alarm: bool = False) -> str:
    """A panel's message: vermillion for an error or divergence, else neutral grey."""
    if not message:
        return ""
    color = "#D55E00" if alarm or "diverg" in message.lower() else "#333333"
    return f"<span style='color:{color}'>{html.escape(message)}</span>"
