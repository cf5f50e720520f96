"""Engine vs hand-written NumPy: one full-batch SGD step of an MLP 2-H-H-1.

The job: forward, MSE loss, backward (``keep_grads=False``, as a training loop does) and
an SGD update of an MLP with two tanh hidden layers of width H and a linear output.

* **engine**: the network built from ``nnlesson`` Tensors (``nnlesson.nn.MLP`` +
  ``nnlesson.optim.SGD`` + ``nnlesson.losses.mse`` when they exist, else raw Tensors with
  the same maths; the table says which was measured);
* **numpy**: the same network with the forward and backward pass written out by hand
  (no autodiff at all): the floor any engine is measured against.

The two contenders are timed alternately (so both see the same machine load), after a
warm-up; the table shows the median and the interquartile range of many steps, and the
ratio engine / numpy against the targets. Timings are noisy on a shared machine: run it
twice before believing a change of 10 %.

Run:  python benchmarks/bench_engine.py   (about 20 s)
"""

from __future__ import annotations

import platform
import time

import numpy as np

from nnlesson import _memory
from nnlesson.engine import Tensor

SCALES = [  # (name, H, n_points, repeats, target ratio)
    ("notebook", 16, 200, 3000, 2.0),
    ("large", 64, 2000, 800, 1.3),
]
LEARNING_RATE = 0.05


