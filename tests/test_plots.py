import matplotlib.pyplot as plt
import numpy as np
import pytest

from nnlesson import data, nn, plots, train


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def runs():
    X, y = data.line(n=50, seed=0)
    good = train.fit(nn.MLP([1, 1], seed=0), X, y, loss="mse", lr=0.1, epochs=30)
    bad = train.fit(nn.MLP([1, 1], seed=0), X, y, loss="mse", lr=50.0, epochs=30)
    return {"α = 0.1": good, "α = 50": bad}


def test_palette_is_okabe_ito_and_style_is_applied():
    assert plots.PALETTE[0] == "#0072B2" and len(set(plots.PALETTE)) == 8
    fig, axes = plots.subplots(1, 2)
    assert axes.shape == (1, 2)
    assert not axes[0, 0].spines["top"].get_visible()


def test_loss_curves_label_axes_and_mark_divergence(runs):
    assert runs["α = 50"].diverged and not runs["α = 0.1"].diverged
    fig = plots.loss_curves(runs)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "SGD step" and ax.get_ylabel() == "loss" and ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["α = 0.1", "α = 50"]
    crosses = [line for line in ax.lines if line.get_marker() == plots.DIVERGED_MARKER]
    assert len(crosses) == 1
    assert crosses[0].get_xdata()[0] == runs["α = 50"].diverged_at_step
    assert any("diverged" in t.get_text() for t in ax.texts)


def test_loss_curve_x_axis_matches_history_indices(runs):
    x, values = plots.loss_points(runs["α = 0.1"], "step")
    assert x[0] == 0 and len(x) == len(values) == 30
    x, _ = plots.loss_points(runs["α = 0.1"], "epoch")
    assert x[0] == 1


def test_validation_needs_per_epoch(runs):
    with pytest.raises(ValueError, match="per='epoch'"):
        plots.loss_curves(runs, validation=True)
    with pytest.raises(ValueError, match="per must be"):
        plots.loss_points(runs["α = 0.1"], "batch")


def test_histograms_share_bins_and_sum_to_one():
    rng = np.random.default_rng(0)
    fig = plots.histograms([rng.normal(size=500), rng.normal(scale=2, size=500)], labels=["a", "b"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]
    heights = [ax.patches[0].get_data()[0] for ax in fig.axes]
    assert all(h.sum() == pytest.approx(1.0) for h in heights)


def test_decision_regions_colour_the_plane_by_class():
    X, y = data.xor(n=100, seed=0)
    model = nn.MLP([2, 8, 1], seed=0)
    train.fit(model, X, y, loss="bce", from_logits=True, lr=0.5, epochs=200)
    fig = plots.decision_regions(model, X, y)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "$x_1$" and ax.get_title() == "Decision regions"
    assert len(ax.collections) >= 2  # the filled regions and the scattered classes


def test_function_curve_draws_each_function():
    fig = plots.function_curve({"tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)})
    assert len(fig.axes[0].get_legend().get_texts()) == 2


def test_divergence_label_stays_inside_for_an_early_divergence(runs):
    _, axes = plots.subplots()
    ax = axes[0, 0]
    ax.set_xlim(0, 30)
    cross, label = plots.mark_divergence(ax, runs["α = 50"])
    assert runs["α = 50"].diverged_at_step < 10
    assert label.get_ha() == "left"  # written to the right of the cross, inside the axes
    cross.remove()
    label.remove()
    assert not ax.lines and not ax.texts


def test_an_exploding_run_does_not_flatten_the_others(runs):
    fig = plots.loss_curves(runs)
    ax = fig.axes[0]
    first = max(h.step_loss[0] for h in runs.values())
    bottom, top = ax.get_ylim()
    assert top <= 30 * first * 1.0001
    (cross,) = [line for line in ax.lines if line.get_marker() == plots.DIVERGED_MARKER]
    assert bottom < cross.get_ydata()[0] < top  # the cross stays inside the axes
