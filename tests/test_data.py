"""Tests for nnlesson.data: shapes, dtypes, seeds, scale, registry, helpers, validation."""

import math

import numpy as np
import pytest

from nnlesson import data

CLASSIFICATION = {"xor": 2, "two_moons": 2, "circles": 2, "spirals": 2, "blobs": 3}
REGRESSION = ["line", "sine"]


def test_names_and_tasks():
    assert set(data.names()) == set(CLASSIFICATION) | set(REGRESSION)
    assert data.task("Moons") == "classification" and data.task("sine") == "regression"


@pytest.mark.parametrize("name,k", CLASSIFICATION.items())
def test_classification_sets(name, k):
    X, y = data.make(name, n=101, seed=0)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and y.dtype == np.int64
    counts = np.bincount(y)
    assert len(counts) == k and counts.max() - counts.min() <= 1
    assert np.all(np.abs(X.mean(axis=0)) < 0.5)
    assert np.all((X.std(axis=0) > 0.4) & (X.std(axis=0) < 2.0))
    assert not np.all(y[:-1] <= y[1:])  # rows are shuffled, classes mixed


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_sets(name):
    X, y = data.make(name, n=50, seed=0)
    assert X.shape == (50, 1) and y.shape == (50, 1)
    assert X.dtype == y.dtype == np.float64
    assert abs(X.mean()) < 0.5 and 0.4 < X.std() < 2.0


@pytest.mark.parametrize("name", sorted(set(CLASSIFICATION) | set(REGRESSION)))
def test_same_seed_same_data_bit_for_bit(name):
    X1, y1 = data.make(name, seed=3)
    X2, y2 = data.make(name, seed=3)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    X3, _ = data.make(name, seed=4)
    assert not np.array_equal(X1, X3)
    X4, _ = data.make(name, seed=np.random.default_rng(3))
    np.testing.assert_array_equal(X1, X4)


def test_noise_free_sets_are_exact():
    X, y = data.xor(8, noise=0.0, seed=0)
    np.testing.assert_array_equal(np.abs(X), 1.0)
    np.testing.assert_array_equal(y, (X[:, 0] * X[:, 1] < 0).astype(int))
    X, y = data.line(20, noise=0.0, slope=2.0, intercept=-1.0, seed=0)
    np.testing.assert_allclose(y, 2.0 * X - 1.0)
    X, y = data.circles(20, noise=0.0, seed=0)
    np.testing.assert_allclose(np.hypot(*X.T), np.where(y == 0, 1.5, 0.75))


def test_k_classes():
    _, y = data.spirals(90, k=3, seed=0)
    assert set(y) == {0, 1, 2}
    _, y = data.blobs(50, k=5, seed=0)
    assert set(y) == set(range(5))


def test_make_is_case_insensitive_with_aliases():
    np.testing.assert_array_equal(data.make("MOONS", seed=1)[0], data.two_moons(seed=1)[0])
    np.testing.assert_array_equal(data.make("Two-Moons", seed=1)[0], data.two_moons(seed=1)[0])
    with pytest.raises(ValueError, match="valid names.*two_moons"):
        data.make("mnist")


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("xor", {"n": 0}),
        ("xor", {"n": 3}),
        ("xor", {"n": 2.5}),
        ("line", {"n": -1}),
        ("sine", {"noise": -0.1}),
        ("two_moons", {"noise": math.nan}),
        ("circles", {"noise": "lots"}),
        ("circles", {"factor": 1.5}),
        ("blobs", {"k": 1}),
        ("spirals", {"k": 0}),
        ("spirals", {"n": 2, "k": 3}),
        ("blobs", {"seed": "x"}),
    ],
)
def test_bad_arguments_raise(name, kwargs):
    with pytest.raises(ValueError):
        data.make(name, **kwargs)


def test_make_names_the_arguments_a_generator_takes():
    with pytest.raises(ValueError, match="'xor' has no argument k; it takes n, noise, seed"):
        data.make("xor", k=3)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_bad_seeds_say_what_is_allowed(seed):
    with pytest.raises(ValueError, match="seed"):
        data.two_moons(seed=seed)


def test_train_val_split():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    X_tr, X_val, y_tr, y_val = data.train_val_split(X, y, val_fraction=0.3, seed=0)
    assert X_tr.shape == (7, 2) and X_val.shape == (3, 2) and len(y_tr) == 7 and len(y_val) == 3
    assert sorted(np.concatenate([y_tr, y_val])) == list(range(10))
    np.testing.assert_array_equal(X_val[:, 0], 2 * y_val)  # rows stay paired
    again = data.train_val_split(X, y, val_fraction=0.3, seed=0)
    np.testing.assert_array_equal(again[3], y_val)
    for bad in (0, 1, 1.5, -0.2, "a"):
        with pytest.raises(ValueError, match="val_fraction"):
            data.train_val_split(X, y, val_fraction=bad)
    with pytest.raises(ValueError, match="both need"):
        data.train_val_split(X[:2], y[:2], val_fraction=0.1)
    with pytest.raises(ValueError, match="same number of rows"):
        data.train_val_split(X, y[:5])


def test_minibatches():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10)
    batches = list(data.minibatches(X, y, 4, rng=0))
    assert [len(b[1]) for b in batches] == [4, 4, 2]
    seen = np.concatenate([b[1] for b in batches])
    assert sorted(seen) == list(range(10)) and list(seen) != list(range(10))
    for Xb, yb in batches:
        np.testing.assert_array_equal(Xb[:, 0], 2 * yb)
    again = np.concatenate([b[1] for b in data.minibatches(X, y, 4, rng=0)])
    np.testing.assert_array_equal(seen, again)
    in_order = np.concatenate([b[1] for b in data.minibatches(X, y, 3, shuffle=False)])
    np.testing.assert_array_equal(in_order, y)
    assert len(list(data.minibatches(X, y, 100))) == 1
    for bad in (0, -1, 2.5):
        with pytest.raises(ValueError, match="batch_size"):
            list(data.minibatches(X, y, bad))


def test_one_hot():
    np.testing.assert_array_equal(data.one_hot([0, 2, 1], 3), np.eye(3)[[0, 2, 1]])
    assert data.one_hot(np.array([1, 0]), 4).shape == (2, 4)
    assert data.one_hot([0, 2]).shape == (2, 3)
    with pytest.raises(ValueError, match="0..1"):
        data.one_hot([0, 2], 2)
    with pytest.raises(ValueError, match="integer"):
        data.one_hot([0.5, 1.0], 2)
