"""How long each figure takes to train at the full settings, from the times the runs recorded.

Every unit of an experiment records how long it took when it was computed (results/timings.json,
written by minimem.experiments.run). This script sums them per figure (minimem.experiments.FIGURES:
the runs each figure trains for itself) and prints the table; --write puts it into SPEED.md between
its runtimes markers. A figure whose units were computed before timings were recorded says how many
are measured.

Run: python scripts/runtimes.py [--write]
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
    return "\n".join(rows)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite the run-time table in SPEED.md")
    args = ap.parse_args(argv)
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
