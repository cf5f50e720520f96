"""Notebook 2's panels and computations: the learning rate."""

import io

import matplotlib.image as mpimg
import numpy as np
import pytest

from nnlesson import Tensor, plots
from nnlesson.panels import catalogue
from nnlesson.panels import learning_rate as lr


def _pixels(png: bytes) -> np.ndarray:
    return mpimg.imread(io.BytesIO(png), format="png")[..., :3]


def _has_divergence_cross(ax) -> bool:
    return any(line.get_marker() == plots.DIVERGED_MARKER for line in ax.lines)


# ------------------------------------------------------------------ the maths
def test_max_stable_lr_is_two_over_the_largest_curvature():
    assert lr.max_stable_lr(8.0) == pytest.approx(0.25)
    assert lr.max_stable_lr([1.0, 10.0]) == pytest.approx(0.2)
    with pytest.raises(ValueError):
        lr.max_stable_lr(0.0)


@pytest.mark.parametrize("product", [0.3, 1.5, 1.9, 2.1])
def test_descend_on_a_parabola_follows_one_minus_alpha_lambda(product):
    lam = 4.0
    run = lr.descend(lr.quadratic_loss(lam), 1.0, product / lam, steps=10)
    assert not run.diverged
    np.testing.assert_allclose(run.path[:, 0], (1 - product) ** np.arange(11), rtol=1e-12)
    np.testing.assert_allclose(run.losses, 0.5 * lam * run.path[:, 0] ** 2)


def test_the_largest_stable_learning_rate_is_a_sharp_border():
    loss = lr.quadratic_loss(8.0)
    alpha_max = lr.max_stable_lr(8.0)
    below = lr.descend(loss, 1.0, 0.95 * alpha_max, steps=200)
    above = lr.descend(loss, 1.0, 1.1 * alpha_max, steps=200)
    assert not below.diverged and abs(below.final[0]) < 1e-3
    assert above.diverged and above.diverged_at_step < 200
    history = above.history()
    assert history.diverged and history.diverged_at_step == above.diverged_at_step
    assert "diverged" in history.summary() and above.summary().startswith("diverged at step")
    assert below.summary().startswith("after 200 steps w = ")


def test_descend_takes_the_engine_gradient_step():
    x, t = np.array([1.0, 2.0]), np.array([2.0, 4.0])
    run = lr.descend(lambda w: ((w * x - t) ** 2).mean(), 0.0, 0.1, steps=1)
    # dL/dw at 0 = mean(2 (0 - t) x) = -10, so w_1 = 0 - 0.1 * (-10) = 1
    assert run.path[1, 0] == pytest.approx(1.0)


def test_scaling_the_loss_or_the_inputs_moves_the_limit():
    x = np.linspace(-2, 2, 21)
    t = 0.8 * x
    base = lr.descend(lambda w: ((w * x - t) ** 2).mean(), 0.0, 0.5, steps=50)
    scaled = lr.descend(lambda w: 100 * ((w * x - t) ** 2).mean(), 0.0, 0.5, steps=50)
    flat = lr.descend(lambda w: ((w * (x / 10) - t) ** 2).mean(), 0.0, 10.0, steps=50)
    assert not base.diverged and base.final[0] == pytest.approx(0.8, abs=1e-3)
    assert scaled.diverged
    assert not flat.diverged and flat.final[0] == pytest.approx(8.0, abs=1e-2)


def test_quadratic_loss_rejects_non_positive_curvature():
    with pytest.raises(ValueError):
        lr.quadratic_loss([1.0, -1.0])
    assert float(lr.quadratic_loss([1.0, 10.0])(Tensor([1.0, 1.0])).data) == pytest.approx(5.5)


