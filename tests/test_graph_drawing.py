"""graph_drawing: the replayed backward pass equals the engine's, the layout is layered,
and the drawing shows values, gradients, edge gradients and highlights (and refuses big graphs)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlesson import nn
from nnlesson.engine import Tensor
from nnlesson.graph_drawing import (
    MAX_NODES,
    backward_order,
    backward_steps,
    draw_graph,
    format_value,
    graph_nodes,
)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def small_graph():
    x, w, b = Tensor(1.5, label="x"), Tensor(-0.8, label="w"), Tensor(0.5, label="b")
    wx = w * x
    wx.label = "wx"
    z = wx + b
    z.label = "z"
    L = z.tanh()
    L.label = "L"
    return L, {"x": x, "w": w, "b": b, "wx": wx, "z": z, "L": L}


def test_graph_nodes_oldest_first_with_constants():
    x = Tensor(2.0, label="x")
    f = x * 3.0 + 1.0
    nodes = graph_nodes(f)
    assert nodes[0] is x and nodes[-1] is f
    assert len(nodes) == 5  # x, 3.0, x*3, 1.0, f
    assert sum(not n.requires_grad for n in nodes) == 2


def test_backward_order_is_newest_first_and_skips_constants():
    L, n = small_graph()
    order = backward_order(L)
    assert [t.label for t in order] == ["L", "z", "wx", "b", "w", "x"]
    x = Tensor(2.0)
    f = x * 3.0
    assert len(backward_order(f)) == 2


def test_backward_steps_match_engine_gradients():
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=3), label="x")
    y = Tensor(rng.normal(size=3), label="y")
    a = x * y
    L = ((a + x).tanh() * x).sum()
    steps = backward_steps(L)
    L.backward()
    for step in steps:
        np.testing.assert_allclose(step.grad, step.node.grad, rtol=0, atol=1e-15)
    assert [s.node for s in steps] == backward_order(L)


def test_backward_steps_leave_grads_untouched_and_local_gradients():
    L, n = small_graph()
    steps = backward_steps(L)
    assert all(t._grad is None for t in n.values())
    wx_step = next(s for s in steps if s.node is n["wx"])
    local = wx_step.local_gradients  # d(w*x)/dw = x, d(w*x)/dx = w
    assert [float(v) for v in local] == [1.5, -0.8]
    assert [p.label for _, p, _ in wx_step.passed] == ["w", "x"]


def test_fan_out_contributions_add_up():
    x = Tensor(3.0, label="x")
    f = x * x + x
    parts = [float(g) for s in backward_steps(f) for _, p, g in s.passed if p is x]
    assert sorted(parts) == [1.0, 3.0, 3.0]
    f.backward()
    assert float(x.grad) == sum(parts) == 7.0


def test_layout_columns_follow_longest_path():
    L, n = small_graph()
    drawing = draw_graph(L)
    xs = {label: drawing.positions[drawing.nodes.index(t)][0] for label, t in n.items()}
    assert xs["x"] == xs["w"] < xs["wx"] < xs["z"] < xs["L"]
    assert xs["b"] == xs["wx"]  # a leaf sits next to its first consumer
    for i, node in enumerate(drawing.nodes):  # every arrow goes left to right
        for p in node.parents:
            assert drawing.positions[drawing.nodes.index(p)][0] < drawing.positions[i][0]


def test_boxes_show_values_and_gradients():
    L, n = small_graph()
    before = draw_graph(L)
    assert before.box_text(n["z"]) == "z\ndata -0.7000\ngrad ?"
    L.backward()
    after = draw_graph(L, edge_grads=True)
    dz = 1 - np.tanh(-0.7) ** 2
    assert after.box_text(n["z"]) == f"z\ndata -0.7000\ngrad {dz:.4f}"
    assert after.edge_label(n["wx"], 0) == f"{dz * 1.5:.3f}"  # multiply swaps: w gets g * x
    assert after.edge_label(n["wx"], 1) == f"{dz * -0.8:.3f}"


def test_constants_say_no_grad_and_vectors_fit():
    neuron = nn.Neuron(weights=[0.5, -1.0], bias=0.1)
    y = neuron(Tensor([1.0, 2.0], requires_grad=False, label="x"))
    y.backward()
    drawing = draw_graph(y, edge_grads=True)
    assert drawing.box_text(drawing.node("x")) == "x\ndata [1.00, 2.00]\nno grad"
    assert "grad [" in drawing.box_text(drawing.node("w"))
    assert len(drawing.nodes) == 6


def test_edge_grads_follow_the_seed_at_the_root():
    x, y = Tensor(3.0, label="x"), Tensor(-2.0, label="y")
    z = x * y
    z.backward(np.asarray(2.0))
    drawing = draw_graph(z, edge_grads=True)
    assert drawing.edge_label(z, 0) == "-4.000"
    assert drawing.edge_label(z, 1) == "6.000"


def test_update_in_place_highlight_and_rebind():
    L, n = small_graph()
    drawing = draw_graph(L)
    n_artists = len(drawing.ax.get_children())
    z = n["z"]
    drawing.update(grads={L: np.asarray(1.0)}, passed={(L, 0): np.asarray(0.5)}, highlight=L)
    i = drawing.nodes.index(L)
    assert drawing.boxes[i].get_linewidth() > 2
    assert drawing.edge_label(L, 0) == "0.500"
    assert drawing.box_text(z).endswith("grad ?")
    L2, n2 = small_graph()
    n2["x"].data[...] = 0.0
    L2 = (n2["w"] * n2["x"] + n2["b"]).tanh()  # same shape of graph, new values
    drawing.update(root=L2)
    assert "data 0.0000" in drawing.box_text(drawing.nodes[drawing.nodes.index(n2["x"])])
    assert len(drawing.ax.get_children()) == n_artists  # nothing drawn anew


def test_update_refuses_another_shape_of_graph():
    L, _ = small_graph()
    drawing = draw_graph(L)
    with pytest.raises(ValueError, match="another shape"):
        drawing.update(root=Tensor(1.0) * 2.0)


def test_large_graph_is_refused():
    x = Tensor(1.0)
    y = x
    for _ in range(MAX_NODES):
        y = y * 1.01
    with pytest.raises(ValueError, match="at most 40"):
        draw_graph(y)
    with pytest.raises(ValueError, match="at most"):
        draw_graph(Tensor(1.0) * 2.0, max_nodes=1000)


def test_format_value():
    assert format_value(0.5) == "0.5000"
    assert format_value(-1.23456e-7) == "-1.235e-07"
    assert format_value(np.array([1.0, -2.0])) == "[1.00, -2.00]"
    assert format_value(np.zeros((2, 3))) == "array 2×3"
