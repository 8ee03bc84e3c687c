"""How long a training will take on this machine, estimated before it starts.

A training job is described by its size: the model, the loss, I instances of T samples, n inputs,
K outputs, m hidden units, a number of steps, the share of inputs that are non-zero and the dtype.
Its work per step and instance, in thread-seconds, is

    T * (c0 + c_h * m + c_in * nnz * m + c_out * (K + 1) * m + c_exp * K [cross-entropy]) + c_p * params

(nnz = density * n, params the parameters the optimiser updates), with one set of constants
(SAMPLE_COSTS) per kernel path (the m = 2 tile, which decodes four samples at once, and the
general per-sample passes) and dtype, fitted by scripts/bench_costs.py in units of the reference
job's sample (REFERENCE, B2's bottleneck). A step's wall time is the longest thread's share: the
instances spread over the threads as fused.Run spreads them, or one instance's samples split
between them. The unit is turned into seconds by the reference's speed, measured here once per
process with a short run of the kernels (1,000 steps after 100 that load them); where the kernels
are not compiled yet (or numba is absent), its speed on two idle cores (REFERENCE_SECONDS) stands
in, so nothing is compiled for an estimate. Compiling is not training and is in no estimate (it
is announced with its own time). Each job adds its own cost beyond the steps (JOB_SECONDS, and
TEST_SECONDS per test sample and instance, at two-core speed and scaled as the steps are). Estimates are for announcing long work ("about 35 min"), good to
a factor of about 2, not for benchmarks.
"""

from __future__ import annotations

import time
from typing import NamedTuple

import numpy as np

from .optim import AdamW
from .registry import MODELS
try:  # the kernels need numba; without it the estimates stand on REFERENCE_SECONDS
    from . import fused
except ImportError:  # pragma: no cover - no numba
    fused = None


class Job(NamedTuple):
    """One call of train(): model name, loss, instances, samples, inputs, outputs, hidden units,
    steps, the share of inputs that are non-zero, the dtype, the test samples per instance."""
    model: str
    loss: str
    I: int
    T: int
    n: int
    K: int
    m: int
    steps: int
    density: float = 0.01
    dtype: str = "float32"
    n_test: int = 0  # test samples per instance, drawn and evaluated after training
    tile: bool = True  # False: the kernels without the m = 2 tile (fused.Run.untile)


REFERENCE = Job("relu_output", "mse", 2, 500, 1000, 1000, 2, 1000, 0.01, "float32")
# Seconds (of one thread) per sample of REFERENCE on two idle cores, both threads busy: used where
# the kernels are not compiled yet. Measured 1.9e-7 on one machine and 4.2e-7 to 4.9e-7 on another
# (scripts/bench_costs.py, 2026-12-03): the middle, so that either is within 1.6x.
REFERENCE_SECONDS = 3e-7
# (path, dtype): (c0, c_h, c_in, c_out, c_exp, c_p) in reference samples, fitted by scripts/bench_costs.py
SAMPLE_COSTS = {
    ("general", "float32"): (0.75, 0.048, 0.0046, 0.00062, 0.0037, 0.0054),
    ("general", "float64"): (0.79, 0.00066, 0.0041, 0.0012, 0.023, 0.005),
    ("tile", "float32"): (0.04, 0.08, 0.0032, 0.00034, 0.003, 0.0077),
    ("tile", "float64"): (0.039, 0.078, 0.011, 0.00077, 0.018, 0.01),
}
# a job's own cost beyond its steps: setup, then per test sample and instance drawing it,
# evaluating it and the analysis (0.3 s to 4 s a unit of the sweeps, two cores, 2026-12-03; halved
# the same day: a unit of T=5, 2,000 test samples x 2 spent 0.20 s beyond its steps, estimated 0.44)
JOB_SECONDS, TEST_SECONDS = 0.1, 3e-5
SAMPLES_EFFICIENCY = 0.8  # one instance's samples split over the threads: the share of a thread's speed kept
_REFERENCE: list = []


def threads():
    """The threads the kernels run on (numba's setting; 1 without numba)."""
    try:
        import numba
        return numba.get_num_threads()
    except ImportError:  # pragma: no cover - no numba
        return 1


