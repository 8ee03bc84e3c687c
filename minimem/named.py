"""Named values: how a figure script states each number its RESULTS.md section cites.

A script prints every value its section uses once, under one name, as a line of its stdout:

    B2.peak_T = 400
    B2.peak_height = 259.3
    B2.seed_peaks = [(500, 215.4), (400, 311.3), (400, 281.7), (400, 287.5)]
    B2.test_loss_mean = {3: 1.002, 5: 1.0, 10: 1.001}

``<figure>.<name> = <a Python literal>``: a number, or lists, tuples and dicts of them (None where a
value is missing). RESULTS.md cites a number through its name in an HTML comment right after it,
which a rendered page does not show: ``peaks at T=400<!--peak_T--> (259.3<!--peak_height-->)``,
``311.3<!--seed_peaks[1][1]-->``, ``1.0<!--test_loss_mean[5]-->`` (an index into a list or tuple, or
a key of a dict). tests/test_results.py runs each script and checks every cited number against
the value of its name, so a number that happens to be printed elsewhere cannot stand in for it.

The numbers are rounded where they are named (``sig`` significant digits, 4 unless given), so
the section cites exactly what the script prints.
"""

from __future__ import annotations

import ast
import math
import re

import numpy as np

FIGURE = "value"  # the figure ID the lines are prefixed with: set by cli.FigureScript from the script's name
_SAID: dict[str, str] = {}
LINE = re.compile(r"^([A-Z]\d+|value)\.([A-Za-z_]\w*) = (.+)$")


def rounded(v, sig=4):
    """``v`` with every float rounded to ``sig`` significant digits; numpy scalars and arrays as
    Python numbers and lists; NaN and inf as None."""
    if isinstance(v, dict):
        return {rounded(k, 12): rounded(x, sig) for k, x in v.items()}
    if isinstance(v, tuple):
        return tuple(rounded(x, sig) for x in v)
    if isinstance(v, (list, np.ndarray)):
        return [rounded(x, sig) for x in (v.tolist() if isinstance(v, np.ndarray) else v)]
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        v = float(v)
        if not math.isfinite(v):
            return None
        if v == 0.0:
            return 0.0
        return float(f"{v:.{sig}g}")
    if v is None or isinstance(v, str):
        return v
    raise TypeError(f"a named value must be a number or a list, tuple or dict of numbers, got {type(v).__name__}")


def begin(figure):
    """Start a figure's named values: lines prefixed ``<figure>.``, none said yet (a script run)."""
    global FIGURE
    FIGURE = figure
    _SAID.clear()


def say(name, v, sig=4):
    """Print ``<figure>.<name> = <v rounded>`` and return the rounded value. A name states one
    quantity: naming it again with another value is an error (the same value is fine)."""
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise ValueError(f"a value's name is a Python identifier, got {name!r}")
    r = rounded(v, sig)
    text = repr(r)
    key = f"{FIGURE}.{name}"
    if _SAID.get(key, text) != text:
        raise ValueError(f"{key} named twice with different values: {_SAID[key]} and {text}")
    if key not in _SAID:
        _SAID[key] = text
        print(f"{key} = {text}", flush=True)
    return r


def parse(stdout, figure):
    """{name: value} of the lines ``<figure>.<name> = ...`` in a script's output."""
    out = {}
    for line in stdout.splitlines():
        m = LINE.match(line)
        if m and m.group(1) == figure:
            out[m.group(2)] = ast.literal_eval(m.group(3))
    return out


def lookup(values, ref):
    """The value ``ref`` ('peak_T', 'seed_peaks[1][1]', "grid['soft'][500]") names in {name: value};
    KeyError naming what is missing."""
    m = re.fullmatch(r"([A-Za-z_]\w*)((?:\[[^\[\]]+\])*)", ref)
    if not m:
        raise KeyError(f"{ref!r} is not a name with optional [index] parts")
    if m.group(1) not in values:
        raise KeyError(f"the script names no value {m.group(1)!r}")
    v = values[m.group(1)]
    for part in re.findall(r"\[([^\[\]]+)\]", m.group(2)):
        try:
            key = ast.literal_eval(part)
        except (ValueError, SyntaxError):
            raise KeyError(f"{ref!r}: [{part}] is not a Python literal") from None
        try:
            v = v[key]
        except (KeyError, IndexError, TypeError):
            raise KeyError(f"{ref!r}: {m.group(1)} has no entry [{part}]") from None
    return v


def span(values):
    """(min, max) of ``values``, or None when there are none (a summary over an empty window, as
    under a script's --smoke settings)."""
    a = np.asarray(values, dtype=float).ravel()
    return (a.min(), a.max()) if a.size else None


def least(values):
    """min of ``values``, or None when there are none."""
    a = np.asarray(values, dtype=float).ravel()
    return a.min() if a.size else None


def most(values):
    """max of ``values``, or None when there are none."""
    a = np.asarray(values, dtype=float).ravel()
    return a.max() if a.size else None
