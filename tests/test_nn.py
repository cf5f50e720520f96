"""Tests for nnlesson.nn: Neuron, Dense, MLP, and MLP.trace."""

import numpy as np
import pytest

from nnlesson import Tensor, gradcheck, init, losses, nn

X3 = np.array([[0.5, -1.0, 2.0], [1.5, 0.2, -0.3], [-0.8, 0.9, 0.1], [0.0, -0.4, 1.2]])


def _graph_ops(t: Tensor) -> list[str]:
    """The ops of every non-leaf node in the graph of ``t``."""
    ops, seen, stack = [], {t}, [t]
    while stack:
        node = stack.pop()
        if node.parents:
            ops.append(node.op)
        for p in node.parents:
            if p not in seen:
                seen.add(p)
                stack.append(p)
    return ops


# ------------------------------------------------------------------ Neuron
def test_neuron_by_hand_equals_class():
    w, b, x = [0.5, -1.0, 2.0], 0.1, [1.0, 2.0, 3.0]
    by_hand = np.tanh(0.5 * 1.0 + (-1.0) * 2.0 + 2.0 * 3.0 + 0.1)
    neuron = nn.Neuron(weights=w, bias=b)
    y = neuron(x)
    assert y.shape == ()
    assert float(y.data) == pytest.approx(by_hand, abs=1e-15)
    assert float(neuron.pre_activation(x).data) == pytest.approx(4.6)


def test_neuron_batch_activation_and_gradient():
    neuron = nn.Neuron(weights=[0.5, -1.0, 2.0], bias=0.1, activation="sigmoid")
    out = neuron(X3)
    assert out.shape == (4,)
    z = X3 @ np.array([0.5, -1.0, 2.0]) + 0.1
    np.testing.assert_allclose(out.data, 1 / (1 + np.exp(-z)), rtol=1e-12)
    y = nn.Neuron(weights=[0.5, -1.0, 2.0], bias=0.1)
    a = y(X3[0])
    a.backward()
    np.testing.assert_allclose(y.w.grad, (1 - a.data**2) * X3[0])
    assert float(y.b.grad) == pytest.approx(1 - a.data**2)
    assert [p.shape for p in y.parameters()] == [(3,), ()]


def test_neuron_from_init_is_seeded_and_readable():
    a, b = nn.Neuron(3, rng=7), nn.Neuron(3, rng=7)
    np.testing.assert_array_equal(a.w.data, b.w.data)
    assert a.w.shape == (3,) and float(a.b.data) == 0.0
    assert "Neuron(w=" in repr(a) and "tanh" in repr(a)
    assert nn.Neuron(2, activation="linear", init="zeros")(np.ones(2)).item() == 0.0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "either n_inputs"),
        ({"n_inputs": 2, "weights": [1.0, 2.0, 3.0]}, "n_inputs=2 but 3 weights"),
        ({"weights": [[1.0]]}, "1-D"),
        ({"weights": [np.nan]}, "finite"),
        ({"weights": [1.0], "bias": "x"}, "bias must be a number"),
        ({"weights": [1.0], "bias": np.nan}, "bias must be a finite number"),
    ],
)
def test_neuron_rejects_bad_construction(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.Neuron(**kwargs)


def test_neuron_records_its_initialiser():
    assert nn.Neuron(3, init="Kaiming-Uniform", rng=0).init_name == "he_uniform"
    assert nn.Neuron(weights=[1.0, 2.0]).init_name is None


def test_neuron_rejects_wrong_input_width():
    with pytest.raises(ValueError, match=r"3 inputs.*shape \(2,\)"):
        nn.Neuron(weights=[1.0, 2.0, 3.0])(np.ones(2))


# ------------------------------------------------------------------ Dense
def test_dense_shapes_and_init():
    layer = nn.Dense(3, 5, activation="relu", init="he_uniform", rng=0)
    assert layer.W.shape == (3, 5) and layer.b.shape == (5,)
    np.testing.assert_array_equal(layer.b.data, 0.0)
    np.testing.assert_array_equal(layer.W.data, init.get("he_uniform")(3, 5, rng=0))
    assert layer(X3).shape == (4, 5)
    assert layer.parameters() == [layer.W, layer.b]
    assert layer.n_parameters == 20
    assert "3 -> 5" in repr(layer) and "relu" in repr(layer)


def test_dense_backward_matches_the_docstring_formulas():
    layer = nn.Dense(3, 2, rng=1)  # linear: G = dL/dZ = R for L = sum(Z * R)
    X = Tensor(X3)
    R = np.random.default_rng(2).standard_normal((4, 2))
    (layer(X) * R).sum().backward()
    np.testing.assert_allclose(layer.W.grad, X3.T @ R)
    np.testing.assert_allclose(layer.b.grad, R.sum(axis=0))
    np.testing.assert_allclose(X.grad, R @ layer.W.data.T)


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "leaky_relu", "linear", "softmax"])
def test_dense_gradcheck(activation):
    layer = nn.Dense(3, 2, activation=activation, rng=3)
    result = gradcheck(lambda W, b, X: layer(X), layer.W, layer.b, X3.copy())
    assert result.ok, str(result)


def test_dense_takes_a_tensor_an_array_or_a_list():
    layer = nn.Dense(3, 2, activation="tanh", rng=0)
    expected = np.tanh(X3 @ layer.W.data)
    np.testing.assert_allclose(layer(X3).data, expected)
    np.testing.assert_allclose(layer(Tensor(X3)).data, expected)
    np.testing.assert_allclose(layer(X3[0].tolist()).data, expected[0])


def test_dense_wrong_features_names_both_shapes():
    with pytest.raises(ValueError, match=r"3 features.*\(4, 2\)"):
        nn.Dense(3, 2)(np.ones((4, 2)))


