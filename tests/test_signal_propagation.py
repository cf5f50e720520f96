"""The per-layer statistics of notebook 3 reproduce the classic results.

Glorot & Bengio (2010): with tanh, the "standard" init U[-1/sqrt(n), 1/sqrt(n)] makes the
activations and the back-propagated gradients shrink layer after layer; Xavier keeps them
(it only loses what tanh's own compression takes). He et al. (2015, §2.2): with ReLU,
Xavier halves the variance per layer, He keeps it. A regression in ``nnlesson.init`` or in
``signal_propagation`` breaks these.
"""

import math
import warnings

import numpy as np
import pytest

from nnlesson import init
from nnlesson import signal_propagation as sp


# ------------------------------------------------------------------ schemes
def test_scheme_names_are_init_names_plus_the_extras():
    names = sp.scheme_names()
    assert set(names) == set(init.names()) | {"standard_uniform", "large_normal"}
    assert names.index("standard_uniform") < names.index("xavier_uniform")


def test_get_scheme_takes_init_names_aliases_and_extras():
    assert sp.get_scheme("Glorot_Uniform") is init.xavier_uniform
    assert sp.get_scheme("standard_uniform") is sp.standard_uniform
    assert sp.get_scheme("Standard-Uniform") is sp.standard_uniform  # spelled as init allows
    assert sp.scheme_label("large normal") == "large random N(0, 1)"
    for use in (sp.get_scheme, sp.scheme_label, lambda name: sp.scheme_std(name, 3, 3)):
        with pytest.raises(ValueError, match="unknown initialisation scheme 'huge'.*large_normal"):
            use("huge")


def test_docstring_examples_run():
    import doctest

    result = doctest.testmod(sp)
    assert result.attempted >= 2 and result.failed == 0


@pytest.mark.parametrize("name", init.names())
def test_scheme_std_is_init_expected_std(name):
    assert sp.scheme_std(name, 300, 100) == init.expected_std(name, 300, 100)


@pytest.mark.parametrize(
    ("name", "expected"), [("standard_uniform", 1 / math.sqrt(3 * 400)), ("large_normal", 1.0)]
)
def test_extra_schemes_draw_what_they_promise(name, expected):
    W = sp.get_scheme(name)(400, 300, rng=0)
    assert W.shape == (400, 300)
    assert sp.scheme_std(name, 400, 300) == pytest.approx(expected)
    assert W.std() == pytest.approx(expected, rel=0.02)
    if name == "standard_uniform":
        assert np.abs(W).max() <= 1 / math.sqrt(400)


def test_variance_factor_is_the_textbook_one():
    assert sp.variance_factor("xavier_normal", "relu", 256) == pytest.approx(0.5)
    assert sp.variance_factor("he_uniform", "relu", 256) == pytest.approx(1.0)
    assert sp.variance_factor("lecun_normal", "tanh", 256) == pytest.approx(1.0)
    assert sp.variance_factor("standard_uniform", "tanh", 256) == pytest.approx(1 / 3)
    assert sp.variance_factor("zeros", "tanh", 256) == 0.0
    assert math.isnan(sp.variance_factor("xavier_normal", "sigmoid", 256))
    assert math.isnan(sp.variance_factor("constant", "tanh", 256))


# ------------------------------------------------------------------ the stack
def test_a_deeper_stack_adds_layers_and_changes_nothing_below():
    shallow = sp.DeepStack("he_normal", width=32, n_samples=20, seed=4).weights(3)
    deep = sp.DeepStack("he_normal", width=32, n_samples=20, seed=4).weights(8)
    for a, b in zip(shallow, deep[:3]):
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_numbers_other_seed_other_numbers():
    a = sp.forward_statistics("xavier_uniform", "tanh", depth=3, width=16, n_samples=10, seed=1)
    b = sp.forward_statistics("xavier_uniform", "tanh", depth=3, width=16, n_samples=10, seed=1)
    c = sp.forward_statistics("xavier_uniform", "tanh", depth=3, width=16, n_samples=10, seed=2)
    np.testing.assert_array_equal(a.std, b.std)
    assert not np.array_equal(a.std, c.std)


def test_forward_pass_is_the_layer_formula():
    stack = sp.DeepStack("lecun_normal", width=8, n_samples=5, seed=0)
    W1, W2 = stack.weights(2)
    _, (A1, A2) = stack.forward("tanh", 2)
    np.testing.assert_allclose(A1, np.tanh(stack.inputs @ W1))
    np.testing.assert_allclose(A2, np.tanh(A1 @ W2))


def test_backward_pass_matches_the_engine():
    from nnlesson import Tensor

    stack = sp.DeepStack("xavier_normal", width=6, n_samples=4, seed=0)
    grads = stack.backward_statistics("tanh", depth=3).values
    W = [Tensor(w) for w in stack.weights(3)]
    A1 = (Tensor(stack.inputs, requires_grad=False) @ W[0]).tanh()
    A2 = (A1 @ W[1]).tanh()
    A3 = (A2 @ W[2]).tanh()
    upstream = np.random.default_rng(np.random.SeedSequence(0, spawn_key=(sp._INPUT_STREAM - 1,)))
    G = upstream.standard_normal((4, 6))
    (A3 * G).sum().backward(keep_grads=True)
    np.testing.assert_allclose(grads[2], G)
    np.testing.assert_allclose(grads[1], A2.grad)
    np.testing.assert_allclose(grads[0], A1.grad)