# ------------------------------------------------------------------ the data and weights
def make_problem(hidden: int, n: int, seed: int = 0):
    """Points in the plane with a smooth target, and Xavier-scaled initial weights."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-2.0, 2.0, size=(n, 2))
    Y = np.sin(X[:, :1]) * np.cos(X[:, 1:])
    sizes = [2, hidden, hidden, 1]
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        W = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))
        weights += [W, np.zeros(fan_out)]
    return X, Y, weights


# ------------------------------------------------------------------ the engine contender
def engine_step_from_package(X, Y, weights):
    """A step built from nnlesson.nn / optim / losses, or None if they are not usable."""
    try:
        from nnlesson import losses, nn, optim

        model = nn.MLP([2, weights[0].shape[1], weights[2].shape[1], 1], activation="tanh")
        params = list(model.parameters())
        if len(params) != len(weights) or any(
            p.shape != w.shape for p, w in zip(params, weights, strict=True)
        ):
            return None
        for p, w in zip(params, weights, strict=True):
            p.data[...] = w
        optimizer = optim.SGD(params, lr=LEARNING_RATE)
        mse = losses.get("mse")
    except Exception:  # not written yet, or a different signature: fall back to raw Tensors
        return None
    X_const = Tensor(X, requires_grad=False)

    def step():
        optimizer.zero_grad()
        loss = mse(model(X_const), Y)
        loss.backward(keep_grads=False)
        optimizer.step()
        return loss

    return step


def engine_step_raw(X, Y, weights):
    """The same step from raw Tensors: what nn.MLP + SGD + mse compute."""
    params = [Tensor(w) for w in weights]
    W1, b1, W2, b2, W3, b3 = params
    X_const = Tensor(X, requires_grad=False)

    def step():
        for p in params:
            p.zero_grad()
        h1 = (X_const @ W1 + b1).tanh()
        h2 = (h1 @ W2 + b2).tanh()
        out = h2 @ W3 + b3
        loss = ((out - Y) ** 2).mean()
        loss.backward(keep_grads=False)
        for p in params:
            p.data -= LEARNING_RATE * p.grad
        return loss

    return step


# ------------------------------------------------------------------- the NumPy floor
def numpy_step(X, Y, weights):
    """Forward and backward written out by hand: no graph, no Python per node."""
    W1, b1, W2, b2, W3, b3 = (w.copy() for w in weights)
    n = X.shape[0]

    def step():
        a1 = np.tanh(X @ W1 + b1)
        a2 = np.tanh(a1 @ W2 + b2)
        d = a2 @ W3 + b3 - Y
        loss = np.mean(d * d)
        d_out = d * (2.0 / n)  # dL/d(out)
        gW3, gb3 = a2.T @ d_out, d_out.sum(axis=0)
        d_z2 = (d_out @ W3.T) * (1.0 - a2 * a2)  # through tanh: 1 - tanh^2
        gW2, gb2 = a1.T @ d_z2, d_z2.sum(axis=0)
        d_z1 = (d_z2 @ W2.T) * (1.0 - a1 * a1)
        gW1, gb1 = X.T @ d_z1, d_z1.sum(axis=0)
        for w, g in ((W1, gW1), (b1, gb1), (W2, gW2), (b2, gb2), (W3, gW3), (b3, gb3)):
            w -= LEARNING_RATE * g
        return loss

    return step


# ------------------------------------------------------------------------ timing
def time_alternately(steps: dict, repeats: int, warmup: int = 50) -> dict:
    """Time each step function ``repeats`` times, interleaved; microseconds per step."""
    for _ in range(warmup):
        for step in steps.values():
            step()
    samples = {name: np.empty(repeats) for name in steps}
    clock = time.perf_counter
    for i in range(repeats):
        for name, step in steps.items():
            start = clock()
            step()
            samples[name][i] = (clock() - start) * 1e6
    return samples


def summary(us: np.ndarray) -> tuple[float, float]:
    q1, median, q3 = np.percentile(us, [25, 50, 75])
    return float(median), float(q3 - q1)


def per_node_cost(n_ops: int = 2000, repeats: int = 25) -> float:
    """Fixed Python cost of one graph node (forward + backward) on a one-element tensor.

    A chain x -> x * c -> ... of ``n_ops`` multiplications is built and back-propagated;
    the arithmetic on one number is negligible, so what is left is the engine's bookkeeping.
    """
    times = []
    for _ in range(repeats):
        x = Tensor(0.5)
        start = time.perf_counter()
        y = x
        for _ in range(n_ops):
            y = y * 1.0001
        y.backward(keep_grads=False)
        times.append((time.perf_counter() - start) * 1e6 / n_ops)
        del y
    return float(np.median(times))


def blas_info() -> str:
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas_text = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older NumPy or an unusual build
        blas_text = "unknown BLAS"
    try:
        from threadpoolctl import threadpool_info

        threads = ", ".join(f"{i['internal_api']} {i['num_threads']} threads" for i in threadpool_info())
    except ImportError:
        threads = "thread count unknown (threadpoolctl not installed)"
    return f"numpy {np.__version__}, {blas_text}, {threads}; Python {platform.python_version()}"


def main() -> None:
    print(f"# {blas_info()}")
    source = None
    rows = []
    for name, hidden, n, repeats, target in SCALES:
        X, Y, weights = make_problem(hidden, n)
        engine = engine_step_from_package(X, Y, weights)
        source = (
            "nnlesson.nn.MLP + optim.SGD + losses.mse" if engine else "raw Tensors (nn/optim/losses absent)"
        )
        engine = engine or engine_step_raw(X, Y, weights)
        floor = numpy_step(X, Y, weights)
        assert np.isclose(float(engine().data), float(floor())), "the two contenders disagree"
        samples = time_alternately({"engine": engine, "numpy": floor}, repeats)
        (e_med, e_iqr), (n_med, n_iqr) = summary(samples["engine"]), summary(samples["numpy"])
        ratio = e_med / n_med
        rows.append((name, hidden, n, repeats, e_med, e_iqr, n_med, n_iqr, ratio, target))

    print(f"# engine built from: {source}")
    print(
        f"# glibc malloc tuned by the engine: {_memory.MALLOC_TUNED} "
        "(NNLESSON_MALLOC_TUNING=0 to compare; untuned, the large step was ~2.4x on this machine)"
    )
    print("# one full-batch SGD step, MLP 2-H-H-1 (tanh, linear out, MSE), microseconds per step")
    header = (
        f"{'scale':<9} {'H':>3} {'points':>6} {'steps':>5}  {'engine median':>13} {'IQR':>6}"
        f"  {'numpy median':>12} {'IQR':>6}  {'ratio':>5}  {'target':>6}  verdict"
    )
    print(header)
    print("-" * len(header))
    for name, hidden, n, repeats, e_med, e_iqr, n_med, n_iqr, ratio, target in rows:
        verdict = "ok" if ratio <= target else "OVER TARGET"
        print(
            f"{name:<9} {hidden:>3} {n:>6} {repeats:>5}  {e_med:>13.1f} {e_iqr:>6.1f}"
            f"  {n_med:>12.1f} {n_iqr:>6.1f}  {ratio:>5.2f}  {'<= ' + str(target):>6}  {verdict}"
        )
    print(
        f"\nfixed Python cost per graph node (forward + backward, 1-element tensor): {per_node_cost():.2f} us"
    )


if __name__ == "__main__":
    main()
