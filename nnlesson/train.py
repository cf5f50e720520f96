r"""Training: gradient descent on a model, with a recorded history.

``fit`` repeats, for every epoch (one pass over the data) and every (mini)batch::

    prediction = model(X_batch)                 forward
    L = loss(prediction, target_batch)          how wrong
    dL/dw for every parameter w                 backward (the chain rule)
    w <- w - alpha * dL/dw                      the optimiser's step (SGD)

and returns a :class:`History`: the loss of every step and epoch, validation loss,
accuracies, and whether (and when) training diverged. A learning rate that is too large
makes the loss explode; ``fit`` then stops, marks the step, and raises no exception and
no NumPy warning, so a notebook can show what happened.

Helpers: ``predict`` (forward pass without a graph, returns an array), ``accuracy``,
``evaluate_loss`` and ``prepare_targets`` (how integer labels are turned into what a
loss needs).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from nnlesson import losses as _losses
from nnlesson._checks import as_rng, finite_array, positive_int, positive_number
from nnlesson.engine import Tensor, no_grad
from nnlesson.optim import SGD

__all__ = ["History", "accuracy", "evaluate_loss", "fit", "predict", "prepare_targets"]

EXPLOSION_FACTOR = 1e4
"""Training counts as diverged when a loss exceeds ``EXPLOSION_FACTOR * max(first loss, 1)``."""

_CLASSIFICATION_LOSSES = (
    "binary_cross_entropy",
    "categorical_cross_entropy",
    "sparse_categorical_cross_entropy",
)


# ------------------------------------------------------------------------ History
@dataclass
class History:
    """What happened during :func:`fit`.

    * ``step_loss``: the loss of every SGD step (measured on its batch, before the step);
    * ``epoch_loss``: per completed epoch, the mean of that epoch's batch losses (weighted
      by batch size; with full batches it equals ``step_loss``);
    * ``val_loss``, ``val_accuracy``: per epoch, on ``validation``, after the epoch
      (empty without validation);
    * ``train_accuracy``: per epoch, the share of correctly classified training points as
      seen in that epoch's batches (classification with integer labels only, else empty);
    * ``diverged``: True when training stopped early because the loss became NaN or
      infinite, or exceeded ``1e4 * max(first loss, 1)``, or a parameter became NaN or
      infinite. ``diverged_at_step`` is then the index in ``step_loss`` of the offending
      loss (the last entry; for non-finite parameters, the step that produced them) and
      ``diverged_at_epoch`` the (0-based) epoch it happened in, which has no
      ``epoch_loss`` entry; ``divergence_reason`` says which rule fired;
    * ``snapshots``: ``(epochs completed, model.trace(...))`` pairs when ``snapshot_every``
      was given, the first at epoch 0 (before training);
    * ``threshold``: the decision threshold of the accuracy with one output unit (class 1
      where the output exceeds it): 0 with ``from_logits=True`` (a logit), else 0.5 (a
      sigmoid probability, or a regression onto 0/1 targets with MSE); ``None`` with
      k > 1 outputs, where the predicted class is the argmax.
    """

    step_loss: list[float] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    diverged: bool = False
    diverged_at_step: int | None = None
    diverged_at_epoch: int | None = None
    divergence_reason: str = ""
    lr: float = 0.0
    momentum: float = 0.0
    loss: str = ""
    epochs: int = 0
    batch_size: int = 0
    threshold: float | None = None
    snapshots: list = field(default_factory=list)

    @property
    def steps(self) -> int:
        """How many SGD steps were recorded (``len(step_loss)``)."""
        return len(self.step_loss)

    @property
    def epochs_completed(self) -> int:
        """How many epochs ran to the end (``len(epoch_loss)``)."""
        return len(self.epoch_loss)

    @property
    def final_loss(self) -> float:
        """The last epoch's training loss, or the offending loss if training diverged."""
        if self.diverged and self.step_loss:
            return self.step_loss[-1]
        if self.epoch_loss:
            return self.epoch_loss[-1]
        return math.nan

    def summary(self) -> str:
        """One line: ``"final loss 0.0123 after 200 epochs"`` or ``"diverged at step 37 (loss = inf)"``."""
        if self.diverged:
            text = f"diverged at step {self.diverged_at_step} (loss = {self.final_loss:.4g})"
            if self.divergence_reason.startswith("parameters"):
                text += f": {self.divergence_reason}"
            return text
        text = f"final loss {self.final_loss:.4g} after {self.epochs_completed} epochs"
        extras = []
        if self.train_accuracy:
            extras.append(f"training accuracy {self.train_accuracy[-1]:.1%}")
        if self.val_loss:
            extras.append(f"validation loss {self.val_loss[-1]:.4g}")
        if self.val_accuracy:
            extras.append(f"validation accuracy {self.val_accuracy[-1]:.1%}")
        return text + (f" ({', '.join(extras)})" if extras else "")

    def __str__(self) -> str:
        return self.summary()


