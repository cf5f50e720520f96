"""nnlesson: the fundamentals of neural networks, one readable module per idea."""

from nnlesson import activations, data, init, losses, nn, optim, train  # noqa: F401
from nnlesson.engine import Tensor, gradcheck, no_grad

__all__ = ["Tensor", "gradcheck", "no_grad"]
__version__ = "0.1.0"
