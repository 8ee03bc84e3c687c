"""Retrained results against the committed ones: which arrays agree, and to how many digits.

A sweep retrained from scratch (``python -m minimem reproduce IDs --full --fresh --out DIR``)
stores its units under DIR/results with the file names results/ gives the same configurations.
For every unit both hold, this prints each array's largest difference relative to the committed
array's largest magnitude, and the digits they share (-log10 of it); a row per unit and array that
agree to fewer than ``--digits`` digits (RESULTS.md quotes four), then a count per experiment.
Numba's kernels and numpy's are the same math but not the same order of sums: near a
double-descent peak, where training is chaotic, a retrained run may move in the second digit.

Run: python scripts/compare_retrained.py DIR/results [--digits 4]
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections import defaultdict

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def compare(new_root, old_root):
    """[(unit file name, array name, relative difference)] for every array of every unit both roots hold."""
    rows = []
    for path in sorted(pathlib.Path(new_root).glob("*.npz")):
        ref = pathlib.Path(old_root) / path.name
        if not ref.exists():
            continue
        with np.load(path) as a, np.load(ref) as b:
            for key in b.files:
                x, y = np.asarray(b[key], dtype=float), np.asarray(a[key], dtype=float) if key in a.files else None
                if y is None or x.shape != y.shape:
                    rows.append((path.name, key, np.inf))
                    continue
                scale = np.max(np.abs(x), initial=0.0)
                diff = np.max(np.abs(x - y), initial=0.0)
                rows.append((path.name, key, 0.0 if diff == 0 else diff / max(scale, 1e-300)))
    return rows


def digits(rel):
    """The decimal digits two arrays share at a relative difference ``rel`` (16 when equal)."""
    return 16.0 if rel == 0 else max(0.0, -np.log10(rel))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("retrained", help="the results root of the retrained sweeps (DIR/results)")
    ap.add_argument("--digits", type=float, default=4, help="report arrays agreeing to fewer digits (default 4)")
    args = ap.parse_args(argv)
    new = pathlib.Path(args.retrained)
    if not new.is_dir():
        ap.error(f"{new} is not a directory")
    rows = compare(new, ROOT / "results")
    if not rows:
        print(f"no unit under {new} is also in results/ (same configuration)")
        return 1
    per = defaultdict(lambda: [0, 0])
    print(f"| unit | array | relative difference | digits shared |\n|---|---|---|---|")
    for name, key, rel in rows:
        exp = name.rsplit("-", 1)[0]
        per[exp][0] += 1
        if digits(rel) < args.digits:
            per[exp][1] += 1
            print(f"| {name} | {key} | {rel:.2g} | {digits(rel):.1f} |")
    print(f"\n| experiment | arrays compared | agreeing to fewer than {args.digits:g} digits |\n|---|---|---|")
    for exp, (n, bad) in sorted(per.items()):
        print(f"| {exp} | {n} | {bad} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
