"""Results cached on disk, keyed by their full configuration, written atomically.

``cached(name, config, compute)`` returns ``compute()``'s dict of arrays, from
``results/<name>-<key>.npz`` when a run with exactly this configuration finished before, and says
which happened:

    using cached results/bottleneck_dd-c338f90515b2.npz
    computing bottleneck_dd T=500 (config changed: steps 5000 -> 50000)

The configuration is stored beside the arrays (``.json``) so a changed setting can be named. Files
are written to a temporary name and renamed, so an interrupted run never leaves a half-written
result, and a sweep that caches each of its runs separately resumes where it stopped.

It fails safe: a corrupt entry (a truncated ``.npz``, an unreadable ``.json``) is named and
recomputed, never fatal; the key includes ``TRAINING_VERSION``, so results of an older training
code are not reused silently; a results directory that cannot be written is reported before
anything is computed; files are written world-readable (0644).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import pathlib
import sys
import tempfile

import numpy as np


def _default_results():
    """Where results live: $MINIMEM_RESULTS when set; else results/ of the source checkout when the
    package runs from one (pip install -e .), else of the current directory: never inside
    site-packages."""
    if os.environ.get("MINIMEM_RESULTS"):
        return pathlib.Path(os.environ["MINIMEM_RESULTS"]).resolve()
    root = pathlib.Path(__file__).resolve().parents[1]
    if (root / "setup.cfg").is_file() and (root / "minimem").is_dir():
        return root / "results"
    return pathlib.Path.cwd() / "results"


RESULTS = _default_results()

# Bumped by hand whenever a change to the training code changes its numbers (not for comments or
# refactors that tests hold equal). Part of every cache key. History: 1 libm exp in the
# cross-entropy kernel; 2 the vectorised float32 exp (fused.exp_f32).
TRAINING_VERSION = 2


def config_key(config):
    """A short stable hash of a JSON-serialisable configuration."""
    text = json.dumps(config, sort_keys=True, default=_jsonable)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _jsonable(v):
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    raise TypeError(f"config value {v!r} of type {type(v).__name__} is not JSON-serialisable")


def _atomic_write(path, write):
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; results are for every user to read
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _diff(old, new):
    keys = sorted(set(old) | set(new))
    changes = [f"{k} {old.get(k, '-')} -> {new.get(k, '-')}" for k in keys if old.get(k) != new.get(k)]
    return ", ".join(changes[:4]) + (" ..." if len(changes) > 4 else "")


def _load(npz):
    with np.load(npz) as f:
        return {k: f[k] for k in f.files}


def _read_json(path):
    """A stored configuration, or None when the file is unreadable (then it is skipped)."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def _check_writable(root):
    """Raise before any work when results cannot be stored under ``root``."""
    try:
        root.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=root, prefix=".write-test-")
        os.close(fd)
        os.remove(probe)
    except OSError as e:
        raise OSError(f"cannot write results to {root} ({e.strerror or e}); choose a writable "
                      f"directory (results_dir=...)") from None


