"""Tests for nnlesson.optim.SGD: the update rule, momentum, validation."""

import math

import numpy as np
import pytest

from nnlesson import Tensor, nn, optim


def _quadratic_grad(w: Tensor) -> None:
    """L = sum(c * w^2), so dL/dw = 2 c w."""
    (Tensor(np.array([1.0, 3.0]), requires_grad=False) * w * w).sum().backward()


def test_sgd_step_is_exactly_the_rule():
    w0 = np.array([1.0, -2.0])
    w = Tensor(w0.copy())
    opt = optim.SGD([w], lr=0.1)
    _quadratic_grad(w)
    g = np.array([2.0, 6.0]) * w0
    np.testing.assert_array_equal(w.grad, g)
    opt.step()
    np.testing.assert_array_equal(w.data, w0 - 0.1 * g)


def test_sgd_momentum_three_steps_exact():
    lr, mu = 0.05, 0.9
    w = Tensor(np.array([1.0, -2.0]))
    opt = optim.SGD([w], lr=lr, momentum=mu)
    expected, v = w.data.copy(), np.zeros(2)
    for _ in range(3):
        opt.zero_grad()
        _quadratic_grad(w)
        g = np.array([2.0, 6.0]) * expected
        v *= mu
        v -= lr * g
        expected = expected + v
        opt.step()
        np.testing.assert_array_equal(w.data, expected)
    opt.reset()
    np.testing.assert_array_equal(opt.velocities[0], 0.0)


def test_momentum_is_faster_on_an_ill_conditioned_bowl():
    def run(mu):
        w = Tensor(np.array([1.0, 1.0]))
        opt = optim.SGD([w], lr=0.01, momentum=mu)
        for _ in range(100):
            opt.zero_grad()
            (Tensor(np.array([1.0, 50.0]), requires_grad=False) * w * w).sum().backward()
            opt.step()
        return float(np.abs(w.data).max())

    assert run(0.9) < run(0.0) / 10


def test_step_updates_the_model_in_place_and_zero_grad_resets():
    model = nn.MLP([2, 3, 1], seed=0)
    arrays = [p.data for p in model.parameters()]
    before = [a.copy() for a in arrays]
    opt = optim.SGD(model.parameters(), lr=0.5)
    (model(np.ones((4, 2))) ** 2).mean().backward()
    opt.step()
    assert all(p.data is a for p, a in zip(model.parameters(), arrays, strict=True))
    assert any(not np.array_equal(a, b) for a, b in zip(arrays, before, strict=True))
    opt.zero_grad()
    assert all(np.all(p.grad == 0) for p in model.parameters())


@pytest.mark.parametrize("bad", [0, -0.1, math.nan, math.inf, "fast", None])
def test_lr_is_validated_at_construction_and_later(bad):
    w = Tensor(np.zeros(2))
    with pytest.raises(ValueError, match="lr"):
        optim.SGD([w], lr=bad)
    opt = optim.SGD([w], lr=0.1)
    with pytest.raises(ValueError):
        opt.lr = bad
    with pytest.raises(ValueError):
        opt.learning_rate = bad
    assert opt.lr == 0.1


def test_learning_rate_alias():
    opt = optim.SGD([Tensor(np.zeros(2))], lr=0.1)
    opt.learning_rate = 0.3
    assert opt.lr == 0.3 and opt.learning_rate == 0.3
    assert "lr=0.3" in repr(opt)


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5, math.nan, "x"])
def test_momentum_is_validated(bad):
    with pytest.raises(ValueError, match="momentum"):
        optim.SGD([Tensor(np.zeros(2))], lr=0.1, momentum=bad)


def test_params_are_validated():
    with pytest.raises(ValueError, match="no parameters"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Tensor"):
        optim.SGD([np.zeros(2)], lr=0.1)
