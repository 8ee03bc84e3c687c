"""Every check of the package's inputs, in one place: the door. Each bad input raises a ValueError or
TypeError that names the argument and says what was wrong, before anything is computed.

    train(), evaluate(), fused.loss_and_grads   check_inputs (the model, its params, the data, the loss's
                                                target, importance and mask) and, for train,
                                                check_settings (steps, schedule, snapshots, progress)
    optim.AdamW(...), optim.SGD(...)             check_adamw, check_sgd, as each is made
    experiments.config / run                     check_setting, for every override
    data, init, metrics                          the scalar checks below, at their own doors

The model and loss modules hold the math alone: a model declares the shapes of its params as data
(SHAPES, letters bound to sizes: I instances, T samples, n inputs, m hidden units, and the output
width OUTPUT), which check_shapes reads; nothing is checked inside a forward, a backward or a loss,
so the training loop checks nothing per step.
"""

from __future__ import annotations

import difflib
import functools
import inspect
import numbers

import numpy as np


def check_int(name, value, minimum=0):
    """Return ``value`` as an int, or raise if it is not an integer >= ``minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__} {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def check_float(name, value, low=None, high=None, low_open=False, high_open=False):
    """Return ``value`` as a float inside [low, high] (bounds optionally open), or raise."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value < low or (low_open and value == low)):
        raise ValueError(f"{name} must be {'>' if low_open else '>='} {low}, got {value}")
    if high is not None and (value > high or (high_open and value == high)):
        raise ValueError(f"{name} must be {'<' if high_open else '<='} {high}, got {value}")
    return value


def check_sparsity(name, value, n_instances=None):
    """Sparsity S is the probability that a feature is zero: it must lie in [0, 1).

    Accepts a scalar, or an array of shape (I,) with one sparsity per instance; returns a float64
    array of shape (I,) when ``n_instances`` is given, else a float."""
    arr = np.asarray(value, dtype=float) if not isinstance(value, (str, bytes)) else None
    if arr is None or arr.dtype == object:
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(value).__name__}")
    if arr.ndim > 1 or (arr.ndim == 1 and n_instances is None):
        raise ValueError(f"{name} must be a scalar{' or shape (n_instances,)' if n_instances else ''}, "
                         f"got shape {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr >= 1):
        raise ValueError(f"{name} must lie in [0, 1) (the probability a feature is zero), got {value}")
    if n_instances is None:
        return float(arr)
    if arr.ndim == 1 and arr.shape[0] != n_instances:
        raise ValueError(f"{name} has {arr.shape[0]} entries but n_instances={n_instances}")
    return np.broadcast_to(arr, (n_instances,)).copy()


def check_choice(name, value, choices):
    """Raise unless ``value`` is one of ``choices`` (strings)."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {sorted(choices)}, got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose one of {sorted(choices)}")
    return value


def check_rng(name, rng):
    """Every random draw goes through an explicit numpy Generator."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"{name} must be a numpy.random.Generator (e.g. np.random.default_rng(0)), "
                        f"got {type(rng).__name__}")
    return rng


def check_array(name, a, ndim=None, shape=None, dtype_kind="f"):
    """Check that ``a`` is a numpy array of the given ndim / shape (None entries in ``shape`` match
    anything) and dtype kind ('f' float, 'i' integer, None any). Returns ``a``."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"{name} must be a numpy array, got {type(a).__name__}")
    if dtype_kind == "f" and a.dtype.kind != "f":
        raise TypeError(f"{name} must be a float array, got dtype {a.dtype}")
    if dtype_kind == "i" and a.dtype.kind not in "iu":
        raise TypeError(f"{name} must be an integer array, got dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimensions, got shape {a.shape}")
    if shape is not None:
        if len(shape) != a.ndim or any(s is not None and s != t for s, t in zip(shape, a.shape)):
            want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
            raise ValueError(f"{name} must have shape {want}, got {a.shape}")
    return a


def check_params(params, expected):
    """Check a params dict against ``expected``: {name: shape tuple (None = any)}."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in expected if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; it has {sorted(params)}")
    for k, shp in expected.items():
        check_array(f"params[{k!r}]", params[k], shape=shp)


# --- train()'s and evaluate()'s keywords ------------------------------------------------------------

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


# --- a model, its params and a data set: train(), evaluate() and the kernels' doors ---------------

