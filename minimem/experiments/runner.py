"""The runner of the experiments: modes, configurations, units, the cache, executors, estimates.

An experiment is a catalogue entry (``Experiment``, a literal: its settings, its units, its compute
and its cost; catalogue.py and beyond.py hold them) split into independent *units* (a data set
size with all its seeds, a grid cell); each unit is one cache entry ``results/<experiment>-<key>.npz``
keyed by the configuration with the unit's values filled in, so an interrupted sweep keeps every
finished unit and resumes, and ``run(..., executor=...)`` hands the missing units to any
``concurrent.futures.Executor`` (a process pool, or a Dask client's executor) and stores each as it
finishes: the figure is the same whichever machine ran it. Before training, ``run`` prints how many
units are missing and about how long they will take (``minimem.costs``).

Where the data of a run comes from: ``train_set(cfg, T, seed)``, ``test_set(cfg, seed)`` and, for
the embedding grids, ``embed_data``; nowhere else.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import copy
import difflib
import functools
import multiprocessing
import os
import pathlib
import sys
import time
from typing import Callable, NamedTuple

import numba
import numpy as np

from .. import cache, costs, data
from ..optim import SGD, AdamW
from ..registry import MODELS
from ..checks import check_setting
from ..train import compile_time, kernels_for_auto


MODES = ("full", "quick", "smoke")


PARAM_NAMES = ("W", "W1", "b1", "W2", "b2", "b_final")

# the smoke mode (the tests): these keys, where a configuration has them, on top of quick
SMOKE = dict(steps=20, warmup=2, sizes=[3, 8], seeds=2, n_test=64, T=64, features=[5, 10], hidden=[2, 3],
             snapshots=[10, 20], step_counts=[10, 20])


class MissingResult(LookupError):
    """``run(..., cached_only=True)`` found no stored result for a unit."""


class LongRun(RuntimeError):
    """``run`` would train for longer than ``LONG_RUN`` seconds and was not asked to (``long_ok``)."""


LONG_RUN = 600.0  # seconds of training the Python API starts without being asked explicitly


HEARTBEAT = 30.0  # seconds between progress lines while units run elsewhere


# --- data: the one place the data of a run comes from ------------------------------------------


def train_set(cfg, T, seed):
    """Training set of size T for ``seed``: sparse features with cfg's n, sparsity, normalize and
    dtype, drawn from default_rng([seed, T, 0]); (T, n)."""
    return _sparse(cfg, T, seed, stream=0)


def test_set(cfg, seed):
    """cfg['n_test'] fresh samples for ``seed`` (default_rng([seed, n_test, 1])); (n_test, n), read-only.

    Kept for the next call with the same data settings (the figures' analyses ask for the same test
    set dozens of times; drawing 10,000 x 1,000 takes about 0.2 s): the last TEST_SETS_KEPT of them."""
    return _test_set(cfg["n_test"], cfg["n"], cfg["sparsity"], cfg["normalize"], np.dtype(cfg["dtype"]).name, seed)


TEST_SETS_KEPT = 8  # at n_test=10,000, n=1,000, float32: 40 MB each


@functools.lru_cache(maxsize=TEST_SETS_KEPT)
def _test_set(n_test, n, sparsity, normalize, dtype, seed):
    x = _sparse(dict(n=n, sparsity=sparsity, normalize=normalize, dtype=dtype), n_test, seed, stream=1)
    x.setflags(write=False)  # one array for every caller: none may change it
    return x


def train_sets(cfg, T):
    """train_set for every seed in range(cfg['seeds']), stacked: (seeds, T, n)."""
    return np.stack([train_set(cfg, T, s) for s in range(cfg["seeds"])])


def test_sets(cfg):
    """test_set for every seed: (seeds, n_test, n)."""
    return np.stack([test_set(cfg, s) for s in range(cfg["seeds"])])


def _sparse(cfg, T, seed, stream):
    rng = np.random.default_rng([seed, T, stream])
    return data.sparse_features(T, cfg["n"], cfg["sparsity"], rng, normalize=cfg["normalize"],
                                dtype=np.dtype(cfg["dtype"]).type)[0]


def target_of(cfg):
    """The training target as a function of the inputs x: x itself (MSE), the class argmax(x)
    ("hard"), x / sum(x) ("soft") or x unnormalised as a probability target ("input")."""
    if cfg["loss"] == "mse":
        return lambda x: x
    return {"hard": data.hard_labels, "soft": data.soft_labels, "input": lambda x: x}[cfg["labels"]]


def params_at(res, *index):
    """The parameters of one run of a sweep or grid result: ``params_at(res, i, s)`` for size
    index i and seed s, with a leading instance axis of 1 so the model functions take them."""
    return {k: np.asarray(res[k][index])[None] for k in PARAM_NAMES if k in res}


def optimiser_of(cfg, **changes):
    """The optimiser a configuration names (its keys lr, weight_decay, no_decay, and for SGD optimizer,
    momentum, decoupled; AdamW's betas and eps at their defaults), with ``changes`` applied."""
    c = dict(cfg, **changes)
    if c.get("optimizer", "adamw") == "sgd":
        return SGD(lr=c["lr"], momentum=c.get("momentum", 0.0), weight_decay=c["weight_decay"],
                   decoupled=c.get("decoupled", False), no_decay=tuple(c.get("no_decay", ())))
    return AdamW(lr=c["lr"], weight_decay=c["weight_decay"], no_decay=tuple(c.get("no_decay", ())))


def options_of(cfg):
    """Model keyword options the configuration implies (the MLP's output ReLU)."""
    return {"relu_out": True} if cfg.get("relu_out") else {}


def init_sweep(cfg, m, rng):
    """The initial parameters of a sweep's seeds (one instance each)."""
    kw = dict(n_instances=cfg["seeds"], init=cfg.get("init", "uniform"), dtype=np.dtype(cfg["dtype"]).type)
    if cfg["model"] == "relu_output":
        kw["tied"] = cfg["tied"]
    return MODELS[cfg["model"]].init_params(cfg["n"], m, rng, **kw)


def embed_data(cfg, n, d, m):
    """One embed_* cell's data: the embedding E (d, n), the target map (x itself, E x or E' x), the
    training and test inputs x (1, T, n) and (1, n_test, n), and the cell's generator, positioned
    where the initialisation draws from it."""
    rng = np.random.default_rng([cfg["seed"], n, d, m])
    dtype = np.dtype(cfg["dtype"]).type
    E = data.gaussian_embedding(d, n, rng, dtype)
    E2 = data.gaussian_embedding(d, n, rng, dtype)
    cell = dict(cfg, n=n, seeds=1)
    E_out = {"big_fish": None, "small_fish": E, "reprojector": E2}[cfg["setting"]]
    return E, E_out, train_sets(cell, cfg["T"]), test_sets(cell), rng


def embed_target(E_out):
    return (lambda v: v) if E_out is None else (lambda v: data.embed(v, E_out))


# --- the registry ------------------------------------------------------------------------------


# The runs each figure trains for itself (B3, B4 draw B2's runs, and so on): its run time is theirs.
FIGURES = {
    "B1": ("tms_relu_output",), "B2": ("bottleneck_dd",), "B3": (), "B4": (), "B5": ("reconstruction_grid",),
    "M1": ("tms_relu_hidden",), "M2": ("mlp_dd",), "M3": (), "M4": (), "M5": (),
    "M6": ("mlp_init_uniform", "mlp_init_gaussian"), "M7": ("sparse_grid", "sparse_grid_relu_out"), "M8": ("embed_big_fish",),
    "M9": ("embed_small_fish",), "M10": ("embed_reprojector",),
    "F1": ("unembed_dd",), "F2": (), "F3": ("unembed_dd_soft", "unembed_dd_input"), "F4": ("bottleneck_dd_untied",),
    "F5": ("unembed_dd_xavier",),
    "A1": ("onehot_dictionary",), "A2": ("onehot_grid_mse",), "A3": (), "A4": ("mlp_dd_relu_out",), "A5": ("ce_hidden2",),
    "A6": ("ce_epochs", "ce_epochs_wd0", "ce_epochs_wd0.0001", "ce_epochs_long", "ce_epochs_lr0.01", "ce_epochs_seed1",
           "ce_epochs_seed2"),
    "A7": ("ce_weight_decay",), "A8": ("antipodal_onehot",), "A9": ("onehot_grid_ce",),
    "X1": ("lookup_peak_ae", "lookup_peak_ce", "lookup_init_ae", "lookup_init_ce"), "X2": ("square_control",),
    "X3": ("mlp_small_T", "mlp_variants", "mlp_variants_sizes"), "X4": ("peak_height", "peak_height_arms"), "X5": ("sparse_grid_m2",),
    "X6": ("bottleneck_original",), "X7": ("peak_position",), "X8": ("optimiser_control",),
}


class Experiment(NamedTuple):
    """One entry of the catalogue, written as a literal where it is registered: ``full``, the write-up's
    settings (every number of the experiment, once); ``quick``, what quick mode changes;
    ``units(cfg)`` -> the dicts of the keys each unit fills in; ``compute(cfg, unit)`` -> a dict of
    arrays; ``collect(cfg, units, results)`` -> the experiment's result; ``cost(c)`` -> the
    trainings (costs.Job) a unit whose configuration is ``c`` runs, what the estimates count;
    ``same``, the unit keys a stored result must agree on to be offered as the closest."""
    full: dict
    quick: dict
    units: Callable
    compute: Callable
    collect: Callable
    cost: Callable
    same: tuple = ()

    def configure(self, mode):
        """The settings of ``mode``: ``full``, or ``full`` with ``quick``'s changes (a fresh copy)."""
        cfg = copy.deepcopy(self.full)
        if mode != "full":
            cfg.update(copy.deepcopy(self.quick))
        return cfg


EXPERIMENTS: dict[str, Experiment] = {}


def names():
    return list(EXPERIMENTS)


def results_dir_of(mode, root=None):
    """Where the results of ``mode`` live under a results root (default: minimem.cache.RESULTS, the
    checkout's results/): the root itself for "full" (the committed results), root/quick for "quick"
    and "smoke", which git ignores, so reduced runs never touch what is committed."""
    root = cache.RESULTS if root is None else root
    return root if mode == "full" else pathlib.Path(root) / "quick"


def config(name, mode="full", **overrides):
    """The configuration of experiment ``name`` in ``mode``, with ``overrides`` applied."""
    exp = _experiment(name)
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    cfg = exp.configure("full" if mode == "full" else "quick")
    unknown = sorted(set(overrides) - set(cfg))
    if unknown:
        raise ValueError(f"unknown configuration keys for {name}: {unknown}; it has {sorted(cfg)}")
    for k, v in overrides.items():  # each of the kind and in the range the setting holds, before anything runs
        check_setting(name, k, v, cfg[k])
    if mode == "smoke":
        cfg.update({k: v for k, v in SMOKE.items() if k in cfg}, smoke=True)
    cfg.update(overrides)
    return cfg


def entries(name, cfg, results_dir=None, verbose=False):
    """The cache entries (cache.Entry) the experiment reads for ``cfg``, one per unit."""
    exp = _experiment(name)
    return [cache.Entry(name, dict(cfg, **u), results_dir, verbose, exp.same) for u in exp.units(cfg)]


def unit_jobs(name, cfg, unit):
    """The trainings (costs.Job) one unit of experiment ``name`` runs: its entry's ``cost`` on the
    configuration with the unit's values filled in; what the estimate of its run time counts."""
    c = dict(cfg, **{k: v for k, v in unit.items() if v is not None})
    return _experiment(name).cost(c)


# --- the costs: the trainings of one unit, one function per kind of experiment -------------------------

def _job(c, model, loss, I, T, n, K, density):
    return costs.Job(model, loss, I, T, n, K, c.get("m") or 2, c.get("steps") or 0, density,
                     str(c.get("dtype", "float32")), int(c.get("n_test") or 0))


def sweep_cost(c):
    """One training of all seeds at one T on sparse features (n inputs and outputs)."""
    return [_job(c, c["model"], c["loss"], c.get("seeds") or 1, c["T"], c["n"], c["n"], 1 - c["sparsity"])]


def lookup_cost(c):
    """X1's comparison: every initialisation x seed as instances of one training."""
    return [_job(c, c["model"], c["loss"], c["seeds"] * len(c["inits"]), c["T"], c["n"], c["n"], 1 - c["sparsity"])]


def tms_cost(c):
    """The TMS setting: one instance per sparsity, at their mean density."""
    dense = float(np.mean([1 - s for s in c["sparsities"]]))
    return [_job(c, c["model"], "mse", len(c["sparsities"]), c["T"], c["n"], c["n"], dense)]


def reconstruction_cost(c):
    """B5's cell: the noisy data at every sparsity and both importances, then 2 on the n one-hot vectors."""
    dense = float(np.mean([1 - s for s in c["sparsities"]]))
    return [_job(c, c["model"], "mse", 2 * len(c["sparsities"]), c["T"], c["n"], c["n"], dense),
            _job(c, c["model"], "mse", 2, c["n"], c["n"], c["n"], 1 / c["n"])]


def small_cost(c):
    """One small MLP on the one-hot (or the 2 n antipodal) inputs."""
    N = c["n_in"] * (2 if c["inputs"].startswith("antipodal") else 1)
    return [_job(c, "mlp", c["loss"], 1, N, c["n_in"], N, 1 / c["n_in"])]


def onehot_cost(c):
    """The MLP on the n one-hot vectors, every seed as an instance."""
    return [_job(c, "mlp", c["loss"], c["seeds"], c["n"], c["n"], c["n"], 1 / c["n"])]


def embed_cost(c):
    """M8-M10: the MLP reads E x, d dense inputs; it outputs x (big fish) or d values."""
    K = c["n"] if c["setting"] == "big_fish" else c["d"]
    return [_job(c, "mlp", "mse", 1, c["T"], c["d"], K, 1.0)]


def estimate(name, cfg, units):
    """Estimated seconds to train ``units`` (dicts) of experiment ``name`` on this machine."""
    return costs.seconds([j for u in units for j in unit_jobs(name, cfg, u)])


def unit_label(unit):
    """A unit for people: 'T=500', 'T=10, m=2' (a sweep's unit blanks its list with None)."""
    return ", ".join(f"{k}={v}" for k, v in unit.items() if v is not None) or "the single run"


def run(name, mode="full", *, fresh=False, results_dir=None, executor=None, cached_only=False,
        verbose=True, long_ok=False, **overrides):
    """Train (or read from results/) every unit of experiment ``name``; returns (cfg, result).

    mode: "full" (the write-up's settings; results in results/, committed), "quick" or "smoke"
    (results/quick/, which git ignores). results_dir: a directory, or a list of them (written to the
    first, read from the first that holds an entry). executor: a concurrent.futures.Executor the
    missing units are submitted to (see ``executor(jobs, dask)``); each result is stored here as it
    arrives. cached_only: raise MissingResult instead of computing (a figure redrawn from committed
    results). Before training, the estimated time of the missing units is printed; more than
    LONG_RUN seconds (10 min) raises LongRun unless ``long_ok=True`` (the figure scripts and
    ``python -m minimem reproduce`` pass it: running them is the explicit request)."""
    exp = _experiment(name)
    cfg = config(name, mode, **overrides)
    if results_dir is None:
        results_dir = results_dir_of(mode)
    if verbose:
        print(f"{name} ({mode}): " + ", ".join(f"{k}={v}" for k, v in cfg.items()), flush=True)
    units = exp.units(cfg)
    found = entries(name, cfg, results_dir, verbose)
    results = [e.load(fresh) for e in found]
    todo = [k for k, r in enumerate(results) if r is None]
    if todo and cached_only:
        raise MissingResult(f"{name}: no stored result for {len(todo)} of {len(units)} units, e.g. "
                            f"{found[todo[0]].npz.name} ({found[todo[0]].why})")
    if not todo:
        return cfg, exp.collect(cfg, units, results)
    unit_secs = [costs.seconds(unit_jobs(name, cfg, units[k])) for k in todo]  # measures the rates if long
    total = sum(unit_secs)
    if total > LONG_RUN and not long_ok:
        raise LongRun(f"experiments.run({name!r}, {mode!r}) would train {len(todo)} of {len(units)} units for about "
                      f"{costs.describe(total)} on this machine; pass long_ok=True to start it, or redraw the "
                      f"committed results from a source checkout (python -m minimem reproduce --full --cached-only)")
    if verbose:
        print(f"{name}: {len(todo)} of {len(units)} units to train, about {costs.describe(total)} on this machine"
              + (" (the processes share the cores)" if executor is not None and len(todo) > 1 else ""), flush=True)
    t0 = time.perf_counter()
    started = time.time()
    left = dict(zip(todo, unit_secs))
    storing = []  # units whose store began: an interrupt can land after the file is in place

    compiling = [0.0]  # seconds the units spent compiling kernels: not training, not in any estimate

    def finish(k, computed):
        out, seconds, compiled = computed
        storing.append(k)
        results[k] = found[k].store(out, seconds - compiled)
        est_done = total - sum(left.values()) + left.pop(k)
        if verbose:
            if compiled >= 1:
                print(f"  {name}: numba compiled kernels for {compiled:.0f} s (once; not counted as training)",
                      flush=True)
            compiling[0] += compiled
            done = sum(r is not None for r in results)
            took = time.perf_counter() - t0
            trained = max(took - compiling[0], 1e-9)
            remaining = sum(left.values()) * trained / max(est_done, 1e-9)  # the estimate, scaled by what was measured
            print(f"  {name}: {unit_label(units[k])} done, {done} of {len(units)} units ({took:.0f} s so far"
                  + (f", about {costs.describe(remaining)} left)" if left else ")"), flush=True)

    def compute_claimed(k):
        """Unit k under its claim: stored meanwhile by another process (two figure scripts sharing
        this sweep), or computed here."""
        npz = found[k].npz
        if npz.exists() and (not fresh or npz.stat().st_mtime >= started - 1):
            results[k] = found[k].load()
            if results[k] is not None:
                left.pop(k)
                return
        found[k].announce(unit_label(units[k]))
        finish(k, compute_unit(name, cfg, units[k]))

    def kept():
        """Units stored: those finished, and one whose file was written (atomically, by this run)
        when an interrupt came before its result was recorded."""
        landed = [k for k in storing if results[k] is None and found[k].npz.exists()
                  and found[k].npz.stat().st_mtime >= started - 1]
        return sum(r is not None for r in results) + len(landed)

    try:
        if executor is None or len(todo) < 2:
            waiting = []
            for k in todo:  # each unit claimed first: one another process is computing is left to it
                with cache.claim(found[k].npz, wait=False) as mine:
                    if mine:
                        compute_claimed(k)
                    else:
                        waiting.append(k)
            for k in waiting:  # then each of those, once the other process lets go: its result, or computed
                with cache.claim(found[k].npz, wait=True):
                    compute_claimed(k)
        else:
            todo.sort(key=lambda k: -(units[k].get("T") or 0))  # the largest first, so none runs alone at the end
            for k in todo:
                found[k].announce(unit_label(units[k]))
            futures = {executor.submit(compute_unit, name, cfg, units[k]): k for k in todo}
            pending = set(futures)
            while pending:  # units as they arrive, and a line every HEARTBEAT seconds while none does
                done, pending = concurrent.futures.wait(pending, timeout=HEARTBEAT,
                                                        return_when=concurrent.futures.FIRST_COMPLETED)
                for f in done:
                    finish(futures[f], f.result())
                if not done and verbose:
                    print(f"  {name}: {kept()} of {len(units)} units done, {len(pending)} running or queued "
                          f"({time.perf_counter() - t0:.0f} s so far)", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted: {kept()} of {len(units)} units of {name} kept; rerun to resume", file=sys.stderr,
              flush=True)
        raise
    return cfg, exp.collect(cfg, units, results)


def stored(name, mode="full", *, results_dir=None, **overrides):
    """What is stored of experiment ``name`` so far, without computing anything: (cfg, units,
    results), results[k] the arrays of units[k] or None. For a long sweep still running (X6), whose
    figure is drawn from the units that have landed."""
    cfg = config(name, mode, **overrides)
    units = _experiment(name).units(cfg)
    return cfg, units, [e.load() for e in entries(name, cfg, results_dir_of(mode) if results_dir is None else results_dir)]


def compute_unit(name, cfg, unit):
    """One unit's arrays, the seconds computing them took and, of those, the seconds numba spent
    compiling (what an executor runs; a module-level function, so it pickles). backend='auto' takes
    the kernels here whether or not they are compiled (train.kernels_for_auto)."""
    with compile_time() as compiled, kernels_for_auto():
        t = time.perf_counter()
        out = EXPERIMENTS[name].compute(cfg, unit)
        seconds = time.perf_counter() - t
    return out, seconds, compiled.seconds


@contextlib.contextmanager
def executor(jobs=1, dask=None):
    """None (serial), a process pool of ``jobs`` workers sharing the cores, or the executor of a
    Dask client connected to ``dask`` (an address such as tcp://host:8786; needs
    ``pip install minimem[dask]``)."""
    if dask:
        with connect_dask(dask) as client:
            yield client.get_executor()
        return
    if jobs is None or jobs <= 1:
        yield None
        return
    threads = max(1, (os.cpu_count() or 1) // jobs)
    # spawn, not fork: numba's OpenMP thread pool does not survive a fork
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(jobs, mp_context=context, initializer=_limit_threads,
                                                initargs=(threads,)) as pool:
        yield pool


def connect_dask(address, timeout=10):
    """A dask.distributed Client connected to the scheduler at ``address``, after saying where its
    dashboard and how many workers it has. ImportError when dask.distributed is not installed,
    ConnectionError when the scheduler does not answer within ``timeout`` seconds."""
    try:
        from distributed import Client
    except ImportError:
        raise ImportError('--dask needs dask.distributed; install it with: pip install -e ".[dask]"') from None
    try:
        client = Client(address, timeout=f"{timeout}s")
    except (OSError, TimeoutError) as e:
        raise ConnectionError(f"cannot reach the Dask scheduler at {address} within {timeout} s "
                              f"({type(e).__name__}); start one (dask scheduler) or leave out --dask") from None
    workers = len(client.scheduler_info().get("workers", {}))
    print(f"dask: connected to {address}, {workers} workers; dashboard {client.dashboard_link}", flush=True)
    return client


def _limit_threads(threads):
    """Each worker's numba thread pool gets its share of the cores."""
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def _experiment(name):
    if name not in EXPERIMENTS:
        if name in FIGURES:
            runs = ", ".join(FIGURES[name]) or "none of its own (it draws another figure's runs)"
            raise ValueError(f"unknown experiment {name!r}: {name} is a figure, and its experiments are {runs}")
        close = difflib.get_close_matches(str(name), list(EXPERIMENTS), n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ValueError(f"unknown experiment {name!r}; {hint}known: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def single(cfg):
    """The units of a single run: one, filling in nothing."""
    return [{}]


def only(cfg, units, results):
    return results[0]


def stack(cfg, units, results):
    """Arrays stacked over the sizes: (sizes, seeds, ...)."""
    return {k: np.stack([r[k] for r in results]) for k in results[0]}


def sweep_units(cfg):
    """A sweep over the data set size: one unit per T of ``sizes`` (each blanks the list)."""
    return [{"sizes": None, "T": int(T)} for T in cfg["sizes"]]


def grid_units(*axes):
    """Units over the product of the configuration's lists named in axes: (config key, unit key).
    Each unit blanks the lists it is drawn from (as a sweep's unit blanks ``sizes``), so its cache
    key is its own cell's: a value added to a list adds units and leaves the others' entries valid."""
    def units(cfg):
        out = [{list_key: None for list_key, _ in axes}]
        for list_key, unit_key in axes:
            out = [dict(u, **{unit_key: v}) for u in out for v in cfg[list_key]]
        return out
    return units


def by_cell(*unit_keys):
    def collect(cfg, units, results):
        return {tuple(u[k] for k in unit_keys): r for u, r in zip(units, results)}
    return collect
