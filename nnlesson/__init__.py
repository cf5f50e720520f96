"""nnlesson: the fundamentals of neural networks, one readable module per idea.

engine        the chain rule: Tensor, no_grad, gradcheck
activations   tanh, sigmoid, relu, leaky_relu, linear, softmax
init          weight initialisers (zeros ... xavier, he)
losses        mse and the cross-entropies
nn            Neuron, Dense, MLP
optim         SGD
data          synthetic data sets made in NumPy
train         fit() -> History
plots, widgets, exercises, panels   figures and interactive controls for the notebooks
"""

from nnlesson import (
    _memory,  # noqa: F401  (speed only: keep freed memory for reuse)
    activations,
    data,
    init,
    losses,
    nn,
    optim,
    train,
)
from nnlesson.engine import Tensor, gradcheck, no_grad

__all__ = ["Tensor", "activations", "data", "gradcheck", "init", "losses", "nn", "no_grad", "optim", "train"]
__version__ = "0.1.0"
