"""The panels and helpers of notebook 4 (nnlesson.panels.loss): drive every control and
check what the figures show, and the numbers the notebook's claims rest on."""

import numpy as np
import pytest

from nnlesson import data, losses, panels
from nnlesson.panels import loss as L


def _heights(bars) -> np.ndarray:
    return np.array([bar.get_height() for bar in bars.patches])


# ------------------------------------------------------------------ catalogue
def test_every_factory_is_catalogued_and_builds():
    assert "loss" in panels.MODULES  # so catalogue() and the benchmark find PANELS
    for name in L.PANELS:
        panel = getattr(L, name)()
        assert panel.png()[:8] == b"\x89PNG\r\n\x1a\n"
        assert panel.message.value  # every panel reports its numbers


# ------------------------------------------------------------------ MSE
def test_least_squares_line_zeroes_the_gradient():
    X, y = data.line(**L.LINE_DATA)
    slope, intercept = L.least_squares_line(X, y)
    r = L.line_loss_and_gradients(slope, intercept, X, y)
    assert abs(r["dL/dslope"]) < 1e-12 and abs(r["dL/dintercept"]) < 1e-12
    worse = L.line_loss_and_gradients(slope + 0.3, intercept, X, y)
    assert worse["loss"] > r["loss"]


def test_line_gradient_is_the_formula():
    X, y = data.line(**L.LINE_DATA)
    r = L.line_loss_and_gradients(0.2, -0.4, X, y)
    t = y.ravel()
    np.testing.assert_allclose(r["dL/dy_hat"], 2 * (r["prediction"] - t) / len(t), rtol=0, atol=1e-15)
    np.testing.assert_allclose(r["dL/dslope"], np.sum(r["dL/dy_hat"] * X.ravel()), rtol=1e-12)
    assert r["loss"] == pytest.approx(np.mean((r["prediction"] - t) ** 2))


def test_mse_panel_squares_bars_and_arrow_follow_the_line():
    panel = L.mse_panel()
    ax_data, ax_grad, ax_surface = panel.figure.axes
    squares = ax_data.collections[0]
    X, y = data.line(**L.LINE_DATA)
    best = L.least_squares_line(X, y)

    def total_area():
        sides = [
            (abs(v[1, 1] - v[0, 1]), abs(v[2, 0] - v[1, 0]))
            for v in (p.vertices for p in squares.get_paths())
        ]
        return sum(a * b for a, b in sides)

    far_area = total_area()
    n = len(y)
    assert far_area / n == pytest.approx(L.line_loss_and_gradients(0.2, -0.4, X, y)["loss"], rel=1e-9)
    far_bars = np.abs(_heights(ax_grad.containers[0])).sum()
    panel.set(slope=round(best[0], 2), intercept=round(best[1], 2))
    assert total_area() < far_area / 5
    assert np.abs(_heights(ax_grad.containers[0])).sum() < far_bars / 3
    dots = ax_grad.lines[0].get_ydata()
    np.testing.assert_allclose(np.sort(dots), np.sort(_heights(ax_grad.containers[0])), atol=1e-12)
    title = ax_data.get_title()
    assert title.startswith("MSE = ") and float(title.split("= ")[-1]) < 0.1
    current = ax_surface.lines[1]
    assert current.get_xdata()[0] == pytest.approx(round(best[0], 2))
    assert "MSE = " in panel.message.value and "∂L/∂slope" in panel.message.value


def test_mse_panel_arrow_points_downhill():
    panel = L.mse_panel()
    arrow = panel.figure.axes[2].patches[0]
    panel.set(slope=-0.5, intercept=-1.0)  # below and left of the best line
    (x0, y0), (x1, y1) = arrow._posA_posB
    assert x1 > x0 and y1 > y0


# ------------------------------------------------------------------ BCE
def test_bce_three_ways_match_the_package_where_finite():
    z = np.array([-30.0, -5.0, -0.5, 0.0, 3.0, 20.0])
    for t in (0.0, 1.0):
        ways = L.bce_three_ways(z, t)
        for i in range(len(z)):
            exact = losses.bce(z[i : i + 1], [t], from_logits=True).item()
            p = 1 / (1 + np.exp(-z[i]))
            clipped = losses.bce(np.array([p]), [t]).item()
            assert ways["from_logits"][i] == pytest.approx(exact, rel=1e-12)
            assert ways["clipped"][i] == pytest.approx(clipped, rel=1e-9)
        assert ways["clipped"].max() <= -np.log(losses.EPS) + 1e-9


def test_naive_bce_breaks_where_sigmoid_rounds_to_one():
    ways = L.bce_three_ways(np.array([1000.0, -1000.0]), np.array([0.0, 1.0]))
    assert np.isinf(ways["naive"]).all()
    assert np.isfinite(ways["from_logits"]).all() and ways["from_logits"] == pytest.approx([1000.0, 1000.0])
    assert ways["clipped"] == pytest.approx([-np.log(losses.EPS)] * 2)
    assert np.isnan(L.bce_three_ways(40.0, 1.0)["naive"][0])  # 0 * ln(0)


