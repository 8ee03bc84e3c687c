"""minimem: small, exact, fast toy models of memorisation and double descent.

Every model is one module with its equations in the docstring and a hand-written
``forward(params, x) -> (out, cache)`` / ``backward(dout, cache) -> grads`` pair:

    relu_output   x' = ReLU(W^T W x + b)        (tied) or ReLU(W2 W1 x + b) (untied)   the bottleneck
    relu_hidden   h = ReLU(W x), x' = ReLU(W^T h + b)                                   privileged basis
    mlp           h = ReLU(W1 x + b1), out = W2 h + b2 (optional ReLU on out)           the MLP block
    unembed       logits = W2 (W1 x + b1) + b2, cross-entropy                          the final layer

Reading order: data -> init -> losses -> relu_output -> relu_hidden -> mlp -> unembed -> optim ->
train -> metrics.
"""

from . import data, init, losses, metrics, mlp, optim, relu_hidden, relu_output, train, unembed
from .optim import SGD, AdamW
from .registry import MODELS

__version__ = "0.1.0"
__all__ = ["data", "init", "losses", "metrics", "mlp", "optim", "relu_hidden", "relu_output",
           "train", "unembed", "MODELS", "AdamW", "SGD"]
