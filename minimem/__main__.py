"""Command line: ``python -m minimem reproduce [IDs...] [--quick | --full] [--fresh | --cached-only] [--jobs N]``.

Runs the figure scripts ``scripts/<ID>_*.py`` one after the other with an overall progress line.
Each script caches its training runs under results/ keyed by configuration, so a script whose
runs are cached only redraws its figure. With no IDs, every figure script runs.

--quick (the default) writes reduced figures to figures/quick/ in minutes; --full runs the
write-up's settings (50,000 steps, 4 seeds) and writes the committed figures/<ID>_*.png.
--out DIR writes results/ and figures/ under DIR instead of the checkout. --jobs N trains the
independent units of a sweep (a data set size, a grid cell) in N processes; --dask ADDRESS sends
them to a Dask cluster (pip install 'minimem[dask]'). Each unit is its own cache entry, so the
figures are the same whichever ran them.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
ID_RE = re.compile(r"^([A-Z]\d+)_\w+\.py$")


def figure_scripts():
    """{ID: path} of every figure script, in catalogue order (B, M, F, A, X; then by number): those
    of the source checkout the package runs from (pip install -e .), else of a checkout in the
    current directory (pip install . from it)."""
    candidates = [ROOT / "scripts", pathlib.Path.cwd() / "scripts"]
    found_dirs = [d for d in candidates if d.is_dir() and any(d.glob("B1_*.py"))]
    if not found_dirs:
        raise SystemExit(f"minimem: no figure scripts in {candidates[0]} or {candidates[1]}; run reproduce from a "
                         f"source checkout (the scripts are not part of the installed package)")
    scripts_dir = found_dirs[0]
    found = {}
    for p in scripts_dir.glob("*.py"):
        m = ID_RE.match(p.name)
        if m:
            found[m.group(1)] = p
    order = "BMFAX"
    return dict(sorted(found.items(), key=lambda kv: (order.index(kv[0][0]) if kv[0][0] in order else 9,
                                                      int(kv[0][1:]))))


def reproduce(ids, quick, fresh, out=None, jobs=1, dask=None, cached_only=False):
    scripts = figure_scripts()
    wanted = [i.upper() for i in ids] or list(scripts)
    unknown = [i for i in wanted if i not in scripts]
    if unknown:
        raise SystemExit(f"minimem: unknown figure IDs {unknown}; available: {' '.join(scripts)}")
    mode = "quick" if quick else "full"
    print(f"minimem reproduce ({mode}): {' '.join(wanted)}", flush=True)
    t0 = time.perf_counter()
    failed = []
    for k, fid in enumerate(wanted, 1):
        cmd = [sys.executable, str(scripts[fid])] + (["--quick"] if quick else []) + (["--fresh"] if fresh else [])
        cmd += ["--cached-only"] if cached_only else []
        cmd += (["--out", str(pathlib.Path(out).resolve())] if out else []) + (["--jobs", str(jobs)] if jobs > 1 else [])
        cmd += ["--dask", dask] if dask else []
        print(f"[{k}/{len(wanted)}] {fid}: {scripts[fid].name} ({time.perf_counter() - t0:.0f} s so far)", flush=True)
        t = time.perf_counter()
        rc = subprocess.call(cmd, cwd=scripts[fid].parent.parent)
        print(f"[{k}/{len(wanted)}] {fid}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in "
              f"{time.perf_counter() - t:.0f} s", flush=True)
        if rc != 0:
            failed.append(fid)
    print(f"minimem reproduce: {len(wanted) - len(failed)}/{len(wanted)} figures in "
          f"{time.perf_counter() - t0:.0f} s" + (f"; failed: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m minimem", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("reproduce", help="run figure scripts (all, or the IDs given)")
    rp.add_argument("ids", nargs="*", help="figure IDs such as B2 F1 (default: all)")
    g = rp.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", default=True, help="reduced runs (the default)")
    g.add_argument("--full", action="store_true", help="the write-up's settings; writes the committed figures")
    rp.add_argument("--fresh", action="store_true", help="retrain even when results/ holds the runs")
    rp.add_argument("--cached-only", action="store_true",
                    help="never train: redraw from results/ alone (a figure whose results are missing fails, named)")
    rp.add_argument("--out", metavar="DIR", help="write results/ and figures/ under DIR instead of the checkout")
    rp.add_argument("--jobs", type=int, default=1, metavar="N", help="train independent units in N processes")
    rp.add_argument("--dask", metavar="ADDRESS", help="send units to the Dask scheduler at ADDRESS")
    sub.add_parser("list", help="list the figure scripts")
    args = ap.parse_args(argv)
    if args.command == "list":
        for fid, p in figure_scripts().items():
            print(f"{fid:4s} scripts/{p.name}")
        return 0
    if args.out:
        out = pathlib.Path(args.out)
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise SystemExit(f"minimem: cannot use --out {out}: {e.strerror or e}") from None
    if args.jobs < 1:
        raise SystemExit(f"minimem: --jobs must be >= 1, got {args.jobs}")
    if args.fresh and args.cached_only:
        raise SystemExit("minimem: --fresh and --cached-only contradict each other; give one")
    return reproduce(args.ids, quick=not args.full, fresh=args.fresh, out=args.out, jobs=args.jobs, dask=args.dask,
                     cached_only=args.cached_only)


if __name__ == "__main__":
    sys.exit(main())
