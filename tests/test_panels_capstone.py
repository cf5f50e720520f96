"""The capstone's playground and first-taste panels, and the runs behind them."""

import math

import numpy as np
import pytest

from nnlesson import data, nn, train
from nnlesson.panels import capstone

SHORT = {"epochs": 40}  # small runs: the tests stay fast


@pytest.fixture(scope="module")
def panel():
    return capstone.playground_panel()


def _loss_line(panel):
    return panel.figure.axes[0].lines[0]


def _picture_values(panel):
    return np.asarray(panel.figure.axes[2].images[0].get_array(), dtype=float)


# ------------------------------------------------------------------ runs
def test_a_run_is_one_continuous_fit():
    """Ten chunks of fit give the same full-batch run as one call of train.fit."""
    run = capstone.train_run(**SHORT)
    X_train, X_val, y_train, y_val = capstone.dataset("two_moons")
    model = nn.MLP([2, 16, 16, 1], activation="tanh", init="xavier_uniform", seed=0)
    history = train.fit(
        model, X_train, y_train, loss="bce", from_logits=True, lr=0.3, epochs=40, validation=(X_val, y_val)
    )
    assert run.history.epoch_loss == history.epoch_loss
    assert run.history.val_loss == history.val_loss
    assert [s.epoch for s in run.snapshots] == list(range(0, 41, 4))
    assert run.complete and run.epochs_trained == 40


def test_dataset_split_is_fixed_and_read_only():
    X_train, X_val, y_train, y_val = capstone.dataset("spirals")
    assert len(X_train) == 150 and len(X_val) == 50
    assert set(np.unique(y_train)) == {0, 1}
    with pytest.raises(ValueError):
        X_train[0, 0] = 1.0


@pytest.mark.parametrize("key", list(capstone.LOSSES))
def test_each_loss_picks_its_output_layer(key):
    run = capstone.train_run(loss=key, **SHORT)
    assert run.model.sizes[-1] == capstone.LOSSES[key].outputs
    p = run.probability_on(np.zeros((3, 2)))
    assert p.shape == (3,) and np.all((p >= 0) & (p <= 1))


def test_divergence_is_recorded_with_merged_counts():
    run = capstone.train_run(loss="mse", lr=1.0, epochs=100)
    h = run.history
    assert h.diverged and capstone.outcome(run) == "diverged"
    assert h.diverged_at_epoch is not None and h.diverged_at_epoch < 10
    assert h.diverged_at_step == len(h.step_loss) - 1
    assert "diverged" in run.summary()


def test_preview_budget_cuts_long_runs_only():
    quick = capstone.Settings()
    slow = capstone.Settings(batch_size=1, epochs=200)
    assert capstone.affordable_epochs(quick, 0.1) == quick.epochs
    assert 1 <= capstone.affordable_epochs(slow, 0.1) < 20
    assert capstone.estimated_seconds(slow) > 10 * capstone.estimated_seconds(quick)
    preview = capstone.train_run(slow, max_seconds=0.1)
    assert not preview.complete and preview.epochs_trained < slow.epochs


# ------------------------------------------------------------------ the lessons (qualitative results)
def test_zero_init_stalls_at_ln2():
    run = capstone.train_run(init="zeros", **SHORT)
    assert capstone.outcome(run) == "stalled"
    assert math.isclose(run.history.final_loss, math.log(2), abs_tol=0.01)
    assert all(np.std(layer.a) == 0 for layer in run.snapshots[-1].hidden)


def test_tiny_weights_vanish_in_a_deep_tanh_stack():
    tiny = capstone.train_run(depth=6, init="random_normal", lr=0.1, epochs=20)
    xavier = capstone.train_run(depth=6, init="xavier_uniform", lr=0.1, epochs=20)
    stds = [np.std(layer.a) for layer in tiny.snapshots[0].hidden]
    assert all(b < a for a, b in zip(stds, stds[1:]))  # the signal shrinks layer by layer
    assert max(capstone.gradient_norms(tiny)) < 1e-6 * min(capstone.gradient_norms(xavier))


def test_one_hidden_unit_cannot_do_circles():
    one = capstone.train_run(dataset="circles", depth=1, width=1, epochs=200)
    eight = capstone.train_run(dataset="circles", depth=1, width=8, epochs=200)
    assert one.accuracy("val") < 0.7 < 0.9 <= eight.accuracy("val")