# what every model provides; SHAPES, OUTPUT, DEFAULT_LOSS ('mse' when absent) and kernel_layout (the
# numba backend's description of the model, minimem.fused) are optional
NEEDED = ("forward", "backward", "loss_and_grads")
LOSSES = ("mse", "ce")


def check_model(model, models):
    """A model module, or its name in ``models``; a model of one's own is any object with forward,
    backward and loss_and_grads (NEEDED)."""
    if isinstance(model, str):
        check_choice("model", model, models)
        return models[model]
    missing = [a for a in NEEDED if not callable(getattr(model, a, None))]
    if missing:
        raise TypeError(f"model must be a model name {sorted(models)} or a module with {', '.join(NEEDED)} "
                        f"(missing {', '.join(missing)}), got {model!r}")
    return model


def model_name(model):
    return getattr(model, "__name__", type(model).__name__)


def shapes_of(model, params):
    """The entry of the model's SHAPES that ``params`` has the keys of: SHAPES is one {name: letters}
    dict, or a tuple of them for models with several layouts (tied or untied, with or without a
    bias); the largest entry whose names params all has, else the one it has most of."""
    layouts = model.SHAPES if isinstance(model.SHAPES, tuple) else (model.SHAPES,)
    full = [s for s in layouts if set(s) <= set(params)]
    if full:
        return max(full, key=len)
    return max(layouts, key=lambda s: len(set(s) & set(params)))


def check_shapes(model, params, x):
    """Every array of ``params`` against the model's SHAPES, the letters bound by x (I, T, n) and then
    by the params in their order; returns the output width (the size of the letter OUTPUT)."""
    check_array("x", x, ndim=3)
    size = dict(zip("ITn", x.shape))
    layout = shapes_of(model, params)
    missing = [k for k in layout if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}; it has {sorted(params)}")
    if set(params) != set(layout):
        raise ValueError(f"params has entries {sorted(params)}, but this {model_name(model)} model takes exactly "
                         f"{sorted(layout)}")
    for k, letters in layout.items():
        check_array(f"params[{k!r}]", params[k], shape=tuple(size.get(c) for c in letters))
        size.update((c, d) for c, d in zip(letters, params[k].shape) if c not in size)
    return size[model.OUTPUT]


def output_width(model, params, x):
    """K, the width of the model's output on x: from SHAPES where the model declares them (checking
    every shape), else from a forward pass on one sample of each instance."""
    if hasattr(model, "SHAPES"):
        return check_shapes(model, params, x)
    check_array("x", x, ndim=3)
    out = model.forward(params, x[:, :1])[0]  # (I, 1, K)
    if not isinstance(out, np.ndarray) or out.ndim != 3 or out.shape[:2] != (x.shape[0], min(1, x.shape[1])):
        raise TypeError(f"{model_name(model)}.forward(params, x) must return (out, cache) with out of shape "
                        f"(I, T, K); on x of shape {x[:, :1].shape} it returned {getattr(out, 'shape', type(out))}")
    return out.shape[2]


def check_mask(mask, I, T):
    """A (I, T) bool mask of the real samples (None: all), leaving every instance a sample."""
    if mask is None:
        return None
    check_array("mask", mask, shape=(I, T), dtype_kind=None)
    if mask.dtype != bool:
        raise TypeError(f"mask must be a bool array, got dtype {mask.dtype}")
    counts = mask.sum(axis=1)  # (I,)
    if np.any(counts == 0):
        raise ValueError(f"mask leaves instances {np.flatnonzero(counts == 0).tolist()} with no samples")
    return mask


def check_importance(importance, I, n, loss="mse"):
    """Per-feature MSE weights as an (n,) or (I, n) array: finite, >= 0, for the 'mse' loss only."""
    if importance is None:
        return None
    if loss != "mse":
        raise ValueError("importance applies to the 'mse' loss only, not 'ce'")
    imp = np.asarray(importance)
    if imp.dtype.kind not in "fiu":
        raise TypeError(f"importance must be a real array, got dtype {imp.dtype}")
    if imp.shape not in ((n,), (I, n)):
        raise ValueError(f"importance must have shape ({n},) or ({I}, {n}), got {imp.shape}")
    if not np.all(np.isfinite(imp)) or np.any(imp < 0):
        raise ValueError("importance must be finite and >= 0")
    return imp


