"""The models by name, and the one check of a model, its parameters and a data set.

The bottom of the layers above the models: ``train``, the numba kernels (``fused``), ``costs`` and
``experiments`` all take a model by module or name through ``get_model`` and check their inputs
with ``check_inputs``, so both backends refuse bad input with the same message before anything
reaches compiled code. It imports only the model modules, ``losses`` and ``_validate``.
"""

from __future__ import annotations

import difflib
import functools
import inspect

import numpy as np

from . import losses, mlp, relu_hidden, relu_output, unembed
from ._validate import check_array, check_choice

MODELS = {"relu_output": relu_output, "relu_hidden": relu_hidden, "mlp": mlp, "unembed": unembed}

# what users of other libraries call train()'s arguments, and where minimem has them (or why it has none)
ALIASES = {"learning_rate": "opt=AdamW(lr=...)", "lr": "opt=AdamW(lr=...)", "wd": "opt=AdamW(weight_decay=...)",
           "weight_decay": "opt=AdamW(weight_decay=...)", "betas": "opt=AdamW(betas=...)", "eps": "opt=AdamW(eps=...)",
           "no_decay": "opt=AdamW(no_decay=...)", "optimizer": "opt=AdamW(...) or opt=SGD(...)",
           "momentum": "opt=SGD(momentum=...)", "decoupled": "opt=SGD(decoupled=...)", "epochs": "steps",
           "n_steps": "steps", "num_steps": "steps", "max_steps": "steps", "warmup_steps": "warmup"}
WHY_NOT = {"seed": "train() draws nothing at random: the randomness is in the init (init_params(..., rng)) and the data",
           "rng": "train() draws nothing at random: the randomness is in the init (init_params(..., rng)) and the data",
           "batch_size": "train() is full batch: every step uses every sample of x",
           "device": "minimem runs on the CPU"}


def keywords_named(f):
    """``f`` refusing a keyword it does not take with a TypeError that names the closest one it does
    (read from its own signature), or says where minimem keeps that setting (ALIASES, WHY_NOT)."""
    names = [k for k, p in inspect.signature(f).parameters.items() if p.kind is p.KEYWORD_ONLY]

    @functools.wraps(f)
    def checked(*args, **kw):
        for name in kw:
            if name not in names:
                if name in WHY_NOT:
                    raise TypeError(f"{f.__name__}() got an unknown argument {name!r}: {WHY_NOT[name]}")
                close = ALIASES.get(name) or next(iter(difflib.get_close_matches(name, names, n=1, cutoff=0.6)), None)
                hint = f"did you mean {close!r}? " if close else ""
                raise TypeError(f"{f.__name__}() got an unknown argument {name!r}; {hint}{f.__name__}() takes "
                                f"{', '.join(names)}")
        return f(*args, **kw)
    return checked


# what every model provides; check_shapes, DEFAULT_LOSS ('mse' when absent) and kernel_layout (the
# numba backend's description of the model, minimem.fused) are optional
NEEDED = ("forward", "backward", "loss_and_grads")


def get_model(model):
    """A model module, or its name: 'relu_output', 'relu_hidden', 'mlp', 'unembed'. A model of one's
    own is any object with forward, backward and loss_and_grads (see NEEDED)."""
    if isinstance(model, str):
        check_choice("model", model, MODELS)
        return MODELS[model]
    missing = [a for a in NEEDED if not callable(getattr(model, a, None))]
    if missing:
        raise TypeError(f"model must be a model name {sorted(MODELS)} or a module with {', '.join(NEEDED)} "
                        f"(missing {', '.join(missing)}), got {model!r}")
    return model


def is_builtin(model):
    """True for the package's own model modules (held equal to the numba kernels by tests/test_kernels.py)."""
    return any(model is m for m in MODELS.values())


def model_name(model):
    return getattr(model, "__name__", type(model).__name__)


def output_width(model, params, x):
    """K, the width of the model's output on x: from ``check_shapes`` where the model has one (which
    also checks every shape), else from a forward pass on one sample of each instance."""
    if hasattr(model, "check_shapes"):
        return model.check_shapes(params, x)
    check_array("x", x, ndim=3)
    out = model.forward(params, x[:, :1])[0]  # (I, 1, K)
    if not isinstance(out, np.ndarray) or out.ndim != 3 or out.shape[:2] != (x.shape[0], min(1, x.shape[1])):
        raise TypeError(f"{model_name(model)}.forward(params, x) must return (out, cache) with out of shape "
                        f"(I, T, K); on x of shape {x[:, :1].shape} it returned {getattr(out, 'shape', type(out))}")
    return out.shape[2]


def check_inputs(model, params, x, target, *, loss=None, importance=None, mask=None, **options):
    """Check everything a model, its params and a data set must satisfy, for both backends, and
    return them ready to use: (model, x, target, loss, importance, mask), with x, float targets and
    the importance in the params' dtype. Raises ValueError / TypeError naming the argument."""
    model = get_model(model)
    accepted = set(inspect.signature(model.forward).parameters) - {"params", "x"}
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(f"{model_name(model)}.forward takes no option {unknown[0]!r} (its options: "
                        f"{sorted(accepted) or 'none'})")
    if not isinstance(params, dict) or not params:
        raise TypeError(f"params must be a non-empty dict of arrays, got {type(params).__name__}")
    for k, v in params.items():
        check_array(f"params[{k!r}]", v)
        if v.dtype not in (np.float32, np.float64):
            raise TypeError(f"params[{k!r}] must be float32 or float64, got {v.dtype}")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"params[{k!r}] contains NaN or inf")
    dtypes = {v.dtype for v in params.values()}
    if len(dtypes) > 1:
        raise TypeError(f"params must share one dtype, got {sorted(str(d) for d in dtypes)}")
    dtype = dtypes.pop()
    K = output_width(model, params, x)  # every shape, and x a 3-D float array
    if hasattr(model, "kernel_layout"):
        layout = model.kernel_layout(params, **options)
        names = {layout[g] for g in ("W1", "b1", "W2", "b2") if layout[g]}
        if set(params) != names:
            raise ValueError(f"params has entries {sorted(params)}, but this {model_name(model)} model "
                             f"takes exactly {sorted(names)}")
    if not np.all(np.isfinite(x)):
        raise ValueError("x contains NaN or inf")
    I, T = x.shape[:2]
    if T == 0:
        raise ValueError(f"x has no samples: its shape {x.shape} is (I, T, n) with T=0")
    loss = getattr(model, "DEFAULT_LOSS", "mse") if loss is None else check_choice("loss", loss, losses.LOSSES)
    losses.sample_counts(mask, I, T)  # a bool (I, T) mask leaving every instance a sample
    target = losses.check_target(target, loss, I, T, K)
    if target.dtype.kind == "f":
        target = target.astype(dtype, copy=False)
    importance = losses.check_importance(importance, I, K, loss)
    if importance is not None:
        importance = importance.astype(dtype)  # a fresh writable copy
    return model, x.astype(dtype, copy=False), target, loss, importance, mask
