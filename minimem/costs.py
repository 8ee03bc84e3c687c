"""How long a training will take on this machine, estimated before it starts.

A training job is described by its size: the model, the loss, I instances of T samples, n inputs,
K outputs, m hidden units and a number of steps. Its work is counted in multiply-adds, as the
fused kernels do it per step and instance (fused.Run's cost):

    work = steps * I * T * ((K + 1) * m + n_active * m)      (+ T * K exps for cross-entropy)

and turned into seconds by a rate measured here once per process and model kind: a short training
of a representative size, timed after a first call that compiles or loads the kernels. Estimates
are for announcing long work ("about 35 min"), good to a factor of about 2, not for benchmarks.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .registry import MODELS
from .train import train

DEFAULT_RATE = 1e-9  # seconds per multiply-add, before anything is measured (a pessimistic guess)
_RATES: dict = {}


class Job(NamedTuple):
    """One call of train(): model name, loss, instances, samples, inputs, outputs, hidden units,
    steps, the share of inputs that are non-zero."""
    model: str
    loss: str
    I: int
    T: int
    n: int
    K: int
    m: int
    steps: int
    density: float = 0.01


def work(job):
    """Multiply-adds (and exps) of a job: see the module docstring."""
    per_sample = (job.K + 1) * job.m + job.density * job.n * job.m + (job.K if job.loss == "ce" else 0)
    return float(job.steps) * job.I * job.T * per_sample


def measured_rate(model, loss):
    """Seconds per multiply-add of ``model`` with ``loss`` on this machine: a 100-step training of
    2 instances x 500 samples, n = K = 1000, m = 2, float32, timed after a first call (which
    compiles or loads the kernels and is not counted). Measured once per process."""
    key = (model, loss)
    if key not in _RATES:
        mod = MODELS[model]
        rng = np.random.default_rng(0)
        n, T, I = 1000, 500, 2
        x = np.zeros((I, T, n), np.float32)
        idx = rng.integers(0, n, (I, T, 10))
        np.put_along_axis(x, idx, rng.uniform(size=idx.shape).astype(np.float32), axis=-1)
        params = mod.init_params(n, 2, rng, n_instances=I, dtype=np.float32)
        target = x.argmax(-1) if loss == "ce" else x
        kw = dict(loss=loss, progress=False, lr=1e-3, warmup=0)
        train(mod, params, x, target, steps=2, **kw)  # compile or load the kernels: not counted
        t0 = time.perf_counter()
        steps = 100
        train(mod, params, x, target, steps=steps, **kw)
        seconds = time.perf_counter() - t0
        _RATES[key] = seconds / work(Job(model, loss, I, T, n, n, 2, steps))
    return _RATES[key]


def seconds(jobs, measure_above=60.0):
    """The estimated seconds of a list of jobs. A first guess uses DEFAULT_RATE; when it exceeds
    ``measure_above`` seconds, the rates of the jobs' model kinds are measured and used instead."""
    guess = sum(work(j) for j in jobs) * DEFAULT_RATE
    if guess <= measure_above:
        return guess
    return sum(work(j) * measured_rate(j.model, j.loss) for j in jobs)


def describe(secs):
    """A duration for people: '40 s', '12 min', '3.5 h'."""
    if secs < 90:
        return f"{max(secs, 1):.0f} s"
    if secs < 5400:
        return f"{secs / 60:.0f} min"
    return f"{secs / 3600:.1f} h"
