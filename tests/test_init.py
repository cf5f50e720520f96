"""Tests for nnlesson.init: statistics, bounds, determinism, registry, validation."""

import math

import numpy as np
import pytest

from nnlesson import init

FAN_IN, FAN_OUT = 400, 300
N = FAN_IN * FAN_OUT  # 120,000 weights per sample

ALIASES = {
    "random": "random_normal",
    "glorot_normal": "xavier_normal",
    "glorot_uniform": "xavier_uniform",
    "kaiming_normal": "he_normal",
    "kaiming_uniform": "he_uniform",
}
RANDOM = [n for n in init.names() if n not in ("zeros", "constant")]
ALL_NAMES = init.names() + list(ALIASES)

FORMULA_STD = {
    "random_normal": 0.01,
    "random_uniform": 0.05 / math.sqrt(3),
    "lecun_normal": math.sqrt(1 / FAN_IN),
    "lecun_uniform": math.sqrt(1 / FAN_IN),
    "xavier_normal": math.sqrt(2 / (FAN_IN + FAN_OUT)),
    "xavier_uniform": math.sqrt(2 / (FAN_IN + FAN_OUT)),
    "he_normal": math.sqrt(2 / FAN_IN),
    "he_uniform": math.sqrt(2 / FAN_IN),
}
UNIFORM_LIMIT = {
    "random_uniform": 0.05,
    "lecun_uniform": math.sqrt(3 / FAN_IN),
    "xavier_uniform": math.sqrt(6 / (FAN_IN + FAN_OUT)),
    "he_uniform": math.sqrt(6 / FAN_IN),
}
TRUNCATED = ("lecun_normal", "xavier_normal", "he_normal")


@pytest.fixture(scope="module")
def samples():
    return {name: init.get(name)(FAN_IN, FAN_OUT, rng=123) for name in RANDOM}


def test_names_and_aliases_are_module_functions():
    assert init.names() == [
        "zeros",
        "constant",
        "random_normal",
        "random_uniform",
        "lecun_normal",
        "lecun_uniform",
        "xavier_normal",
        "xavier_uniform",
        "he_normal",
        "he_uniform",
    ]
    for alias, target in ALIASES.items():
        assert getattr(init, alias) is getattr(init, target)
        assert init.get(alias) is getattr(init, target)
    for name in init.names():
        assert init.get(name) is getattr(init, name)
        assert init.get(name.upper()) is getattr(init, name)


@pytest.mark.parametrize("name", ALL_NAMES)
def test_shape_and_dtype(name):
    w = init.get(name)(3, 5, rng=0)
    assert w.shape == (3, 5)
    assert w.dtype == np.float64
    assert init.get(name)(1, 1, rng=0).shape == (1, 1)


@pytest.mark.parametrize("name", RANDOM)
def test_mean_and_std_match_formula(name, samples):
    # Sample-size justification (N = 120,000 independent weights):
    # the mean has standard error std/sqrt(N) = 0.0029 std, so |mean| < 5 SE = 0.0144 std;
    # the sample std has relative standard error about sqrt((kurtosis - 1) / (4N)) <= 0.0029
    # (kurtosis 3 normal, 1.8 uniform, < 3 truncated normal), so rtol 1.5 % is >= 5 SE.
    w = samples[name]
    std = FORMULA_STD[name]
    assert init.expected_std(name, FAN_IN, FAN_OUT) == pytest.approx(std, rel=1e-15)
    assert abs(w.mean()) < 5 * std / math.sqrt(N)
    assert w.std() == pytest.approx(std, rel=0.015)


@pytest.mark.parametrize("name", list(UNIFORM_LIMIT))
def test_uniform_limits_respected(name, samples):
    w = samples[name]
    limit = UNIFORM_LIMIT[name]
    assert np.abs(w).max() <= limit
    # and the whole range is used: the largest |w| of 120,000 draws is within 0.01 % of it
    assert np.abs(w).max() > 0.999 * limit
    assert math.isclose(limit / math.sqrt(3), init.expected_std(name, FAN_IN, FAN_OUT))


@pytest.mark.parametrize("name", TRUNCATED)
def test_truncated_normals_stay_within_two_sigma0(name, samples):
    w = samples[name]
    sigma0 = FORMULA_STD[name] / 0.87962566103423978
    assert np.abs(w).max() <= 2 * sigma0
    # truncation really happened near the cut, not further inside
    assert np.abs(w).max() > 1.99 * sigma0


def test_random_normal_is_not_truncated(samples):
    # a plain normal has about 4.55 % of values beyond 2 std
    beyond = np.mean(np.abs(samples["random_normal"]) > 2 * 0.01)
    assert 0.04 < beyond < 0.051


def test_zeros_and_constant_exact():
    assert np.array_equal(init.zeros(4, 2), np.zeros((4, 2)))
    assert np.all(init.constant(4, 2) == 0.5)
    assert np.all(init.constant(4, 2, rng=3, value=-1.25) == -1.25)
    assert init.expected_std("zeros", 4, 2) == 0.0
    assert init.expected_std("constant", 4, 2, value=3.0) == 0.0


@pytest.mark.parametrize("name", RANDOM)
def test_same_seed_same_bits_different_seed_differs(name):
    f = init.get(name)
    a, b = f(20, 10, rng=7), f(20, 10, rng=7)
    assert a.tobytes() == b.tobytes()
    assert not np.array_equal(a, f(20, 10, rng=8))
    assert not np.array_equal(f(20, 10), f(20, 10))  # rng=None: fresh entropy


@pytest.mark.parametrize("name", RANDOM)
def test_generator_is_used_and_advanced(name):
    f = init.get(name)
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    first = f(6, 4, rng=g1)
    assert np.array_equal(first, f(6, 4, rng=g2))
    assert not np.array_equal(first, f(6, 4, rng=g1))  # the generator moved on


@pytest.mark.parametrize("bad", [0, -3, 2.5, "4", None, True])
@pytest.mark.parametrize("which", ["fan_in", "fan_out"])
def test_bad_fans_rejected(bad, which):
    fans = {"fan_in": 3, "fan_out": 4, which: bad}
    with pytest.raises(ValueError, match=rf"{which} .*whole number >= 1, got {bad!r}"):
        init.he_uniform(fans["fan_in"], fans["fan_out"])
    with pytest.raises(ValueError, match=which):
        init.expected_std("he_uniform", fans["fan_in"], fans["fan_out"])


def test_numpy_integer_fans_accepted():
    assert init.xavier_normal(np.int64(3), np.int32(2), rng=0).shape == (3, 2)


def test_bad_rng_and_value_rejected():
    with pytest.raises(ValueError, match="rng"):
        init.he_normal(3, 4, rng="seed")
    with pytest.raises(ValueError, match="value"):
        init.constant(3, 4, value=float("nan"))
    with pytest.raises(ValueError, match="value"):
        init.constant(3, 4, value="big")


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown initialiser 'orthogonal'") as info:
        init.get("orthogonal")
    for name in init.names() + list(ALIASES):
        assert name in str(info.value)
    with pytest.raises(ValueError, match="unknown initialiser"):
        init.expected_std("orthogonal", 3, 4)