def test_logit_gradients():
    z = np.array([-20.0, -5.0, 0.0, 5.0])
    p = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(L.logit_gradient(z, 1.0, "bce_logits"), p - 1.0, atol=1e-12)
    clipped = L.logit_gradient(z, 1.0, "bce_probability")
    assert clipped[0] == 0.0 and not np.signbit(clipped[0])  # clipped: no gradient at all
    np.testing.assert_allclose(clipped[1:], p[1:] - 1.0, atol=1e-9)
    np.testing.assert_allclose(L.logit_gradient(z, 1.0, "mse_sigmoid"), 2 * (p - 1) * p * (1 - p), atol=1e-12)
    mse_g = L.logit_gradient(-5.0, 1.0, "mse_sigmoid")[0]
    assert abs(mse_g) < 0.02 < 0.99 < abs(L.logit_gradient(-5.0, 1.0, "bce_logits")[0])
    with pytest.raises(ValueError, match="kind must be one of"):
        L.logit_gradient(0.0, 1.0, "hinge")


def test_bce_panel_follows_z_and_target():
    panel = L.bce_panel()
    ax_p, ax_z, ax_g = panel.figure.axes
    assert "engine ∂L/∂z = -0.1192" in panel.message.value  # z = 2, t = 1: p - t
    panel.controls["z"].value = -6.0
    marker = ax_g.lines[1]  # the from_logits gradient marker
    p = 1 / (1 + np.exp(6.0))
    assert marker.get_ydata()[0] == pytest.approx(p - 1.0)
    assert "t = 1" in ax_p.texts[0].get_text()

    panel.set(z=30.0, target=0)
    exact_curve = ax_z.lines[0].get_ydata()
    assert np.nanmax(exact_curve) == pytest.approx(40.0)  # softplus(40) - 0
    clipped_curve = ax_z.lines[2].get_ydata()
    assert np.nanmax(clipped_curve) == pytest.approx(-np.log(losses.EPS), rel=1e-6)
    naive_curve = ax_z.lines[4].get_ydata()
    assert np.isnan(naive_curve[-1])  # beyond where sigma(z) rounds to 1: shown as a gap
    assert "inf" in ax_z.texts[0].get_text()
    assert ax_g.lines[1].get_ydata()[0] == pytest.approx(1.0)  # from logits: p - t = 1
    assert ax_g.lines[3].get_ydata()[0] == 0.0  # clipped: no gradient
    assert "p − t" in panel.message.value and "16.1181" in panel.message.value


def test_bce_panel_naive_annotation_for_target_one_says_nan():
    panel = L.bce_panel()
    assert "nan" in panel.figure.axes[1].texts[0].get_text()


# ------------------------------------------------------------------ softmax
def test_softmax_loss_and_gradient():
    p, loss_value, grad = L.softmax_loss_and_gradient([2.0, 1.0, 0.1], 0)
    assert p.sum() == pytest.approx(1.0)
    assert loss_value == pytest.approx(-np.log(p[0]))
    np.testing.assert_allclose(grad, p - np.array([1.0, 0.0, 0.0]), atol=1e-12)


def test_softmax_panel_bars_follow_logits_and_class():
    panel = L.softmax_panel()
    ax_z, ax_p, ax_g = panel.figure.axes
    p0 = _heights(ax_p.containers[0])
    assert p0.sum() == pytest.approx(1.0) and p0.argmax() == 0
    panel.controls["z2"].value = 5.0
    p1 = _heights(ax_p.containers[0])
    assert p1.argmax() == 2 and p1[2] > p0[2]
    assert _heights(ax_z.containers[0])[2] == pytest.approx(5.0)
    grad = _heights(ax_g.containers[0])
    assert grad.sum() == pytest.approx(0.0, abs=1e-12)
    assert grad[0] < 0 and grad[1] > 0 and grad[2] > 0  # true class 0 pushed up, others down
    panel.controls["true_class"].value = 2
    grad = _heights(ax_g.containers[0])
    assert grad[2] < 0 and grad[0] > 0
    assert list(_heights(ax_p.containers[1])) == [0.0, 0.0, 1.0]  # the one-hot outline
    assert "p_2" in ax_p.get_title()
    loss_value = float(panel.message.value.split("= ")[-1].split("<")[0])
    assert loss_value == pytest.approx(-np.log(p1[2]), abs=1e-4)


def test_shifting_all_logits_changes_nothing():
    a = L.softmax_loss_and_gradient([2.0, 1.0, 0.1], 1)
    b = L.softmax_loss_and_gradient([5.0, 4.0, 3.1], 1)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, atol=1e-12)


# ------------------------------------------------------------------ choosing a loss
def test_saturated_neuron_mse_is_slow_bce_is_fast():
    mse = L.saturated_neuron("mse", epochs=60)
    bce = L.saturated_neuron("bce", epochs=60)
    assert mse[0] == pytest.approx(1 / (1 + np.exp(-4.0)))
    assert mse[50] > 0.9  # still stuck near its confidently wrong start
    assert bce[50] < 0.2  # already close to the target 0


def test_cross_entropy_beats_mse_on_spirals():
    runs = L.compare_losses("spirals", lr=0.5, epochs=500)
    assert set(runs) == {"mse", "cce"}
    assert not any(h.diverged for h in runs.values())
    assert runs["cce"].train_accuracy[-1] > 0.95
    assert runs["cce"].train_accuracy[-1] > runs["mse"].train_accuracy[-1] + 0.1
    fig = L.comparison_figure(runs)
    assert [t.get_text() for t in fig.axes[1].get_legend().get_texts()] == ["MSE", "cross-entropy"]