# ------------------------------------------------------------------------ targets
def _loss_function(loss) -> tuple[str | None, Callable[..., Tensor]]:
    """(canonical name or None, function) for a loss name or callable."""
    if isinstance(loss, str):
        fn = _losses.get(loss)  # unknown name -> the registry's ValueError
        return fn.__name__, fn
    if callable(loss):
        for name in _losses.names():
            if _losses.get(name) is loss:
                return name, loss
        return None, loss
    raise ValueError(
        f"loss must be a name ({', '.join(_losses.names())}) or a callable "
        f"loss(prediction, target, from_logits=False), got {type(loss).__name__}"
    )


def _is_labels(y: np.ndarray) -> bool:
    return y.ndim == 1 and y.dtype.kind in "iub"


def prepare_targets(
    y, loss: str | Callable | None, output_shape: tuple[int, ...], what: str = "y"
) -> np.ndarray:
    """Turn ``y`` into the target array the loss needs for a model output of ``output_shape``.

    Integer class labels ``(n,)`` become, with k = the output width:

    * ``bce``: a column ``(n, 1)`` of 0.0/1.0 (labels must be 0/1, k must be 1);
    * ``cce``: one-hot rows ``(n, k)`` (labels must be < k);
    * ``scce``: the labels themselves (labels must be < k, k >= 2);
    * ``mse``: one-hot ``(n, k)`` when k > 1, else a column ``(n, 1)`` of 0.0/1.0.

    Float targets are checked for NaN and infinity and reshaped between ``(n,)`` and
    ``(n, 1)`` to match a one-output model; otherwise left to the loss to check.
    A target that cannot fit the output raises ``ValueError`` saying why.
    """
    name = None if loss is None else _loss_function(loss)[0]
    y = np.asarray(y)
    n = output_shape[0] if output_shape else 1
    if y.ndim == 0 or len(y) != n:
        raise ValueError(f"{what} must have one entry per row of X ({n}), got shape {y.shape}")
    flat = len(output_shape) == 1
    k = 1 if flat else int(output_shape[1])
    if _is_labels(y):
        labels = y.astype(np.int64)
        lo, hi = (int(labels.min()), int(labels.max())) if labels.size else (0, 0)
        if lo < 0:
            raise ValueError(f"{what}: class labels must be 0, 1, 2, ...; got a label {lo}")
        if name == "binary_cross_entropy" or (name == "mse" and k == 1):
            if k != 1:
                raise ValueError(
                    f"binary_cross_entropy needs one output unit, the model has {k}; "
                    f"for {k} classes use categorical_cross_entropy or sparse_categorical_cross_entropy"
                )
            if hi > 1:
                raise ValueError(
                    f"{what}: labels go up to {hi} ({hi + 1} classes) but a model with one output unit "
                    f"separates two classes (0/1); give the last layer {hi + 1} units and use "
                    f"sparse_categorical_cross_entropy (or categorical_cross_entropy)"
                )
            return labels.astype(np.float64).reshape(output_shape)
        if name in ("categorical_cross_entropy", "sparse_categorical_cross_entropy", "mse"):
            if flat or k < 2:
                raise ValueError(
                    f"{name} over classes needs one output unit per class (at least 2); the model's "
                    f"output has shape {tuple(output_shape)}. For two classes with one unit use "
                    f"binary_cross_entropy"
                )
            if hi >= k:
                raise ValueError(
                    f"{what}: labels go up to {hi} ({hi + 1} classes) but the model has only {k} output "
                    f"units; give the last layer {hi + 1} units"
                )
            if name == "sparse_categorical_cross_entropy":
                return labels
            out = np.zeros((len(labels), k))
            out[np.arange(len(labels)), labels] = 1.0
            return out
        return labels  # a loss we do not know: pass the labels through
    target = finite_array(y, what)
    if name == "sparse_categorical_cross_entropy":
        return target
    if target.shape != tuple(output_shape) and target.size == math.prod(output_shape) and k == 1:
        target = target.reshape(output_shape)
    return target