class Entry:
    """One cache entry: ``results/<name>-<key>.npz`` (arrays) beside ``.json`` (its configuration).

    ``load()`` returns the arrays or None (saying why in ``why``: missing, corrupt, or which setting
    changed against the closest stored configuration that agrees on the keys in ``same``);
    ``store(arrays)`` writes both files atomically. ``cached`` is the two in one call; the
    experiments use them apart so that units computed elsewhere are stored by the caller.

    ``results_dir`` is one directory, or a sequence of them: results are written to the first and
    read from the first that holds the entry (``--out DIR`` writes under DIR and still reads the
    checkout's committed results)."""

    def __init__(self, name, config, results_dir=None, verbose=True, same=()):
        roots = [RESULTS] if results_dir is None else (
            [results_dir] if isinstance(results_dir, (str, os.PathLike)) else list(results_dir))
        self.roots = [pathlib.Path(r) for r in roots]
        self.root = self.roots[0]
        config = dict(config, minimem_training=TRAINING_VERSION)
        self.config = json.loads(json.dumps(config, sort_keys=True, default=_jsonable))
        self.name, self.key, self.same = name, config_key(self.config), same
        self.npz = self.root / f"{name}-{self.key}.npz"
        self.meta = self.root / f"{name}-{self.key}.json"
        self.log = (lambda msg: print(msg, file=sys.stderr)) if verbose else (lambda msg: None)
        self.why = "no cached result"

    def load(self, fresh=False):
        """The stored arrays, or None (then ``why`` says why; --fresh reads nothing)."""
        if fresh:
            self.why = "--fresh"
            return None
        for root in self.roots:
            npz = root / self.npz.name
            if not npz.exists():
                continue
            try:
                out = _load(npz)
                self.log(f"using cached {npz.relative_to(root.parent) if root.parent in npz.parents else npz}")
                return out
            except Exception as e:  # a truncated or otherwise unreadable file: name it, recompute
                self.why = f"corrupt cache entry {npz}: {type(e).__name__}: {e}"
                return None
        if self.root.exists():
            others = [o for o in map(_read_json, sorted(self.root.glob(f"{self.name}-*.json"))) if o is not None]
            others = [o for o in others if all(o.get(k) == self.config.get(k) for k in self.same)]
            if others:
                closest = min(others, key=lambda o: len(_diff(o, self.config)))
                self.why = f"config changed: {_diff(closest, self.config)}"
        return None

    def announce(self, label=""):
        """Say that this entry (``label``: which unit) is being computed, after checking that it can be
        stored."""
        _check_writable(self.root)
        self.log(f"computing {self.name}{' ' + label if label else ''} ({self.why})")

    def store(self, out, seconds=None):
        """Write ``out`` (a dict of arrays or numbers) and its configuration; return the arrays. With
        ``seconds``, how long computing it took is recorded in the root's timings file."""
        arrays = {k: np.asarray(v) for k, v in out.items()}

        def write(tmp):
            with open(tmp, "wb") as f:  # a file object: np.savez would append .npz to a name
                np.savez_compressed(f, **arrays)

        _atomic_write(self.npz, write)
        write_json(self.meta, self.config)
        if seconds is not None:
            record_time(self.root, self.npz.name, seconds)
        return arrays


TIMINGS = "timings.json"


@contextlib.contextmanager
def claim(path, wait):
    """An exclusive lock on ``path`` (a cache entry, or the timings file) between processes, held for
    the block: yields True when taken, False when another process holds it and ``wait`` is False.
    Two figure scripts sharing a sweep (``reproduce --scripts 2``) each claim a unit before computing
    it and skip the units the other has claimed. The lock files live in the temporary folder (never
    beside committed results); without fcntl (Windows) every claim is granted."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no claims, at worst a unit computed twice
        yield True
        return
    folder = pathlib.Path(tempfile.gettempdir()) / "minimem-claims"
    folder.mkdir(exist_ok=True)
    name = hashlib.sha256(str(pathlib.Path(path).resolve()).encode()).hexdigest()[:16]
    with open(folder / f"{name}.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def write_json(path, obj):
    """``obj`` as indented JSON at ``path``, written atomically."""
    _atomic_write(pathlib.Path(path), lambda tmp: pathlib.Path(tmp).write_text(json.dumps(obj, indent=1,
                                                                                       sort_keys=True) + "\n"))


def timings(root=None):
    """{entry file name: {"seconds", "threads", "date"}} recorded under a results root ({} if none)."""
    path = pathlib.Path(root if root is not None else RESULTS) / TIMINGS
    return (_read_json(path) or {}) if path.exists() else {}


def record_time(root, entry, seconds):
    """Record how long computing an entry took (seconds of wall time, the machine's threads, the date),
    so the figures' run times are measured, not typed (scripts/runtimes.py)."""
    with claim(pathlib.Path(root) / TIMINGS, wait=True):  # read, add, write: one process at a time
        t = timings(root)
        t[entry] = {"seconds": round(float(seconds), 1), "threads": os.cpu_count(),
                    "date": datetime.date.today().isoformat()}
        write_json(pathlib.Path(root) / TIMINGS, t)


def cached(name, config, compute, fresh=False, results_dir=None, verbose=True, same=()):
    """Load ``name``'s results for ``config`` or compute and store them. ``compute()`` returns a
    dict of numpy arrays (or numbers). ``fresh=True`` recomputes even when cached.

    When nothing matches, the message names what changed against the closest cached configuration
    that agrees on the keys in ``same`` (e.g. ``same=("T",)`` for one run of a sweep over T)."""
    entry = Entry(name, config, results_dir, verbose, same)
    out = entry.load(fresh)
    if out is not None:
        return out
    entry.announce()
    return entry.store(compute())