def work(job):
    """Multiply-adds (and exps) of a job, the kernels' count of its size (fused.Run's cost):
    steps * I * T * ((K + 1) m + density n m  (+ K exps for cross-entropy))."""
    per_sample = (job.K + 1) * job.m + job.density * job.n * job.m + (job.K if job.loss == "ce" else 0)
    return float(job.steps) * job.I * job.T * per_sample


def path_of(job):
    """The kernel path a job runs on and its dtype: ('tile' for m = 2 unless job.tile is False, else
    'general', dtype)."""
    return ("tile" if job.m == 2 and job.tile else "general", str(np.dtype(job.dtype)))


def parameters(job):
    """The parameters of one instance that the optimiser updates (the kernels' general form)."""
    return job.m * (job.n + job.K) + job.m + job.K


def features(job):
    """The six terms of a step of one instance that SAMPLE_COSTS weighs (see the module docstring)."""
    nnz = job.density * job.n
    return np.array([job.T, job.T * job.m, job.T * nnz * job.m, job.T * (job.K + 1) * job.m,
                     job.T * job.K * (job.loss == "ce"), parameters(job)], dtype=float)


def instance_cost(job):
    """Thread-time of one step of one instance, in reference samples."""
    return float(np.dot(features(job), SAMPLE_COSTS[path_of(job)]))


def step_cost(job, n_threads=None):
    """Wall time of one step of the job, in reference samples: with more instances than threads
    (or as many), the longest thread's instances; with fewer, each instance's samples split
    between the threads."""
    n_threads = n_threads or threads()
    c = instance_cost(job)
    if job.I >= n_threads:
        return c * -(-job.I // n_threads)
    return c * job.I / (n_threads * SAMPLES_EFFICIENCY) if n_threads > 1 else c * job.I


def reference_seconds():
    """Seconds of one thread per sample of REFERENCE on this machine now: measured once per process
    (1,000 steps of the kernels after 100 that load them); REFERENCE_SECONDS where the kernels are
    not compiled yet or numba is absent (nothing is compiled for an estimate)."""
    if not _REFERENCE:
        ref = REFERENCE
        mod = MODELS[ref.model]
        rng = np.random.default_rng(0)
        x = np.zeros((ref.I, ref.T, ref.n), np.float32)
        idx = rng.integers(0, ref.n, (ref.I, ref.T, 10))
        np.put_along_axis(x, idx, rng.uniform(size=idx.shape).astype(np.float32), axis=-1)
        params = mod.init_params(ref.n, ref.m, rng, n_instances=ref.I, dtype=np.float32)
        if fused is None:  # pragma: no cover - no numba
            return REFERENCE_SECONDS
        run = fused.Run(mod, params, x, x, loss=ref.loss, importance=None, mask=None, opt=AdamW(), announce=False)
        if run.compiles:  # measuring would compile the kernels
            return REFERENCE_SECONDS
        lrs = np.full(ref.steps, 1e-4)
        run.steps(0, 100, lrs[:100])  # load the kernels, warm the caches: not counted
        t0 = time.perf_counter()
        run.steps(100, 100 + ref.steps, lrs)
        wall = time.perf_counter() - t0
        _REFERENCE.append(wall / (ref.steps * step_cost(ref)))
    return _REFERENCE[0]


def seconds(jobs, per_sample=None):
    """The estimated seconds of a list of jobs on this machine (at ``per_sample`` seconds per
    reference sample instead, if given: REFERENCE_SECONDS for two idle cores)."""
    jobs = list(jobs)
    if not jobs:
        return 0.0
    per_sample = per_sample or reference_seconds()
    steps = sum(j.steps * step_cost(j) for j in jobs) * per_sample
    # the setup and the test set, at two-core speed, as fast or slow here as the kernels are
    return steps + sum(JOB_SECONDS + TEST_SECONDS * j.n_test * j.I for j in jobs) * per_sample / REFERENCE_SECONDS


def describe(secs):
    """A duration for people: '40 s', '12 min', '3.5 h'."""
    if secs < 90:
        return f"{max(secs, 1):.0f} s"
    if secs < 5400:
        return f"{secs / 60:.0f} min"
    return f"{secs / 3600:.1f} h"
