"""Argument checks shared by the package: every bad input raises a ValueError or TypeError that
names the argument and says what was wrong."""

from __future__ import annotations

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