def check_target(target, loss, I, T, K):
    """The target of a loss on outputs (I, T, K): float (I, T, K) (finite; >= 0 for cross-entropy)
    or, for cross-entropy, int class labels (I, T) in [0, K)."""
    if not isinstance(target, np.ndarray):
        raise TypeError(f"target must be a numpy array, got {type(target).__name__}")
    if loss == "ce" and target.dtype.kind in "iu":
        check_array("target", target, shape=(I, T), dtype_kind="i")
        if target.size and (target.min() < 0 or target.max() >= K):
            raise ValueError(f"target: hard labels must lie in [0, {K}), got range [{target.min()}, {target.max()}]")
        return target
    if target.dtype.kind != "f":
        raise TypeError(f"target must be a float array of shape ({I}, {T}, {K})"
                        f"{' or integer labels (I, T)' if loss == 'ce' else ''}, got dtype {target.dtype}")
    check_array("target", target, shape=(I, T, K))
    if not np.all(np.isfinite(target)):
        raise ValueError("target contains NaN or inf")
    if loss == "ce" and np.any(target < 0):
        raise ValueError("target: soft labels for cross-entropy must be >= 0")
    return target


def check_inputs(model, params, x, target, *, loss=None, importance=None, mask=None, **options):
    """Everything a model (a module, already looked up), its params and a data set must satisfy, for
    both backends, returned ready to use: (x, target, loss, importance, mask), with x, float targets
    and the importance in the params' dtype. ``options`` are the model's forward options (relu_out)."""
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
    if hasattr(model, "kernel_layout") and not hasattr(model, "SHAPES"):
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
    loss = getattr(model, "DEFAULT_LOSS", "mse") if loss is None else check_choice("loss", loss, LOSSES)
    mask = check_mask(mask, I, T)
    target = check_target(target, loss, I, T, K)
    if target.dtype.kind == "f":
        target = target.astype(dtype, copy=False)
    importance = check_importance(importance, I, K, loss)
    if importance is not None:
        importance = importance.astype(dtype)  # a fresh writable copy
    return x.astype(dtype, copy=False), target, loss, importance, mask


# --- train()'s optimiser and bookkeeping ---------------------------------------------------------


def check_names(no_decay):
    """``no_decay`` as a frozenset of parameter names (a str alone is refused: it is one name's letters)."""
    if isinstance(no_decay, str) or not all(isinstance(k, str) for k in no_decay):
        raise TypeError(f"no_decay must be a collection of parameter names, got {no_decay!r}")
    return frozenset(no_decay)


def check_adamw(lr, betas, eps, weight_decay, no_decay):
    """optim.AdamW's settings, checked and normalised: (lr, betas, eps, weight_decay, no_decay)."""
    if not isinstance(betas, (tuple, list)) or len(betas) != 2:
        raise TypeError(f"betas must be a pair (beta1, beta2), got {betas!r}")
    betas = (check_float("betas[0]", betas[0], 0.0, 1.0, high_open=True),
             check_float("betas[1]", betas[1], 0.0, 1.0, high_open=True))
    return (check_float("lr", lr, 0.0), betas, check_float("eps", eps, 0.0, low_open=True),  # eps = 0: 0 / 0
            check_float("weight_decay", weight_decay, 0.0), check_names(no_decay))


def check_sgd(lr, momentum, weight_decay, decoupled, no_decay):
    """optim.SGD's settings, checked and normalised: (lr, momentum, weight_decay, decoupled, no_decay)."""
    if not isinstance(decoupled, bool):
        raise TypeError(f"decoupled must be True or False, got {decoupled!r}")
    return (check_float("lr", lr, 0.0), check_float("momentum", momentum, 0.0, 1.0, high_open=True),
            check_float("weight_decay", weight_decay, 0.0), decoupled, check_names(no_decay))


def check_schedule(steps, schedule, warmup):
    """A learning-rate schedule's arguments: (steps, schedule, warmup), warmup defaulting to 5% of
    the steps (the Henighan schedule's 2,500 of 50,000)."""
    steps = check_int("steps", steps, 1)
    schedule = check_choice("schedule", schedule, ("henighan", "constant"))
    warmup = steps // 20 if warmup is None else check_int("warmup", warmup, 0)
    if schedule == "henighan" and warmup >= steps:
        raise ValueError(f"warmup ({warmup}) must be smaller than steps ({steps}); "
                         f"pass warmup=0 or fewer warm-up steps for short runs")
    return steps, schedule, warmup


