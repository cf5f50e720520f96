"""The panels and figures of notebook 1 (What is a neuron?): drive every control and check
what the figure shows, and the scientific claims the notebook makes."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlesson import activations, data, nn, train
from nnlesson.panels import catalogue
from nnlesson.panels import neuron as panels


def artist(panel, gid):
    """The artist with this gid anywhere in the panel's figure."""
    found = panel.figure.findobj(lambda a: a.get_gid() == gid)
    assert found, f"no artist with gid {gid!r}"
    return found[0]


def titles(panel):
    return [ax.get_title() for ax in panel.figure.axes]


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# ------------------------------------------------------------------ the catalogue
def test_panels_are_listed_and_build():
    found = catalogue()
    for name in panels.PANELS:
        assert found[f"neuron.{name}"] is getattr(panels, name)


# ------------------------------------------------------------------ neuron_panel
@pytest.fixture(scope="module")
def neuron_panel():
    return panels.neuron_panel()


def test_neuron_panel_defaults(neuron_panel):
    p = neuron_panel
    p.set(w1=1.5, w2=-1.0, b=0.5, x2=0.5, activation="tanh")
    x1 = artist(p, "y").get_xdata()
    z = 1.5 * x1 - 1.0 * 0.5 + 0.5
    np.testing.assert_allclose(artist(p, "z").get_ydata(), z)
    np.testing.assert_allclose(artist(p, "y").get_ydata(), np.tanh(z))
    assert artist(p, "zero").get_xdata()[0] == pytest.approx(0.0)  # z = 0 at x1 = (0.5 - 0.5) / 1.5
    assert any("XOR corners right: 2/4" in t for t in titles(p))
    assert any("tanh" in t for t in titles(p))


def test_neuron_panel_weights_move_the_line(neuron_panel):
    p = neuron_panel
    p.set(w1=1.0, w2=1.0, b=0.0, x2=0.0, activation="tanh")
    xs, ys = artist(p, "boundary").get_data()
    np.testing.assert_allclose(np.asarray(xs) + np.asarray(ys), 0.0, atol=1e-12)  # x1 + x2 = 0
    p.controls["b"].value = 1.0
    xs, ys = artist(p, "boundary").get_data()
    np.testing.assert_allclose(np.asarray(xs) + np.asarray(ys), -1.0, atol=1e-12)  # shifted parallel
    # w points from the line towards z > 0
    arrow = artist(p, "w")
    tail, tip = np.array(arrow.xyann), np.array(arrow.xy)
    np.testing.assert_allclose(tip - tail, [1.0, 1.0])
    assert tail.sum() == pytest.approx(-1.0)  # the tail sits on the line


def test_neuron_panel_vertical_line_and_no_line(neuron_panel):
    p = neuron_panel
    p.set(w1=2.0, w2=0.0, b=-1.0, x2=0.0, activation="tanh")
    xs, _ = artist(p, "boundary").get_data()
    np.testing.assert_allclose(xs, 0.5)  # 2 x1 - 1 = 0
    p.set(w1=0.0, w2=0.0)
    xs, _ = artist(p, "boundary").get_data()
    assert len(xs) == 0
    assert not artist(p, "w").get_visible()
    assert not artist(p, "zero").get_visible()
    image = p.figure.axes[1].images[0]
    np.testing.assert_allclose(image.get_array(), np.tanh(-1.0))  # z = b everywhere


@pytest.mark.parametrize(
    ("name", "clim"),
    [("tanh", (-1, 1)), ("sigmoid", (0, 1)), ("relu", (-3, 3)), ("leaky_relu", (-3, 3)), ("linear", (-3, 3))],
)
def test_neuron_panel_activation_dropdown(neuron_panel, name, clim):
    p = neuron_panel
    p.set(w1=1.0, w2=-2.0, b=0.3, x2=1.0, activation=name)
    act = activations.get(name)
    x1 = artist(p, "y").get_xdata()
    np.testing.assert_allclose(artist(p, "y").get_ydata(), act.numpy(x1 - 2.0 + 0.3))
    image = p.figure.axes[1].images[0]
    assert image.get_clim() == clim
    values = np.asarray(image.get_array())
    if name in ("sigmoid", "relu"):
        assert values.min() >= 0
    if name == "tanh":
        assert np.abs(values).max() < 1
    assert any(f"$y$ = {name}" in t for t in titles(p))