# ------------------------------------------------------------------ the network
def test_sweep_has_the_u_shape_and_a_useful_range():
    sweep = lr.lr_sweep([0.001, 0.1, 1.0], loss="mse")
    assert sweep[0.001].final_loss > 2 * sweep[0.1].final_loss  # too small: crawls
    assert sweep[1.0].diverged  # too large: diverges
    low, high = lr.useful_range(sweep)
    assert low == high == 0.1 == lr.best_lr(sweep)


def test_cross_entropy_takes_a_learning_rate_far_above_one():
    _, ten = lr.moons_run(10.0, loss="bce")
    _, tenth = lr.moons_run(0.1, loss="bce")
    assert not ten.diverged
    assert ten.final_loss < tenth.final_loss / 10


def test_useful_range_refuses_an_all_diverged_sweep():
    _, history = lr.moons_run(3.0)
    for function in (lr.useful_range, lr.best_lr):
        with pytest.raises(ValueError, match="diverged"):
            function({3.0: history})


# ------------------------------------------------------------------ minibatches
def test_minibatch_gradients_are_unbiased_and_shrink_with_the_batch():
    spreads = {}
    for size in (1, 8, 32):
        estimates, full = lr.minibatch_gradients(size, draws=400, seed=1)
        spreads[size] = np.sqrt(np.mean(np.sum((estimates - full) ** 2, axis=1)))
        standard_error = estimates.std(axis=0) / np.sqrt(len(estimates))
        assert np.all(np.abs(estimates.mean(axis=0) - full) < 4 * standard_error)
    assert spreads[1] > 2 * spreads[8] > 2 * spreads[32] / 1.1
    estimates, full = lr.minibatch_gradients("full", draws=5)
    np.testing.assert_allclose(estimates, np.tile(full, (5, 1)))


def test_sgd_run_full_batch_reaches_least_squares_and_diverges_above_the_limit():
    from nnlesson import data

    X, y = data.line(**lr.LINE)
    A = np.column_stack([X[:, 0], np.ones(len(X))])
    best = np.linalg.lstsq(A, y[:, 0], rcond=None)[0]
    path, losses, diverged_at = lr.sgd_run("full", lr=0.3, steps=100)
    assert diverged_at is None and path.shape == (101, 2) and losses.shape == (100,)
    np.testing.assert_allclose(path[-1], best, atol=1e-6)
    lam_max = np.linalg.eigvalsh(2 * A.T @ A / len(A)).max()
    _, _, diverged_at = lr.sgd_run("full", lr=1.2 * lr.max_stable_lr(lam_max), steps=100)
    assert diverged_at is not None
    path, _, _ = lr.sgd_run(1, lr=0.05, steps=100, seed=0)
    assert np.linalg.norm(path[-1] - best) > 1e-3  # a batch of one keeps jittering


# ------------------------------------------------------------------ static figures
def test_static_figures():
    fig = lr.quadratic_figure(curvature=1.0, products=(0.2, 2.1))
    left, right = fig.axes
    growing = right.lines[1].get_ydata()
    assert growing[-1] > growing[0] and right.get_yscale() == "log"
    fig, alphas = lr.mystery_runs(lrs=(0.1, 0.01), epochs=20)
    assert [ax.get_title() for ax in fig.axes] == ["run A", "run B"] and alphas == [0.1, 0.01]
    runs = {"good": lr.moons_run(0.1, epochs=20)[1], "too large": lr.moons_run(3.0, epochs=20)[1]}
    fig = lr.compare_runs(runs)
    ax = fig.axes[0]
    assert _has_divergence_cross(ax)
    assert all(text.get_ha() == "left" for text in ax.texts)  # early divergence: label to the right
    sweeps = {"mse": lr.lr_sweep([0.01, 0.1, 1.0], epochs=20)}
    fig = lr.plot_lr_sweep(sweeps)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and any("useful" in t.get_text() for t in ax.texts)
    assert _has_divergence_cross(ax)


# ------------------------------------------------------------------ panels
def test_catalogue_lists_the_three_panels():
    names = catalogue()
    for factory in lr.PANELS:
        assert f"learning_rate.{factory}" in names