def test_histogram_shares_and_edge_bins():
    stats = sp.forward_statistics("large_normal", "relu", depth=3, width=32, n_samples=50, seed=0)
    edges = np.linspace(0, 5, 11)
    shares = stats.histogram(3, edges)
    assert shares.sum() == pytest.approx(1.0)
    assert shares[-1] > 0.4  # exploded values pile up in the last bin instead of vanishing
    no_zeros = stats.histogram(3, edges, drop_zeros=True)
    assert no_zeros.sum() == pytest.approx(1 - stats.zero[2])
    with pytest.raises(ValueError, match="layer"):
        stats.histogram(4, edges)


def test_no_warning_when_a_stack_explodes_or_is_all_zero():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        exploded = sp.backward_statistics("large_normal", "relu", depth=40, width=64, n_samples=16)
        zero = sp.forward_statistics("zeros", "sigmoid", depth=5, width=16, n_samples=8)
        linear = sp.forward_statistics("large_normal", "linear", depth=40, width=512, n_samples=8)
    assert exploded.std[0] > 1e20
    assert np.all(zero.std == 0) and math.isnan(zero.ratio())
    assert linear.std[-1] > 1e50


# ------------------------------------------------------------------ the classic results
@pytest.fixture(scope="module")
def tanh10():
    """10 tanh layers of 256 units, 1,000 standard-normal inputs (Glorot & Bengio's set-up)."""
    schemes = ("standard_uniform", "xavier_uniform", "large_normal", "random_normal")
    return {
        s: (sp.forward_statistics(s, "tanh", depth=10), sp.backward_statistics(s, "tanh", depth=10))
        for s in schemes
    }


def test_glorot_standard_init_makes_tanh_activations_shrink(tanh10):
    forward, _ = tanh10["standard_uniform"]
    assert forward.std[-1] < forward.std[0] / 3  # measured: 0.0065 x
    assert np.all(np.diff(forward.std) < 0)  # layer after layer


def test_glorot_xavier_keeps_tanh_activations(tanh10):
    forward, _ = tanh10["xavier_uniform"]
    standard, _ = tanh10["standard_uniform"]
    # measured 0.37: tanh's own compression costs a little (like 1/sqrt(layer)), no more
    assert forward.ratio() > 0.25
    assert forward.ratio() > 20 * standard.ratio()


def test_glorot_gradients_shrink_towards_the_input_with_standard_init(tanh10):
    _, standard = tanh10["standard_uniform"]
    _, xavier = tanh10["xavier_uniform"]
    assert standard.std[0] < standard.std[-1] / 3  # measured: 0.0066 x
    assert xavier.std[0] > xavier.std[-1] / 4  # measured: 0.40 x


def test_small_random_init_vanishes(tanh10):
    forward, backward = tanh10["random_normal"]
    assert forward.ratio() < 1e-4
    assert backward.std[0] < 1e-4 * backward.std[-1]


def test_large_random_init_saturates_tanh(tanh10):
    large, _ = tanh10["large_normal"]
    xavier, _ = tanh10["xavier_uniform"]
    assert np.all(large.saturated > 0.8)  # measured: 89 % of the units at |a| > 0.97
    assert np.all(xavier.saturated < 0.1)


@pytest.fixture(scope="module")
def relu30():
    return {s: sp.forward_statistics(s, "relu", depth=30, seed=0) for s in ("he_normal", "xavier_normal")}


def test_he_keeps_relu_signal_over_30_layers(relu30):
    he = relu30["he_normal"]
    assert 0.5 < he.ratio() < 2.0  # measured: 1.23 (other seeds: 0.6 to 1.6)


def test_xavier_halves_relu_variance_per_layer(relu30):
    xavier = relu30["xavier_normal"]
    assert xavier.ratio() < 1e-2  # measured: 5e-5
    theory = sp.variance_factor("xavier_normal", "relu", 256) ** (29 / 2)
    assert theory / 2 < xavier.ratio() < theory * 2


def test_he_keeps_relu_gradients_over_30_layers():
    he = sp.backward_statistics("he_normal", "relu", depth=30, seed=0)
    assert 0.5 < he.std[0] / he.std[-1] < 2.0


def test_training_he_trains_a_deep_relu_network_xavier_stalls():
    runs = sp.train_with_each_scheme(
        ["zeros", "xavier_uniform", "he_normal"], "relu", depth=20, lr=0.1, epochs=150
    )
    zeros, xavier, he = (runs[sp.scheme_label(s)] for s in ("zeros", "xavier_uniform", "he_normal"))
    assert zeros.final_loss == pytest.approx(math.log(2), abs=1e-3)
    assert xavier.final_loss > 0.6
    assert he.final_loss < 0.4
