"""The results cache: keys, messages, atomic and world-readable files, corrupt entries named and
recomputed, unwritable directories reported before any work, where results live by default."""

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minimem import cache, experiments
from minimem.cache import cached


def test_cache_keys_messages_and_atomic_files(tmp_path, capsys):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(3), "b": 2.5}

    cfg = {"steps": 10, "T": 3}
    r = cached("demo", cfg, compute, results_dir=tmp_path)
    assert "computing demo (no cached result)" in capsys.readouterr().err
    r2 = cached("demo", cfg, compute, results_dir=tmp_path)
    assert "using cached" in capsys.readouterr().err and len(calls) == 1
    np.testing.assert_array_equal(r2["a"], r["a"])
    cached("demo", {"steps": 20, "T": 3}, compute, results_dir=tmp_path, same=("T",))
    assert "config changed: steps 10 -> 20" in capsys.readouterr().err
    cached("demo", cfg, compute, results_dir=tmp_path, fresh=True)
    assert "--fresh" in capsys.readouterr().err and len(calls) == 3
    assert not list(tmp_path.glob("*.tmp")), "a temporary file was left behind"
    metas = [json.loads(p.read_text()) for p in tmp_path.glob("demo-*.json")]
    assert {m["steps"] for m in metas} == {10, 20}


def test_corrupt_cache_entries_are_named_and_recomputed(tmp_path, capsys):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(5)}

    cached("demo", {"T": 3}, compute, results_dir=tmp_path)
    npz = next(tmp_path.glob("demo-*.npz"))
    npz.write_bytes(npz.read_bytes()[:40])  # truncated, as by a full disk or a killed copy
    (tmp_path / "demo-0123456789ab.json").write_text('{"T": 3, "ste')  # a half-written sibling
    capsys.readouterr()
    r = cached("demo", {"T": 3}, compute, results_dir=tmp_path)
    err = capsys.readouterr().err
    assert f"corrupt cache entry {npz}" in err and len(calls) == 2
    np.testing.assert_array_equal(r["a"], np.arange(5))
    # a new configuration with the same T reads the half-written sibling while naming what changed: it is
    # skipped, not fatal, and the entry is computed
    capsys.readouterr()
    cached("demo", {"T": 4}, compute, results_dir=tmp_path, same=("T",))
    assert "computing demo (no cached result)" in capsys.readouterr().err and len(calls) == 3
    cached("demo", {"T": 4}, compute, results_dir=tmp_path, fresh=True)
    assert "computing demo (--fresh)" in capsys.readouterr().err and len(calls) == 4
    again = cached("demo", {"T": 3}, compute, results_dir=tmp_path)
    assert "using cached" in capsys.readouterr().err and len(calls) == 4
    np.testing.assert_array_equal(again["a"], np.arange(5))


def test_cache_files_are_world_readable_and_keyed_by_the_training_version(tmp_path):
    from minimem import cache as cache_module
    cached("demo", {"T": 3}, lambda: {"a": np.zeros(2)}, results_dir=tmp_path)
    for p in tmp_path.glob("demo-*"):
        assert p.stat().st_mode & 0o044 == 0o044, p
    meta = json.loads(next(tmp_path.glob("demo-*.json")).read_text())
    assert meta["minimem_training"] == cache_module.TRAINING_VERSION


def test_unwritable_results_directory_is_reported_before_computing(tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")

    def compute():
        raise AssertionError("computed although the result could not be stored")

    with pytest.raises(OSError, match="cannot write results to"):
        cached("demo", {"T": 3}, compute, results_dir=blocker / "results")


def test_interrupted_compute_leaves_no_result(tmp_path):
    def boom():
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        cached("demo", {"x": 1}, boom, results_dir=tmp_path)
    assert list(tmp_path.glob("*")) == [], "an interrupted compute left a file"


def test_default_results_directory_is_never_inside_site_packages():
    from minimem import cache as cache_module
    root = pathlib.Path(cache_module.__file__).resolve().parents[1]
    if (root / "setup.cfg").is_file():
        assert cache_module.RESULTS == root / "results"  # a source checkout (pip install -e .)
    else:
        assert cache_module.RESULTS == pathlib.Path.cwd() / "results"


def test_the_results_root_can_be_set_by_environment(tmp_path):
    code = "from minimem import cache; print(cache.RESULTS)"
    env = dict(os.environ, MINIMEM_RESULTS=str(tmp_path / "elsewhere"))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out.strip() == str((tmp_path / "elsewhere").resolve())


def test_a_corrupt_unit_is_named_and_recomputed(tmp_path, capsys):
    experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path)
    first = sorted(tmp_path.glob("*.npz"))[0]
    first.write_bytes(first.read_bytes()[:100])
    capsys.readouterr()
    experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path)
    err = capsys.readouterr().err
    assert f"corrupt cache entry {first}" in err and err.count("computing") == 1


def test_computed_units_record_how_long_they_took(tmp_path):
    cfg, _ = experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path, verbose=False)
    t = cache.timings(tmp_path)
    files = sorted(p.name for p in tmp_path.glob("*.npz"))
    assert sorted(t) == files and len(files) == len(cfg["sizes"])
    assert all(v["seconds"] >= 0 and v["threads"] >= 1 and len(v["date"]) == 10 for v in t.values())
    experiments.run("bottleneck_dd", "smoke", results_dir=tmp_path, verbose=False)  # read, not computed: no change
    assert cache.timings(tmp_path) == t