def check_settings(params, steps, opt, optimisers, schedule, warmup, snapshot_steps, progress, copy_params, parallel):
    """train()'s optimiser and bookkeeping arguments: (steps, schedule, warmup, sorted snapshot steps,
    parallel). ``opt`` must be one of ``optimisers`` (checked its own numbers when it was made)."""
    if not isinstance(opt, optimisers):
        raise TypeError(f"opt must be minimem.AdamW(...) or minimem.SGD(...), got {opt!r}")
    steps, schedule, warmup = check_schedule(steps, schedule, warmup)
    snaps = sorted({check_int("snapshot step", s, 0) for s in snapshot_steps})
    if snaps and snaps[-1] > steps:
        raise ValueError(f"snapshot_steps must be <= steps={steps}, got {snaps[-1]}")
    if opt.no_decay - set(params):
        raise ValueError(f"no_decay names {sorted(opt.no_decay - set(params))}, which are not in params "
                         f"{sorted(params)}")
    if progress not in (None, True, False):
        raise TypeError(f"progress must be None, True or False, got {progress!r}")
    if not isinstance(copy_params, bool):
        raise TypeError(f"copy_params must be True or False, got {copy_params!r}")
    parallel = check_choice("parallel", parallel, ("auto", "instances", "samples", "serial"))
    return steps, schedule, warmup, snaps, parallel


# --- an experiment's settings (experiments.config / run overrides), checked before anything runs ----

# the kind of every setting the catalogue uses: (kind, lowest value); "ints" is a list of ints
SETTINGS = {
    **{k: ("int", 1) for k in ("T", "n", "n_in", "n_test", "m", "seeds", "steps", "kmeans_iters")},
    **{k: ("int", 0) for k in ("seed", "warmup")},
    **{k: ("ints", 1) for k in ("sizes", "features", "bottleneck", "hidden", "step_counts")},
    **{k: ("ints", 0) for k in ("seed_list", "snapshots")},
    **{k: ("bool", None) for k in ("keep_params", "normalize", "records_silent_points", "relu_out", "tied")},
    "normalizes": ("bools", None),
    "sparsity": ("sparsity", None), "sparsities": ("sparsities", None),
    "lr": ("real", "positive"), "importance_ratio": ("real", "positive"), "steps_scale": ("real", "positive"),
    "weight_decay": ("real", 0.0), "weight_decays": ("reals", 0.0), "threshold": ("real", None),
    "grid": ("reals", None),
    **{k: ("str", None) for k in ("data", "dtype", "init", "inputs", "labels", "loss", "model", "schedule",
                                  "setting")},
    **{k: ("strs", None) for k in ("inits", "optimisers", "settings", "variants")},
}
CHOICES = {"dtype": ("float32", "float64"), "loss": ("mse", "ce"), "schedule": ("henighan", "constant")}


def check_setting(experiment, key, value, default):
    """An override of setting ``key`` of ``experiment`` (whose own value is ``default``): of the kind
    the setting holds (SETTINGS; else of the default's type), in range; returns it unchanged.
    None passes only where the experiment's own value is None."""
    name = f"{experiment}: {key}"
    if value is None and default is None:
        return value
    kind, low = SETTINGS.get(key, (None, None))
    if kind in ("ints", "reals", "bools", "strs", "sparsities"):
        if not isinstance(value, (list, tuple, np.ndarray)) or np.ndim(value) != 1:
            one = {"ints": "ints", "reals": "numbers", "bools": "bools", "strs": "strings",
                   "sparsities": "sparsities"}[kind]
            raise TypeError(f"{name} must be a list of {one} (as {default!r}), got {type(value).__name__} {value!r}")
        for i, v in enumerate(value):
            _check_one(f"{name}[{i}]", "sparsity" if kind == "sparsities" else kind[:-1], low, v)
        return value
    if kind is None:
        if default is not None and not isinstance(value, type(default)):
            raise TypeError(f"{name} must be a {type(default).__name__} (as {default!r}), got "
                            f"{type(value).__name__} {value!r}")
        return value
    _check_one(name, kind, low, value)
    if key in CHOICES and value not in CHOICES[key]:
        raise ValueError(f"{name} must be one of {list(CHOICES[key])}, got {value!r}")
    return value


def _check_one(name, kind, low, value):
    if kind == "int":
        check_int(name, value, low)
    elif kind == "real":
        check_float(name, value, low=0.0 if low is not None else None, low_open=low == "positive")
    elif kind == "sparsity":
        check_float(name, value, 0.0, 1.0, high_open=True)
    elif kind == "bool" and not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    elif kind == "str" and not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
