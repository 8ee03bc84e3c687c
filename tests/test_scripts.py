"""Every figure script's code path, on tiny settings (--smoke), into a temporary folder; and every
script refusing, in one line, to train under --cached-only when nothing is stored.

The scripts run in this process (tests/scripts_run.py: the kernels load once for all of them); one
test runs a script as a program, the way a user and ``python -m minimem reproduce`` run it."""

import re
import subprocess
import sys

import pytest

from scripts_run import ROOT, SCRIPTS, run_script


@pytest.mark.slow
@pytest.mark.parametrize("fid", list(SCRIPTS))
def test_figure_script_runs_and_then_redraws_from_cache(fid, tmp_path):
    args = ["--smoke", "--out", tmp_path]
    first = run_script(fid, args)
    assert first.returncode == 0, first.stderr[-3000:]
    pngs = list((tmp_path / "figures" / "quick").glob(f"{fid}_*.png"))
    assert len(pngs) == 1 and pngs[0].stat().st_size > 10_000
    assert list((tmp_path / "results" / "quick").glob("*.npz")), "the script cached no results"
    second = run_script(fid, args)
    assert second.returncode == 0, second.stderr[-3000:]
    assert "using cached" in second.stderr and "computing" not in second.stderr


@pytest.mark.slow
def test_a_figure_script_runs_as_a_program(tmp_path):
    """As a user runs it: its own process, scripts/_plot.py imported from the script's folder, main()
    called under ``if __name__ == "__main__"``, the figure written where --out says."""
    r = subprocess.run([sys.executable, str(SCRIPTS["B2"]), "--smoke", "--out", str(tmp_path)], cwd=tmp_path,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "B2.peak_T = " in r.stdout
    assert len(list((tmp_path / "figures" / "quick").glob("B2_*.png"))) == 1


def test_every_figure_script_calls_main_when_run_as_a_program():
    """What the in-process runs skip: each script ends by calling main() as a program."""
    for fid, path in SCRIPTS.items():
        assert 'if __name__ == "__main__":\n    main()' in path.read_text(), f"{path.name} does not call main()"


@pytest.mark.slow
@pytest.mark.parametrize("fid", list(SCRIPTS))
def test_every_script_refuses_to_train_under_cached_only(fid, tmp_path):
    """Against an empty results folder ($MINIMEM_RESULTS) at the full settings, --cached-only ends the
    script with one line naming what is missing; nothing is trained or stored."""
    r = run_script(fid, ["--cached-only", "--out", tmp_path / "out"], results=tmp_path / "results")
    assert r.returncode != 0, f"{fid} drew a figure from nothing"
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith(f"minimem: {fid}: ") or last.startswith(f"{fid}: none of"), last
    assert "computing" not in r.stderr
    assert not list(tmp_path.glob("**/*.npz"))


@pytest.mark.slow
@pytest.mark.parametrize("fid, experiment", [("X6", "bottleneck_original"), ("X7", "peak_position")])
def test_a_long_sweep_still_landing_is_drawn_from_what_has_landed(fid, experiment, tmp_path):
    """X6 and X7 are committed unit by unit while they run: with one unit missing, --cached-only draws
    the sizes (X6) or arms (X7) that are whole, says what is missing, and trains nothing."""
    args = ["--smoke", "--out", tmp_path]
    assert run_script(fid, args).returncode == 0
    units = sorted((tmp_path / "results" / "quick").glob(f"{experiment}-*.npz"))
    assert len(units) >= 4
    units[0].unlink()
    png = next((tmp_path / "figures" / "quick").glob(f"{fid}_*.png"))
    png.unlink()
    r = run_script(fid, args + ["--cached-only"])
    assert r.returncode == 0, r.stderr[-3000:]
    assert "not stored" in r.stdout and "computing" not in r.stderr, r.stdout[-2000:]
    assert png.exists()


def test_runtimes_takes_a_retrained_sweeps_unit_times_for_the_units_results_holds(tmp_path):
    """scripts/runtimes.py --from: the times a sweep retrained under another root measured replace
    the stored ones of the same units (same file names: same configurations); others are left out."""
    import importlib.util

    from minimem import cache
    spec = importlib.util.spec_from_file_location("runtimes", ROOT / "scripts" / "runtimes.py")
    runtimes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runtimes)
    src, dst = tmp_path / "retrained", tmp_path / "results"
    src.mkdir()
    dst.mkdir()
    new = {"seconds": 12.5, "threads": 2, "date": "2026-11-30"}
    cache.write_json(src / cache.TIMINGS, {"a.npz": new, "b.npz": dict(new, seconds=3.0)})
    old = {"seconds": 40.0, "threads": 2, "date": "2026-11-01"}
    cache.write_json(dst / cache.TIMINGS, {"a.npz": old, "c.npz": old})
    (dst / "a.npz").write_bytes(b"")
    (dst / "c.npz").write_bytes(b"")
    assert runtimes.adopt(src, dst) == ["a.npz"]
    assert cache.timings(dst) == {"a.npz": new, "c.npz": old}
    with pytest.raises(SystemExit, match="no unit times under"):
        runtimes.adopt(tmp_path / "nothing", dst)