# ------------------------------------------------------------------------ helpers
def _output_shape(model, X: np.ndarray) -> tuple[int, ...]:
    """The shape of ``model(X)``, found from one row (also checks the input width early)."""
    with no_grad(), np.errstate(all="ignore"):
        probe = model(X[:1])
    return (len(X),) + tuple(probe.shape[1:])


def _check_X(X, what: str = "X") -> np.ndarray:
    X = finite_array(X, what)
    if X.ndim != 2 or len(X) == 0:
        hint = " (one feature per row? use X.reshape(-1, 1))" if X.ndim == 1 else ""
        raise ValueError(f"{what} must have shape (n_samples, n_features) with n >= 1, got {X.shape}{hint}")
    return X


def _default_threshold(model) -> float:
    name = getattr(model, "output_activation", None)
    if name is None and hasattr(model, "activation_name"):
        name = model.activation_name
    return 0.5 if name == "sigmoid" else 0.0


def _decisions(out: np.ndarray, threshold: float) -> np.ndarray:
    if out.ndim == 2 and out.shape[1] > 1:
        return out.argmax(axis=1)
    return (out.reshape(-1) > threshold).astype(np.int64)


def _loss_value(loss_fn, out: Tensor, target, from_logits: bool) -> float:
    """The loss as a float; NaN/inf (not an exception) when the prediction is not finite."""
    data = out.data
    if not np.isfinite(data).all():
        return math.nan if np.isnan(data).any() else math.inf
    return float(loss_fn(out, target, from_logits=from_logits).data)


# ------------------------------------------------------------------------ public helpers
def predict(model, X) -> np.ndarray:
    """``model(X)`` as a NumPy array, without recording a graph (and without NumPy warnings,
    even for a model whose weights have diverged)."""
    with no_grad(), np.errstate(all="ignore"):
        out = model(X if isinstance(X, Tensor) else np.asarray(X, dtype=np.float64))
    return out.data


def accuracy(model, X, labels, threshold: float | None = None) -> float:
    """The share of rows whose predicted class equals ``labels`` (integers, shape ``(n,)``).

    The predicted class is the index of the largest output when the model has k > 1
    outputs. With one output unit it is 1 where the output exceeds ``threshold``, which
    defaults to 0.5 for a sigmoid output (a probability) and 0 otherwise (a logit, or a
    tanh output). A linear output trained with MSE on 0/1 targets needs ``threshold=0.5``
    (``fit`` uses that itself and records it as ``History.threshold``).
    """
    labels = np.asarray(labels)
    if not _is_labels(labels):
        raise ValueError(f"labels must be a 1-D array of integer classes, got shape {labels.shape}")
    out = predict(model, X)
    if len(out) != len(labels):
        raise ValueError(f"X has {len(out)} rows but labels has {len(labels)}")
    if threshold is None:
        threshold = _default_threshold(model)
    return float(np.mean(_decisions(out, threshold) == labels)) if len(labels) else math.nan


