"""The panel and helpers of notebook 5 (the chain rule): drive every control and check what
the figure shows; hand-written backprop equals the engine; the exercise checkers."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlesson import nn
from nnlesson.engine import Tensor
from nnlesson.panels import catalogue
from nnlesson.panels import chain_rule as panels


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def explanation(panel) -> str:
    return panel.figure.findobj(lambda a: a.get_gid() == "explanation")[0].get_text()


def box(panel, label) -> str:
    return panel.drawing.box_text(panel.drawing.node(label))


# ------------------------------------------------------------------ catalogue
def test_panels_are_listed():
    found = catalogue()
    for name in panels.PANELS:
        assert found[f"chain_rule.{name}"] is getattr(panels, name)


# ------------------------------------------------------------------ backward_steps_panel
@pytest.fixture()
def panel():
    return panels.backward_steps_panel()


def test_default_view_is_mid_pass(panel):
    assert panel.values == {"step": 2, "x": 1.5, "w": -0.8, "b": 0.5}
    assert panel.controls["step"].max == 6
    assert box(panel, "L").endswith("grad 1.0000")
    assert not box(panel, "z").endswith("grad ?")
    assert box(panel, "w·x").endswith("grad ?")
    assert "Step 2 of 6: visit z" in explanation(panel)
    assert panel.image.value  # a PNG was rendered


def test_step_zero_shows_no_gradients(panel):
    panel.controls["step"].value = 0
    for label in ("x", "w", "b", "w·x", "z", "L"):
        assert box(panel, label).endswith("grad ?")
    assert "Forward pass done" in explanation(panel)
    assert "step 0 of 6" in panel.figure.axes[0].get_title()


def test_stepping_reveals_nodes_in_engine_order(panel):
    labels = ("x", "w", "b", "w·x", "z", "L")
    order, known = [], set()
    for k in range(1, 7):
        panel.controls["step"].value = k
        now = {lb for lb in labels if not box(panel, lb).endswith("grad ?")}
        assert len(now - known) == 1  # exactly one more node per step
        order += sorted(now - known)
        known = now
    assert order == ["L", "z", "w·x", "b", "w", "x"]


def test_current_node_is_highlighted_with_its_passed_gradients(panel):
    panel.controls["step"].value = 3  # visit w·x: passes g * x to w and g * w to x
    d = panel.drawing
    wx = d.node("w·x")
    g = 1 - np.tanh(-0.8 * 1.5 + 0.5) ** 2
    assert d.boxes[d.nodes.index(wx)].get_linewidth() > 2
    assert d.edge_label(wx, 0) == f"{g * 1.5:.3f}"
    assert d.edge_label(wx, 1) == f"{g * -0.8:.3f}"
    assert f"{g * 1.5:.4f}" in explanation(panel)
    panel.controls["step"].value = 6
    assert "leaf" in explanation(panel)
    assert d.boxes[d.nodes.index(d.node("w·x"))].get_linewidth() < 2  # (a new graph every update)


def test_final_gradients_equal_engine(panel):
    panel.set(step=6, x=-1.0, w=1.2, b=0.3)
    x, w, b = Tensor(-1.0), Tensor(1.2), Tensor(0.3)
    (w * x + b).tanh().backward()
    assert box(panel, "w").endswith(f"grad {float(w.grad):.4f}")
    assert box(panel, "x").endswith(f"grad {float(x.grad):.4f}")
    assert box(panel, "b").endswith(f"grad {float(b.grad):.4f}")


def test_input_sliders_change_values_in_place(panel):
    n_artists = len(panel.figure.axes[0].get_children())
    panel.controls["x"].value = 0.0
    assert "data 0.0000" in box(panel, "x")
    panel.controls["step"].value = 6
    assert box(panel, "w").endswith("grad 0.0000")  # a weight whose input is 0 gets no gradient
    panel.controls["w"].value = 2.0
    panel.controls["x"].value = 2.0  # saturated tanh: the gradient behind it almost vanishes
    assert abs(float(box(panel, "z").split("grad ")[1])) < 1e-3
    assert len(panel.figure.axes[0].get_children()) == n_artists


# ------------------------------------------------------------------ small graphs and gates
def test_gate_rows_follow_the_patterns():
    rows = {r["gate"]: r["passed"] for r in panels.gate_rows(x=3.0, y=-2.0, upstream=2.0)}
    assert rows["add"] == {"x": 2.0, "y": 2.0}
    assert rows["multiply"] == {"x": -4.0, "y": 6.0}
    assert rows["max"] == {"x": 2.0, "y": 0.0}
    assert rows["tanh"]["x"] == pytest.approx(2.0 * (1 - np.tanh(0.5) ** 2))


def test_gates_figure_has_four_graphs():
    fig = panels.gates_figure()
    assert len(fig.axes) == 4
    assert "distributes" in fig.axes[0].get_title()


def test_fanout_and_exercise_gradients():
    L = panels.fanout_graph(x=2.0, y=-3.0)
    L.backward()
    x = next(t for t in L.parents[0].parents if t.label == "x")
    assert float(x.grad) == -3.0 + 1.0
    grads = panels.exercise_gradients()
    assert grads["x"] == pytest.approx(1.5 * 3.0 + 3.0)  # s * y through the max, m through s
    assert grads["z"] == pytest.approx(3.0)  # the max routes nothing to z


def test_describe_step_for_vectors():
    neuron = nn.Neuron(weights=[0.5, -1.0], bias=0.1)
    y = neuron(Tensor([1.0, 2.0], requires_grad=False, label="x"))
    from nnlesson.graph_drawing import backward_steps

    steps = backward_steps(y)
    text = panels.describe_step(steps, 3)
    assert "@" in text and "∂L/∂w" in text


# ------------------------------------------------------------------ backprop by hand
def test_mlp_by_hand_equals_engine():
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    model = nn.MLP([3, 4, 4, 2], activation="tanh", seed=1)
    gaps = panels.compare_with_engine(model, X, Y)
    assert set(gaps) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(gaps.values()) < 1e-12
    assert all(float(np.abs(p.grad).max()) == 0.0 for p in model.parameters())  # left untouched


def test_mlp_by_hand_refuses_unknown_activation():
    with pytest.raises(ValueError, match="knows the activations"):
        panels.mlp_gradients_by_hand(
            nn.MLP([2, 2, 1], activation="relu", seed=0), np.ones((1, 2)), np.ones((1, 1))
        )


def test_affine_backward_shapes():
    x, W, b = np.ones((4, 3)), np.ones((3, 2)), np.zeros(2)
    out, cache = panels.affine_forward(x, W, b)
    dx, dW, db = panels.affine_backward(np.ones_like(out), cache)
    assert (dx.shape, dW.shape, db.shape) == (x.shape, W.shape, b.shape)


# ------------------------------------------------------------------ the exercise checker
def test_check_backward_verdicts():
    assert panels.check_backward(lambda x, g: None).correct is None
    assert "Replace" in str(panels.check_backward(lambda x, g: None))

    def stub(x, g):
        raise NotImplementedError

    assert panels.check_backward(stub).correct is None
    assert panels.check_backward(panels.softsign_backward_solution).correct is True
    assert panels.check_backward(lambda x, g: g / (1 + np.abs(x))).correct is False  # forgot the square
    assert panels.check_backward(lambda x, g: np.ones(2)).correct is False
    assert panels.check_backward(lambda x, g: 3 * x**2 * g, op="cube").correct is True
    assert panels.check_backward(lambda x, g: 1 / 0).correct is False
    with pytest.raises(ValueError):
        panels.check_backward(panels.softsign_backward_solution, op="sine")


def test_softsign_op_is_a_graph_node():
    x = Tensor([0.5, -2.0])
    z = panels.softsign(x, panels.softsign_backward_solution)
    np.testing.assert_allclose(z.data, [0.5 / 1.5, -2.0 / 3.0])
    z.sum().backward()
    np.testing.assert_allclose(x.grad, [1 / 1.5**2, 1 / 3.0**2])