def test_compare_retrained_names_the_arrays_that_moved(tmp_path):
    """scripts/compare_retrained.py: per unit both roots hold, each array's relative difference and
    digits shared; a unit only the retrained root holds is left out."""
    import importlib.util

    import numpy as np
    spec = importlib.util.spec_from_file_location("compare_retrained", ROOT / "scripts" / "compare_retrained.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    new, old = tmp_path / "new", tmp_path / "old"
    new.mkdir()
    old.mkdir()
    np.savez(old / "e-1.npz", train_loss=np.array([1.0, 2.0]), test_loss=np.array([4.0, 8.0]))
    np.savez(new / "e-1.npz", train_loss=np.array([1.0, 2.0]), test_loss=np.array([4.0, 8.0008]))
    np.savez(new / "e-2.npz", train_loss=np.array([3.0]))
    rows = {(u, k): rel for u, k, rel in mod.compare(new, old)}
    assert rows[("e-1.npz", "train_loss")] == 0
    assert rows[("e-1.npz", "test_loss")] == pytest.approx(1e-4)
    assert mod.digits(1e-4) == pytest.approx(4) and mod.digits(0) == 16
    assert all(u == "e-1.npz" for u, _ in rows)


def test_speeds_run_time_table_is_what_runtimes_prints_from_the_committed_times():
    """SPEED.md's table (recorded times and the estimates beside them) is scripts/runtimes.py's
    output on results/timings.json: rerun `python scripts/runtimes.py --write` after timing units."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("runtimes", ROOT / "scripts" / "runtimes.py")
    runtimes = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(runtimes)
    doc = (ROOT / "SPEED.md").read_text()
    committed = doc.split(runtimes.START, 1)[1].split(runtimes.END, 1)[0].strip()
    assert committed == (runtimes.table() + "\n\n" + runtimes.largest()).strip()


def test_the_readme_demo_runs_and_says_what_it_trained(capsys):
    """scripts/memorisation_demo.py (the README's quick start) on a tiny setting: its table, its
    training time said apart from any compile, its figure."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("memorisation_demo", ROOT / "scripts" / "memorisation_demo.py")
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    res, test_loss = demo.main(["--sizes", "3", "6", "--n-features", "40", "--n-test", "300"])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[1].split() == ["T", "train", "loss", "test", "loss"], out
    assert [int(line.split()[0]) for line in lines[2:4]] == [3, 6]
    assert res.final_loss[0] < 0.1 < test_loss[0], (res.final_loss, test_loss)  # T=3 memorised
    assert re.fullmatch(r"trained 2 models x 5000 steps in \d+\.\d s( \(and \d+ s compiling the kernels, once\))?",
                        lines[4]), lines[4]
    assert lines[5] == "wrote figures/quick/demo_memorisation.png"
    assert (ROOT / "figures" / "quick" / "demo_memorisation.png").stat().st_size > 10_000


# --- the scripts' docstrings against the catalogue -------------------------------------------------

# numbers a figure script's "Settings" paragraph may state that are not settings of its experiments:
# each derived from them, or another paper's, with why
DERIVED = {"A8": {20: "V = 2n classes"},
           "B1": {1024: "TMS's fresh batch per step, for comparison", 1000: "50,000 x (1 - 0.999) non-zero samples"},
           "B5": {8: "2 importances x 4 sparsities, the noisy instances of a cell", 4: "the sparsities"}}
NUMBER = re.compile(r"(?<![\w.^])(\d+(?:[,_]\d{3})*(?:\.\d+)?(?:e-?\d+)?)(?!\w)")


def _values(v):
    """Every number inside a setting's value (lists and dicts opened), as floats."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return set()
    if isinstance(v, (int, float)):
        return {float(v)}
    items = v.values() if isinstance(v, dict) else v
    return set().union(*(_values(x) for x in items)) if len(items) else set()


def _experiments_of(fid, source):
    """The experiments a figure trains (experiments.FIGURES), else those its script's config names."""
    from minimem import experiments
    named = experiments.FIGURES.get(fid) or re.findall(r'"([\w.]+)"', " ".join(
        re.findall(r"(?m)^EXPERIMENTS? = .*$", source)))
    return [n for n in named if n in experiments.EXPERIMENTS]


@pytest.mark.parametrize("fid", list(SCRIPTS))
def test_every_number_of_a_scripts_settings_is_a_setting_of_its_experiments(fid):
    """The catalogue holds every number of an experiment once: a script's docstring may say them in
    words, but a number it states must be one of its experiments' settings (full or quick, or of the
    dicts they name: X8's optimisers), so the docstring cannot drift from the catalogue."""
    from minimem import experiments
    source = SCRIPTS[fid].read_text()
    doc = source.split('"""')[1]
    found = re.search(r"(?ms)^Settings.*?(?=\n\n|\Z)", doc)
    assert found, f"{fid}'s docstring has no Settings paragraph"
    names = _experiments_of(fid, source)
    assert names, f"{fid}: no experiment found for its settings"
    values = {0.0, 1.0} | set().union(*(_values(experiments.config(n, mode)) for n in names for mode in ("full", "quick")))
    if "optimiser_control" in names:
        values |= _values(experiments.OPTIMISERS) | _values(experiments.beyond.OPTIMISER_SETTINGS)
    stray = [tok for tok in NUMBER.findall(found.group(0))
             if float(tok.replace(",", "").replace("_", "")) not in values | set(DERIVED.get(fid, {}))]
    assert not stray, (f"{fid}'s Settings state {stray}, which no setting of {names} holds: say it from "
                       f"the catalogue (python -m minimem config {fid}) or list it in DERIVED with why")
    assert f"python -m minimem config {fid}" in found.group(0), f"{fid}'s Settings do not point to the catalogue"
