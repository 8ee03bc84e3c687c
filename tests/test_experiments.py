"""minimem.experiments: configurations, the one source of every run's data, committed results that
match today's configurations, and units run in parallel giving the same files as a serial run."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minimem import experiments, relu_output
from minimem.train import evaluate

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "results"


def test_importing_experiments_does_not_import_matplotlib():
    code = "import sys, minimem.experiments; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_every_experiment_has_full_quick_and_smoke_configurations():
    for name in experiments.names():
        full, quick, smoke = (experiments.config(name, mode) for mode in experiments.MODES)
        assert set(full) == set(quick) == set(smoke) - {"smoke"}, name
        json.dumps(full)  # configurations are cache keys: plain JSON
    assert experiments.config("unembed_dd", "smoke")["steps"] == experiments.SMOKE["steps"]


def test_configuration_errors_name_what_is_wrong():
    with pytest.raises(ValueError, match="unknown experiment 'nope'"):
        experiments.config("nope")
    with pytest.raises(ValueError, match="mode must be one of"):
        experiments.config("unembed_dd", "fast")
    with pytest.raises(ValueError, match=r"unknown configuration keys for unembed_dd: \['stepz'\]"):
        experiments.config("unembed_dd", stepz=3)



@pytest.mark.parametrize("override, error, message", [
    (dict(seeds=[0, 1]), TypeError, r"bottleneck_dd: seeds must be an integer, got list \[0, 1\]"),
    (dict(sizes=10), TypeError, r"bottleneck_dd: sizes must be a list of ints .*got int 10"),
    (dict(sizes=[10, 0]), ValueError, r"bottleneck_dd: sizes\[1\] must be >= 1, got 0"),
    (dict(sparsity=1.2), ValueError, r"bottleneck_dd: sparsity must be < 1.0, got 1.2"),
    (dict(n=500.0), TypeError, r"bottleneck_dd: n must be an integer, got float 500.0"),
    (dict(lr=-1e-3), ValueError, r"bottleneck_dd: lr must be > 0.0"),
    (dict(dtype="float16"), ValueError, r"bottleneck_dd: dtype must be one of \['float32', 'float64'\]"),
    (dict(normalize=1), TypeError, r"bottleneck_dd: normalize must be True or False, got int 1"),
])
def test_run_checks_every_override_before_it_estimates_or_trains(tmp_path, capsys, override, error, message):
    """A bad override is named, with what was wrong, before run() prints its estimate or draws data
    (it used to fail deep inside: seeds=[0, 1] in the cost model, sparsity=1.2 after training began)."""
    with pytest.raises(error, match=message):
        experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path, **override)
    assert "units to train" not in capsys.readouterr().out
    assert not list(tmp_path.iterdir())


def test_every_experiment_takes_its_own_settings_as_overrides():
    for name in experiments.EXPERIMENTS:
        for mode in ("full", "quick"):
            cfg = experiments.config(name, mode)
            assert experiments.config(name, mode, **cfg) == cfg, name

def test_data_come_from_one_place_and_are_fixed_by_seed_and_size():
    cfg = experiments.config("mlp_dd", "smoke")
    a, b = experiments.train_set(cfg, 30, 1), experiments.train_set(cfg, 30, 1)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (30, cfg["n"]) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a[a.any(1)], axis=1), 1, rtol=1e-6)  # normalised
    assert not np.array_equal(experiments.train_set(cfg, 30, 2), a)  # another seed
    assert not np.array_equal(experiments.test_set(cfg, 1)[:30], a)  # the test set is a fresh draw
    assert experiments.train_sets(cfg, 30).shape == (cfg["seeds"], 30, cfg["n"])


def test_results_keep_the_models_parameter_names_and_the_seed_axis(tmp_path):
    cfg, res = experiments.run("mlp_dd", "smoke", results_dir=tmp_path, verbose=False)
    S, seeds = len(cfg["sizes"]), cfg["seeds"]
    assert res["W1"].shape == (S, seeds, cfg["m"], cfg["n"]) and res["b2"].shape == (S, seeds, cfg["n"])
    assert res["test_loss"].shape == (S, seeds)
    p = experiments.params_at(res, 1, 0)
    assert sorted(p) == ["W1", "W2", "b1", "b2"] and p["W1"].shape == (1, cfg["m"], cfg["n"])
    with pytest.raises(experiments.MissingResult, match="no stored result"):
        experiments.run("mlp_dd", "smoke", results_dir=tmp_path / "empty", cached_only=True, verbose=False)


def _expected_entries():
    """{file name: (experiment, configuration)} of every full result the figure scripts read today."""
    return {e.npz.name: (name, e.config) for name in experiments.names()
            for e in experiments.full_entries(name, COMMITTED)}


def test_every_experiment_belongs_to_one_figure():
    listed = [name for names in experiments.FIGURES.values() for name in names]
    assert sorted(listed) == sorted(experiments.names()) and len(set(listed)) == len(listed)


def committed_npz():
    """The result files git holds (the committed set, whatever else a user's runs left in results/);
    outside a git checkout, the .npz files directly in results/."""
    try:
        out = subprocess.run(["git", "ls-files", "--", "results/*.npz"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    except (OSError, subprocess.CalledProcessError):
        return sorted(p.name for p in COMMITTED.glob("*.npz"))
    return sorted(pathlib.Path(f).name for f in out if pathlib.Path(f).parent.name == "results")


def test_committed_results_are_exactly_what_the_scripts_ask_for_today():
    expected = _expected_entries()
    committed = committed_npz()
    stale = [f for f in committed if f not in expected]
    assert not stale, f"committed results no script asks for (stale configuration?): {stale}"
    for f in committed:
        name, cfg = expected[f]
        stored = json.loads((COMMITTED / f).with_suffix(".json").read_text())
        assert stored == cfg, f"{f}: stored configuration differs from {name}'s"
        with np.load(COMMITTED / f) as z:
            assert z.files, f
    missing = sorted({name for f, (name, _) in expected.items() if f not in committed} - set(experiments.IN_PROGRESS))
    assert not missing, f"results missing for {missing}: run python -m minimem reproduce --full and commit results/"
    total = sum(p.stat().st_size for p in COMMITTED.glob("*"))
    assert total < 60e6, f"results/ holds {total / 1e6:.1f} MB"


def _files(d):
    out = {}
    for p in sorted(pathlib.Path(d).glob("*.npz")):
        with np.load(p) as z:
            out[p.name] = {k: z[k] for k in z.files}
    return out


def test_jobs_2_gives_the_same_result_files_as_a_serial_run(tmp_path):
    serial = experiments.run("unembed_dd", "smoke", results_dir=tmp_path / "serial", verbose=False)[1]
    with experiments.executor(jobs=2) as pool:
        parallel = experiments.run("unembed_dd", "smoke", results_dir=tmp_path / "jobs", executor=pool,
                                   verbose=False)[1]
    a, b = _files(tmp_path / "serial"), _files(tmp_path / "jobs")
    assert sorted(a) == sorted(b) and len(a) == 2
    for f in a:
        assert sorted(a[f]) == sorted(b[f])
        for k in a[f]:
            np.testing.assert_array_equal(a[f][k], b[f][k], err_msg=f"{f}: {k}")
    for k in serial:
        np.testing.assert_array_equal(serial[k], parallel[k])


def test_a_tiny_sweep_on_a_dask_local_cluster(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as lc:
        with experiments.executor(dask=lc.scheduler_address) as ex:
            res = experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path / "dask", executor=ex,
                                  verbose=False)[1]
    serial = experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path / "serial", verbose=False)[1]
    assert sorted(_files(tmp_path / "dask")) == sorted(_files(tmp_path / "serial"))
    for k in serial:
        np.testing.assert_array_equal(serial[k], res[k])


def test_peak_height_scores_each_seed_on_the_first_k_of_its_test_set():
    cfg = experiments.config("peak_height", "smoke", n_test=1500, seeds=2)
    out, seconds, compiled = experiments.compute_unit("peak_height", cfg, {"weight_decay": 0.01, "steps": 10})
    assert set(out) == {"train_loss", "test_loss", "test_loss_1000"} and out["test_loss"].shape == (2,)
    # the same numbers as scoring all seeds at once (the unit does it one seed at a time to save memory)
    run_cfg = dict(cfg, weight_decay=0.01, steps=10, warmup=1)
    _, res, _ = experiments.sweep_train(run_cfg, cfg["T"])
    xt = experiments.test_sets(run_cfg)
    np.testing.assert_allclose(out["test_loss"], evaluate(relu_output, res.params, xt, xt), rtol=1e-12)
    np.testing.assert_allclose(out["test_loss_1000"], evaluate(relu_output, res.params, xt[:, :1000], xt[:, :1000]),
                               rtol=1e-12)


@pytest.mark.parametrize("mode", ["full", "quick", "smoke"])
def test_f1_holds_every_size_f3_and_f5_compare_it_at(mode):
    """F3 and F5 set their sweeps beside F1's (unembed_dd) at each of their sizes."""
    f1 = experiments.config("unembed_dd", mode)["sizes"]
    for name in ("unembed_dd_soft", "unembed_dd_input", "unembed_dd_xavier"):
        assert set(experiments.config(name, mode)["sizes"]) <= set(f1), (name, mode)


def test_a_claim_is_exclusive_and_a_unit_claimed_elsewhere_is_left_to_it(tmp_path, monkeypatch):
    """cache.claim excludes a second holder (another open file, as another process holds it); a run
    that finds a unit claimed computes the others first, then takes that unit's stored result
    instead of computing it again (two figure scripts sharing a sweep, reproduce --scripts 2)."""
    import threading

    from minimem import cache
    from minimem.experiments import runner
    with cache.claim(tmp_path / "x.npz", wait=False) as first:
        with cache.claim(tmp_path / "x.npz", wait=False) as second:
            assert first is True and second is False
    with cache.claim(tmp_path / "x.npz", wait=False) as again:
        assert again is True  # released
    cfg = experiments.config("bottleneck_dd", "smoke")
    units = runner._experiment("bottleneck_dd").units(cfg)
    found = runner.entries("bottleneck_dd", cfg, tmp_path)
    other = runner.compute_unit("bottleneck_dd", cfg, units[0])  # what the other process will store
    computed = []
    real = runner.compute_unit
    monkeypatch.setattr(runner, "compute_unit", lambda name, c, unit: computed.append(unit) or real(name, c, unit))
    held, release = threading.Event(), threading.Event()

    def other_process():
        with cache.claim(found[0].npz, wait=True):
            held.set()
            release.wait(30)
            found[0].store(other[0], other[1])

    t = threading.Thread(target=other_process)
    t.start()
    held.wait(30)
    threading.Timer(1.0, release.set).start()  # lets go after the run has passed unit 0 by
    _, res = experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path, verbose=False)
    t.join()
    assert units[0] not in computed and computed == units[1:]
    stored = experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path / "alone", verbose=False)[1]
    for k in stored:
        np.testing.assert_array_equal(res[k], stored[k])
