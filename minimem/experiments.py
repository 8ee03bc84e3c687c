"""Every experiment of the figure catalogue: a named configuration and one call that returns its
results, cached under results/ (numpy and minimem only; importing this module does not import
matplotlib).

    cfg = experiments.config("unembed_dd")                # the write-up's setting, a plain dict
    cfg, res = experiments.run("unembed_dd", mode="quick")  # trained, or read from results/

``mode`` is "full" (the write-up's settings; the committed figures), "quick" (about a minute) or
"smoke" (a few steps on tiny data, for the tests). Keyword overrides change configuration keys
(``run("unembed_dd", sizes=[5000])``) and so the cache keys.

An experiment is split into independent *units* (a data set size with all its seeds, a grid cell);
each unit is one cache entry ``results/<experiment>-<key>.npz`` keyed by the configuration with the
unit's values filled in, so an interrupted sweep keeps every finished unit and resumes, and
``run(..., executor=...)`` hands the missing units to any ``concurrent.futures.Executor`` (a
process pool, or a Dask client's executor) and stores each as it finishes: the figure is the same
whichever machine ran it.

Where the data of a run comes from: ``train_set(cfg, T, seed)`` and ``test_set(cfg, seed)``, and
nowhere else. Results keep the models' parameter names (``W1``, ``b1``, ``W2``, ``b2``, ``W``,
``b_final``) with the axes (size, seed, ...) of a sweep or (instance, ...) of a single run.

Experiments (figures that read them):

    bottleneck_dd        B2, B3, B4   ReLU output model (tied W) over data set size T
    bottleneck_dd_untied F4           the same with untied W1, W2
    mlp_dd               M2-M5        MLP auto-encoder over T
    mlp_dd_relu_out      A4           the MLP with an output ReLU
    mlp_init_uniform     M6           the MLP at small T, PyTorch's uniform init
    mlp_init_gaussian    M6           ... Gaussian init
    unembed_dd           F1, F2       toy unembedding, cross-entropy on hard labels, over T
    unembed_dd_soft      F3           soft labels x / sum(x)
    unembed_dd_input     F3           the unnormalised input x as the probability target
    unembed_dd_xavier    F5           Xavier normal init
    tms_relu_output      B1           TMS basic setting over sparsity
    tms_relu_hidden      M1           ReLU hidden model over sparsity
    reconstruction_grid  B5           features x hidden x sparsity x importance grid
    sparse_grid          M7           MLP auto-encoder over hidden size x T
    sparse_grid_m2       X5           M7's m=2 row with its weights (the peak's mechanism)
    onehot_grid_mse      A2, A3       MLP on one-hot data over hidden size x n, MSE
    onehot_grid_ce       A9           ... cross-entropy
    embed_big_fish       M8           an MLP reading an embedding E x, three targets
    embed_small_fish     M9
    embed_reprojector    M10
    onehot_dictionary    A1           one small MLP on one-hot data (MSE)
    ce_hidden2           A5           cross-entropy MLP with 2 neurons
    ce_epochs            A6           cross-entropy MLP, weight decay 1e-2, snapshots
    ce_weight_decay      A7           ... weight decay 1
    antipodal_onehot     A8           cross-entropy MLP on +-e_i
    lookup_peak_ae       X1           the MLP (m=20) over T, auto-encoder
    lookup_peak_ce       X1           ... cross-entropy
    lookup_init_ae       X1           five initialisations at chosen T and weight decays
    lookup_init_ce       X1
    square_control       X2           loss x normalisation x init at T=500: where the squares come from
    mlp_small_T          X3           the MLP at T=1-40 for m in 2-16, 8 seeds: a peak at T = m + 1?
    mlp_variants         X3           ... m=2 under other learning rates, inits, inputs, decay
    peak_height          X4           B2's peak under weight decay x steps x test-set size
    ce_epochs_wd0        A6           A6 without weight decay
    ce_epochs_wd0.0001   A6           ... with weight decay 1e-4
    ce_epochs_long       A6           ... for 30,000 epochs
    ce_epochs_lr0.01     A6           ... at lr 1e-2
    ce_epochs_seed1/2    A6           ... seeds 1 and 2
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import os
import pathlib
import sys
import time
from typing import Callable, NamedTuple

import numpy as np

from . import analysis, cache, costs, data, metrics, mlp, optim, relu_hidden, relu_output, unembed
from .train import evaluate, train

MODES = ("full", "quick", "smoke")
MODELS = {"relu_output": relu_output, "relu_hidden": relu_hidden, "mlp": mlp, "unembed": unembed}
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
    """cfg['n_test'] fresh samples for ``seed`` (default_rng([seed, n_test, 1])); (n_test, n)."""
    return _sparse(cfg, cfg["n_test"], seed, stream=1)


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


def options_of(cfg):
    """Model keyword options the configuration implies (the MLP's output ReLU)."""
    return {"relu_out": True} if cfg.get("relu_out") else {}


# --- the registry ------------------------------------------------------------------------------

class Experiment(NamedTuple):
    """configure(mode) -> cfg; units(cfg) -> list of dicts of the keys one unit fills in;
    compute(cfg, unit) -> dict of arrays; collect(cfg, units, results) -> the experiment's result."""
    configure: Callable
    units: Callable
    compute: Callable
    collect: Callable
    same: tuple = ()


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
    if mode == "smoke":
        cfg.update({k: v for k, v in SMOKE.items() if k in cfg}, smoke=True)
    cfg.update(overrides)
    return cfg


def entries(name, cfg, results_dir=None, verbose=False):
    """The cache entries (cache.Entry) the experiment reads for ``cfg``, one per unit."""
    exp = _experiment(name)
    return [cache.Entry(name, dict(cfg, **u), results_dir, verbose, exp.same) for u in exp.units(cfg)]


def unit_jobs(name, cfg, unit):
    """The trainings (costs.Job) one unit of experiment ``name`` runs, from the sizes in its
    configuration: what the estimate of its run time counts."""
    c = dict(cfg, **{k: v for k, v in unit.items() if v is not None})
    model, loss, steps = c.get("model", "mlp"), c.get("loss", "mse"), c.get("steps") or 0
    seeds, m = c.get("seeds") or 1, c.get("m") or 2
    if "sparsities" in c and "features" not in c:  # tms: one instance per sparsity
        return [costs.Job(model, loss, len(c["sparsities"]), c["T"], c["n"], c["n"], m, steps, 0.5)]
    if "inputs" in c:  # one small MLP on one-hot (or antipodal) inputs
        N = c["n_in"] * (2 if c["inputs"].startswith("antipodal") else 1)
        return [costs.Job("mlp", loss, 1, N, c["n_in"], N, m, steps, 1 / c["n_in"])]
    if c.get("data") == "one-hot":
        return [costs.Job("mlp", loss, seeds, c["n"], c["n"], c["n"], m, steps, 1 / c["n"])]
    if "setting" in c and "bottleneck" in c:  # M8-M10: the MLP reads E x (d dense inputs)
        K = c["n"] if c["setting"] == "big_fish" else c["d"]
        return [costs.Job("mlp", "mse", 1, c["T"], c["d"], K, m, steps, 1.0)]
    if "features" in c:  # B5: 8 noisy instances and 2 on the n one-hot vectors
        return [costs.Job(model, "mse", 2 * len(c["sparsities"]), c["T"], c["n"], c["n"], m, steps, 0.5),
                costs.Job(model, "mse", 2, c["n"], c["n"], c["n"], m, steps, 1 / c["n"])]
    I = seeds * len(c.get("inits") or [None]) if "inits" in c and "weight_decays" in c else seeds
    return [costs.Job(model, loss, I, c["T"], c["n"], c["n"], m, steps, 1 - c.get("sparsity", 0.99))]


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
    left = dict(zip(todo, unit_secs))

    def finish(k, out):
        results[k] = found[k].store(out)
        est_done = total - sum(left.values()) + left.pop(k)
        if verbose:
            done = sum(r is not None for r in results)
            took = time.perf_counter() - t0
            remaining = sum(left.values()) * took / max(est_done, 1e-9)  # the estimate, scaled by what was measured
            print(f"  {name}: {unit_label(units[k])} done, {done} of {len(units)} units ({took:.0f} s so far"
                  + (f", about {costs.describe(remaining)} left)" if left else ")"), flush=True)

    kept = lambda: sum(r is not None for r in results)  # noqa: E731
    try:
        if executor is None or len(todo) < 2:
            for k in todo:
                found[k].announce(unit_label(units[k]))
                finish(k, exp.compute(cfg, units[k]))
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


def compute_unit(name, cfg, unit):
    """One unit's arrays (what an executor runs; a module-level function, so it pickles)."""
    return EXPERIMENTS[name].compute(cfg, unit)


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
    import numba
    numba.set_num_threads(min(threads, numba.config.NUMBA_NUM_THREADS))


def _experiment(name):
    if name not in EXPERIMENTS:
        raise ValueError(f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}")
    return EXPERIMENTS[name]


def _register(name, configure, units, compute, collect, same=()):
    EXPERIMENTS[name] = Experiment(configure, units, compute, collect, same)


def _single(cfg):
    return [{}]


def _only(cfg, units, results):
    return results[0]


# --- double-descent sweeps over the data set size T --------------------------------------------

# The published accounts of the ReLU output model's double descent that B2, X5 compare with:
# Henighan et al. (2023), n=10,000, m=2, S=0.999: the middle regime from T of about 700, generalisation
# near T=5,000, a middle-regime test loss near 1.01; Jermyn's replication of that setup: the regime near
# T=100, generalisation near T=20,000, test loss up to 5,000, generalisation where T (1 - S) is about 10.
# The write-up: its n=1000, S=0.99 bottleneck double descends "exactly 10x earlier".
PUBLISHED = dict(henighan_regime=(700, 5000), henighan_loss=1.01, jermyn_regime=(100, 20000), jermyn_loss=5000.0,
                 jermyn_rule=10, earlier=10)

# dense around the test-loss peaks
FULL_SIZES = [3, 5, 10, 20, 40, 70, 100, 150, 200, 300, 400, 500, 700, 1000, 1500, 2000, 3000, 5000]
QUICK_SIZES = [3, 8, 21, 58, 158, 430, 1170, 3000]
# cross-entropy costs 1000 exps per sample, so the F sweeps are sparser; F1 runs to the second descent
F_SIZES = [3, 10, 30, 100, 200, 300, 500, 700, 1000, 1500, 2000, 5000, 10000, 20000]
F_SMALL_SIZES = [100, 500, 1000]
F_QUICK_SIZES = [10, 100, 500, 2000]


def _henighan(mode, sizes):
    """The Henighan et al. schedule: AdamW lr 1e-3, warm-up then cosine to 0 over 50,000 full-batch
    steps, weight decay 1e-2; n=1000, m=2, S=0.99; 4 seeds; float32."""
    full = mode == "full"
    return dict(n=1000, m=2, sparsity=0.99, steps=50_000 if full else 5_000, warmup=2_500 if full else 250,
                lr=1e-3, weight_decay=1e-2, seeds=4 if full else 2, n_test=10_000 if full else 2_000,
                dtype="float32", sizes=sizes[0] if full else sizes[1])


def _sweep_units(cfg):
    return [{"sizes": None, "T": int(T)} for T in cfg["sizes"]]


def _sweep_train(cfg, T):
    """All seeds of one data set size, trained as instances of one call: (model, TrainResult, x)."""
    model = MODELS[cfg["model"]]
    params = _init_sweep(cfg, cfg["m"], np.random.default_rng([0, T]))
    x = train_sets(cfg, T)  # (seeds, T, n)
    res = train(model, params, x, target_of(cfg)(x), steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                weight_decay=cfg["weight_decay"], no_decay=tuple(cfg.get("no_decay", ())), loss=cfg["loss"],
                desc=f"{cfg['model']} T={T}", **options_of(cfg))
    return model, res, x


def _sweep_compute(cfg, unit):
    """All seeds of one data set size, trained as instances of one call, then scored on fresh data."""
    model, res, x = _sweep_train(cfg, unit["T"])
    make_target = target_of(cfg)
    opts = options_of(cfg)
    xt = test_sets(cfg)  # (seeds, n_test, n), fresh draws
    out = {"train_loss": res.final_loss, "test_loss": evaluate(model, res.params, xt, make_target(xt),
                                                               loss=cfg["loss"], **opts),
           "curve": res.losses[:: max(1, cfg["steps"] // 500)].T}  # (seeds, ~500)
    out.update(res.params)
    if cfg["model"] != "relu_output":  # argmax of the output against argmax of x
        out["train_acc"] = metrics.argmax_accuracy(model.forward(res.params, x, **opts)[0], data.hard_labels(x))
        out["test_acc"] = metrics.argmax_accuracy(model.forward(res.params, xt, **opts)[0], data.hard_labels(xt))
    return out


def _init_sweep(cfg, m, rng):
    """The initial parameters of a sweep's seeds (one instance each)."""
    kw = dict(n_instances=cfg["seeds"], init=cfg.get("init", "uniform"), dtype=np.dtype(cfg["dtype"]).type)
    if cfg["model"] == "relu_output":
        kw["tied"] = cfg["tied"]
    return MODELS[cfg["model"]].init_params(cfg["n"], m, rng, **kw)


def null_loss(cfg, m=None):
    """The test loss of the model with every parameter zero, per seed (seeds,): the all-zeros output
    under MSE (mean |x|^2: 1 for normalised inputs), uniform logits under cross-entropy (log V times
    the target's mass: log V for hard labels). The level a test-loss peak rises from and returns to."""
    params = _init_sweep(cfg, cfg["m"] if m is None else m, np.random.default_rng(0))
    zero = {k: np.zeros_like(v) for k, v in params.items()}
    xt = test_sets(cfg)  # (seeds, n_test, n)
    return evaluate(MODELS[cfg["model"]], zero, xt, target_of(cfg)(xt), loss=cfg["loss"], **options_of(cfg))


def _stack(cfg, units, results):
    """Arrays stacked over the sizes: (sizes, seeds, ...)."""
    return {k: np.stack([r[k] for r in results]) for k in results[0]}


def _sweep(name, configure):
    _register(name, configure, _sweep_units, _sweep_compute, _stack, same=("T",))


def _bottleneck(tied):
    """x' = ReLU(W^T W x + b) (tied) or ReLU(W2 W1 x + b), normalised inputs, MSE, uniform
    importance; xavier_normal init (the TMS notebook), zero bias."""
    def configure(mode):
        return dict(_henighan(mode, (FULL_SIZES, QUICK_SIZES)), model="relu_output", tied=tied, normalize=True,
                    loss="mse", init="xavier_normal")
    return configure


def _mlp(init="uniform", relu_out=False, sizes=None, seeds=None):
    """h = ReLU(W1 x + b1), x' = W2 h + b2 (optionally ReLU(...)), normalised inputs, MSE;
    PyTorch's nn.Linear init (uniform) or Gaussian W1, W2 (std 1/sqrt(fan_in))."""
    def configure(mode):
        cfg = dict(_henighan(mode, (FULL_SIZES, QUICK_SIZES)), model="mlp", relu_out=relu_out, normalize=True,
                   loss="mse", init=init)
        if sizes:
            cfg.update(sizes=sizes, seeds=seeds)
        return cfg
    return configure


def _unembed(labels="hard", init="uniform", sizes=(F_SIZES, F_QUICK_SIZES), seeds=None):
    """logits = W2 (W1 x) + b2, n = V = 1000, unnormalised inputs, cross-entropy against the class
    argmax(x) ("hard"), x / sum(x) ("soft") or x itself ("input"); PyTorch's default uniform init
    or Xavier normal, zero b2."""
    def configure(mode):
        cfg = dict(_henighan(mode, sizes), model="unembed", labels=labels, normalize=False, loss="ce", init=init)
        if seeds and mode == "full":
            cfg["seeds"] = seeds
        return cfg
    return configure


_sweep("bottleneck_dd", _bottleneck(True))
_sweep("bottleneck_dd_untied", _bottleneck(False))
_sweep("mlp_dd", _mlp())
_sweep("mlp_dd_relu_out", _mlp(relu_out=True))
_sweep("mlp_init_uniform", _mlp("uniform", sizes=[3, 10, 30, 100], seeds=2))
_sweep("mlp_init_gaussian", _mlp("gaussian", sizes=[3, 10, 30, 100], seeds=2))
_sweep("unembed_dd", _unembed())
_sweep("unembed_dd_soft", _unembed("soft", sizes=(F_SMALL_SIZES, F_SMALL_SIZES), seeds=4))
_sweep("unembed_dd_input", _unembed("input", sizes=(F_SMALL_SIZES, F_SMALL_SIZES), seeds=4))
_sweep("unembed_dd_xavier", _unembed(init="xavier_normal", sizes=(F_SMALL_SIZES, F_SMALL_SIZES), seeds=2))


# --- the TMS basic setting over sparsity (B1, M1) -----------------------------------------------

TMS_SPARSITIES = [0.0, 0.7, 0.9, 0.97, 0.99, 0.997, 0.999]


def _tms(model, n, m, importance_ratio):
    """Importance ratio^i, one model per sparsity trained as instances of one call; W xavier_normal,
    b zero; AdamW lr 1e-3 constant, weight decay 1e-2, 10,000 full-batch steps on one fixed data
    set of 50,000 samples per sparsity (quick: 2,000 steps, 5,000 samples); float64."""
    def configure(mode):
        full = mode == "full"
        return dict(model=model, n=n, m=m, importance_ratio=importance_ratio, sparsities=TMS_SPARSITIES,
                    T=50_000 if full else 5_000, steps=10_000 if full else 2_000, lr=1e-3, weight_decay=1e-2,
                    init="xavier_normal", dtype="float64", seed=0)
    return configure


def _tms_compute(cfg, unit):
    I = len(cfg["sparsities"])
    model = MODELS[cfg["model"]]
    rng = np.random.default_rng(cfg["seed"])
    x = data.sparse_features(cfg["T"], cfg["n"], np.array(cfg["sparsities"]), rng, n_instances=I)
    params = model.init_params(cfg["n"], cfg["m"], rng, n_instances=I, init=cfg["init"])
    imp = data.importance_geometric(cfg["n"], cfg["importance_ratio"])
    res = train(model, params, x, x, importance=imp, steps=cfg["steps"], lr=cfg["lr"], schedule="constant",
                weight_decay=cfg["weight_decay"], desc=f"{cfg['model']} over sparsity")
    return dict(res.params, loss=res.final_loss)  # W (I, m, n), b_final (I, n), loss (I,)


_register("tms_relu_output", _tms("relu_output", 20, 5, 0.7), _single, _tms_compute, _only)
_register("tms_relu_hidden", _tms("relu_hidden", 10, 5, 0.75), _single, _tms_compute, _only)


# --- one small MLP, full batch, constant learning rate (A1, A5-A8) ------------------------------

def _small(inputs, n_in, m, loss, steps, weight_decay=1e-2, snapshots=(), lr=1e-3, seed=0):
    """One MLP (the appendix's readable cases) on a fixed set of inputs, full batch, AdamW at a
    constant lr (PyTorch's default 1e-3; the write-up counts these runs in epochs = steps), weight
    decay, PyTorch's nn.Linear init, float64, seed 0; snapshots of the params at some steps."""
    def configure(mode):
        quick_steps = min(steps, 2_000)
        return dict(model="mlp", inputs=inputs, n_in=n_in, m=m, loss=loss,
                    steps=steps if mode == "full" else quick_steps, weight_decay=weight_decay, lr=lr, seed=seed,
                    snapshots=[s for s in snapshots if mode == "full" or s <= quick_steps])
    return configure


def small_data(cfg):
    """The inputs (N, n_in) and targets of a small run: the n one-hot vectors (target: themselves
    for MSE, the index i for cross-entropy), or the 2n antipodal +-e_i with classes 0..2n-1."""
    if cfg["inputs"] == "antipodal one-hot":
        return data.antipodal_one_hot(cfg["n_in"])
    x = data.one_hot(cfg["n_in"])
    return x, (x if cfg["loss"] == "mse" else np.arange(cfg["n_in"]))


def _small_compute(cfg, unit):
    x, target = small_data(cfg)
    n_out = int(target.max()) + 1 if cfg["loss"] == "ce" else x.shape[1]
    p = mlp.init_params(cfg["n_in"], cfg["m"], np.random.default_rng(cfg["seed"]), n_out=n_out, n_instances=1)
    snaps = [s for s in cfg["snapshots"] if s <= cfg["steps"]]
    res = train(mlp, p, x[None], target[None], loss=cfg["loss"], steps=cfg["steps"], lr=cfg["lr"],
                schedule="constant", weight_decay=cfg["weight_decay"], snapshot_steps=snaps,
                desc=f"mlp {cfg['inputs']} {cfg['loss']}")
    out = dict(res.params, final_loss=res.final_loss, curve=res.losses[:, 0])  # params (1, ...)
    for s in snaps:
        out.update({f"{k}_step{s}": v for k, v in res.snapshots[s].items()})
    return out


for _name, _conf in {"onehot_dictionary": _small("one-hot", 20, 10, "mse", 10_000),
                     "ce_hidden2": _small("one-hot", 64, 2, "ce", 10_000),
                     "ce_epochs": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000)),
                     "ce_weight_decay": _small("one-hot", 20, 10, "ce", 3_000, 1.0, (1000, 3000)),
                     "antipodal_onehot": _small("antipodal one-hot", 10, 10, "ce", 3_000)}.items():
    _register(_name, _conf, _single, _small_compute, _only)


def snapshot(res, step):
    """The params of a small run at a snapshot step, (1, ...) each."""
    return {k: res[f"{k}_step{step}"] for k in PARAM_NAMES if f"{k}_step{step}" in res}


# --- grids of small runs (A2, A9, M7, M8-M10, B5) ----------------------------------------------

def _grid_units(*axes):
    """Units over the product of the configuration's lists named in axes: (config key, unit key).
    Each unit blanks the lists it is drawn from (as a sweep's unit blanks ``sizes``), so its cache
    key is its own cell's: a value added to a list adds units and leaves the others' entries valid."""
    def units(cfg):
        out = [{list_key: None for list_key, _ in axes}]
        for list_key, unit_key in axes:
            out = [dict(u, **{unit_key: v}) for u in out for v in cfg[list_key]]
        return out
    return units


def _by_cell(*unit_keys):
    def collect(cfg, units, results):
        return {tuple(u[k] for k in unit_keys): r for u, r in zip(units, results)}
    return collect


def _onehot_grid(loss):
    """MLP on the n one-hot vectors (data set size = n), MSE (auto-encode e_i) or cross-entropy
    (class i); 2 seeds per cell, Henighan schedule (lr 1e-3, warm-up 500, cosine to 0 over 10,000
    steps), weight decay 1e-2, PyTorch init, float32."""
    def configure(mode):
        cfg = dict(model="mlp", data="one-hot", loss=loss, sizes=[10, 30, 100, 300, 1000],
                   hidden=[2, 5, 10, 20, 50, 100], seeds=2, steps=10_000, warmup=500, lr=1e-3,
                   weight_decay=1e-2, dtype="float32")
        if mode != "full":
            cfg.update(sizes=cfg["sizes"][:3], hidden=cfg["hidden"][:4], steps=2_000, warmup=100)
        return cfg
    return configure


def _onehot_compute(cfg, unit):
    n, m, S = unit["n"], unit["m"], cfg["seeds"]
    dtype = np.dtype(cfg["dtype"]).type
    x = np.broadcast_to(data.one_hot(n, dtype), (S, n, n)).copy()
    classes = np.broadcast_to(np.arange(n), (S, n)).copy()
    p = mlp.init_params(n, m, np.random.default_rng([n, m]), n_instances=S, dtype=dtype)
    res = train(mlp, p, x, x if cfg["loss"] == "mse" else classes, loss=cfg["loss"], steps=cfg["steps"],
                warmup=cfg["warmup"], lr=cfg["lr"], weight_decay=cfg["weight_decay"],
                desc=f"one-hot {cfg['loss']} n={n} m={m}")
    acc = metrics.argmax_accuracy(mlp.forward(res.params, x)[0], classes)
    return dict(res.params, loss=res.final_loss, acc=acc)


for _loss in ("mse", "ce"):
    _register(f"onehot_grid_{_loss}", _onehot_grid(_loss), _grid_units(("sizes", "n"), ("hidden", "m")),
              _onehot_compute, _by_cell("n", "m"), same=("n", "m"))


def _sparse_grid(mode):
    """The M2 auto-encoder (n=1000, S=0.99, normalised, MSE) over hidden size x data set size; 2 seeds,
    Henighan schedule over 50,000 steps (quick: 5,000), test loss and accuracy on 5,000 fresh samples."""
    cfg = dict(model="mlp", n=1000, sparsity=0.99, normalize=True, loss="mse",
               sizes=[10, 30, 100, 300, 1000, 3000], hidden=[1, 2, 4, 8, 16], seeds=2,
               steps=50_000, warmup=2_500, lr=1e-3, weight_decay=1e-2, n_test=5_000, dtype="float32")
    if mode != "full":
        cfg.update(sizes=[10, 100, 1000], hidden=[1, 2, 4], steps=5_000, warmup=250, n_test=2_000)
    return cfg


def _sparse_grid_m2(mode):
    """M7's row m=2 again, the same runs (data, seeds, initialisation) with the weights kept, for the
    test-loss peak's mechanism (X5); M7 itself keeps only losses and accuracies."""
    return dict(_sparse_grid(mode), hidden=[2], keep_params=True)


def _sparse_grid_compute(cfg, unit):
    T, m = unit["T"], unit["m"]
    x, xt = train_sets(cfg, T), test_sets(cfg)  # (seeds, T, n), (seeds, n_test, n)
    p = mlp.init_params(cfg["n"], m, np.random.default_rng([T, m]), n_instances=cfg["seeds"],
                        dtype=np.dtype(cfg["dtype"]).type)
    res = train(mlp, p, x, x, steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                weight_decay=cfg["weight_decay"], desc=f"M7 T={T} m={m}")
    out = {"train_loss": res.final_loss, "test_loss": evaluate(mlp, res.params, xt, xt),
           "test_acc": metrics.argmax_accuracy(mlp.forward(res.params, xt)[0], xt)}
    return dict(out, **res.params) if cfg.get("keep_params") else out


_register("sparse_grid", _sparse_grid, _grid_units(("sizes", "T"), ("hidden", "m")), _sparse_grid_compute,
          _by_cell("T", "m"), same=("T", "m"))
_register("sparse_grid_m2", _sparse_grid_m2, _grid_units(("sizes", "T"), ("hidden", "m")), _sparse_grid_compute,
          _by_cell("T", "m"), same=("T", "m"))

EMBED_SETTINGS = {"big_fish": "x -> E x -> MLP -> x", "small_fish": "E x -> MLP -> E x",
                  "reprojector": "E x -> MLP -> E' x"}


def _embed_grid(setting):
    """An MLP reads E x (E a fixed standard-Gaussian d x n embedding) and outputs x (big fish), E x
    (small fish) or E' x (re-projector, a second Gaussian E'). 1,000 training samples at S=0.99
    (normalised), MSE, Henighan schedule over 5,000 steps (warm-up 250), weight decay 1e-2, PyTorch
    init, float32, one seed; test loss on 2,000 fresh samples; accuracy forwards E e_i for every
    feature i and compares argmax(output) with i (big fish), argmax(E e_i) (small fish) or
    argmax(E' e_i) (re-projector)."""
    def configure(mode):
        cfg = dict(model="mlp", setting=setting, T=1000, sparsity=0.99, normalize=True, loss="mse",
                   features=[100, 300, 1000], bottleneck=[10, 50], hidden=[10, 50, 200], steps=5_000, warmup=250,
                   lr=1e-3, weight_decay=1e-2, n_test=2_000, dtype="float32", seed=0)
        if mode != "full":
            cfg.update(features=[100, 300], bottleneck=[10], hidden=[10, 50], steps=1_000, warmup=50)
        return cfg
    return configure


def _embed_data(cfg, n, d, m):
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


def _embed_target(E_out):
    return (lambda v: v) if E_out is None else (lambda v: data.embed(v, E_out))


def _embed_compute(cfg, unit):
    n, d, m = unit["n"], unit["d"], unit["m"]
    setting, dtype = cfg["setting"], np.dtype(cfg["dtype"]).type
    E, E_out, x, xt, rng = _embed_data(cfg, n, d, m)
    target = _embed_target(E_out)
    p = mlp.init_params(d, m, rng, n_out=n if E_out is None else d, dtype=dtype)
    res = train(mlp, p, data.embed(x, E), target(x), steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                weight_decay=cfg["weight_decay"], desc=f"{setting} n={n} d={d} m={m}")
    return {"train_loss": res.final_loss, "test_loss": evaluate(mlp, res.params, data.embed(xt, E), target(xt)),
            "acc": metrics.onehot_accuracy(mlp.forward, res.params, n, 1, E=E, E_out=E_out, dtype=dtype)}


def embed_null_loss(cfg, n, d, m):
    """The test MSE (1,) of an embed_* cell's MLP with every parameter zero: mean |target|^2 over the
    cell's test set (about 1 - S^n for big fish's normalised x, about d times that for E x and E' x),
    the scale on which big fish, small fish and the re-projector compare."""
    E, E_out, _, xt, rng = _embed_data(cfg, n, d, m)
    p = mlp.init_params(d, m, rng, n_out=n if E_out is None else d, dtype=np.dtype(cfg["dtype"]).type)
    zero = {k: np.zeros_like(v) for k, v in p.items()}
    return evaluate(mlp, zero, data.embed(xt, E), _embed_target(E_out)(xt))


for _setting in EMBED_SETTINGS:
    _register(f"embed_{_setting}", _embed_grid(_setting),
              _grid_units(("features", "n"), ("bottleneck", "d"), ("hidden", "m")), _embed_compute,
              _by_cell("n", "d", "m"), same=("n", "d", "m"))


def _reconstruction(mode):
    """ReLU output model over features n x hidden m; per cell, noisy data (T=1000 samples) at every
    sparsity with decreasing (100^-i/n) and uniform importance as 8 instances, and noiseless data
    (the n one-hot vectors) with both importances; Henighan schedule over 5,000 steps (quick 1,000),
    default init, float32; test loss on fresh samples, one-hot accuracy."""
    q = mode != "full"
    return dict(model="relu_output", features=[10, 20, 50] if q else [10, 20, 50, 100, 200],
                hidden=[2, 5, 10] if q else [2, 5, 10, 20, 50], sparsities=[0.0, 0.7, 0.9, 0.99], T=1000,
                n_test=2000 if q else 10_000, steps=1000 if q else 5000, warmup=100 if q else 500, lr=1e-3,
                weight_decay=1e-2, dtype="float32", seed=0)


IMPORTANCES = ("decreasing", "uniform")


def _reconstruction_compute(cfg, unit):
    n, m = unit["n"], unit["m"]
    dtype = np.dtype(cfg["dtype"]).type
    S = cfg["sparsities"]
    rng = np.random.default_rng([cfg["seed"], n, m])
    imps = [data.importance_exp100(n), data.importance_uniform(n)]
    sp = np.array([s for _ in imps for s in S])  # instance (importance a, sparsity s): 2 x len(S)
    imp = np.stack([i for i in imps for _ in S]).astype(dtype)  # (2 len(S), n)
    x = data.sparse_features(cfg["T"], n, sp, rng, n_instances=len(sp), dtype=dtype)
    p = relu_output.init_params(n, m, rng, n_instances=len(sp), dtype=dtype)
    kw = dict(steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"], weight_decay=cfg["weight_decay"],
              progress=False)
    res = train(relu_output, p, x, x, importance=imp, **kw)
    xt = data.sparse_features(cfg["n_test"], n, sp, rng, n_instances=len(sp), dtype=dtype)
    noisy_loss = evaluate(relu_output, res.params, xt, xt, importance=imp)
    noisy_acc = metrics.onehot_accuracy(relu_output.forward, res.params, n, len(sp), dtype=dtype)
    oh = np.broadcast_to(data.one_hot(n, dtype), (2, n, n)).copy()  # noiseless: the n one-hot vectors
    p2 = relu_output.init_params(n, m, rng, n_instances=2, dtype=dtype)
    res2 = train(relu_output, p2, oh, oh, importance=np.stack(imps).astype(dtype), **kw)
    return {"noisy_loss": noisy_loss.reshape(2, len(S)), "noisy_acc": noisy_acc.reshape(2, len(S)),
            "onehot_loss": res2.final_loss, "onehot_acc": metrics.onehot_accuracy(relu_output.forward, res2.params,
                                                                                  n, 2, dtype=dtype)}


_register("reconstruction_grid", _reconstruction, _grid_units(("features", "n"), ("hidden", "m")),
          _reconstruction_compute, _by_cell("n", "m"), same=("n", "m"))


# --- X1: lookup-table initialisation ------------------------------------------------------------

LOOKUP_INITS = ("uniform", "gaussian", "points", "points_unscaled", "kmeans")
LOOKUP_SETTINGS = {"ae": dict(loss="mse", normalize=True, labels="none", threshold=0.1),
                   "ce": dict(loss="ce", normalize=False, labels="hard", threshold=0.1)}


def _lookup_base(setting, mode):
    """MLP h = ReLU(W1 x + b1), out = W2 h + b2, m=20, n=1000, S=0.99; ae: normalised inputs, target x,
    MSE; ce: unnormalised inputs, class argmax(x), cross-entropy. AdamW lr 1e-3, warm-up 200, cosine
    to 0 over 4,000 steps, float32; test on 2,000 fresh samples."""
    s = LOOKUP_SETTINGS[setting]
    full = mode == "full"
    return dict(model="mlp", setting=setting, n=1000, m=20, sparsity=0.99, normalize=s["normalize"],
                loss=s["loss"], labels=s["labels"], steps=4_000 if full else 1_000, warmup=200 if full else 50,
                lr=1e-3, weight_decay=1e-2, seeds=2, n_test=2_000, dtype="float32", init="uniform",
                sizes=[10, 20, 50, 100, 200, 500, 1000, 2000, 5000] if full else [10, 100, 1000])


def _lookup_peak(setting):
    """Part 1: where this setting's double-descent peak is (uniform init, 2 seeds)."""
    return lambda mode: _lookup_base(setting, mode)


def _lookup_compare(setting):
    """Part 2: every initialisation x seed at the sizes chosen from part 1 (``sizes``, set by the
    caller) and two weight decays, as instances of one call per (T, weight decay)."""
    def configure(mode):
        return dict(_lookup_base(setting, mode), sizes=[], weight_decays=[1e-2, 1.0], weight_decay=None,
                    inits=list(LOOKUP_INITS), kmeans_iters=5, seeds=3 if mode == "full" else 2,
                    threshold=LOOKUP_SETTINGS[setting]["threshold"], records_silent_points=True)
    return configure


def _initial_params(name, cfg, x, target, rng):
    """Parameters (seeds, ...) for initialisation ``name`` on training data x (seeds, T, n)."""
    dtype = np.dtype(cfg["dtype"]).type
    S, T, n = x.shape
    if name in ("uniform", "gaussian"):
        return mlp.init_params(n, cfg["m"], rng, n_instances=S, init=name, dtype=dtype)
    values = x if cfg["loss"] == "mse" else data.one_hot(n)[target]  # (S, T, k)
    return mlp.init_lookup(x, values, cfg["m"], rng, method="kmeans" if name == "kmeans" else "points",
                           scaled=name != "points_unscaled", kmeans_iters=cfg["kmeans_iters"], dtype=dtype)


def steps_to(curve, threshold):
    """First step whose train loss is <= threshold, per column of curve (steps, I); -1 if never."""
    below = curve <= threshold  # (steps, I)
    return np.where(below.any(axis=0), np.argmax(below, axis=0), -1)


def _lookup_compute(cfg, unit):
    T, wd, S = unit["T"], unit["weight_decay"], cfg["seeds"]
    x = train_sets(cfg, T)  # (S, T, n)
    make_target = target_of(cfg)
    target = make_target(x)
    rng = np.random.default_rng([7, T])
    inits = [_initial_params(name, cfg, x, target, rng) for name in cfg["inits"]]
    params = {k: np.concatenate([p[k] for p in inits]) for k in inits[0]}  # instance = init * S + seed
    rep = lambda a: np.concatenate([a] * len(inits))  # noqa: E731
    X, Y = rep(x), rep(target)  # (I, T, n), the training set once per instance
    res = train(mlp, params, X, Y, steps=cfg["steps"], warmup=cfg["warmup"], lr=cfg["lr"],
                weight_decay=wd, loss=cfg["loss"], desc=f"X1 {cfg['setting']} T={T} wd={wd}")
    xt = test_sets(cfg)
    shape = (len(inits), S)
    # a training point is silent when its hidden vector ReLU(W1 x + b1) is all zero: it sends no gradient
    # into W1 or b1 (ReLU'(0) = 0), so a lookup start (b1 = 0, x >= 0) silences every point that shares
    # no feature with the stored ones
    silent = lambda p: (mlp.pre_activation(p, X) <= 0).all(axis=-1)  # noqa: E731  (I, T)
    wrong = mlp.forward(res.params, X)[0].argmax(-1) != rep(data.hard_labels(x))  # (I, T) misclassified
    silent_end = silent(res.params)
    test_acc = metrics.argmax_accuracy(mlp.forward(res.params, rep(xt))[0], rep(data.hard_labels(xt)))
    return {"train_loss": res.final_loss.reshape(shape),
            "test_loss": evaluate(mlp, res.params, rep(xt), rep(make_target(xt)), loss=cfg["loss"]).reshape(shape),
            "initial_loss": evaluate(mlp, params, X, Y, loss=cfg["loss"]).reshape(shape),
            "train_acc": (~wrong).mean(-1).reshape(shape), "test_acc": test_acc.reshape(shape),
            "steps_to_threshold": steps_to(res.losses, cfg["threshold"]).reshape(shape),
            "silent_start": silent(params).mean(-1).reshape(shape), "silent_end": silent_end.mean(-1).reshape(shape),
            "wrong_train": wrong.sum(-1).reshape(shape), "wrong_silent": (wrong & silent_end).sum(-1).reshape(shape),
            "curve": res.losses[:: max(1, cfg["steps"] // 400)].T.reshape(shape + (-1,))}


for _setting in LOOKUP_SETTINGS:
    _sweep(f"lookup_peak_{_setting}", _lookup_peak(_setting))
    _register(f"lookup_init_{_setting}", _lookup_compare(_setting),
              _grid_units(("sizes", "T"), ("weight_decays", "weight_decay")), _lookup_compute,
              _by_cell("T", "weight_decay"), same=("T", "weight_decay"))


def lookup_sizes(sizes, train_loss, test_loss, threshold):
    """Indices into ``sizes`` of about a fifth of the "peak" T, the peak, and about five times it,
    and what the peak is: the test-loss maximum of the uniform init when it lies inside the sweep;
    otherwise (the test loss only falls, as for the MLP auto-encoder of M2) the interpolation
    threshold, the largest T whose mean train loss is still <= ``threshold``."""
    sizes = np.asarray(sizes)
    i = int(np.argmax(test_loss.mean(axis=1)))
    what = "test-loss peak"
    if i in (0, len(sizes) - 1):
        fit = np.flatnonzero(train_loss.mean(axis=1) <= threshold)
        i = int(fit[-1]) if fit.size else 0
        what = f"no interior test-loss peak; interpolation threshold (train loss <= {threshold})"
    pick = lambda T: int(np.argmin(np.abs(np.log(sizes / T))))  # noqa: E731
    return sorted({pick(sizes[i] / 5), i, pick(sizes[i] * 5)}), what


def lookup(setting, mode="full", **kw):
    """X1 for one setting: the peak sweep, the sizes chosen from it, and the comparison of
    initialisations there. Returns (peak cfg, peak result, chosen sizes, what, cfg, result)."""
    pcfg, peak = run(f"lookup_peak_{setting}", mode, **kw)
    picks, what = lookup_sizes(pcfg["sizes"], peak["train_loss"], peak["test_loss"],
                               LOOKUP_SETTINGS[setting]["threshold"])
    chosen = [int(pcfg["sizes"][i]) for i in picks]
    cfg, res = run(f"lookup_init_{setting}", mode, sizes=chosen, **kw)
    return pcfg, peak, chosen, what, cfg, res


# --- issue 12: settling the write-up's claims (X2-X4, A6's weight decay) -------------------------

SQUARE_SETTINGS = {"ce": dict(model="unembed", loss="ce", labels="hard"),  # F1's model and loss
                   "mse_unembed": dict(model="unembed", loss="mse", labels="none"),  # F1's model, MSE on x
                   "mse": dict(model="relu_output", tied=False, loss="mse")}  # F4's model and loss


def _square_control(mode):
    """Where F1's squares come from: the loss (F1's linear unembedding with cross-entropy on the
    class, the same unembedding with MSE on the input x, and F4's untied ReLU output model with MSE)
    x inputs (normalised or not) x initialisation (PyTorch's uniform or Xavier normal), crossed, at
    one data set size T=500 (F1's peak); otherwise B2/F1's schedule. "ce" against "mse_unembed"
    changes the loss alone."""
    return dict(_henighan(mode, ([500], [500])), T=500, sizes=None, settings=list(SQUARE_SETTINGS),
                normalizes=[False, True], inits=["uniform", "xavier_normal"], labels="hard", tied=False)


def _square_compute(cfg, unit):
    run_cfg = dict(cfg, **SQUARE_SETTINGS[unit["setting"]], normalize=unit["normalize"], init=unit["init"])
    return _sweep_compute(run_cfg, {"T": cfg["T"]})


_register("square_control", _square_control,
          _grid_units(("settings", "setting"), ("normalizes", "normalize"), ("inits", "init")), _square_compute,
          _by_cell("setting", "normalize", "init"), same=("setting", "normalize", "init"))

SMALL_T = [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 16, 17, 20, 25, 30, 40]  # T = m + 1 for every m: 3, 5, 9, 17


def _mlp_small_T(mode):
    """M2's MLP auto-encoder at small T (1 to 40, around the interpolation threshold T = m + 1) for
    hidden sizes m in (2, 4, 8, 16), 8 seeds, M2's schedule; only losses, accuracies, dead hidden
    units and the rank-m affine bound are kept (not the weights)."""
    full = mode == "full"
    return dict(_mlp()(mode), sizes=SMALL_T if full else [1, 3, 10, 30], hidden=[2, 4, 8, 16] if full else [2, 8],
                seeds=8 if full else 2)


def dead_units(params, x):
    """Hidden units of an MLP that are off (W1 x + b1 <= 0) for every training point: (I,) counts."""
    a = mlp.pre_activation(params, x)  # (I, T, m)
    return np.sum(np.all(a <= 0, axis=1), axis=-1)


def adam_reach_of(cfg):
    """How far AdamW moves one coordinate at most in a run of this configuration (optim.adam_reach)."""
    return optim.adam_reach(optim.lr_schedule(cfg["steps"], cfg["lr"], warmup=cfg["warmup"]), cfg["weight_decay"])


def peak_anatomy(cfg, res, T_index, seed):
    """Where one trained run's test loss comes from (minimem.analysis), for the run at size index
    ``T_index`` and ``seed`` of a sweep result: a dict of numbers. MSE: the test MSE split into off
    and on entries, the off-entry pre-activation energy on the training set and the part of it
    behind the output ReLU (hidden), the same energy on the test set. Cross-entropy: the test CE
    split into the largest logit's margin over the correct one and the rest, how many logits beat
    the correct one, and the spread (std over classes) of the logits on the training and test
    sets. Both: the largest |w| of any weight over AdamW's reach, and the share of the features
    that are active in at least one training point."""
    model, opts = MODELS[cfg["model"]], options_of(cfg)
    T = cfg["sizes"][T_index]
    p = params_at(res, T_index, seed)  # float32, as trained
    x = train_set(cfg, T, seed)[None]  # (1, T, n)
    xt = test_set(cfg, seed)[None]  # (1, n_test, n)
    weights = [v for k, v in p.items() if k.startswith("W")]
    out = {"largest_w_over_reach": max(float(np.abs(W).max()) for W in weights) / adam_reach_of(cfg),
           "features_seen": float((x[0] > 0).any(axis=0).mean())}
    if cfg["loss"] == "mse":
        o, pre = analysis.output_and_pre(model, p, xt, **opts)
        out["test_off"], out["test_on"] = (float(v[0]) for v in analysis.error_split(o, xt))
        out["test_energy"] = float(analysis.off_energy(pre, xt)[0][0])
        o, pre = analysis.output_and_pre(model, p, x, **opts)
        out["train_off"] = float(analysis.error_split(o, x)[0][0])
        out["train_energy"], out["train_hidden"] = (float(v[0]) for v in analysis.off_energy(pre, x))
    else:
        z, _ = analysis.output_and_pre(model, p, xt, **opts)
        margin, rest, beaten = analysis.logit_split(z, data.hard_labels(xt))
        out.update(test_margin=float(margin[0]), test_rest=float(rest[0]), test_beaten=float(beaten[0]),
                   test_spread=float(z.std(axis=-1).mean()))
        z, _ = analysis.output_and_pre(model, p, x, **opts)
        out["train_spread"] = float(z.std(axis=-1).mean())
    return out


def lost_outputs(params, x):
    """What the output ReLU of the ReLU output model loses on its training data x (I, T, n): the share
    of the active entries (x_tj > 0) whose pre-activation (W^T W x + b)_tj is <= 0, so the output is
    0 and no gradient reaches it through the ReLU, and the squared error those entries carry (sum
    over features, mean over samples); (I,), (I,)."""
    pre = relu_output.forward(params, x)[1]["pre"]  # (I, T, n)
    lost = (x > 0) & (pre <= 0)  # (I, T, n)
    return lost.sum(axis=(1, 2)) / np.maximum((x > 0).sum(axis=(1, 2)), 1), np.sum((x * lost) ** 2, axis=(1, 2)) / x.shape[1]


def _mlp_small_compute(cfg, unit):
    run_cfg = dict(cfg, m=unit["m"], sizes=None)
    out = _sweep_compute(run_cfg, {"T": unit["T"]})
    x = train_sets(run_cfg, unit["T"])
    params = {k: out[k] for k in ("W1", "b1", "W2", "b2")}
    keep = {k: out[k] for k in ("train_loss", "test_loss", "train_acc", "test_acc")}
    return dict(keep, dead_units=dead_units(params, x), bound=metrics.affine_rank_bound(x, unit["m"]))


_register("mlp_small_T", _mlp_small_T, _grid_units(("sizes", "T"), ("hidden", "m")), _mlp_small_compute,
          _by_cell("T", "m"), same=("T", "m"))

MLP_VARIANTS = {"no decay on biases": dict(no_decay=["b1", "b2"]), "lr 3e-3": dict(lr=3e-3),
                "lr 1e-2": dict(lr=1e-2), "Gaussian init": dict(init="gaussian"),
                "unnormalised inputs": dict(normalize=False)}


def _mlp_variants(mode):
    """M2's MLP (m=2) at small T under the settings that could matter (MLP_VARIANTS), 4 seeds each."""
    return dict(_mlp_small_T(mode), hidden=None, m=2, seeds=4 if mode == "full" else 2,
                variants=list(MLP_VARIANTS))


def _mlp_variant_compute(cfg, unit):
    run_cfg = dict(cfg, **MLP_VARIANTS[unit["variant"]])
    return _mlp_small_compute(run_cfg, {"T": unit["T"], "m": cfg["m"]})


_register("mlp_variants", _mlp_variants, _grid_units(("variants", "variant"), ("sizes", "T")), _mlp_variant_compute,
          _by_cell("variant", "T"), same=("variant", "T"))


def _peak_height(mode):
    """B2 at its peak (T=400) under what could move the height of the test-loss peak: weight decay
    (0, 1e-2, 1) x steps (10,000, 50,000, 200,000), 16 seeds (best of k is a choice among them),
    scored on the first 1,000, 10,000 and 100,000 of one set of fresh test samples."""
    full = mode == "full"
    return dict(_bottleneck(True)(mode), T=400 if full else 158, sizes=None, seeds=16 if full else 2,
                n_test=100_000 if full else 2_000, weight_decays=[0.0, 1e-2, 1.0],
                step_counts=[10_000, 50_000, 200_000] if full else [1_000, 5_000], weight_decay=None, steps=None)


N_TEST_SUBSETS = (1_000, 10_000, 100_000)


def peak_height_run(cfg, weight_decay, steps):
    """The run configuration of one peak_height cell: B2's, with this weight decay and length, warm-up 5%."""
    return dict(cfg, weight_decay=weight_decay, steps=steps, warmup=max(1, steps // 20))


def _peak_height_compute(cfg, unit):
    run_cfg = peak_height_run(cfg, unit["weight_decay"], unit["steps"])
    _, res, _ = _sweep_train(run_cfg, cfg["T"])
    subsets = [k for k in N_TEST_SUBSETS if k <= cfg["n_test"]] + [cfg["n_test"]]
    test = np.zeros((len(subsets), cfg["seeds"]))
    for s in range(cfg["seeds"]):  # one seed's test set at a time: all 16 at 100,000 samples would be 6.4 GB
        xt = test_set(run_cfg, s)[None]  # (1, n_test, n)
        p = {k: v[s:s + 1] for k, v in res.params.items()}
        for j, k in enumerate(subsets):
            test[j, s] = evaluate(relu_output, p, xt[:, :k], xt[:, :k])[0]
    out = {"train_loss": res.final_loss, "test_loss": test[-1]}
    out.update({f"test_loss_{k}": test[j] for j, k in enumerate(subsets[:-1])})
    return out


_register("peak_height", _peak_height, _grid_units(("weight_decays", "weight_decay"), ("step_counts", "steps")),
          _peak_height_compute, _by_cell("weight_decay", "steps"), same=("weight_decay", "steps"))

for _wd in (0.0, 1e-4):
    _register(f"ce_epochs_wd{_wd:g}", _small("one-hot", 20, 10, "ce", 3_000, _wd, (1000, 3000)), _single,
              _small_compute, _only)
# A6's other variants: ten times the epochs, ten times the learning rate, two more seeds
for _name, _conf in {"ce_epochs_long": _small("one-hot", 20, 10, "ce", 30_000, 1e-2, (1000, 3000, 10_000, 30_000)),
                     "ce_epochs_lr0.01": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000), lr=1e-2),
                     "ce_epochs_seed1": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000), seed=1),
                     "ce_epochs_seed2": _small("one-hot", 20, 10, "ce", 3_000, 1e-2, (1000, 3000), seed=2)}.items():
    _register(_name, _conf, _single, _small_compute, _only)
