"""How long each figure takes to train at the full settings, from the times the runs recorded.

Every unit of an experiment records how long it took when it was computed (results/timings.json,
written by minimem.experiments.run). This script sums them per figure (minimem.experiments.FIGURES:
the runs each figure trains for itself) and prints the table; --write puts it into SPEED.md between
its runtimes markers, with the longest runs of the write-up and X1-X5 below it. A figure whose units were computed before timings were recorded says how many
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


def unit_times(names, results=None):
    """[(file name, recorded timing or None, estimated seconds at two-core speed)] for every unit of
    the experiments ``names`` at the full settings."""
    timings = cache.timings(results)
    return [(e.npz.name, timings.get(e.npz.name),
             costs.seconds(experiments.unit_jobs(name, e.config, {}), costs.REFERENCE_SECONDS))
            for name in names for e in experiments.full_entries(name, results)]


def row(label, runs, units, when=True):
    """One line of the table: the units' recorded time, the estimate for the same units and for all."""
    measured = [(t, est) for _, t, est in units if t is not None]
    total = sum(t["seconds"] for t, _ in measured)
    partial = measured and len(measured) < len(units)
    cells = [label, runs, f"{len(measured)} of {len(units)}",
             (costs.describe(total) + (" so far" if partial and not when else "")) if measured else "not measured yet",
             f"{sum(est for _, est in measured) / total:.2f}" if measured else "-",
             costs.describe(sum(est for *_, est in units)) if units else "-"]
    cells.append(("; ".join(f"{th}, {d}" for th, d in sorted({(t["threads"], t["date"]) for t, _ in measured}))
                  if when else "") or "-")
    return "| " + " | ".join(cells) + " |"


def table(results=None):
    """The markdown table of every figure's measured training time, with the estimates."""
    rows = ["| ID | its runs | units measured | training time, sum of the units | estimate / measured "
            "| estimate, all units | threads, date |", "|---|---|---|---|---|---|---|"]
    for fid, names in experiments.FIGURES.items():
        if not names:
            rows.append(f"| {fid} | draws the runs of another figure | - | seconds (redraws) | - | - | - |")
            continue
        rows.append(row(fid, ", ".join(names), unit_times(names, results)))
    for label, ids in GROUPS:
        units = [u for fid in ids for u in unit_times(experiments.FIGURES[fid], results)]
        rows.append(row(label, "total", units, when=False))
    return "\n".join(rows)


def largest(results=None, k=6):
    """The k experiments of the write-up and X1-X5 that take longest (their units' recorded times):
    what stands between those figures and a short full reproduction."""
    ids = [fid for label, group in GROUPS[:2] for fid in group]
    spans = []
    for name in dict.fromkeys(n for fid in ids for n in experiments.FIGURES[fid]):
        units = unit_times([name], results)
        spans.append((sum(t["seconds"] for _, t, _ in units if t is not None), name, len(units),
                      [fid for fid in ids if name in experiments.FIGURES[fid]][0]))
    spans.sort(reverse=True)
    total = sum(s for s, *_ in spans)
    rows = ["| the longest runs of the write-up and X1-X5 | figure | units | training time | share |",
            "|---|---|---|---|---|"]
    rows += [f"| {name} | {fid} | {n} | {costs.describe(sec)} | {sec / total:.0%} |" for sec, name, n, fid in spans[:k]]
    return "\n".join(rows)


def estimates(results=None):
    """Per figure, the measured seconds of its units that results/ times and what the estimate
    (minimem.costs at its two-core speed, costs.REFERENCE_SECONDS) says for the same units:
    [(figure, measured, estimated, units)]. The check that the estimates a user reads are right."""
    rows = []
    for fid, names in experiments.FIGURES.items():
        measured = [(t["seconds"], est) for _, t, est in unit_times(names, results) if t is not None]
        if measured:
            rows.append((fid, sum(t for t, _ in measured), sum(e for _, e in measured), len(measured)))
    return rows


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
    ap.add_argument("--estimates", action="store_true",
                    help="print each figure's estimate against its measured time (the units timed)")
    args = ap.parse_args(argv)
    if args.estimates:
        for fid, measured, estimated, units in estimates():
            print(f"{fid:4s} {units:4d} units: measured {costs.describe(measured):>7s}, estimated "
                  f"{costs.describe(estimated):>7s}, ratio {estimated / measured:5.2f}")
        return
    for src in args.sources:
        taken = adopt(src)
        print(f"took {len(taken)} unit times from {src}")
    text = table() + "\n\n" + largest()  # (tests/test_scripts.py holds SPEED.md to this text)
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
