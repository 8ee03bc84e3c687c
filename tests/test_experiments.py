"""minimem.experiments: configurations, the one source of every run's data, committed results that
match today's configurations, and units run in parallel giving the same files as a serial run."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minimem import cache, experiments, relu_output
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


def test_data_come_from_one_place_and_are_fixed_by_seed_and_size():
    cfg = experiments.config("mlp_dd", "smoke")
    a, b = experiments.train_set(cfg, 30, 1), experiments.train_set(cfg, 30, 1)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (30, cfg["n"]) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a[a.any(1)], axis=1), 1, rtol=1e-6)  # normalised
    assert not np.array_equal(experiments.train_set(cfg, 30, 2), a)  # another seed
    assert not np.array_equal(experiments.test_set(cfg, 1)[:30], a)  # the test set is a fresh draw
    assert experiments.train_sets(cfg, 30).shape == (cfg["seeds"], 30, cfg["n"])


def test_the_null_level_is_the_loss_of_zero_parameters_in_closed_form():
    """All-zeros output: mean |x|^2 (1 on normalised data); uniform logits: log V times the target's mass."""
    for name in ("bottleneck_dd", "mlp_dd", "mlp_dd_relu_out"):
        np.testing.assert_allclose(experiments.null_loss(experiments.config(name, "smoke")), 1.0, rtol=1e-6)
    for name in ("unembed_dd", "unembed_dd_soft"):
        np.testing.assert_allclose(experiments.null_loss(experiments.config(name, "smoke")), np.log(1000), rtol=1e-6)
    cfg = experiments.config("unembed_dd_input", "smoke")
    mass = experiments.test_sets(cfg).astype(np.float64).sum(-1).mean(-1)  # (seeds,)
    np.testing.assert_allclose(experiments.null_loss(cfg), np.log(1000) * mass, rtol=1e-6)
    np.testing.assert_allclose(experiments.null_loss(experiments.config("sparse_grid", "smoke"), m=3), 1.0, rtol=1e-6)


def test_the_embedding_grids_null_level_is_the_mean_squared_target():
    """M8-M10's all-zeros test MSE: the share of non-zero test samples for big fish's normalised x
    (|x|^2 = 1 or 0), mean |E x|^2 for small fish."""
    cfg = experiments.config("embed_big_fish", "smoke")
    n, d, m = cfg["features"][0], cfg["bottleneck"][0], cfg["hidden"][0]
    xt = experiments.test_sets(dict(cfg, n=n, seeds=1))[0]  # (n_test, n)
    np.testing.assert_allclose(experiments.embed_null_loss(cfg, n, d, m), (xt != 0).any(-1).mean(), rtol=1e-6)
    cfg = experiments.config("embed_small_fish", "smoke")
    E, E_out, _, xt, _ = experiments.embed_data(cfg, n, d, m)
    assert E_out is E
    y = xt[0].astype(np.float64) @ E.T.astype(np.float64)  # (n_test, d)
    np.testing.assert_allclose(experiments.embed_null_loss(cfg, n, d, m), (y ** 2).sum(-1).mean(), rtol=1e-5)


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
    """{file name: configuration} of every full result the figure scripts read today."""
    out = {}
    for name in experiments.names():
        if name.startswith("lookup_init_"):
            continue
        for e in experiments.entries(name, experiments.config(name), COMMITTED):
            out[e.npz.name] = (name, e.config)
    for setting in experiments.LOOKUP_SETTINGS:  # X1 compares at sizes chosen from its committed peak sweep
        try:
            pcfg, peak = experiments.run(f"lookup_peak_{setting}", results_dir=COMMITTED, cached_only=True,
                                         verbose=False)
        except experiments.MissingResult:
            continue
        picks, _ = experiments.lookup_sizes(pcfg["sizes"], peak["train_loss"], peak["test_loss"],
                                            experiments.LOOKUP_SETTINGS[setting]["threshold"])
        cfg = experiments.config(f"lookup_init_{setting}", sizes=[int(pcfg["sizes"][i]) for i in picks])
        for e in experiments.entries(f"lookup_init_{setting}", cfg, COMMITTED):
            out[e.npz.name] = (f"lookup_init_{setting}", e.config)
    return out


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
    missing = sorted({name for f, (name, _) in expected.items() if f not in committed})
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


def test_a_corrupt_unit_is_named_and_recomputed(tmp_path, capsys):
    experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path)
    first = sorted(tmp_path.glob("*.npz"))[0]
    first.write_bytes(first.read_bytes()[:100])
    capsys.readouterr()
    experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path)
    err = capsys.readouterr().err
    assert f"corrupt cache entry {first}" in err and err.count("computing") == 1


def test_lost_outputs_counts_active_entries_behind_an_off_output_relu():
    x = np.array([[[1.0, 0.0], [0.0, 1.0]]])  # (I=1, T=2, n=2)
    params = {"W": np.array([[[1.0, 0.0]]]), "b_final": np.array([[0.0, -1.0]])}  # pre = [[1, -1], [0, -1]]
    share, err = experiments.lost_outputs(params, x)
    np.testing.assert_allclose(share, [0.5])  # of the 2 active entries, x_11 has its output off
    np.testing.assert_allclose(err, [0.5])  # its squared error 1, over T=2 samples


def test_peak_height_scores_each_seed_on_the_first_k_of_its_test_set():
    cfg = experiments.config("peak_height", "smoke", n_test=1500, seeds=2)
    out = experiments.compute_unit("peak_height", cfg, {"weight_decay": 0.01, "steps": 10})
    assert set(out) == {"train_loss", "test_loss", "test_loss_1000"} and out["test_loss"].shape == (2,)
    # the same numbers as scoring all seeds at once (the unit does it one seed at a time to save memory)
    run_cfg = dict(cfg, weight_decay=0.01, steps=10, warmup=1)
    _, res, _ = experiments.sweep_train(run_cfg, cfg["T"])
    xt = experiments.test_sets(run_cfg)
    np.testing.assert_allclose(out["test_loss"], evaluate(relu_output, res.params, xt, xt), rtol=1e-12)
    np.testing.assert_allclose(out["test_loss_1000"], evaluate(relu_output, res.params, xt[:, :1000], xt[:, :1000]),
                               rtol=1e-12)
