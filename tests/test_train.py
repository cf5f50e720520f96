"""Tests for nnlesson.train: learning, divergence, targets, history, determinism, hygiene."""

import builtins
import gc
import math
import socket
import warnings

import numpy as np
import pytest

from nnlesson import data, losses, nn, optim, train


@pytest.fixture(scope="module")
def moons():
    return data.two_moons(200, seed=0)


@pytest.fixture(scope="module")
def xor_data():
    return data.xor(200, seed=0)


# ------------------------------------------------------------------ learning
def test_mlp_learns_xor(xor_data):
    X, y = xor_data
    model = nn.MLP([2, 8, 1], seed=0)
    history = train.fit(model, X, y, loss="bce", from_logits=True, lr=0.5, epochs=200)
    assert not history.diverged
    assert history.train_accuracy[-1] >= 0.95
    assert train.accuracy(model, X, y) >= 0.95
    assert history.epoch_loss[-1] < history.epoch_loss[0] / 5


def test_mlp_learns_two_moons_with_minibatches_and_momentum(moons):
    X, y = moons
    model = nn.MLP([2, 16, 16, 2], seed=0)
    history = train.fit(
        model, X, y, loss="scce", from_logits=True, lr=0.1, momentum=0.9, epochs=60, batch_size=32
    )
    assert history.train_accuracy[-1] >= 0.95
    assert train.accuracy(model, X, y) >= 0.95
    assert history.steps == 60 * 7 and len(history.epoch_loss) == 60 and history.momentum == 0.9


def test_mse_and_cross_entropy_on_the_same_classifier(moons):
    X, y = moons
    for loss, out, fl in [("mse", 1, False), ("mse", 2, False), ("cce", 2, True), ("bce", 1, True)]:
        model = nn.MLP([2, 16, 16, out], seed=1)
        history = train.fit(model, X, y, loss=loss, from_logits=fl, lr=0.3, epochs=150)
        assert history.train_accuracy[-1] >= 0.9, (loss, out, history.summary())
    assert history.threshold == 0.0  # logits


def test_regression_history_has_no_accuracy():
    X, y = data.sine(100, seed=0)
    history = train.fit(nn.MLP([1, 16, 1], seed=0), X, y, lr=0.1, epochs=300)
    assert history.train_accuracy == [] and history.val_accuracy == [] and history.val_loss == []
    assert history.final_loss < 0.2 and history.final_loss == history.epoch_loss[-1]
    assert history.step_loss == history.epoch_loss  # full batch: one step per epoch
    assert history.summary().startswith("final loss") and "after 300 epochs" in history.summary()


def test_validation_is_recorded_per_epoch(moons):
    X, y = moons
    X_tr, X_val, y_tr, y_val = data.train_val_split(X, y, seed=0)
    history = train.fit(
        nn.MLP([2, 8, 1], seed=0),
        X_tr,
        y_tr,
        loss="bce",
        from_logits=True,
        epochs=20,
        validation=(X_val, y_val),
    )
    assert len(history.val_loss) == len(history.val_accuracy) == len(history.train_accuracy) == 20
    assert all(0 <= a <= 1 for a in history.val_accuracy)
    assert "validation accuracy" in history.summary()


# ------------------------------------------------------------------ divergence
def test_too_large_lr_diverges_quietly():
    X, y = data.line(100, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="warn"):  # would turn any unguarded overflow into an error
            history = train.fit(nn.MLP([1, 16, 1], seed=0), X, y, loss="mse", lr=50.0, epochs=200)
    assert history.diverged and history.diverged_at_step == len(history.step_loss) - 1
    bad = history.step_loss[-1]
    limit = train.EXPLOSION_FACTOR * max(history.step_loss[0], 1.0)
    assert not math.isfinite(bad) or bad > limit
    assert all(math.isfinite(v) and v <= limit for v in history.step_loss[:-1])
    assert history.diverged_at_epoch == len(history.epoch_loss)
    assert history.summary().startswith(f"diverged at step {history.diverged_at_step} (loss = ")
    assert history.final_loss == bad


