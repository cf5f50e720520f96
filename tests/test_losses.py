"""Tests for nnlesson.losses: values, stable forms, gradients, validation, registry."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from nnlesson import Tensor, gradcheck, losses

EPS = 1e-7


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _one_hot(labels, k):
    return np.eye(k)[labels]


# Small fixtures used throughout.
Z_BIN = np.array([[0.3, -1.2], [2.0, -0.4], [-0.7, 1.5]])
T_BIN = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 1.0]])
Z_CAT = np.array([[1.0, 2.0, 0.5], [-1.0, 0.3, 0.2], [0.0, -2.0, 1.5], [0.4, 0.1, -0.3]])
LABELS = np.array([1, 0, 2, 2])
T_CAT = _one_hot(LABELS, 3)


# ------------------------------------------------------------------ registry
def test_names_aliases_and_get():
    assert losses.names() == [
        "mse",
        "binary_cross_entropy",
        "categorical_cross_entropy",
        "sparse_categorical_cross_entropy",
    ]
    assert losses.bce is losses.binary_cross_entropy
    assert losses.cce is losses.categorical_cross_entropy
    assert losses.scce is losses.sparse_categorical_cross_entropy
    assert losses.get("BCE") is losses.binary_cross_entropy
    assert losses.get("Sparse-Categorical-Cross-Entropy") is losses.scce
    assert losses.get("mean_squared_error") is losses.mse


def test_unknown_loss_lists_valid_names():
    with pytest.raises(ValueError, match="unknown loss 'hinge'") as info:
        losses.get("hinge")
    for name in losses.names() + ["bce", "cce", "scce"]:
        assert name in str(info.value)


# ------------------------------------------------------------------ values by hand
def test_mse_by_hand():
    loss = losses.mse(Tensor([[1.0], [2.0], [4.0]]), np.array([[0.0], [2.0], [1.0]]))
    assert loss.size == 1
    assert loss.item() == pytest.approx((1 + 0 + 9) / 3)


def test_bce_by_hand():
    p = np.array([0.9, 0.2, 0.6, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0])
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4) + math.log(0.5)) / 4
    assert losses.bce(Tensor(p), t).item() == pytest.approx(expected, rel=1e-12)


def test_cce_and_scce_by_hand():
    p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    expected = -(math.log(0.2) + math.log(0.8)) / 2
    assert losses.cce(Tensor(p), _one_hot([1, 2], 3)).item() == pytest.approx(expected, rel=1e-12)
    assert losses.scce(Tensor(p), np.array([1, 2])).item() == pytest.approx(expected, rel=1e-12)


def test_cce_with_soft_labels_by_hand():
    p = np.array([[0.5, 0.25, 0.25]])
    t = np.array([[0.5, 0.5, 0.0]])
    expected = -(0.5 * math.log(0.5) + 0.5 * math.log(0.25))
    assert losses.cce(Tensor(p), t).item() == pytest.approx(expected, rel=1e-12)


def test_logit_forms_by_plain_numpy_formulas():
    p = _sigmoid(Z_BIN)
    expected_bce = np.mean(-(T_BIN * np.log(p) + (1 - T_BIN) * np.log(1 - p)))
    assert losses.bce(Tensor(Z_BIN), T_BIN, from_logits=True).item() == pytest.approx(expected_bce)
    q = _softmax(Z_CAT)
    expected_cce = np.mean(-np.sum(T_CAT * np.log(q), axis=1))
    assert losses.cce(Tensor(Z_CAT), T_CAT, from_logits=True).item() == pytest.approx(expected_cce)
    assert losses.scce(Tensor(Z_CAT), LABELS, from_logits=True).item() == pytest.approx(expected_cce)


def test_arrays_accepted_as_prediction():
    assert losses.mse(np.array([1.0, 3.0]), [1.0, 1.0]).item() == pytest.approx(2.0)


# ------------------------------------------------------------------ logits == probabilities
@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (4, 3), elements=st.floats(-12, 12)),
    arrays(np.float64, (4, 3), elements=st.sampled_from([0.0, 1.0])),
)
def test_bce_from_logits_equals_probability_form(z, t):
    by_logits = losses.bce(Tensor(z), t, from_logits=True).item()
    by_probabilities = losses.bce(Tensor(_sigmoid(z)), t).item()
    assert by_logits == pytest.approx(by_probabilities, rel=1e-9, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    # logits within +-5 keep every softmax probability above e^-10 / 3 > EPS, so no
    # probability is clipped and the two forms must agree on every example
    arrays(np.float64, (4, 3), elements=st.floats(-5, 5)),
    arrays(np.int64, (4,), elements=st.integers(0, 2)),
)
def test_cce_scce_from_logits_equal_probability_form(z, labels):
    t = _one_hot(labels, 3)
    p = _softmax(z)
    assert p.min() > EPS
    for loss, target in ((losses.cce, t), (losses.scce, labels)):
        by_logits = loss(Tensor(z), target, from_logits=True).item()
        assert by_logits == pytest.approx(loss(Tensor(p), target).item(), rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    arrays(np.float64, (5, 4), elements=st.floats(-1000, 1000)),
    arrays(np.int64, (5,), elements=st.integers(0, 3)),
)
def test_scce_equals_cce_on_one_hot(z, labels):
    for from_logits in (True, False):
        pred = z if from_logits else _softmax(z)
        a = losses.scce(Tensor(pred), labels, from_logits=from_logits).item()
        b = losses.cce(Tensor(pred), _one_hot(labels, 4), from_logits=from_logits).item()
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)


# ------------------------------------------------------------------ extremes stay finite
def _value_and_grad(loss, pred, target, from_logits):
    x = Tensor(pred)
    value = loss(x, target, from_logits=from_logits)
    value.backward()
    return value.item(), x.grad


@pytest.mark.parametrize(
    "loss, target",
    [
        (losses.bce, np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]])),
        (losses.cce, _one_hot([1, 2], 3)),
        (losses.scce, np.array([1, 2])),
    ],
)
def test_extreme_logits_finite_values_and_gradients(loss, target):
    z = np.array([[1000.0, -1000.0, 0.0], [1000.0, -1000.0, 1000.0]])
    value, grad = _value_and_grad(loss, z, target, True)
    assert math.isfinite(value) and value > 100  # confidently wrong: a large loss
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize(
    "loss, pred, target",
    [
        (losses.bce, np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[1.0, 0.0], [1.0, 0.0]])),
        (losses.cce, np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), _one_hot([0, 0], 3)),
        (losses.scce, np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]]), np.array([0, 0])),
    ],
)
def test_probabilities_exactly_zero_and_one_are_finite(loss, pred, target):
    value, grad = _value_and_grad(loss, pred, target, False)
    assert math.isfinite(value)
    assert np.all(np.isfinite(grad))
    # certainly wrong on half the terms (-log eps each), certainly right on the rest (-log(1-eps) = eps)
    assert value == pytest.approx((-math.log(EPS) + EPS) / 2, rel=1e-6)


def test_a_clipped_probability_gets_no_gradient():
    # p = 0 and p = 1 are clipped to [EPS, 1 - EPS]: the loss is flat there, gradient 0;
    # the unclipped p = 0.5 gets the usual -(t/p - (1-t)/(1-p)) / N
    x = Tensor(np.array([0.0, 1.0, 0.5]))
    losses.bce(x, np.array([1.0, 0.0, 1.0])).backward()
    np.testing.assert_allclose(x.grad, [0.0, 0.0, -(1 / 0.5) / 3])


# ------------------------------------------------------------------ gradients
GRADCHECK_CASES = [
    ("mse", Z_BIN, T_BIN, False),
    ("bce", _sigmoid(Z_BIN), T_BIN, False),
    ("bce", Z_BIN, T_BIN, True),
    ("bce", Z_BIN, np.full_like(T_BIN, 0.3), True),  # soft labels
    ("cce", _softmax(Z_CAT), T_CAT, False),
    ("cce", Z_CAT, T_CAT, True),
    ("scce", _softmax(Z_CAT), LABELS, False),
    ("scce", Z_CAT, LABELS, True),
]


@pytest.mark.parametrize("name, pred, target, from_logits", GRADCHECK_CASES)
def test_gradcheck(name, pred, target, from_logits):
    loss = losses.get(name)
    result = gradcheck(lambda x: loss(x, target, from_logits=from_logits), pred.copy())
    assert result.ok, str(result)
    assert max(result.max_relative_errors) <= 1e-6


def test_bce_gradient_wrt_logits_is_p_minus_t_over_n():
    _, grad = _value_and_grad(losses.bce, Z_BIN, T_BIN, True)
    np.testing.assert_allclose(grad, (_sigmoid(Z_BIN) - T_BIN) / Z_BIN.size, rtol=1e-12)


@pytest.mark.parametrize("loss, target", [(losses.cce, T_CAT), (losses.scce, LABELS)])
def test_cce_gradient_wrt_logits_is_p_minus_t_over_n(loss, target):
    _, grad = _value_and_grad(loss, Z_CAT, target, True)
    np.testing.assert_allclose(grad, (_softmax(Z_CAT) - T_CAT) / len(Z_CAT), rtol=1e-12, atol=1e-15)


def test_mse_gradient_is_two_error_over_n():
    _, grad = _value_and_grad(losses.mse, Z_BIN, T_BIN, False)
    np.testing.assert_allclose(grad, 2 * (Z_BIN - T_BIN) / Z_BIN.size)


def test_gradient_through_sigmoid_output_equals_p_minus_t():
    # a sigmoid output + BCE on probabilities: dL/dz = (p - t)/n, the same as from logits
    z = Tensor(Z_BIN)
    losses.bce(z.sigmoid(), T_BIN).backward()
    np.testing.assert_allclose(z.grad, (_sigmoid(Z_BIN) - T_BIN) / Z_BIN.size, rtol=1e-9)


# ------------------------------------------------------------------ bad input
def test_mse_from_logits_true_rejected():
    with pytest.raises(ValueError, match="from_logits=True has no meaning"):
        losses.mse(Tensor([1.0]), [1.0], from_logits=True)


def test_from_logits_must_be_bool():
    with pytest.raises(ValueError, match="from_logits must be True or False"):
        losses.bce(Tensor([0.5]), [1.0], from_logits="yes")


@pytest.mark.parametrize("name", ["mse", "bce", "cce"])
def test_shape_mismatch_names_both_shapes(name):
    pred = Tensor(np.full((4, 1), 0.5))
    with pytest.raises(ValueError, match=r"\(4, 1\).*\(4,\)"):
        losses.get(name)(pred, np.ones(4))


def test_shape_mismatch_hints():
    with pytest.raises(ValueError, match=r"reshape\(-1, 1\)"):
        losses.bce(Tensor(np.full((4, 1), 0.5)), np.ones(4))
    with pytest.raises(ValueError, match="sparse_categorical_cross_entropy"):
        losses.cce(Tensor(np.full((4, 3), 1 / 3)), np.array([0, 1, 2, 0]))


@pytest.mark.parametrize("name", losses.names())
def test_empty_prediction_rejected(name):
    target = np.zeros(0, dtype=int) if name.startswith("sparse") else np.zeros((0, 2))
    with pytest.raises(ValueError, match=r"prediction is empty \(shape \(0, 2\)\)"):
        losses.get(name)(Tensor(np.zeros((0, 2))), target)


def test_cce_needs_two_dimensional_prediction():
    with pytest.raises(ValueError, match=r"shape \(n, k\).*\(3,\)"):
        losses.cce(Tensor([0.2, 0.3, 0.5]), np.array([0.0, 0.0, 1.0]))


def test_cce_rows_must_sum_to_one():
    with pytest.raises(ValueError, match="row 1 sums to 2"):
        losses.cce(Tensor(np.full((2, 2), 0.5)), np.array([[1.0, 0.0], [1.0, 1.0]]))


@pytest.mark.parametrize(
    "labels, message",
    [
        (np.array([0, 3, 1]), r"label 3 at index 1 is out of range \[0, 3\).*k = 3"),
        (np.array([0, 1, -1]), r"label -1 at index 2 is out of range \[0, 3\)"),
        (np.array([0.0, 1.5, 1.0]), "label 1.5 at index 1"),
        (np.array(["a", "b", "c"]), "integers"),
        (np.array([0.0, np.nan, 1.0]), "NaN"),
        (np.array([0, 1]), r"\(3,\) integer class labels.*\(2,\)"),
        (_one_hot([0, 1, 2], 3), "use categorical_cross_entropy"),
    ],
)
def test_scce_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        losses.scce(Tensor(np.full((3, 3), 1 / 3)), labels)


def test_scce_accepts_column_and_float_labels():
    p = Tensor(_softmax(Z_CAT))
    expected = losses.scce(p, LABELS).item()
    assert losses.scce(p, LABELS.reshape(-1, 1)).item() == expected
    assert losses.scce(p, LABELS.astype(float)).item() == expected


@pytest.mark.parametrize("bad", [-0.5, 1.5, 2.0])
def test_bce_target_outside_unit_interval(bad):
    with pytest.raises(ValueError, match=rf"target must be .*\[0, 1\], got a value {bad:g}"):
        losses.bce(Tensor([0.5, 0.5]), np.array([1.0, bad]))


@pytest.mark.parametrize("name", ["bce", "cce", "scce"])
@pytest.mark.parametrize("bad", [-0.1, 1.7])
def test_probabilities_outside_unit_interval_suggest_from_logits(name, bad):
    pred = np.array([[bad, 0.5], [0.2, 0.8]])
    target = np.array([1, 0]) if name == "scce" else np.array([[1.0, 0.0], [0.0, 1.0]])
    with pytest.raises(ValueError, match="did you mean from_logits=True"):
        losses.get(name)(Tensor(pred), target)
    assert math.isfinite(losses.get(name)(Tensor(pred), target, from_logits=True).item())


@pytest.mark.parametrize("name", losses.names())
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_values_rejected(name, bad):
    good_pred = np.array([[0.2, 0.8], [0.6, 0.4]])
    target = np.array([1, 0]) if name.startswith("sparse") else np.array([[0.0, 1.0], [1.0, 0.0]])
    bad_pred = good_pred.copy()
    bad_pred[1, 0] = bad
    with pytest.raises(ValueError, match="prediction contains 1 NaN or infinite"):
        losses.get(name)(Tensor(bad_pred), target)
    bad_target = target.astype(float)
    bad_target[0] = bad
    with pytest.raises(ValueError, match="NaN or infinite"):
        losses.get(name)(Tensor(good_pred), bad_target)