def test_neuron_panel_slice_slider(neuron_panel):
    p = neuron_panel
    p.set(w1=1.0, w2=1.0, b=0.0, x2=-2.0, activation="linear")
    np.testing.assert_allclose(artist(p, "slice").get_ydata(), [-2.0, -2.0])
    assert artist(p, "zero").get_xdata()[0] == pytest.approx(2.0)
    before = np.array(artist(p, "y").get_ydata())
    p.controls["x2"].value = 1.0
    np.testing.assert_allclose(np.array(artist(p, "y").get_ydata()) - before, 3.0)  # w2 * (1 - (-2))


def test_neuron_panel_renders_png(neuron_panel):
    assert neuron_panel.png()[:8] == b"\x89PNG\r\n\x1a\n"
    assert neuron_panel.message.value == ""


# ------------------------------------------------------------------ one neuron's geometry
def test_decision_line_lies_on_z_zero():
    for w1, w2, b in [(1.0, 2.0, 0.5), (3.0, -0.5, 1.0), (0.0, 1.0, -1.0), (1.0, 0.0, 2.0)]:
        xs, ys = panels.decision_line(w1, w2, b)
        np.testing.assert_allclose(w1 * np.asarray(xs) + w2 * np.asarray(ys) + b, 0.0, atol=1e-12)
    assert panels.decision_line(0.0, 0.0, 1.0) is None


def test_no_neuron_gets_all_xor_corners():
    rng = np.random.default_rng(0)
    counts = {panels.xor_corners_right(*rng.uniform(-3, 3, 3)) for _ in range(2000)}
    assert max(counts) == 3
    accuracy, w, b = panels.best_line(panels.XOR_CORNERS, panels.XOR_LABELS)
    assert accuracy == 0.75


def test_best_line_on_xor_data_is_at_most_75_percent():
    X, y = data.xor(n=120, noise=0.3, seed=0)
    accuracy, w, b = panels.best_line(X, y)
    assert 0.7 <= accuracy <= 0.76
    assert np.mean(((X @ w + b) > 0) == (y == 1)) == pytest.approx(accuracy)


# ------------------------------------------------------------------ layers and XOR
def test_linear_layers_collapse_and_tanh_layers_do_not():
    X = np.random.default_rng(0).uniform(-2, 2, size=(300, 2))
    linear_net, tanh_net = panels.demo_network("linear"), panels.demo_network("tanh")
    for a, b in zip(linear_net.layers, tanh_net.layers):
        np.testing.assert_array_equal(a.W.data, b.W.data)
        np.testing.assert_array_equal(a.b.data, b.b.data)
    W, b = panels.collapse_linear(linear_net)
    np.testing.assert_allclose(train.predict(linear_net, X), X @ W + b, atol=1e-12)
    assert panels.linear_fit_error(linear_net, X) < 1e-10
    assert panels.linear_fit_error(tanh_net, X) > 0.1
    with pytest.raises(ValueError, match="linear"):
        panels.collapse_linear(tanh_net)


def test_hand_set_network_solves_the_four_corners():
    model = panels.hand_xor_network()
    assert train.accuracy(model, panels.XOR_CORNERS, panels.XOR_LABELS, threshold=0.5) == 1.0
    hidden = model.trace(panels.XOR_CORNERS)[0].a
    assert hidden[2, 0] > 0.9 and hidden[3, 1] > 0.9  # each hidden neuron fires for one class-1 corner
    assert (hidden[:2] < -0.9).all()