def test_non_finite_parameters_count_as_divergence(xor_data):
    X, y = xor_data
    model = nn.MLP([2, 4, 1], seed=0)

    class Broken(optim.SGD):
        def step(self):
            super().step()
            self.params[0].data[0, 0] = math.inf

    broken = Broken(model.parameters(), 0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        history = train.fit(model, X, y, loss="bce", from_logits=True, epochs=10, optimizer=broken)
        assert history.diverged and history.divergence_reason == "parameters not finite"
        assert history.diverged_at_step == 0 and "parameters not finite" in history.summary()
        # a broken model can still be evaluated: no warning, no exception
        assert isinstance(train.evaluate_loss(model, X, y, "bce", from_logits=True), float)
        train.predict(model, X)


# ------------------------------------------------------------------ symmetry
def test_zero_init_keeps_hidden_units_identical(xor_data):
    X, y = xor_data
    for init in ("zeros", "constant"):
        model = nn.MLP([2, 6, 1], init=init, seed=0)
        train.fit(model, X, y, loss="bce", from_logits=True, lr=0.5, epochs=100)
        W1, W2 = model.weights()
        np.testing.assert_allclose(W1, W1[:, :1] * np.ones((1, 6)), atol=1e-12)  # equal columns
        np.testing.assert_allclose(W2, W2[:1] * np.ones((6, 1)), atol=1e-12)  # equal rows
    assert not np.allclose(W1, 0.5)  # the constant init did move, but in lockstep

    model = nn.MLP([2, 6, 1], init="random_normal", seed=0)
    train.fit(model, X, y, loss="bce", from_logits=True, lr=0.5, epochs=100)
    W1 = model.weights()[0]
    assert np.min(np.abs(W1[:, :, None] - W1[:, None, :]).sum(axis=0) + np.eye(6)) > 1e-3


# ------------------------------------------------------------------ snapshots / trace
def test_snapshots(moons):
    X, y = moons
    model = nn.MLP([2, 5, 3, 1], seed=0)
    history = train.fit(model, X, y, loss="bce", from_logits=True, epochs=10, snapshot_every=5)
    assert [epoch for epoch, _ in history.snapshots] == [0, 5, 10]
    first = history.snapshots[0][1]
    assert [t.a.shape for t in first] == [(200, 5), (200, 3), (200, 1)]
    assert [t.grad_W.shape for t in first] == [(2, 5), (5, 3), (3, 1)]
    assert not np.array_equal(first[0].W, history.snapshots[-1][1][0].W)


# ------------------------------------------------------------------ determinism
def test_same_seeds_same_history_bit_for_bit(moons):
    X, y = moons

    def run(fit_seed):
        model = nn.MLP([2, 8, 2], seed=3)
        h = train.fit(model, X, y, loss="scce", from_logits=True, epochs=5, batch_size=16, seed=fit_seed)
        return h, model

    (h1, m1), (h2, m2), (h3, _) = run(0), run(0), run(1)
    assert h1 == h2
    for p, q in zip(m1.parameters(), m2.parameters(), strict=True):
        np.testing.assert_array_equal(p.data, q.data)
    assert h1.step_loss != h3.step_loss


# ------------------------------------------------------------------ targets
def test_prepare_targets():
    labels = np.array([0, 1, 1, 0])
    assert train.prepare_targets(labels, "bce", (4, 1)).shape == (4, 1)
    np.testing.assert_array_equal(train.prepare_targets(labels, "cce", (4, 3)), np.eye(3)[labels])
    np.testing.assert_array_equal(train.prepare_targets(labels, "scce", (4, 2)), labels)
    np.testing.assert_array_equal(train.prepare_targets(labels, "mse", (4, 2)), np.eye(2)[labels])
    np.testing.assert_array_equal(train.prepare_targets(labels, "mse", (4, 1)), labels[:, None])
    assert train.prepare_targets(labels, losses.get("bce"), (4,)).shape == (4,)
    assert train.prepare_targets(np.ones(4), "mse", (4, 1)).shape == (4, 1)
    three = np.array([0, 1, 2, 1])
    with pytest.raises(ValueError, match="only 2 output units"):
        train.prepare_targets(three, "scce", (4, 2))
    with pytest.raises(ValueError, match="one output unit per class"):
        train.prepare_targets(three, "scce", (4, 1))
    with pytest.raises(ValueError, match="two classes"):
        train.prepare_targets(three, "bce", (4, 1))
    with pytest.raises(ValueError, match="one output unit"):
        train.prepare_targets(labels, "bce", (4, 2))
    with pytest.raises(ValueError, match="one entry per row"):
        train.prepare_targets(labels[:3], "mse", (4, 1))


def test_fit_rejects_bad_input(moons):
    X, y = moons
    model = nn.MLP([2, 4, 1], seed=0)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    cases = [
        ({"X": X_nan}, "NaN"),
        ({"y": np.where(np.arange(200) == 5, np.nan, 1.0)}, "NaN"),
        ({"lr": 0}, "lr"),
        ({"lr": -1.0}, "lr"),
        ({"epochs": 0}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"X": X[:, :1]}, r"2 features.*\(1, 1\)"),
        ({"X": X[:, 0]}, "n_samples, n_features"),
        ({"y": y[:10]}, "one entry per row"),
        ({"loss": "hinge"}, "valid names"),
        ({"loss": "scce"}, "one output unit per class"),
        ({"loss": "mse", "from_logits": True}, "from_logits"),
        ({"validation": (X,)}, "pair"),
        ({"snapshot_every": 0}, "snapshot_every"),
    ]
    for change, message in cases:
        kwargs = {"X": X, "y": y, "loss": "bce", "from_logits": True, "epochs": 2} | change
        with pytest.raises(ValueError, match=message):
            train.fit(model, **kwargs)
    with pytest.raises(ValueError, match="2 output units"):
        train.fit(nn.MLP([2, 4, 2], seed=0), X, np.arange(200) % 3, loss="scce")


