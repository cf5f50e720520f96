"""The panels of notebook 3 respond to their controls and show the right science."""

import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlesson import panels, widgets
from nnlesson import signal_propagation as sp
from nnlesson.panels import weight_init as wi


def _std_curve(panel) -> np.ndarray:
    """The measured std per layer, as drawn in the right-hand plot."""
    return np.asarray(panel.figure.axes[1].lines[1].get_ydata(), dtype=float)


def _visible_ridges(panel) -> int:
    return sum(artist.get_visible() for artist in panel.figure.axes[0].patches)


def test_every_factory_is_in_the_catalogue_and_builds_a_panel():
    found = panels.catalogue()
    for name in wi.PANELS:
        assert f"weight_init.{name}" in found
    panel = wi.activations_panel()
    assert isinstance(panel, widgets.Panel)
    assert set(panel.controls) == {"init", "activation", "depth", "width"}
    assert set(panel.controls["init"].options) == set(sp.scheme_names())


def test_activations_panel_standard_init_fades_xavier_keeps():
    panel = wi.activations_panel()  # standard U[±1/sqrt(n)], tanh, 10 layers of 256
    std = _std_curve(panel)
    assert len(std) == 10 and std[-1] < std[0] / 3
    assert "layer 10" in panel.message.value
    panel.controls["init"].value = "xavier_uniform"
    kept = _std_curve(panel)
    assert kept[-1] > 20 * std[-1]
    assert "Xavier uniform" in panel.figure.axes[0].get_title()


def test_activations_panel_large_init_saturates_tanh():
    panel = wi.activations_panel()
    panel.controls["init"].value = "large_normal"
    share = float(re.search(r"(\d+)% of its units saturated", panel.message.value).group(1))
    assert share > 80
    notes = [t.get_text() for t in panel.figure.axes[0].texts if t.get_text()]
    assert len(notes) == 10 and all("sat" in n for n in notes)


def test_activations_panel_relu_he_keeps_xavier_halves():
    panel = wi.activations_panel()
    panel.set(activation="relu", init="he_normal", depth=30)
    he = _std_curve(panel)
    assert len(he) == 30 and 0.5 < he[-1] / he[0] < 2
    panel.controls["init"].value = "xavier_normal"
    xavier = _std_curve(panel)
    assert xavier[-1] / xavier[0] < 1e-2
    theory = panel.figure.axes[1].lines[0].get_ydata()
    assert theory[-1] / theory[0] == pytest.approx(0.5 ** (29 / 2))
    assert "0.707" in panel.figure.axes[1].get_title()


def test_activations_panel_depth_and_width_controls():
    panel = wi.activations_panel()
    panel.controls["depth"].value = 4
    assert _visible_ridges(panel) == 4
    assert [t.get_text() for t in panel.figure.axes[0].get_yticklabels()] == [
        f"layer {k}" for k in (4, 3, 2, 1)
    ]
    panel.controls["depth"].value = 40
    assert _visible_ridges(panel) == wi.MAX_HISTOGRAMS
    assert len(_std_curve(panel)) == 40
    labels = [t.get_text() for t in panel.figure.axes[0].get_yticklabels()]
    assert labels[0] == "layer 40" and labels[-1] == "layer 1"
    panel.set(depth=10, init="random_normal")
    narrow = _std_curve(panel)[-1]
    panel.controls["width"].value = 512  # fixed std 0.01: wider layers lose less per layer
    assert _std_curve(panel)[-1] > 10 * narrow


def test_activations_panel_zeros_says_nothing_passes():
    panel = wi.activations_panel()
    panel.controls["init"].value = "zeros"
    assert "nothing gets through" in panel.figure.axes[1].texts[0].get_text()
    assert np.all(np.isnan(_std_curve(panel)))


def test_gradients_panel_shrink_towards_the_input_with_standard_init():
    panel = wi.gradients_panel()
    std = _std_curve(panel)
    assert std[0] < std[-1] / 3
    assert "gradient at layer 1" in panel.message.value
    assert "right to left" in panel.figure.axes[1].get_xlabel()
    panel.controls["init"].value = "xavier_uniform"
    std = _std_curve(panel)
    assert std[0] > std[-1] / 4


def test_symmetry_panel_constant_init_keeps_units_identical():
    panel = wi.symmetry_panel()  # constant 0.5
    assert "all hidden units identical" in panel.message.value
    W1 = np.asarray(panel.figure.axes[0].images[0].get_array())
    np.testing.assert_allclose(W1, W1[:, :1] * np.ones((1, 8)))
    panel.controls["init"].value = "xavier_uniform"
    assert "units differ" in panel.message.value
    W1 = np.asarray(panel.figure.axes[0].images[0].get_array())
    assert np.abs(W1 - W1[:, :1]).max() > 0.1
    panel.controls["init"].value = "zeros"
    assert "final loss 0.6931" in panel.message.value
    assert np.all(np.asarray(panel.figure.axes[0].images[0].get_array()) == 0)


def test_static_figures():
    fig = wi.signal_figure(["standard_uniform", "xavier_uniform"], depth=5, width=32, n_samples=50)
    assert len(fig.axes) == 3
    assert fig.axes[2].get_yscale() == "log"
    fig2, order = wi.mystery_figure()
    assert sorted(order) == sorted(["standard_uniform", "xavier_uniform", "large_normal"])
    assert [ax.get_title() for ax in fig2.axes] == ["stack A", "stack B", "stack C"]
    plt.close("all")


def test_shown_layers_and_samples():
    assert wi.shown_layers(3) == [1, 2, 3]
    layers = wi.shown_layers(40)
    assert layers[0] == 1 and layers[-1] == 40 and len(layers) == 10
    assert wi.panel_samples(256) == 128 and wi.panel_samples(512) >= 32