# ------------------------------------------------------------------ MLP
def test_mlp_structure():
    model = nn.MLP([2, 16, 16, 1], seed=0)
    assert len(model.layers) == 3
    assert [p.shape for p in model.parameters()] == [(2, 16), (16,), (16, 16), (16,), (16, 1), (1,)]
    assert model.n_parameters == 2 * 16 + 16 + 16 * 16 + 16 + 16 + 1 == 337
    assert [w.shape for w in model.weights()] == [(2, 16), (16, 16), (16, 1)]
    assert model.weights()[0] is model.layers[0].W.data
    assert model(np.ones((5, 2))).shape == (5, 1)
    text = repr(model)
    assert "337 parameters" in text and text.count("Dense(") == 3 and "tanh" in text and "linear" in text
    assert model.output_activation == "linear"


def test_mlp_seed_bit_for_bit():
    a, b, c = nn.MLP([2, 8, 3], seed=5), nn.MLP([2, 8, 3], seed=5), nn.MLP([2, 8, 3], seed=6)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert not np.array_equal(a.layers[0].W.data, c.layers[0].W.data)


def test_mlp_init_per_layer_and_callable():
    model = nn.MLP([4, 3, 2], init="zeros", seed=0)
    assert all(np.all(w == 0) for w in model.weights())
    calls = []

    def standard(fan_in, fan_out, rng=None):
        calls.append((fan_in, fan_out))
        limit = 1 / np.sqrt(fan_in)
        return rng.uniform(-limit, limit, size=(fan_in, fan_out))

    model = nn.MLP([4, 3, 2], init=standard, seed=0)
    assert calls == [(4, 3), (3, 2)]
    assert np.abs(model.weights()[0]).max() <= 0.5


def test_mlp_activation_list_and_output_activation():
    model = nn.MLP([2, 4, 4, 3], activation=["relu", "tanh"], output_activation="softmax", seed=0)
    assert [layer.activation_name for layer in model.layers] == ["relu", "tanh", "softmax"]
    np.testing.assert_allclose(model(X3[:, :2]).data.sum(axis=1), 1.0)


def test_mlp_forward_is_lean():
    model = nn.MLP([2, 4, 4, 1], seed=0)
    ops = sorted(_graph_ops(model(np.ones((3, 2)))))
    assert ops == sorted(["affine", "tanh", "affine", "tanh", "affine"])  # one node per step


def test_mlp_gradcheck_tiny_net():
    model = nn.MLP([3, 4, 2], activation="tanh", output_activation="sigmoid", seed=1)
    result = gradcheck(lambda *params: model(X3), *model.parameters())
    assert result.ok, str(result)


@pytest.mark.parametrize("sizes", [[], [2], [2, 0, 1], [2, 1.5], "21", 3, [2, True]])
def test_mlp_rejects_bad_sizes(sizes):
    with pytest.raises(ValueError):
        nn.MLP(sizes)


def test_unknown_names_use_the_registries_errors():
    with pytest.raises(ValueError, match="valid names"):
        nn.MLP([2, 1], activation="swish")
    with pytest.raises(ValueError, match="valid names"):
        nn.MLP([2, 3, 1], output_activation="nope")
    with pytest.raises(ValueError, match="valid names"):
        nn.MLP([2, 1], init="orthogonal")
    with pytest.raises(ValueError, match="one per hidden layer"):
        nn.MLP([2, 3, 1], activation=["tanh", "relu"])


def test_mlp_wrong_features_names_both_shapes():
    with pytest.raises(ValueError, match=r"2 features.*\(4, 3\)"):
        nn.MLP([2, 3, 1], seed=0)(X3)


# ------------------------------------------------------------------ trace
def test_trace_shapes_and_values_without_loss():
    model = nn.MLP([3, 5, 4, 2], seed=0)
    traces = model.trace(X3)
    assert [t.z.shape for t in traces] == [(4, 5), (4, 4), (4, 2)]
    assert [t.a.shape for t in traces] == [(4, 5), (4, 4), (4, 2)]
    np.testing.assert_allclose(traces[0].a, np.tanh(traces[0].z))
    np.testing.assert_array_equal(traces[-1].a, model(X3).data)
    assert all(t.grad_W is None and t.grad_a is None for t in traces)


def test_trace_gradients_match_a_plain_backward_and_leave_grads_alone():
    model = nn.MLP([3, 5, 1], seed=0)
    y = np.array([0, 1, 1, 0])
    sentinel = [np.full(p.shape, 7.0) for p in model.parameters()]
    for p, s in zip(model.parameters(), sentinel, strict=True):
        p.grad = s
    traces = model.trace(X3, y, "bce", from_logits=True)
    for p in model.parameters():
        np.testing.assert_array_equal(p.grad, 7.0)
    assert [t.grad_W.shape for t in traces] == [(3, 5), (5, 1)]
    assert [t.grad_a.shape for t in traces] == [(4, 5), (4, 1)]

    model.zero_grad()
    L = losses.get("bce")(model(X3), y.reshape(-1, 1).astype(float), from_logits=True)
    L.backward()
    for layer, t in zip(model.layers, traces, strict=True):
        np.testing.assert_allclose(t.grad_W, layer.W.grad, rtol=1e-12)
        np.testing.assert_allclose(t.grad_b, layer.b.grad, rtol=1e-12)
    assert traces[0].loss == pytest.approx(L.item())
    # dL/dz = dL/da * tanh'(z) in the hidden layer
    np.testing.assert_allclose(traces[0].grad_z, traces[0].grad_a * (1 - traces[0].a ** 2), rtol=1e-10)


def test_trace_needs_both_y_and_loss():
    with pytest.raises(ValueError, match="both"):
        nn.MLP([3, 1], seed=0).trace(X3, y=np.zeros(4))