def test_describe_lists_every_run():
    text = capstone.describe(
        {"a": capstone.train_run(**SHORT), "b": capstone.train_run(init="zeros", **SHORT)}
    )
    assert text.splitlines()[1].startswith("a") and "stalled" in text.splitlines()[2]


def test_environment_check():
    assert capstone.check_environment() == "environment OK"


# ------------------------------------------------------------------ the playground panel
def test_default_panel_draws_a_trained_network(panel):
    assert "output layer: 1 linear unit" in panel.message.value
    assert len(_loss_line(panel).get_xdata()) == capstone.Settings().epochs
    assert panel.figure.axes[2].get_title().startswith("epoch 150")
    assert panel.png().startswith(b"\x89PNG")


def test_view_slider_scrubs_without_retraining(panel):
    run = capstone.train_run()  # what the panel shows
    panel.controls["view"].value = 0
    try:
        assert panel.figure.axes[2].get_title().startswith("epoch 0")
        assert panel.figure.axes[0].lines[2].get_xdata()[0] == 0  # the "now" line
        start = _picture_values(panel).copy()
        panel.controls["view"].value = 50
        assert panel.figure.axes[2].get_title().startswith(f"epoch {run.snapshots[5].epoch}")
        assert not np.allclose(start, _picture_values(panel))
        assert len(_loss_line(panel).get_xdata()) == 150  # the same run: nothing retrained
    finally:
        panel.controls["view"].value = 100


def test_learning_rate_too_large_is_marked(panel):
    panel.set(loss="mse", learning_rate=1.0)
    try:
        ax = panel.figure.axes[0]
        assert any("diverged" in t.get_text() for t in ax.texts)
        assert "diverged" in panel.message.value
    finally:
        panel.set(loss="bce", learning_rate=0.3)
    assert not any("diverged" in t.get_text() for t in panel.figure.axes[0].texts)


def test_depth_shows_one_histogram_per_layer(panel):
    panel.controls["depth"].value = 4
    try:
        ridge = panel.figure.axes[1]
        labels = [t.get_text() for t in ridge.get_yticklabels()]
        assert len(labels) == 4 and labels[3].startswith("layer 4")
        assert sum(s.get_visible() for s in ridge.patches) == 4
    finally:
        panel.controls["depth"].value = 2


def test_scce_uses_two_outputs_and_says_so(panel):
    panel.controls["loss"].value = "scce"
    try:
        assert "2 linear units" in panel.message.value
    finally:
        panel.controls["loss"].value = "bce"


def test_small_batches_give_a_preview_and_full_run_trains_all(panel):
    panel.set(batch_size=1, epochs=20)  # 3000 steps: far over the preview budget
    try:
        assert "Quick preview" in panel.message.value
        preview = len(_loss_line(panel).get_xdata())
        assert preview < 20
        panel.controls["full_run"].value = True
        assert len(_loss_line(panel).get_xdata()) == 20
        assert "Quick preview" not in panel.message.value
        assert panel.controls["epochs"].continuous_update is False
    finally:
        panel.set(batch_size="full", epochs=150, full_run=False)
    assert panel.controls["epochs"].continuous_update is True


def test_dataset_moves_the_map(panel):
    before = panel.figure.axes[2].get_xlim()
    panel.controls["dataset"].value = "spirals"
    try:
        assert panel.figure.axes[2].get_xlim() != before
        X_train = capstone.dataset("spirals")[0]
        offsets = np.vstack([c.get_offsets() for c in panel.figure.axes[2].collections])
        assert len(offsets) == len(X_train)
    finally:
        panel.controls["dataset"].value = "two_moons"


# ------------------------------------------------------------------ the first taste
def test_first_taste_neuron_follows_its_weights():
    taste = capstone.first_taste_panel()
    image = taste.figure.axes[0].images[0]
    before = np.asarray(image.get_array()).copy()
    taste.controls["b"].value = 1.5
    after = np.asarray(image.get_array())
    assert after.mean() > before.mean()  # a larger bias pushes tanh up everywhere
    assert "+ 1.5" in taste.figure.axes[0].get_title()
    taste.set(w1=0.0, w2=0.0)
    assert "the same everywhere" in taste.message.value
    assert np.allclose(np.asarray(image.get_array()), np.tanh(1.5))


def test_catalogue_lists_both_panels():
    assert capstone.PANELS == ("playground_panel", "first_taste_panel")
    assert data.names()  # the data registry is reachable from here
