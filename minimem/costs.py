"""How long a training will take on this machine, estimated before it starts.

A training job is described by its size: the model, the loss, I instances of T samples, n inputs,
K outputs, m hidden units and a number of steps. Its work is counted in multiply-adds, as the
fused kernels do it per step and instance (fused.Run's cost):

    work = steps * I * T * ((K + 1) * m + n_active * m)      (+ T * K exps for cross-entropy)

and turned into seconds by a rate measured here once per process and model kind: a short training
of the kernels at a representative size, timed after steps that load them. Nothing is compiled
for an estimate: where the kernels are not compiled yet, the rates measured on two cores
(TWO_CORE_RATES) stand in. Compiling is not training and is in no estimate (it is announced with
its own time). Estimates are for announcing long work ("about 35 min"), good to a factor of
about 2, not for benchmarks.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .registry import MODELS
from .train import fused

DEFAULT_RATE = 1e-9  # seconds per multiply-add, before anything is measured (a pessimistic guess)
# Seconds per multiply-add measured by measured_rate on two cores (2026-12-03, idle): used where
# the kernels are not compiled yet, so an estimate never compiles.
TWO_CORE_RATES = {("relu_output", "mse"): 4.7e-11, ("relu_hidden", "mse"): 5.1e-11, ("mlp", "mse"): 4.4e-11,
                  ("mlp", "ce"): 1.1e-10, ("unembed", "ce"): 1.1e-10}
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
    """Seconds per multiply-add of ``model`` with ``loss`` on this machine: 1,000 steps of the
    kernels (fused.Run.steps) on 2 instances x 500 samples, n = K = 1000, m = 2, float32, timed
    after 100 steps that load the kernels and are not counted. Measured once per process; where
    the kernels are not compiled yet (or numba is absent), TWO_CORE_RATES instead: nothing is
    compiled for an estimate."""
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
        if fused is None:  # pragma: no cover - no numba
            return TWO_CORE_RATES.get(key, DEFAULT_RATE)
        opt = dict(kind="adamw", betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, momentum=0.0, decoupled=False,
                   no_decay=())
        run = fused.Run(mod, params, x, target, loss=loss, importance=None, mask=None, opt=opt, announce=False)
        if run.compiles:  # measuring would compile the kernels
            return TWO_CORE_RATES.get(key, DEFAULT_RATE)
        lrs = np.full(1000, 1e-4)
        run.steps(0, 100, lrs[:100])  # load the kernels, warm the caches: not counted
        t0 = time.perf_counter()
        run.steps(100, 1100, lrs)
        _RATES[key] = (time.perf_counter() - t0) / work(Job(model, loss, I, T, n, n, 2, 1000))
    return _RATES[key]


def seconds(jobs):
    """The estimated seconds of a list of jobs, at the measured rates of their model kinds."""
    return sum(work(j) * measured_rate(j.model, j.loss) for j in jobs)


def describe(secs):
    """A duration for people: '40 s', '12 min', '3.5 h'."""
    if secs < 90:
        return f"{max(secs, 1):.0f} s"
    if secs < 5400:
        return f"{secs / 60:.0f} min"
    return f"{secs / 3600:.1f} h"
