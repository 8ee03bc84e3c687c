"""Every figure script's code path, on tiny settings (--smoke), into a temporary folder; the
results cache; the reproduce command."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from minimem.__main__ import figure_scripts, main as cli_main
from minimem.cache import cached

ROOT = pathlib.Path(__file__).resolve().parents[1]
SCRIPTS = figure_scripts()


@pytest.mark.parametrize("fid", list(SCRIPTS))
def test_figure_script_runs_and_then_redraws_from_cache(fid, tmp_path):
    cmd = [sys.executable, str(SCRIPTS[fid]), "--smoke", "--out", str(tmp_path)]
    first = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert first.returncode == 0, first.stderr[-3000:]
    pngs = list((tmp_path / "figures" / "quick").glob(f"{fid}_*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000
    assert list((tmp_path / "results" / "quick").glob("*.npz")), "the script cached no results"
    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "using cached" in second.stderr and "computing" not in second.stderr


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
    cached("demo", {"T": 4}, compute, results_dir=tmp_path, same=("T",))  # reads the bad sibling
    cached("demo", {"T": 4}, compute, results_dir=tmp_path, fresh=True)
    assert "using cached" in (cached("demo", {"T": 3}, compute, results_dir=tmp_path) and
                              capsys.readouterr().err)


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
    assert not list(tmp_path.iterdir()) or not list(tmp_path.glob("*.npz"))


def test_reproduce_lists_scripts_and_rejects_unknown_ids(capsys):
    assert cli_main(["list"]) == 0
    out = capsys.readouterr().out
    assert "B2" in out and "F1" in out
    with pytest.raises(SystemExit, match="unknown figure IDs"):
        cli_main(["reproduce", "Z9"])


def test_reproduce_out_writes_under_the_given_directory(tmp_path, monkeypatch):
    """--out DIR and --jobs N are handed to every script as its own flags."""
    import minimem.__main__ as cli
    seen = {}

    def fake_call(cmd, cwd=None):
        seen["cmd"] = cmd
        return 0
    monkeypatch.setattr(cli.subprocess, "call", fake_call)
    assert cli_main(["reproduce", "B1", "--out", str(tmp_path / "here"), "--jobs", "2"]) == 0
    cmd = seen["cmd"]
    assert cmd[cmd.index("--out") + 1] == str((tmp_path / "here").resolve())
    assert cmd[cmd.index("--jobs") + 1] == "2"
    assert (tmp_path / "here").is_dir()


def test_default_results_directory_is_never_inside_site_packages():
    from minimem import cache as cache_module
    root = pathlib.Path(cache_module.__file__).resolve().parents[1]
    if (root / "setup.cfg").is_file():
        assert cache_module.RESULTS == root / "results"  # a source checkout (pip install -e .)
    else:
        assert cache_module.RESULTS == pathlib.Path.cwd() / "results"


def test_cached_only_never_trains_and_names_what_is_missing(tmp_path):
    cmd = [sys.executable, str(SCRIPTS["B2"]), "--smoke", "--cached-only", "--out", str(tmp_path)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode != 0 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("minimem: B2: bottleneck_dd: no stored result")
    assert "train it with: python -m minimem reproduce B2 --smoke" in r.stderr
    assert not list((tmp_path / "results").glob("**/*.npz"))
    # the peak table leaves a missing sweep out and says so, instead of training it
    subprocess.run(cmd[:3] + cmd[4:], cwd=ROOT, capture_output=True, check=True, timeout=600)  # B2 trains
    cmd = [sys.executable, str(SCRIPTS["X5"]), "--smoke", "--cached-only", "--out", str(tmp_path)]
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "F4 left out: bottleneck_dd_untied: no stored result" in r.stdout and "| B2 |" in r.stdout
