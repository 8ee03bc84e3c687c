"""Every experiment of the figure catalogue: a named configuration and one call that returns its
results, cached under results/ (numpy and minimem only; importing it does not import matplotlib).

    cfg = experiments.config("unembed_dd")                # the write-up's setting, a plain dict
    cfg, res = experiments.run("unembed_dd", mode="quick")  # trained, or read from results/

``mode`` is "full" (the write-up's settings; the committed figures and results/), "quick" (about a
minute; results/quick/) or "smoke" (a few steps on tiny data, for the tests; results/quick/). Keyword overrides change configuration keys
(``run("unembed_dd", sizes=[5000])``) and so the cache keys.

An experiment is split into independent *units* (a data set size with all its seeds, a grid cell);
each unit is one cache entry ``results/<experiment>-<key>.npz`` keyed by the configuration with the
unit's values filled in, so an interrupted sweep keeps every finished unit and resumes, and
``run(..., executor=...)`` hands the missing units to any ``concurrent.futures.Executor`` (a
process pool, or a Dask client's executor) and stores each as it finishes: the figure is the same
whichever machine ran it.

The package has three layers: ``runner`` (modes, configurations, units, the cache, executors,
estimates, and the data of every run), the catalogue of experiments in the write-up's order
(``catalogue``: B, M, F, A; ``beyond``: X1-X8), and ``verdicts`` (null levels, peaks, returns,
dead units, lost outputs, where a test loss comes from), which turn results into the numbers of
RESULTS.md. Everything below is importable from ``minimem.experiments``.

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
    sparse_grid_relu_out M7           ... with a ReLU after the read-out (A4's variant)
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
    mlp_variants_sizes   X3, M2       ... those variants at M2's sizes (3 to 5,000), m=2 and m=8
    peak_height          X4           B2's peak under weight decay x steps x test-set size
    peak_height_arms     X4           ... under other schedules, and the reach against the steps
    ce_epochs_wd0        A6           A6 without weight decay
    ce_epochs_wd0.0001   A6           ... with weight decay 1e-4
    ce_epochs_long       A6           ... for 30,000 epochs
    ce_epochs_lr0.01     A6           ... at lr 1e-2
    ce_epochs_seed1/2    A6           ... seeds 1 and 2
"""

from . import beyond, catalogue  # noqa: F401  (importing them registers every experiment)
from .beyond import LOOKUP_INITS, LOOKUP_SETTINGS, MLP_VARIANTS, N_TEST_SUBSETS, OPTIMISERS, PEAK_ARMS, POSITION_ARMS, \
    SMALL_T, SQUARE_SETTINGS, lookup, peak_height_run, position_sizes, variant_curves
from .catalogue import (EMBED_SETTINGS, F_SIZES, FULL_SIZES, IMPORTANCES, TMS_SPARSITIES, small_data, snapshot,
                        sweep_train)
from .runner import (EXPERIMENTS, FIGURES, HEARTBEAT, LONG_RUN, MODES, PARAM_NAMES, SMOKE, Experiment, LongRun, MissingResult,
                     compute_unit, config, connect_dask, embed_data, entries, estimate, executor, names, options_of,
                     params_at, results_dir_of, run, stored, target_of, test_set, test_sets, train_set, train_sets,
                     unit_jobs, unit_label)
from .verdicts import (PUBLISHED, adam_reach_of, back_to, best_of, dead_units, dimensionalities, embed_null_loss, embed_ratio,
                       lookup_sizes, lost_outputs, null_loss, peak, peak_anatomy, print_big_fish, print_embed_grid,
                       print_hard_labels, print_lost_outputs, print_sweep, print_unused, rise, snapshot_numbers,
                       steps_to, unused_columns)

# Experiments whose full results are still being computed, unit by unit, and committed as they land:
# the committed-results test accepts their missing units (and only theirs), and their figures draw
# what has landed and say what has not.
IN_PROGRESS: dict[str, str] = {}  # {experiment: what is running}



def full_entries(name, results_dir=None):
    """The cache entries (minimem.cache.Entry) of experiment ``name`` at the full settings: what the
    committed figures read. X1's comparison runs at sizes chosen from its stored peak sweep; while
    that sweep is not stored, it has none."""
    if not name.startswith("lookup_init_"):
        return entries(name, config(name), results_dir)
    setting = name[len("lookup_init_"):]
    try:
        pcfg, peak_sweep = run(f"lookup_peak_{setting}", results_dir=results_dir, cached_only=True, verbose=False)
    except MissingResult:
        return []
    picks, _ = lookup_sizes(pcfg["sizes"], peak_sweep["train_loss"], peak_sweep["test_loss"],
                            config(name)["threshold"])
    return entries(name, config(name, sizes=[int(pcfg["sizes"][i]) for i in picks]), results_dir)

__all__ = [n for n in dir() if not n.startswith("_") and n not in ("annotations", "beyond", "catalogue", "runner",
                                                                    "verdicts")]