def evaluate_loss(model, X, y, loss: str | Callable = "mse", from_logits: bool = False) -> float:
    """The loss of ``model`` on ``(X, y)`` as a float, without a graph; ``y`` as ``fit``
    takes it. NaN or inf (no exception, no warning) when the model's output is not finite."""
    X = _check_X(X)
    _, loss_fn = _loss_function(loss)
    target = prepare_targets(y, loss_fn, _output_shape(model, X))
    with no_grad(), np.errstate(all="ignore"):
        return _loss_value(loss_fn, model(X), target, from_logits)


# ------------------------------------------------------------------------ fit
def fit(
    model,
    X,
    y,
    loss: str | Callable = "mse",
    lr: float = 0.1,
    epochs: int = 100,
    batch_size: int | None = None,
    optimizer=None,
    momentum: float = 0.0,
    seed=0,
    validation: tuple | None = None,
    snapshot_every: int | None = None,
    from_logits: bool = False,
) -> History:
    """Train ``model`` on ``(X, y)`` by (minibatch) gradient descent; return a :class:`History`.

    * ``loss``: a name from :mod:`nnlesson.losses` (``mse``, ``bce``, ``cce``, ``scce``)
      or a callable; ``from_logits`` is passed on to it. Integer labels ``y`` of shape
      ``(n,)`` are converted to what the loss needs (:func:`prepare_targets`), so one
      classifier can be trained with MSE or with cross-entropy alike.
    * ``lr`` alpha and ``momentum`` mu build ``SGD(model.parameters(), lr, momentum)``
      unless an ``optimizer`` is given (then those two are not used).
    * ``batch_size``: ``None`` (or >= n) for full-batch gradient descent, else minibatches
      in an order shuffled every epoch with ``seed``. The same seed and the same initial
      model give the same History, bit for bit.
    * ``validation``: an ``(X_val, y_val)`` pair evaluated after every epoch.
    * ``snapshot_every``: record ``model.trace(X, y, loss)`` every that many epochs (and
      before the first) into ``History.snapshots``, for activation/gradient histograms.

    Divergence (NaN/inf loss, loss > 1e4 * max(first loss, 1), or a NaN/inf parameter)
    stops training early and is reported in the History; no exception, no NumPy warning.
    Bad arguments (NaN in the data, lr <= 0, epochs < 1, batch_size < 1, an output width
    that does not fit the loss or the labels) raise ``ValueError`` before training starts.
    """
    # ---- check everything once, before the loop
    if not callable(model) or not hasattr(model, "parameters"):
        raise ValueError("model must be callable (model(X)) and have parameters(), such as nn.MLP")
    X = _check_X(X)
    epochs = positive_int(epochs, "epochs")
    n = len(X)
    batch_size = n if batch_size is None else min(positive_int(batch_size, "batch_size"), n)
    if snapshot_every is not None:
        snapshot_every = positive_int(snapshot_every, "snapshot_every")
        if not hasattr(model, "trace"):
            raise ValueError("snapshot_every needs a model with a trace() method, such as nn.MLP")
    if not isinstance(from_logits, (bool, np.bool_)):
        raise ValueError(f"from_logits must be True or False, got {from_logits!r}")
    from_logits = bool(from_logits)
    name, loss_fn = _loss_function(loss)
    if name == "mse" and from_logits:
        raise ValueError("from_logits=True has no meaning for mse; leave it False")
    out_shape = _output_shape(model, X)
    y_raw = np.asarray(y)
    target = prepare_targets(y_raw, loss_fn, out_shape, what="y")
    labels = y_raw.astype(np.int64) if _is_labels(y_raw) else None
    threshold = None
    if labels is not None and math.prod(out_shape[1:]) == 1:
        threshold = 0.0 if from_logits else (0.5 if name in ("mse", *_CLASSIFICATION_LOSSES) else None)
        if threshold is None:
            threshold = _default_threshold(model)
    val = None
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise ValueError("validation must be a pair (X_val, y_val)")
        X_val = _check_X(validation[0], "X_val")
        y_val_raw = np.asarray(validation[1])
        val_target = prepare_targets(y_val_raw, loss_fn, _output_shape(model, X_val), what="y_val")
        val_labels = y_val_raw.astype(np.int64) if labels is not None and _is_labels(y_val_raw) else None
        val = (Tensor(X_val, requires_grad=False), val_target, val_labels)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=lr, momentum=momentum)
    elif not (hasattr(optimizer, "step") and hasattr(optimizer, "zero_grad")):
        raise ValueError("optimizer must have step() and zero_grad(), such as optim.SGD")
    else:
        positive_number(getattr(optimizer, "lr", 1.0), "optimizer.lr")
    params = list(model.parameters())
    rng = as_rng(seed)

    history = History(
        lr=float(getattr(optimizer, "lr", lr)),
        momentum=float(getattr(optimizer, "momentum", momentum)),
        loss=name or getattr(loss_fn, "__name__", "custom"),
        epochs=epochs,
        batch_size=batch_size,
        threshold=threshold,
    )
    step_loss = history.step_loss
    record = step_loss.append
    full_batch = batch_size >= n
    X_full = Tensor(X, requires_grad=False)
    batches = [(X_full, target, labels, n)]
    limit = math.inf  # set from the first loss
    step = 0

    def diverge(reason: str, epoch: int, at_step: int) -> None:
        history.diverged = True
        history.diverged_at_step = at_step
        history.diverged_at_epoch = epoch
        history.divergence_reason = reason

    # ---- the loop (no per-step validation, no NumPy warnings)
    with np.errstate(all="ignore"):
        if snapshot_every is not None:
            history.snapshots.append((0, model.trace(X, y_raw, loss_fn, from_logits=from_logits)))
        for epoch in range(epochs):
            if not full_batch:
                order = rng.permutation(n)
                Xp, Tp = X[order], target[order]
                Lp = labels[order] if labels is not None else None
                batches = [
                    (
                        Tensor(Xp[i : i + batch_size], requires_grad=False),
                        Tp[i : i + batch_size],
                        Lp[i : i + batch_size] if Lp is not None else None,
                        min(batch_size, n - i),
                    )
                    for i in range(0, n, batch_size)
                ]
            total = 0.0
            correct = 0
            for Xb, Tb, Lb, nb in batches:
                out = model(Xb)
                data = out.data
                if np.isfinite(data).all():
                    L = loss_fn(out, Tb, from_logits=from_logits)
                    value = float(L.data)
                else:  # the loss functions refuse a non-finite prediction; we report it
                    L = None
                    value = math.nan if np.isnan(data).any() else math.inf
                record(value)
                if not value < limit:  # NaN, inf, or exploded
                    if math.isfinite(value):
                        reason = f"loss exploded (> {EXPLOSION_FACTOR:g} x max(first loss, 1))"
                    else:
                        reason = "loss not finite"
                    diverge(reason, epoch, step)
                    break
                if step == 0:
                    limit = EXPLOSION_FACTOR * max(value, 1.0)
                if Lb is not None:
                    correct += int(np.count_nonzero(_decisions(data, threshold) == Lb))
                optimizer.zero_grad()
                L.backward(keep_grads=False)
                optimizer.step()
                total += value * nb
                step += 1
            if history.diverged:
                break
            if not all(np.isfinite(p.data).all() for p in params):
                diverge("parameters not finite", epoch, step - 1)
                break
            history.epoch_loss.append(total / n if len(batches) > 1 else value)
            if labels is not None:
                history.train_accuracy.append(correct / n)
            if val is not None:
                with no_grad():
                    out = model(val[0])
                history.val_loss.append(_loss_value(loss_fn, out, val[1], from_logits))
                if val[2] is not None:
                    history.val_accuracy.append(float(np.mean(_decisions(out.data, threshold) == val[2])))
            if snapshot_every is not None and (epoch + 1) % snapshot_every == 0:
                history.snapshots.append((epoch + 1, model.trace(X, y_raw, loss_fn, from_logits=from_logits)))
    return history
