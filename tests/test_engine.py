"""The chain-rule engine: every op's gradient against finite differences, and the
backward pass's bookkeeping (accumulation, fan-out, keep_grads, no_grad, errors, memory).

Gradients are checked with ``engine.gradcheck`` (central differences, float64, relative
error <= 1e-6) over many shapes drawn by hypothesis, broadcasting included. Values are
drawn away from kinks (relu/abs at 0, clip at its bounds, maximum where x == y), where no
finite difference can agree with the derivative.
"""

from __future__ import annotations

import gc

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlesson.engine import Tensor, gradcheck, is_grad_enabled, no_grad

TOLERANCE = 1e-6
FEW = settings(max_examples=20, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=4)
seeds = st.integers(0, 2**32 - 1)


# ---------------------------------------------------------------------- value makers
def smooth(shape, seed):
    """Anything in [-2, 2]."""
    return np.random.default_rng(seed).uniform(-2.0, 2.0, size=shape)


def positive(shape, seed):
    """In [0.5, 2]: for log, division, fractional powers."""
    return np.random.default_rng(seed).uniform(0.5, 2.0, size=shape)


def nonzero(shape, seed):
    """|x| in [0.1, 2] with a random sign: away from the kink at 0."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.1, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def grid(shape, seed, offset=0.0):
    """Multiples of 0.1 plus 0.05 + offset: never closer than 0.05 to -0.5, 0.5 (clip)."""
    rng = np.random.default_rng(seed)
    return rng.integers(-10, 10, size=shape) * 0.1 + 0.05 + offset


def check(f, *arrays, eps=1e-6):
    result = gradcheck(f, *arrays, eps=eps)
    assert result.ok, f"{result} for shapes {[np.shape(a) for a in arrays]}"


# ------------------------------------------------------------------ elementwise, unary
UNARY = {
    # name: (function, value maker, eps)
    "neg": (lambda x: -x, smooth, 1e-3),  # linear: central differences are exact
    "pow 2": (lambda x: x**2, smooth, 1e-3),  # quadratic: exact too
    "pow 3": (lambda x: x**3, nonzero, 1e-6),  # FD error h^2 / (3 x^2): keep x off 0
    "pow 0.5": (lambda x: x**0.5, positive, 1e-6),
    "pow -1.5": (lambda x: x**-1.5, positive, 1e-6),
    "exp": (lambda x: x.exp(), smooth, 1e-6),
    "log": (lambda x: x.log(), positive, 1e-6),
    "tanh": (lambda x: x.tanh(), smooth, 1e-6),
    "sigmoid": (lambda x: x.sigmoid(), smooth, 1e-6),
    "softplus": (lambda x: x.softplus(), smooth, 1e-6),
    "relu": (lambda x: x.relu(), nonzero, 1e-6),
    "leaky_relu": (lambda x: x.leaky_relu(), nonzero, 1e-6),
    "leaky_relu 0.2": (lambda x: x.leaky_relu(slope=0.2), nonzero, 1e-6),
    "abs": (lambda x: x.abs(), nonzero, 1e-6),
    "clip": (lambda x: x.clip(-0.5, 0.5), grid, 1e-6),
    "reshape -1": (lambda x: x.reshape(-1), smooth, 1e-3),
    "reshape tuple": (lambda x: x.reshape((1, x.size)), smooth, 1e-3),
    "reshape args": (lambda x: x.reshape(x.size, 1), smooth, 1e-3),
    "transpose": (lambda x: x.transpose(), smooth, 1e-3),
    ".T": (lambda x: x.T, smooth, 1e-3),
    "composite": (lambda x: ((x * x + 1.0).log() * x.sigmoid() - x.tanh() / 3.0).exp(), smooth, 1e-6),
}


@pytest.mark.parametrize("name", list(UNARY))
@FEW
@given(shape=shapes, seed=seeds)
def test_unary_op_gradients(name, shape, seed):
    f, values, eps = UNARY[name]
    check(f, values(shape, seed), eps=eps)


# ----------------------------------------------------------------- elementwise, binary
BINARY = {
    # name: (function, maker of x, maker of y, eps)
    "+": (lambda x, y: x + y, smooth, smooth, 1e-3),
    "-": (lambda x, y: x - y, smooth, smooth, 1e-3),
    "*": (lambda x, y: x * y, smooth, smooth, 1e-3),
    "/": (lambda x, y: x / y, smooth, positive, 1e-6),
    "maximum": (lambda x, y: x.maximum(y), grid, lambda s, k: grid(s, k, offset=0.05), 1e-6),
    "mixed": (lambda x, y: (x * y - y / (x * x + 1.0)).tanh() + x, smooth, smooth, 1e-6),
}


@pytest.mark.parametrize("name", list(BINARY))
@FEW
@given(pair=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4), seed=seeds)
def test_binary_op_gradients_with_broadcasting(name, pair, seed):
    f, x_values, y_values, eps = BINARY[name]
    x_shape, y_shape = pair.input_shapes
    check(f, x_values(x_shape, seed), y_values(y_shape, seed + 1), eps=eps)


@pytest.mark.parametrize("name", list(BINARY))
@FEW
@given(pair=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4), seed=seeds)
def test_broadcast_operand_gets_a_gradient_of_its_own_shape(name, pair, seed):
    f, x_values, y_values, _ = BINARY[name]
    x, y = Tensor(x_values(pair.input_shapes[0], seed)), Tensor(y_values(pair.input_shapes[1], seed + 1))
    f(x, y).sum().backward()
    assert x.grad.shape == x.shape and y.grad.shape == y.shape


REFLECTED = {
    # name: function of one tensor x and a constant c that is a number or an ndarray
    "c + x": lambda x, c: c + x,
    "x + c": lambda x, c: x + c,
    "c - x": lambda x, c: c - x,
    "x - c": lambda x, c: x - c,
    "c * x": lambda x, c: c * x,
    "x * c": lambda x, c: x * c,
    "c / x": lambda x, c: c / x,
    "x / c": lambda x, c: x / c,
    "max(x, c)": lambda x, c: x.maximum(c + 0.025),
}


@pytest.mark.parametrize("name", list(REFLECTED))
@pytest.mark.parametrize("constant", ["number", "ndarray"])
@FEW
@given(pair=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=4), seed=seeds)
def test_ops_with_a_number_or_an_array_on_either_side(name, constant, pair, seed):
    x = grid(pair.input_shapes[0], seed) + 3.0  # positive, on a grid (maximum), away from 0 (/)
    c = 1.5 if constant == "number" else grid(pair.input_shapes[1], seed + 1) + 3.0
    f = REFLECTED[name]
    check(lambda t: f(t, c), x)
    with no_grad():
        result = f(Tensor(x), c)
    assert isinstance(result, Tensor)  # ndarray on the left must not take over the operation
    expected = {"max(x, c)": lambda a, b: np.maximum(a, b + 0.025)}.get(name, f)(x, c)
    np.testing.assert_allclose(result.data, expected)


# ------------------------------------------------------------------------------ matmul
@st.composite
def matmul_shapes(draw):
    n, k, m = draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))
    x_shape = draw(st.sampled_from([(k,), (n, k)]))
    y_shape = draw(st.sampled_from([(k,), (k, m)]))
    return x_shape, y_shape


@pytest.mark.parametrize("which", ["both", "x only", "y only"])
@FEW
@given(matmul=matmul_shapes(), seed=seeds)
def test_matmul_gradients_for_every_1d_2d_combination(which, matmul, seed):
    x_shape, y_shape = matmul
    x, y = smooth(x_shape, seed), smooth(y_shape, seed + 1)
    if which == "both":
        check(lambda a, b: a @ b, x, y, eps=1e-3)
    elif which == "x only":  # y a constant ndarray on the right
        check(lambda a: a @ y, x, eps=1e-3)
    else:  # x a constant ndarray on the left: __rmatmul__
        check(lambda b: x @ b, y, eps=1e-3)
        with no_grad():
            np.testing.assert_allclose((x @ Tensor(y)).data, x @ y)


def test_all_four_matmul_combinations_are_exercised():
    for x_shape, y_shape in [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4))]:
        check(lambda a, b: a @ b, smooth(x_shape, 1), smooth(y_shape, 2), eps=1e-3)


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 3\).*\(4, 5\)"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"\(\)"):
        Tensor(1.0) @ Tensor(np.ones(3))


# -------------------------------------------------------------------------- reductions
@st.composite
def shape_and_axis(draw, allow_tuple=True, allow_none=True):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    ndim = len(shape)
    options = [st.integers(-ndim, ndim - 1)]
    if allow_none:
        options.append(st.none())
    if allow_tuple:
        options.append(hnp.valid_tuple_axes(ndim, min_size=1))
    return shape, draw(st.one_of(*options))


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("keepdims", [False, True])
@FEW
@given(shape_axis=shape_and_axis(), seed=seeds)
def test_sum_and_mean_gradients(reduction, keepdims, shape_axis, seed):
    shape, axis = shape_axis
    x = smooth(shape, seed)
    check(lambda t: getattr(t, reduction)(axis=axis, keepdims=keepdims), x, eps=1e-3)
    with no_grad():
        value = getattr(Tensor(x), reduction)(axis=axis, keepdims=keepdims).data
    np.testing.assert_allclose(value, getattr(np, reduction)(x, axis=axis, keepdims=keepdims))


@FEW
@given(shape=shapes, seed=seeds)
def test_sum_and_mean_with_default_arguments(shape, seed):
    x = smooth(shape, seed)
    check(lambda t: t.sum(), x, eps=1e-3)
    check(lambda t: t.mean(), x, eps=1e-3)


@pytest.mark.parametrize("keepdims", [False, True])
@FEW
@given(shape_axis=shape_and_axis(allow_tuple=False), seed=seeds)
def test_logsumexp_gradients(keepdims, shape_axis, seed):
    shape, axis = shape_axis
    x = smooth(shape, seed)
    check(lambda t: t.logsumexp(axis=axis, keepdims=keepdims), x)
    with no_grad():
        value = Tensor(x).logsumexp(axis=axis, keepdims=keepdims).data
    expected = np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))
    np.testing.assert_allclose(value, expected)


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@FEW
@given(shape_axis=shape_and_axis(allow_tuple=False, allow_none=False), seed=seeds)
def test_softmax_and_log_softmax_gradients(op, shape_axis, seed):
    shape, axis = shape_axis
    x = smooth(shape, seed)
    check(lambda t: getattr(t, op)(axis=axis), x)
    check(lambda t: getattr(t, op)(), x)


def test_softmax_family_is_stable_for_huge_logits():
    x = Tensor([[1000.0, 0.0, -1000.0]])
    assert np.all(np.isfinite(x.softmax().data))
    assert np.all(np.isfinite(x.log_softmax().data))
    assert np.isfinite(x.logsumexp().data).all()
    np.testing.assert_allclose(x.logsumexp().data, [1000.0])


# ---------------------------------------------------------------------------- indexing
INDICES = {
    "integer": lambda shape: 0,
    "negative": lambda shape: -1,
    "slice": lambda shape: slice(1, None),
    "step slice": lambda shape: slice(None, None, 2),
    "repeated": lambda shape: [0, 0, shape[0] - 1, 0],
    "repeated ndarray": lambda shape: np.array([shape[0] - 1, 0, shape[0] - 1]),
    "tensor of indices": lambda shape: Tensor([0, 0, shape[0] - 1], requires_grad=False),
    "boolean mask": lambda shape: np.arange(shape[0]) % 2 == 0,
    "tuple": lambda shape: (slice(None), [0, 0]) if len(shape) > 1 else ([0, 0],),
    "ellipsis": lambda shape: (Ellipsis, 0),
}


@pytest.mark.parametrize("name", list(INDICES))
@FEW
@given(shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4), seed=seeds)
def test_getitem_gradients(name, shape, seed):
    index = INDICES[name](shape)
    check(lambda t: t[index] * 2.0, smooth(shape, seed), eps=1e-3)


def test_getitem_repeated_index_adds_up():
    x = Tensor([1.0, 2.0, 3.0])
    x[[0, 0, 2, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


# ---------------------------------------------------------------- gradcheck can fail
def test_gradcheck_detects_a_wrong_gradient(monkeypatch):
    x = smooth((3, 2), 7)
    assert gradcheck(lambda t: t.tanh(), x).ok

    def wrong_tanh(self):  # forgets to square: dz/dx = 1 - z instead of 1 - z^2
        z = np.tanh(self.data)
        return Tensor._result(z, (self,), "tanh", lambda g: (g * (1.0 - z),))

    monkeypatch.setattr(Tensor, "tanh", wrong_tanh)
    result = gradcheck(lambda t: t.tanh(), x)
    assert not result.ok and not bool(result)
    assert result.max_relative_errors[0] > 1e-2
    assert "MISMATCH" in str(result)


def test_gradcheck_detects_a_wrong_gradient_of_one_input_only(monkeypatch):
    def wrong_mul(self, other):  # dz/dy should be x, says 2x
        other = Tensor._constant(other)
        x, y = self.data, other.data
        return Tensor._result(x * y, (self, other), "*", lambda g: (g * y, 2.0 * g * x))

    monkeypatch.setattr(Tensor, "__mul__", wrong_mul)
    result = gradcheck(lambda a, b: a * b, smooth(4, 1), smooth(4, 2))
    assert result.max_relative_errors[0] <= TOLERANCE
    assert result.max_relative_errors[1] > 0.1
    assert not result.ok


def test_gradcheck_leaves_the_inputs_as_they_were():
    x = Tensor([1.0, 2.0], requires_grad=False)
    x.grad = [5.0, 6.0]
    before = x.data.copy()
    assert gradcheck(lambda t: t * t, x).ok
    np.testing.assert_array_equal(x.data, before)
    np.testing.assert_array_equal(x.grad, [5.0, 6.0])
    assert x.requires_grad is False


def test_grad_can_be_set_with_the_right_shape_only():
    x = Tensor([1.0, 2.0])
    with pytest.raises(ValueError, match=r"shape \(2,\), got shape \(3,\)"):
        x.grad = [1.0, 2.0, 3.0]
    x.grad = None
    assert not x.has_grad


def test_gradcheck_works_on_an_input_that_is_not_contiguous():
    x = Tensor(np.arange(6.0).reshape(2, 3)).T  # a view with transposed strides
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda t: t * t, x, eps=1e-3).ok


def test_gradcheck_needs_f_to_return_a_tensor():
    with pytest.raises(ValueError, match="Tensor"):
        gradcheck(lambda t: t.data, np.ones(2))


# ---------------------------------------------------------------- the backward pass
def test_gradients_accumulate_until_zero_grad():
    x = Tensor(3.0)
    y = x * x  # dy/dx = 2x = 6
    y.backward()
    y.backward()
    assert float(x.grad) == 12.0
    x.zero_grad()
    assert float(x.grad) == 0.0
    y.backward()
    assert float(x.grad) == 6.0


def test_fan_out_sums_the_gradients():
    x = Tensor(2.0)
    (x * x + x).backward()  # d/dx (x^2 + x) = 2x + 1
    assert float(x.grad) == 5.0
    w = Tensor(0.5)
    a = w.tanh()
    (a + a * a).backward()  # a used twice: (1 + 2a) (1 - a^2)
    t = np.tanh(0.5)
    np.testing.assert_allclose(float(w.grad), (1 + 2 * t) * (1 - t * t))


def test_keep_grads_true_keeps_every_node_and_false_only_the_leaves():
    def graph():
        x, w = Tensor([1.0, -2.0], label="x"), Tensor([0.5, 0.25], label="w")
        h = x * w
        return x, w, h, h.tanh().sum()

    x, w, h, loss = graph()
    loss.backward()  # keep_grads=True is the default
    expected_h = 1.0 - np.tanh(h.data) ** 2
    np.testing.assert_allclose(h.grad, expected_h)
    assert float(loss.grad) == 1.0
    np.testing.assert_allclose(w.grad, expected_h * x.data)

    x, w, h, loss = graph()
    loss.backward(keep_grads=False)
    np.testing.assert_array_equal(h.grad, 0.0)  # released: reads as zeros
    np.testing.assert_allclose(w.grad, expected_h * x.data)
    np.testing.assert_allclose(x.grad, expected_h * w.data)


def test_constants_get_no_gradient():
    x, c = Tensor([1.0, 2.0]), Tensor([3.0, 4.0], requires_grad=False)
    (x * c).sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    np.testing.assert_array_equal(c.grad, 0.0)
    assert not (c * 2.0).requires_grad and (c * 2.0).parents == ()


def test_backward_on_a_non_scalar_needs_grad():
    y = Tensor([1.0, 2.0]) * 2.0
    with pytest.raises(ValueError, match="one-element"):
        y.backward()
    with pytest.raises(ValueError, match="shape"):
        y.backward(np.ones(3))
    y.backward(np.array([1.0, 10.0]))  # the right shape works
    assert y.parents[0].grad.tolist() == [2.0, 20.0]


def test_backward_from_a_tensor_without_gradient_raises():
    with pytest.raises(ValueError, match="no_grad"):
        (Tensor(1.0, requires_grad=False) * 2.0).backward()


def test_backward_on_a_one_element_tensor_of_any_shape():
    x = Tensor([[2.0]])
    (x * 3.0).backward()
    assert x.grad.shape == (1, 1) and float(x.grad[0, 0]) == 3.0


def test_a_chain_of_100000_operations():
    x = Tensor(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward(keep_grads=False)
    np.testing.assert_allclose(float(x.grad), 1.00001**100_000, rtol=1e-9)
    del y  # freeing the deep chain must not overflow the C stack either


def test_no_grad_records_nothing_and_restores_state_after_exceptions():
    x = Tensor(2.0)
    with no_grad():
        assert not is_grad_enabled()
        y = (x * x).tanh() + 1.0
        with no_grad():
            pass
        assert not is_grad_enabled()  # leaving a nested block keeps it off
    assert is_grad_enabled()
    assert y.parents == () and not y.requires_grad
    with pytest.raises(ValueError):
        y.backward()
    with pytest.raises(RuntimeError):
        with no_grad():
            raise RuntimeError("boom")
    assert is_grad_enabled()
    assert (x * x).parents == (x, x)


# --------------------------------------------------------------------- memory
def _mlp_loss(rng):
    X = Tensor(rng.normal(size=(8, 2)), requires_grad=False)
    W1, b1 = Tensor(rng.normal(size=(2, 4))), Tensor(np.zeros(4))
    W2, b2 = Tensor(rng.normal(size=(4, 1))), Tensor(np.zeros(1))
    out = (X @ W1 + b1).tanh() @ W2 + b2
    return ((out - rng.normal(size=(8, 1))) ** 2).mean()


@pytest.mark.parametrize("keep_grads", [True, False])
def test_no_reference_cycles(keep_grads):
    rng = np.random.default_rng(0)
    gc.collect()
    gc.disable()
    try:
        loss = _mlp_loss(rng)
        loss.backward(keep_grads=keep_grads)
        del loss
        assert gc.collect() == 0  # nothing was left for the cycle collector
        with no_grad():
            value = _mlp_loss(rng)
        del value
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_the_no_cycle_check_can_fail():
    gc.collect()
    gc.disable()
    try:
        x = Tensor(1.0)
        x.label = [x]  # a deliberate cycle through a list
        del x
        assert gc.collect() > 0
    finally:
        gc.enable()


def test_gradients_never_share_memory():
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3)))
    s = a + b
    seed = np.ones((2, 3))
    s.backward(seed)
    arrays = [a.grad, b.grad, s.grad, seed]
    for i, first in enumerate(arrays):
        for second in arrays[i + 1 :]:
            assert not np.shares_memory(first, second)
    c = Tensor(np.ones(3))
    (c.reshape(3, 1) + c.reshape(1, 3)).sum().backward()  # a leaf reached twice
    np.testing.assert_array_equal(c.grad, 6.0)


def test_leaf_gradients_do_not_share_memory_with_sum_backward():
    a, b = Tensor(np.ones(3)), Tensor(np.ones(3))
    (a + b).sum().backward(keep_grads=False)
    assert not np.shares_memory(a.grad, b.grad)
    a.grad[0] = 99.0  # a writable array of its own
    assert b.grad[0] == 1.0


# ---------------------------------------------------------------- construction, repr
def test_dtype_is_float64_by_default():
    assert Tensor(1).data.dtype == np.float64
    assert Tensor([1, 2, 3]).data.dtype == np.float64
    assert Tensor(np.arange(3, dtype=np.int32)).data.dtype == np.float64
    assert (Tensor([1.0]) * 2).data.dtype == np.float64
    assert Tensor([1.0], dtype=np.float32).data.dtype == np.float32


@pytest.mark.parametrize("bad", [None, "abc", "1.5", 1 + 2j, {"a": 1}, [1, [2, 3]], object()])
def test_non_numeric_data_raises_value_error(bad):
    with pytest.raises(ValueError, match="number"):
        Tensor(bad)


def test_tensor_copies_its_data():
    array = np.ones(3)
    x = Tensor(array)
    x.data[0] = 5.0
    assert array[0] == 1.0


@pytest.mark.parametrize("bad", [Tensor(2.0), "2", np.array([2.0]), None])
def test_exponent_must_be_a_number(bad):
    with pytest.raises(ValueError, match="plain number may be used as an exponent"):
        Tensor(2.0) ** bad
    assert (Tensor(2.0) ** np.int64(3)).item() == 8.0  # NumPy numbers are numbers


def test_leaky_relu_slope_must_be_a_number():
    with pytest.raises(ValueError, match="slope must be a number"):
        Tensor([1.0, -1.0]).leaky_relu(slope="0.2")


def test_docstring_examples_run():
    import doctest

    from nnlesson import engine

    result = doctest.testmod(engine)
    assert result.attempted >= 4 and result.failed == 0


def test_repr_is_readable():
    x = Tensor(2.0, label="x")
    assert repr(x) == "Tensor(2., label='x')"
    y = x + 1.0
    assert "op='+'" in repr(y) and "3." in repr(y)
    big = repr(Tensor(np.zeros(1000)))
    assert len(big) < 200 and "..." in big


def test_shape_attributes_and_graph_fields():
    x = Tensor(np.zeros((2, 3)), label="x")
    assert (x.shape, x.ndim, x.size, x.T.shape) == ((2, 3), 2, 6, (3, 2))
    y = x.tanh()
    assert y.op == "tanh" and y.parents == (x,) and x.label == "x"
    assert Tensor(2.5).item() == 2.5 and x.numpy() is x.data


def test_memory_tuning_can_be_switched_off(monkeypatch):
    from nnlesson import _memory

    monkeypatch.setenv("NNLESSON_MALLOC_TUNING", "0")
    assert _memory.tune_memory_allocator() is False


def test_memory_tuning_applies_on_linux_glibc(monkeypatch):
    import platform
    import sys

    from nnlesson import _memory

    monkeypatch.delenv("NNLESSON_MALLOC_TUNING", raising=False)
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    expected = sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc"
    assert _memory.tune_memory_allocator() is expected


def test_backward_order_visits_each_node_after_every_node_that_uses_it():
    from nnlesson.engine import backward_order

    x = Tensor(2.0, label="x")
    a = x * 3.0
    b = a.tanh() + a  # a is used twice
    order = backward_order(b)
    assert order[0] is b and order[-1] is x
    position = {id(t): i for i, t in enumerate(order)}
    for node in order:
        for parent in node.parents:
            if parent.requires_grad:
                assert position[id(parent)] > position[id(node)]


def test_has_grad_tells_reached_from_never_reached():
    x, unused = Tensor(1.0), Tensor(5.0)
    y = x * 2.0
    assert not x.has_grad
    y.backward()
    assert x.has_grad and not unused.has_grad
    x.zero_grad()
    assert not x.has_grad


def test_no_grad_in_one_thread_does_not_stop_another_from_recording():
    import threading

    inside, recorded = threading.Event(), {}

    def evaluate():
        with no_grad():
            inside.set()
            done.wait(5)

    done = threading.Event()
    worker = threading.Thread(target=evaluate)
    worker.start()
    inside.wait(5)
    x = Tensor(3.0)
    y = x * x
    recorded["parents"] = y.parents
    done.set()
    worker.join()
    assert recorded["parents"] == (x, x)
    y.backward()
    assert x.grad == 6.0


def test_affine_is_x_at_w_plus_b_with_its_gradients():
    from nnlesson.engine import affine

    rng = np.random.default_rng(3)
    x, W, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    np.testing.assert_allclose(affine(Tensor(x), Tensor(W), Tensor(b)).data, x @ W + b)
    assert gradcheck(lambda x, W, b: affine(x, W, b).tanh(), x, W, b).ok
    with pytest.raises(ValueError, match=r"\(5, 3\), \(4, 4\) and \(4,\)"):
        affine(Tensor(x), Tensor(np.ones((4, 4))), Tensor(b))
