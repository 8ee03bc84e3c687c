"""How long each figure takes to train at the full settings, from the times the runs recorded.

Every unit of an experiment records how long it took when it was computed (results/timings.json,
written by minimem.experiments.run). This script sums them per figure (minimem.experiments.FIGURES:
the runs each figure trains for itself) and prints the table; --write puts it into SPEED.md between
its runtimes markers. A figure whose units were computed before timings were recorded says how many
are measured.

A sweep retrained whole to time it (``python -m minimem reproduce B2 --full --fresh --out DIR``)
records its units' times under DIR/results; ``--from DIR/results`` takes those of the units that
results/ holds under the same names (the same configurations) into results/timings.json, replacing
older times, so the table says how long the figure takes with the kernels of today.

Run: python scripts/runtimes.py [--from DIR/results ...] [--write]
"""

from __future__ import annotations

import argparse
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from minimem import cache, costs, experiments  # noqa: E402

START, END = "<!-- runtimes: start -->", "<!-- runtimes: end -->"


def table(results=None):
    """The markdown table of every figure's measured training time."""
    timings = cache.timings(results)
    rows = ["| ID | its runs | units measured | training time, sum of the units | threads, date |", "|---|---|---|---|---|"]
    for fid, names in experiments.FIGURES.items():
        if not names:
            rows.append(f"| {fid} | draws the runs of another figure | - | seconds (redraws) | - |")
            continue
        found = [e.npz.name for name in names for e in experiments.full_entries(name, results)]
        measured = [timings[f] for f in found if f in timings]
        total = sum(t["seconds"] for t in measured)
        when = sorted({(t["threads"], t["date"]) for t in measured})
        rows.append(f"| {fid} | {', '.join(names)} | {len(measured)} of {len(found)} | "
                    + (costs.describe(total) if measured else "not measured yet") + " | "
                    + ("; ".join(f"{th}, {d}" for th, d in when) or "-") + " |")
    for label, ids in GROUPS:
        found = [e.npz.name for fid in ids for name in experiments.FIGURES[fid]
                 for e in experiments.full_entries(name, results)]
        measured = [timings[f] for f in found if f in timings]
        total = sum(t["seconds"] for t in measured)
        rows.append(f"| {label} | total | {len(measured)} of {len(found)} | "
                    + (costs.describe(total) if measured else "not measured yet")
                    + (" so far" if measured and len(measured) < len(found) else "") + " | - |")
    return "\n".join(rows)


# the totals under the table: the write-up's figures, and the two groups of figures beyond it
GROUPS = [("the write-up (B, M, F, A)", [f for f in experiments.FIGURES if f[0] in "BMFA"]),
          ("X1-X5", ["X1", "X2", "X3", "X4", "X5"]), ("X6-X8", ["X6", "X7", "X8"])]


def adopt(src, dst=None):
    """Copy the unit times recorded under the results root ``src`` into ``dst``'s timings (default:
    the checkout's results/) for every unit ``dst`` holds under the same file name; returns their
    names. A unit that ``dst`` does not hold (another configuration) is left out."""
    dst = pathlib.Path(dst if dst is not None else cache.RESULTS)
    theirs = cache.timings(src)
    if not theirs:
        raise SystemExit(f"no unit times under {src} (expected {pathlib.Path(src) / cache.TIMINGS})")
    ours = cache.timings(dst)
    taken = sorted(name for name in theirs if (dst / name).exists())
    ours.update({name: theirs[name] for name in taken})
    cache.write_json(dst / cache.TIMINGS, ours)
    return taken


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the run-time table in SPEED.md")
    ap.add_argument("--from", dest="sources", action="append", default=[], metavar="DIR",
                    help="take the unit times of a sweep retrained under DIR (a results root) for the units "
                         "results/ holds")
    args = ap.parse_args(argv)
    for src in args.sources:
        taken = adopt(src)
        print(f"took {len(taken)} unit times from {src}")
    text = table()
    print(text)
    if args.write:
        path = ROOT / "SPEED.md"
        doc = path.read_text()
        if START not in doc or END not in doc:
            raise SystemExit(f"SPEED.md has no {START} ... {END} block to update")
        head, rest = doc.split(START, 1)
        path.write_text(head + START + "\n" + text + "\n" + END + rest.split(END, 1)[1])
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