def test_descent_panel_crawls_zigzags_and_diverges():
    panel = lr.descent_panel()
    ax_path, ax_loss = panel.figure.axes[:2]
    path_line = ax_path.lines[2]
    assert "flips sign" in panel.message.value
    panel.controls["learning_rate"].value = 0.01
    assert "too small" in panel.message.value
    assert path_line.get_xdata()[-1] < -2  # w_1 has hardly moved from -4
    assert np.all(np.diff(path_line.get_ydata()) <= 0)  # w_2 slides down without flipping sign
    assert not _has_divergence_cross(ax_loss)
    panel.controls["learning_rate"].value = 0.25
    assert "diverged" in panel.message.value and "2/λ_max = 0.2" in panel.message.value
    assert _has_divergence_cross(ax_loss)
    panel.controls["learning_rate"].value = 0.1
    assert not _has_divergence_cross(ax_loss)  # the cross is removed again
    assert "converges" in panel.message.value


def test_training_panel_shows_crawl_and_divergence():
    panel = lr.training_panel()
    ax_loss, ax_map = panel.figure.axes[:2]
    reference, chosen = ax_loss.lines[0], ax_loss.lines[1]
    assert "final loss" in panel.message.value
    panel.controls["learning_rate"].value = 0.001
    assert chosen.get_ydata()[-1] > 3 * reference.get_ydata()[-1]
    assert "α = 0.001" in ax_loss.get_title()
    panel.controls["learning_rate"].value = 3.0
    assert "diverged at step" in panel.message.value
    assert _has_divergence_cross(ax_loss)
    assert ax_map.get_title().startswith("Diverged")
    panel.controls["learning_rate"].value = 0.1
    assert not _has_divergence_cross(ax_loss) and "What it learned" in ax_map.get_title()
    np.testing.assert_allclose(chosen.get_ydata(), reference.get_ydata())  # α = 0.1, seed 0: the reference
    panel.controls["seed"].value = 3
    assert not np.allclose(chosen.get_ydata(), reference.get_ydata())  # other initial weights


def test_batch_size_panel_spread_and_paths():
    panel = lr.batch_size_panel()
    ax_grad, ax_path, ax_loss = panel.figure.axes[:3]
    cloud = ax_grad.collections[0]
    full = ax_grad.lines[0].get_xydata()[0]

    def spread():
        return np.sqrt(np.mean(np.sum((cloud.get_offsets() - full) ** 2, axis=1)))

    panel.controls["batch_size"].value = 1
    one = spread()
    assert "batch size 1" in panel.message.value
    panel.controls["batch_size"].value = 32
    assert spread() < one / 4
    panel.controls["batch_size"].value = "full"
    assert spread() == pytest.approx(0.0, abs=1e-12)
    sgd_path, full_path = ax_path.lines[2], ax_path.lines[1]
    np.testing.assert_allclose(sgd_path.get_xydata(), full_path.get_xydata())
    panel.controls["learning_rate"].value = 1.0
    assert "diverged" in panel.message.value and _has_divergence_cross(ax_loss)


@pytest.mark.parametrize("factory", lr.PANELS)
def test_blitted_png_matches_a_full_redraw(factory):
    panel = getattr(lr, factory)()
    name, control = next(iter(panel.controls.items()))
    first = panel.png()
    control.value = 0.5 if name == "learning_rate" else 1
    blitted = _pixels(panel.png())
    assert not np.array_equal(_pixels(first), blitted)  # the picture did change
    buffer = io.BytesIO()
    panel.figure.savefig(buffer, format="png")  # a full render: every artist, in zorder
    full = _pixels(buffer.getvalue())
    assert blitted.shape == full.shape
    differing = np.mean(np.any(np.abs(blitted - full) > 0.1, axis=-1))
    assert differing < 0.01