def test_xor_success_grows_with_hidden_width():
    result = panels.xor_success(hidden_sizes=(1, 4), seeds=range(4))
    assert result[1][0] == 0
    assert result[4] == (4, 4)


def test_one_trained_neuron_fails_on_xor():
    X, y = data.xor(n=120, noise=0.3, seed=0)
    neuron = nn.Neuron(2, activation="sigmoid", rng=0)
    train.fit(neuron, X, y, loss="bce", lr=1.0, epochs=200)
    assert train.accuracy(neuron, X, y) <= 0.75


# ------------------------------------------------------------------ xor_panel
@pytest.fixture(scope="module")
def xor_panel():
    return panels.xor_panel()


def hidden_lines_drawn(panel):
    return sum(len(artist(panel, f"hidden{j}").get_xdata()) > 0 for j in range(8))


def test_xor_panel_default_solves_xor(xor_panel):
    p = xor_panel
    p.set(hidden=4, activation="tanh", seed=0)
    assert any("2-4-1, tanh: accuracy 100%" in t for t in titles(p))
    assert hidden_lines_drawn(p) == 4
    loss = np.asarray(artist(p, "loss").get_ydata())
    assert len(loss) == panels.XOR_EPOCHS and loss[-1] < 0.1 * loss[0]
    probability = np.asarray(p.figure.axes[0].images[0].get_array())
    assert probability.min() < 0.1 and probability.max() > 0.9
    assert p.message.value == ""


@pytest.mark.parametrize(
    "hidden, activation",
    [(1, "tanh"), (8, "linear")],  # one hidden neuron; many, but linear: both are one line
)
def test_xor_panel_fails_without_a_bent_boundary(xor_panel, hidden, activation):
    p = xor_panel
    p.set(hidden=hidden, activation=activation, seed=0)
    title = next(t for t in titles(p) if "accuracy" in t)
    assert int(title.split("accuracy ")[1].rstrip("%")) <= 75
    assert hidden_lines_drawn(p) == hidden


def test_xor_panel_seed_changes_the_network(xor_panel):
    p = xor_panel
    p.set(hidden=2, activation="tanh", seed=0)
    first = np.array(artist(p, "loss").get_ydata())
    p.controls["seed"].value = 1
    assert not np.allclose(first, artist(p, "loss").get_ydata())


def test_xor_panel_marks_divergence(monkeypatch):
    def diverging_fit(model, X, y, **kwargs):
        return train.History(
            step_loss=[0.7, 0.6, np.inf], diverged=True, diverged_at_step=2, diverged_at_epoch=2
        )

    monkeypatch.setattr(panels.train, "fit", diverging_fit)
    p = panels.xor_panel()
    assert "diverged" in p.message.value
    ax_loss = p.figure.axes[1]
    assert any(line.get_marker() == "X" for line in ax_loss.lines)
    monkeypatch.undo()
    p.controls["seed"].value = 3  # a normal run again: the marker goes
    assert not any(line.get_marker() == "X" for line in ax_loss.lines)
    assert p.message.value == ""


# ------------------------------------------------------------------ static figures
def test_static_figures_have_labels():
    fig = panels.activations_figure()
    assert [ax.get_title() for ax in fig.axes[:5]] == list(panels.ACTIVATIONS)
    fig = panels.neuron_diagram([0.5, -1.0, 2.0], [0.8, 0.3, -0.5], 0.1)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "-0.6640" in texts and "-0.8000" in texts  # y = tanh(-0.8)
    fig = panels.warp_figure([panels.demo_network("linear")], ["linear"])
    assert [ax.get_title() for ax in fig.axes] == ["input grid", "linear"]
    X, y = data.xor(n=40, noise=0.3, seed=0)
    fig = panels.compare_regions([panels.hand_xor_network()], ["hand"], X, y)
    assert fig.axes[0].get_title().startswith("hand: ")
