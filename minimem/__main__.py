"""Command line: ``python -m minimem reproduce [IDs...] [--quick | --full] [--fresh | --cached-only] [--out DIR] [--jobs N] [--dask ADDRESS]``
and ``python -m minimem list``.

``reproduce`` runs the figure scripts ``scripts/<ID>_*.py`` of a source checkout, one after the
other, with an overall progress line; it needs the checkout (the scripts are not part of the
installed package). Each script caches its training runs by configuration, so a script whose runs
are cached only redraws its figure, and an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import re
import subprocess
import sys
import time

from .experiments import connect_dask

ROOT = pathlib.Path(__file__).resolve().parents[1]
ID_RE = re.compile(r"^([A-Z]\d+)_\w+\.py$")

HELP = """\
where things go:
  --quick (the default) and --smoke  results/quick/ and figures/quick/ of the checkout (git ignores both)
  --full                             results/ and figures/<ID>_*.png, the committed results and figures
  --out DIR                          the same layout under DIR; the checkout's results/ is still read,
                                     so --full --cached-only --out DIR redraws the committed figures in DIR

Each figure's runs are cached unit by unit (a data set size, a grid cell); before training, each
experiment prints how many units are missing and about how long they will take on this machine.
Ctrl-C keeps every finished unit: rerun the same command to resume.

examples:
  python -m minimem reproduce B2                     B2 quick, a few minutes
  python -m minimem reproduce --full --cached-only   every committed figure, redrawn without training
  python -m minimem reproduce F1 --full --jobs 2     F1 at the write-up's settings, two processes
"""


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


def check_dask(address):
    """Fail fast, in one line, when --dask cannot work: dask missing or the scheduler unreachable."""
    try:
        connect_dask(address).close()
    except (ImportError, ConnectionError) as e:
        raise SystemExit(f"minimem: {e}") from None


def reproduce(ids, mode="quick", fresh=False, out=None, jobs=1, dask=None, cached_only=False):
    scripts = figure_scripts()
    wanted = [i.upper() for i in ids] or list(scripts)
    unknown = [i for i in wanted if i not in scripts]
    if unknown:
        raise SystemExit(f"minimem: unknown figure IDs {unknown}; available: {' '.join(scripts)}")
    if dask:
        check_dask(dask)
    print(f"minimem reproduce ({mode}): {' '.join(wanted)}", flush=True)
    t0 = time.perf_counter()
    failed = []
    k, fid = 0, None
    try:
        for k, fid in enumerate(wanted, 1):
            cmd = [sys.executable, str(scripts[fid])] + ([f"--{mode}"] if mode != "full" else [])
            cmd += (["--fresh"] if fresh else []) + (["--cached-only"] if cached_only else [])
            cmd += (["--out", str(pathlib.Path(out).resolve())] if out else []) + (["--jobs", str(jobs)] if jobs > 1 else [])
            cmd += ["--dask", dask] if dask else []
            print(f"[{k}/{len(wanted)}] {fid}: {scripts[fid].name} ({time.perf_counter() - t0:.0f} s so far)", flush=True)
            t = time.perf_counter()
            rc = subprocess.call(cmd, cwd=scripts[fid].parent.parent)
            if rc in (130, -2):  # the script was interrupted (Ctrl-C reaches it too)
                raise KeyboardInterrupt
            print(f"[{k}/{len(wanted)}] {fid}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in "
                  f"{time.perf_counter() - t:.0f} s", flush=True)
            if rc != 0:
                failed.append(fid)
    except KeyboardInterrupt:
        print(f"minimem reproduce: interrupted during {fid} ({k - 1} of {len(wanted)} figures done); every finished "
              f"unit is kept, rerun the same command to resume", file=sys.stderr)
        return 130
    print(f"minimem reproduce: {len(wanted) - len(failed)}/{len(wanted)} figures in "
          f"{time.perf_counter() - t0:.0f} s" + (f"; failed: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def parser():
    ap = argparse.ArgumentParser(prog="python -m minimem", description=__doc__.splitlines()[0].split(": ", 1)[0]
                                 + ": reproduce the figures of the write-up, or list them")
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("reproduce", help="run figure scripts (all, or the IDs given); needs a source checkout",
                        description="Run the figure scripts of a source checkout (all, or the IDs given).",
                        epilog=HELP, formatter_class=argparse.RawDescriptionHelpFormatter)
    rp.add_argument("ids", nargs="*", help="figure IDs such as B2 F1 (default: all; python -m minimem list names them)")
    g = rp.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="reduced runs, minutes per figure (the default)")
    g.add_argument("--full", action="store_true", help="the write-up's settings (hours for some figures unless "
                   "results/ holds them); writes the committed figures")
    g.add_argument("--smoke", action="store_true", help="a few steps on tiny data: checks that every code path runs")
    rp.add_argument("--fresh", action="store_true", help="retrain even when results/ holds the runs")
    rp.add_argument("--cached-only", action="store_true",
                    help="never train: redraw from stored results; a missing result ends that figure with a line "
                         "naming it and the command that trains it")
    rp.add_argument("--out", metavar="DIR", help="write results and figures under DIR (still reading the checkout's "
                    "results/)")
    rp.add_argument("--jobs", type=int, default=1, metavar="N", help="train independent units in N processes "
                    "sharing the cores")
    rp.add_argument("--dask", metavar="ADDRESS", help="train units on the Dask cluster whose scheduler is at ADDRESS "
                    "(pip install -e \".[dask]\")")
    sub.add_parser("list", help="list the figure scripts")
    return ap


def main(argv=None):
    args = parser().parse_args(argv)
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
    mode = "full" if args.full else "smoke" if args.smoke else "quick"
    return reproduce(args.ids, mode=mode, fresh=args.fresh, out=args.out, jobs=args.jobs, dask=args.dask,
                     cached_only=args.cached_only)


def run():
    """The console entry: main() with a closed pipe (| head) and Ctrl-C ending quietly."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away (python -m minimem list | head): send the rest nowhere, exit quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 0
    except KeyboardInterrupt:
        print("minimem: interrupted", file=sys.stderr)
        code = 130
    return code


if __name__ == "__main__":
    sys.exit(run())
