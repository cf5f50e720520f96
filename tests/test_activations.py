"""Tests for nnlesson.activations: values, derivatives, gradients, stability, registry."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlesson import Tensor, activations, gradcheck

# Points away from the kink at 0 of relu / leaky_relu.
Z = np.array([-3.0, -1.2, -0.4, 0.3, 0.9, 2.5])

CLOSED_FORMS = {
    "tanh": lambda z: (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z)),
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "linear": lambda z: z,
}
ELEMENTWISE = list(CLOSED_FORMS)


def _closed_softmax(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def test_names_in_teaching_order():
    assert activations.names() == ["tanh", "sigmoid", "relu", "leaky_relu", "linear", "softmax"]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_match_closed_forms(name):
    expected = CLOSED_FORMS[name](Z)
    function = getattr(activations, name)
    act = activations.get(name)
    np.testing.assert_allclose(function(Tensor(Z)).data, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(act(Z).data, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(act.numpy(Z), expected, rtol=1e-12, atol=1e-15)


def test_softmax_values_match_closed_form():
    z = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 0.5]])
    expected = _closed_softmax(z)
    np.testing.assert_allclose(activations.softmax(z).data, expected, rtol=1e-12)
    np.testing.assert_allclose(activations.get("softmax").numpy(z), expected, rtol=1e-12)


def test_accepts_numbers_and_arrays():
    assert isinstance(activations.tanh(0.5), Tensor)
    assert activations.relu([-1.0, 2.0]).data.tolist() == [0.0, 2.0]
    assert activations.leaky_relu(-2.0, slope=0.2).item() == pytest.approx(-0.4)
    x = Tensor(1.5)
    assert activations.linear(x) is x
    assert activations.identity is activations.linear


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_numpy_derivative_matches_central_differences(name):
    act = activations.get(name)
    h = 1e-6
    numeric = (act.numpy(Z + h) - act.numpy(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(Z), numeric, rtol=1e-7, atol=1e-9)


def test_derivative_conventions_at_the_kink():
    assert activations.get("relu").derivative(np.array([0.0]))[0] == 0.0
    assert activations.get("leaky_relu").derivative(np.array([0.0]))[0] == 0.01


def test_softmax_derivative_is_the_jacobian_diagonal():
    z = np.array([[0.2, -1.0, 1.5, 0.0], [3.0, 1.0, -2.0, 0.5]])
    h = 1e-6
    k = z.shape[1]
    numeric = np.empty((2, k, k))  # numeric[r, i, j] = d a_i / d z_j
    for j in range(k):
        step = np.zeros_like(z)
        step[:, j] = h
        numeric[:, :, j] = (activations._np_softmax(z + step) - activations._np_softmax(z - step)) / (2 * h)
    jacobian = activations.softmax_jacobian(z)
    np.testing.assert_allclose(jacobian, numeric, atol=1e-9)
    np.testing.assert_allclose(activations.get("softmax").derivative(z), np.diagonal(jacobian, 0, 1, 2))
    np.testing.assert_allclose(jacobian.sum(axis=-1), 0.0, atol=1e-15)


@pytest.mark.parametrize("name", activations.names())
def test_tensor_path_passes_gradcheck(name):
    z = np.array([[-2.0, -0.5, 0.7], [0.2, 1.3, -1.1]])
    act = activations.get(name)
    # "* 1.0" gives every output its own array: linear returns its input itself, and
    # gradcheck's finite differences must not read an array they are perturbing.
    result = gradcheck(lambda x: act(x) * 1.0, z)
    assert result.ok, str(result)


def test_tensor_gradients_equal_numpy_derivatives():
    for name in ELEMENTWISE:
        act = activations.get(name)
        z = Tensor(Z)
        act(z).sum().backward()
        np.testing.assert_allclose(z.grad, act.derivative(Z), rtol=1e-12, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(arrays(np.float64, (3, 5), elements=st.floats(-1000, 1000)))
def test_softmax_rows_sum_to_one_for_any_logits(z):
    for a in (activations.softmax(z).data, activations.get("softmax").numpy(z)):
        assert np.all(np.isfinite(a))
        assert np.all((a >= 0) & (a <= 1))
        np.testing.assert_allclose(a.sum(axis=-1), 1.0, rtol=1e-12)


def test_softmax_stable_for_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, 1000.0, -1000.0]])
    a = activations.softmax(z).data
    np.testing.assert_allclose(a, [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], atol=1e-300)
    # shifting all logits by a constant does not change softmax
    np.testing.assert_allclose(activations.softmax(z - 1000.0).data, a)


def test_sigmoid_and_tanh_do_not_overflow():
    z = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    for name in ("sigmoid", "tanh"):
        act = activations.get(name)
        assert np.all(np.isfinite(act.numpy(z))) and np.all(np.isfinite(act.derivative(z)))
        assert np.all(np.isfinite(act(z).data))
    np.testing.assert_allclose(activations.get("sigmoid").numpy(z)[[0, 2, 4]], [0.0, 0.5, 1.0])


def test_registry_is_case_insensitive_with_aliases():
    assert activations.get("TANH").name == "tanh"
    assert activations.get("Leaky-ReLU").name == "leaky_relu"
    assert activations.get("identity") is activations.get("linear")


def test_registry_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'swish'") as info:
        activations.get("swish")
    for name in activations.names():
        assert name in str(info.value)


def test_activation_records_carry_formulas():
    for name in activations.names():
        act = activations.get(name)
        assert act.name == name
        assert act.formula.startswith("a") and "z" in act.formula
        assert "dz" in act.derivative_formula or "partial z" in act.derivative_formula
        with pytest.raises(AttributeError):
            act.name = "other"  # frozen


def test_softmax_needs_a_vector():
    with pytest.raises(ValueError, match="at least 1-D"):
        activations.get("softmax").numpy(1.0)
