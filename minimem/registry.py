"""The models by name.

``get_model`` looks a model up by module or name for ``train``, the numba kernels (``fused``),
``costs`` and ``experiments``; every check of the inputs themselves is in ``minimem.checks``. It
imports only the model modules and ``checks``.
"""

from __future__ import annotations

from . import mlp, relu_hidden, relu_output, unembed
from .checks import check_model, model_name  # noqa: F401  (model_name: used by the layers above)

MODELS = {"relu_output": relu_output, "relu_hidden": relu_hidden, "mlp": mlp, "unembed": unembed}


def get_model(model):
    """A model module, or its name: 'relu_output', 'relu_hidden', 'mlp', 'unembed'. A model of one's
    own is any object with forward, backward and loss_and_grads (checks.NEEDED)."""
    return check_model(model, MODELS)


def is_builtin(model):
    """True for the package's own model modules (held equal to the numba kernels by tests/test_kernels.py)."""
    return any(model is m for m in MODELS.values())