# ------------------------------------------------------------------ helpers
def test_accuracy_rule_and_predict():
    X = np.array([[-1.0], [0.2], [0.7]])
    labels = np.array([0, 1, 1])
    logit = nn.Neuron(weights=[1.0], activation="linear")
    assert train.accuracy(logit, X, labels) == 1.0  # threshold 0 for a linear output
    assert train.accuracy(logit, X, labels, threshold=0.5) == pytest.approx(2 / 3)
    prob = nn.Neuron(weights=[1.0], activation="sigmoid")
    assert train.accuracy(prob, X, labels) == 1.0  # threshold 0.5 for a sigmoid output
    two = nn.MLP([1, 2], seed=0)
    two.layers[0].W.data[...] = [[-1.0, 1.0]]
    assert train.accuracy(two, X, labels) == 1.0  # argmax
    out = train.predict(two, X)
    assert isinstance(out, np.ndarray) and out.shape == (3, 2)


def test_evaluate_loss(moons):
    X, y = moons
    model = nn.MLP([2, 4, 1], seed=0)
    value = train.evaluate_loss(model, X, y, "bce", from_logits=True)
    history = train.fit(model, X, y, loss="bce", from_logits=True, epochs=1, lr=1e-9)
    assert value == pytest.approx(history.step_loss[0])


# ------------------------------------------------------------------ hygiene and speed
def test_a_training_step_leaves_no_garbage(moons):
    X, y = moons
    model = nn.MLP([2, 8, 1], seed=0)
    opt = optim.SGD(model.parameters(), lr=0.1)
    bce = losses.get("bce")
    target = y.reshape(-1, 1).astype(float)
    train.fit(model, X, y, loss="bce", from_logits=True, epochs=2, batch_size=50)  # warm up
    gc.collect()
    gc.disable()
    try:
        opt.zero_grad()
        bce(model(X), target, from_logits=True).backward(keep_grads=False)
        opt.step()
        train.fit(model, X, y, loss="bce", from_logits=True, epochs=2, batch_size=50)
        found = gc.collect()
    finally:
        gc.enable()
    assert found == 0


def test_no_network_and_no_files(monkeypatch, moons):
    def refuse(*args, **kwargs):
        raise AssertionError("nnlesson must not touch the network or files")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(builtins, "open", refuse)
    for name in data.names():
        data.make(name, n=40, seed=0)
    X, y = data.make("moons", n=60, seed=0)
    model = nn.MLP([2, 4, 1], seed=0)
    train.fit(model, X, y, loss="bce", from_logits=True, epochs=3, snapshot_every=1, validation=(X, y))
    train.predict(model, X)
