import base64

import ipywidgets as w
import numpy as np
import pytest

from nnlesson import init, plots, widgets


def make_panel():
    x = np.linspace(-3, 3, 50)
    fig, axes = plots.panel_figure()
    (line,) = axes[0, 0].plot(x, np.tanh(x))
    calls = []

    def update(weight, activation):
        calls.append((weight, activation))
        f = np.tanh if activation == "tanh" else (lambda z: np.maximum(z, 0))
        line.set_ydata(f(weight * x))
        return "steep!" if weight > 2 else None

    controls = {
        "weight": widgets.float_slider("w", 1.0, -3, 3),
        "activation": widgets.activation_dropdown("tanh"),
    }
    return widgets.Panel(fig, update, controls, title="test"), line, calls


def test_panel_draws_once_at_start_and_on_every_change():
    panel, line, calls = make_panel()
    assert calls == [(1.0, "tanh")]
    first_png = bytes(panel.image.value)
    assert first_png.startswith(b"\x89PNG")
    panel.controls["weight"].value = 2.5
    assert calls[-1] == (2.5, "tanh")
    assert np.allclose(line.get_ydata(), np.tanh(2.5 * np.linspace(-3, 3, 50)))
    assert bytes(panel.image.value) != first_png
    assert "steep!" in panel.message.value
    panel.controls["activation"].value = "relu"
    assert line.get_ydata().min() == 0.0
    assert "steep!" in panel.message.value
    panel.controls["weight"].value = 0.5
    assert panel.message.value == ""
    assert len(panel.timings) == 4


def test_set_changes_several_controls_and_redraws_once():
    panel, _, calls = make_panel()
    panel.set(weight=0.5, activation="relu")
    assert calls[-1] == (0.5, "relu") and len(calls) == 2
    with pytest.raises(ValueError, match="no control 'bias'"):
        panel.set(bias=1.0)


def test_layout_is_frozen_after_the_first_render():
    panel, _, _ = make_panel()
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    assert not isinstance(panel.figure.get_layout_engine(), ConstrainedLayoutEngine)


def test_panel_shows_a_png_where_no_widgets_render():
    panel, _, _ = make_panel()
    bundle = panel._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert base64.b64decode(bundle["image/png"]) == bytes(panel.image.value)
    assert bundle["text/plain"] == "<nnlesson panel: test>"


def test_learning_rate_slider_is_logarithmic_from_1e_4_to_10():
    slider = widgets.learning_rate_slider()
    assert isinstance(slider, w.FloatLogSlider)
    assert slider.base**slider.min == pytest.approx(1e-4) and slider.base**slider.max == pytest.approx(10)
    slider.value = 3.0
    assert slider.value == pytest.approx(3.0)


def test_init_dropdown_lists_every_initialiser():
    assert list(widgets.init_dropdown().options) == init.names()


def test_activation_dropdown_has_no_softmax_for_hidden_layers():
    options = widgets.activation_dropdown().options
    assert "tanh" in options and "relu" in options and "softmax" not in options


def test_other_controls():
    assert widgets.batch_size_dropdown().value == "full"
    assert widgets.depth_slider().max == 6 and widgets.width_slider().value == 16
    assert widgets.seed_slider().value == 0 and widgets.epochs_slider().step == 10
    assert "two_moons" in widgets.dataset_dropdown().options
    assert "binary_cross_entropy" in widgets.loss_dropdown().options


def test_blitting_draws_the_same_picture_as_a_full_render():
    import io

    import PIL.Image

    x = np.linspace(-3, 3, 50)
    fig, axes = plots.panel_figure()
    ax = axes[0, 0]
    ax.set_ylim(-1.1, 1.1)
    ax.set_title("still parts")
    (line,) = ax.plot(x, np.tanh(x))

    def update(weight):
        line.set_ydata(np.tanh(weight * x))

    panel = widgets.Panel(
        fig, update, {"weight": widgets.float_slider("w", 1.0, -3, 3)}, moving=lambda: [line]
    )
    panel.controls["weight"].value = -2.0
    fast = np.asarray(PIL.Image.open(io.BytesIO(bytes(panel.image.value))).convert("RGB"), dtype=int)
    line.set_animated(False)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    full = np.asarray(PIL.Image.open(buffer).convert("RGB"), dtype=int)
    assert fast.shape == full.shape
    assert np.mean(np.any(np.abs(fast - full) > 8, axis=-1)) < 1e-4  # the same picture
    first = np.asarray(PIL.Image.open(io.BytesIO(panel.png())).convert("RGB"), dtype=int)
    panel.controls["weight"].value = 1.0
    moved = np.asarray(PIL.Image.open(io.BytesIO(bytes(panel.image.value))).convert("RGB"), dtype=int)
    assert np.mean(np.any(np.abs(moved - first) > 8, axis=-1)) > 1e-3  # and the line really moved


def test_an_update_that_fails_says_so_in_the_panel_and_raises():
    fig, _ = plots.panel_figure()

    def update(n):
        if n > 3:
            raise ValueError("n must be at most 3")

    panel = widgets.Panel(fig, update, {"n": widgets.int_slider("n", 1, 0, 5)})
    with pytest.raises(ValueError, match="at most 3"):
        panel.controls["n"].value = 4
    assert "n must be at most 3" in panel.message.value and "#D55E00" in panel.message.value
