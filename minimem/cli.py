"""The command line: the flags of the figure scripts and of ``python -m minimem reproduce``, defined
once here, the runner every figure script uses (``FigureScript``), and ``reproduce`` and ``list``.

A figure script is one page:

    fig = FigureScript(__doc__, argv)            # its flags: --quick / --full / --smoke, --cached-only, ...
    cfg, res = fig.run("bottleneck_dd")          # minimem.experiments.run with those flags
    fig.save(figure, "B2_double_descent")        # figures/ or figures/quick/ of the checkout (or --out)

``reproduce`` runs the scripts of a source checkout, two at a time in quick mode on two cores and
one after the other otherwise; each hands its flags on unchanged, so a flag cannot be dropped on one
path. No matplotlib is imported here.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

from . import cache, experiments, named
from .experiments import connect_dask

ROOT = pathlib.Path(__file__).resolve().parents[1]
ID_RE = re.compile(r"^([A-Z]\d+)_\w+\.py$")
MODE_FLAG = {"full": "--full", "quick": "--quick", "smoke": "--smoke"}

WHERE = """\
where things go:
  --quick and --smoke   results/quick/ and figures/quick/ of the checkout (git ignores both)
  --full                results/ and figures/<ID>_*.png, the committed results and figures
  --out DIR             the same layout under DIR; the checkout's results/ is still read,
                        so --full --cached-only --out DIR redraws the committed figures in DIR
  $MINIMEM_RESULTS      where results are read and written instead of the checkout's results/

Each figure's runs are cached unit by unit (a data set size, a grid cell); before training, each
experiment prints how many units are missing and about how long they will take on this machine.
Ctrl-C keeps every finished unit: rerun the same command to resume.
"""


def add_flags(ap, default_mode):
    """The flags of a figure run, for a script (default "full") and for reproduce (default "quick")."""
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="reduced runs, minutes per figure"
                   + (" (the default)" if default_mode == "quick" else ""))
    g.add_argument("--full", action="store_true", help="the write-up's settings (hours for some figures unless "
                   "results/ holds them); writes the committed figures" + (" (the default)" if default_mode == "full"
                                                                           else ""))
    g.add_argument("--smoke", action="store_true", help="a few steps on tiny data: checks that every code path runs")
    ap.add_argument("--fresh", action="store_true", help="retrain even when results/ holds the runs")
    ap.add_argument("--cached-only", action="store_true",
                    help="never train: redraw from stored results; a missing result ends the figure with a line "
                         "naming it and the command that trains it")
    ap.add_argument("--out", metavar="DIR", help="write results and figures under DIR (still reading the checkout's "
                    "results/)")
    ap.add_argument("--jobs", type=int, default=1, metavar="N", help="train independent units in N processes "
                    "sharing the cores")
    ap.add_argument("--dask", metavar="ADDRESS", help="train units on the Dask cluster whose scheduler is at ADDRESS "
                    "(pip install -e \".[dask]\")")
    return ap


def mode_of(args, default_mode):
    return "full" if args.full else "quick" if args.quick else "smoke" if args.smoke else default_mode


def check_flags(args):
    """The flags' contradictions and bad values, as one-line errors."""
    if args.jobs < 1:
        raise SystemExit(f"minimem: --jobs must be >= 1, got {args.jobs}")
    if args.fresh and args.cached_only:
        raise SystemExit("minimem: --fresh and --cached-only contradict each other; give one")
    if args.out:
        try:
            pathlib.Path(args.out).mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise SystemExit(f"minimem: cannot use --out {args.out}: {e.strerror or e}") from None


def _quiet_interrupt(kind, value, tb, _default=sys.excepthook):
    """Ctrl-C ends a figure script with one line (experiments.run has said what it kept), not a traceback."""
    if issubclass(kind, KeyboardInterrupt):
        print("minimem: interrupted", file=sys.stderr, flush=True)
        sys.stdout.flush()
        os._exit(130)  # the shell's code for Ctrl-C, which reproduce reads
    _default(kind, value, tb)


class FigureScript:
    """A figure script's flags, and ``run(name)``: minimem.experiments.run with them.

    Results are written to --out DIR/results (else the default results root, see minimem.cache) and
    read from there and from the default root; figures go to figures/ of the checkout the script
    lives in (or of DIR), figures/quick/ outside the full mode."""

    def __init__(self, doc, argv=None):
        ap = argparse.ArgumentParser(description=doc.splitlines()[0], epilog=doc + "\n" + WHERE,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
        self.args = a = add_flags(ap, "full").parse_args(argv)
        check_flags(a)
        sys.excepthook = _quiet_interrupt
        self.mode = mode_of(a, "full")
        self.quick = self.mode != "full"
        main = sys.argv[0] if sys.argv and sys.argv[0].endswith(".py") else None  # the script run
        checkout = pathlib.Path(main).resolve().parents[1] if main else pathlib.Path.cwd()
        script = ID_RE.match(pathlib.Path(main).name) if main else None
        if script:  # the named values it prints are <ID>.<name> = ... (minimem.named)
            named.begin(script.group(1))
        self.out = pathlib.Path(a.out).resolve() if a.out else checkout
        roots = ([self.out / "results"] if a.out else []) + [cache.RESULTS]
        self.results = [experiments.results_dir_of(self.mode, root) for root in roots]
        self._stack = contextlib.ExitStack()
        try:
            self.executor = self._stack.enter_context(experiments.executor(a.jobs, a.dask))
        except (ImportError, ConnectionError) as e:
            raise SystemExit(f"minimem: {e}") from None

    def run(self, name, required=True, **overrides):
        """minimem.experiments.run with the script's flags. Under --cached-only a missing result ends
        the script with one line naming it and the command that trains it (``required=False``:
        raise MissingResult for the caller instead)."""
        try:
            return experiments.run(name, self.mode, fresh=self.args.fresh, results_dir=self.results,
                                   executor=self.executor, cached_only=self.args.cached_only, long_ok=True,
                                   **overrides)
        except experiments.MissingResult as e:
            if not required:
                raise
            raise self._missing(e) from None

    def landed(self, name):
        """A long sweep's units and what is stored of them: (cfg, units, results), results[k] the
        arrays of units[k] or None. Trains what is missing unless --cached-only; under --cached-only
        while the sweep is still running (X6, X7) the figure is drawn from the units that have landed."""
        try:
            self.run(name, required=False)
        except experiments.MissingResult:
            pass
        return experiments.stored(name, self.mode, results_dir=self.results)

    def lookup(self, setting):
        """minimem.experiments.lookup (X1) with the script's flags."""
        try:
            return experiments.lookup(setting, self.mode, fresh=self.args.fresh, results_dir=self.results,
                                      executor=self.executor, cached_only=self.args.cached_only, long_ok=True)
        except experiments.MissingResult as e:
            raise self._missing(e) from None

    def _missing(self, e):
        """The one-line end of a script whose results are not stored: what is missing and the command."""
        fid = pathlib.Path(sys.argv[0]).name.split("_")[0]
        return SystemExit(f"minimem: {fid}: {e}; train it with: python -m minimem reproduce {fid} "
                          f"{MODE_FLAG[self.mode]}")

    def save(self, fig, name):
        """figures/<name>.png (full, committed) or figures/quick/<name>.png; closes the executor."""
        out = self.out / "figures" / ("quick" if self.quick else "") / f"{name}.png"
        out.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(out, bbox_inches="tight")
        print(f"wrote {out}")
        self._stack.close()
        return out


# --- python -m minimem --------------------------------------------------------------------------

def figure_scripts():
    """{ID: path} of every figure script, in catalogue order (B, M, F, A, X; then by number): those
    of the source checkout the package runs from (pip install -e .), else of a checkout in the
    current directory (pip install . from it)."""
    candidates = [ROOT / "scripts", pathlib.Path.cwd() / "scripts"]
    found_dirs = [d for d in candidates if d.is_dir() and any(d.glob("B1_*.py"))]
    if not found_dirs:
        raise SystemExit(f"minimem: no figure scripts in {candidates[0]} or {candidates[1]}; run reproduce from a "
                         f"source checkout (the scripts are not part of the installed package)")
    found = {}
    for p in found_dirs[0].glob("*.py"):
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


def script_flags(args):
    """The flags reproduce hands each figure script: its own, unchanged."""
    flags = [MODE_FLAG[mode_of(args, "quick")]]
    flags += ["--fresh"] * args.fresh + ["--cached-only"] * args.cached_only
    flags += ["--out", str(pathlib.Path(args.out).resolve())] if args.out else []
    flags += ["--jobs", str(args.jobs)] if args.jobs > 1 else []
    return flags + (["--dask", args.dask] if args.dask else [])


def allocator_env(env=None):
    """``env`` (default os.environ) with glibc's mmap and trim thresholds raised to 1 GiB, unless set:
    glibc maps every array above its mmap threshold (at most 32 MiB by default) afresh and returns it
    on free, so each of the analyses' 10,000 x 1,000 arrays (40-80 MB) costs a page fault per 4 KiB
    each time it is made again; above the thresholds freed arrays stay in the heap for the next one.
    It changes no number (the test suite's workers: 238 s -> 173 s warm, system time 99 s -> 26 s;
    X5's cached-only redraw 52 s -> 47 s; 2026-12-04). Other C libraries ignore the variables."""
    env = dict(os.environ if env is None else env)
    for name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
        env.setdefault(name, str(1 << 30))
    return env


def scripts_at_once(args):
    """How many figure scripts reproduce runs at once: --scripts, else two in quick and smoke mode on
    a machine with two cores or more (their compiles, numpy analyses and drawing use one core each;
    scripts that share a sweep share its units, cache.claim), one with --full, --jobs or --dask
    (their units already share the cores)."""
    if args.scripts is not None:
        return args.scripts
    if mode_of(args, "quick") == "full" or args.jobs > 1 or args.dask:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


def one_thread_env(env):
    """``env`` with numba's and the BLAS libraries' thread pools at one thread each, unless set: two
    scripts side by side then use a core each, rather than four threads contending for two (a
    kernel's threads wait for each other at every step). The numbers can move in the last digits:
    a one-instance model splits its samples over the threads, and sums them in that order."""
    env = dict(env)
    for name in ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(name, "1")
    return env


def reproduce(args):
    scripts = figure_scripts()
    wanted = [i.upper() for i in args.ids] or list(scripts)
    unknown = [i for i in wanted if i not in scripts]
    if unknown:
        raise SystemExit(f"minimem: unknown figure IDs {unknown}; available: {' '.join(scripts)}")
    if args.dask:
        check_dask(args.dask)
    at_once = min(scripts_at_once(args), len(wanted))
    print(f"minimem reproduce ({mode_of(args, 'quick')}): {' '.join(wanted)}"
          + (f" ({at_once} scripts at once)" if at_once > 1 else ""), flush=True)
    t0 = time.perf_counter()
    if at_once > 1:
        return reproduce_at_once(scripts, wanted, args, at_once, t0)
    failed = []
    k, fid = 0, None
    try:
        for k, fid in enumerate(wanted, 1):
            print(f"[{k}/{len(wanted)}] {fid}: {scripts[fid].name} ({time.perf_counter() - t0:.0f} s so far)", flush=True)
            t = time.perf_counter()
            rc = subprocess.call([sys.executable, str(scripts[fid])] + script_flags(args),
                                 cwd=scripts[fid].parent.parent, env=allocator_env())
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


HEARTBEAT = 60  # seconds between the lines naming the scripts still running (reproduce_at_once)


def reproduce_at_once(scripts, wanted, args, at_once, t0):
    """reproduce with ``at_once`` scripts running side by side, in catalogue order: each script's
    output goes to a log file, shown when the script fails (its last lines and the log's path);
    a line says when each starts and ends, and every HEARTBEAT seconds which are still running.
    Ctrl-C reaches the scripts too; each keeps its finished units, and this waits for them to end."""
    logs = pathlib.Path(tempfile.mkdtemp(prefix="minimem-reproduce-"))
    queue, running, failed, n = list(wanted), {}, [], len(wanted)
    beat = time.perf_counter()
    try:
        while queue or running:
            while queue and len(running) < at_once:
                fid = queue.pop(0)
                log = open(logs / f"{fid}.log", "w")
                proc = subprocess.Popen([sys.executable, str(scripts[fid])] + script_flags(args),
                                        cwd=scripts[fid].parent.parent, env=one_thread_env(allocator_env()),
                                        stdout=log, stderr=subprocess.STDOUT)
                running[fid] = (proc, log, time.perf_counter())
                print(f"[{n - len(queue)}/{n}] {fid}: {scripts[fid].name} "
                      f"({time.perf_counter() - t0:.0f} s so far)", flush=True)
            time.sleep(0.2)
            for fid, (proc, log, started) in list(running.items()):
                rc = proc.poll()
                if rc is None:
                    continue
                del running[fid]
                log.close()
                if rc in (130, -2):  # the script was interrupted
                    raise KeyboardInterrupt
                print(f"  {fid}: {'done' if rc == 0 else f'FAILED (exit {rc})'} in "
                      f"{time.perf_counter() - started:.0f} s", flush=True)
                if rc == 0:
                    os.remove(log.name)
                else:
                    failed.append(fid)
                    tail = pathlib.Path(log.name).read_text(errors="replace").splitlines()[-20:]
                    print("\n".join(f"    {line}" for line in tail) + f"\n  (the whole output: {log.name})",
                          flush=True)
            if running and time.perf_counter() - beat >= HEARTBEAT:
                beat = time.perf_counter()
                print("  running: " + ", ".join(f"{fid} ({beat - st:.0f} s)" for fid, (_, _, st) in running.items()),
                      flush=True)
    except KeyboardInterrupt:
        for proc, log, _ in running.values():
            try:
                proc.wait(timeout=30)  # Ctrl-C reached it as well: it stores what it has and ends
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
        done = n - len(queue) - len(running)
        print(f"minimem reproduce: interrupted ({done} of {n} figures done); every finished unit is kept, rerun "
              f"the same command to resume", file=sys.stderr)
        return 130
    if not failed:
        with contextlib.suppress(OSError):
            logs.rmdir()
    print(f"minimem reproduce: {n - len(failed)}/{n} figures in {time.perf_counter() - t0:.0f} s"
          + (f"; failed: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


def parser():
    ap = argparse.ArgumentParser(prog="python -m minimem",
                                 description="minimem: reproduce the figures of the write-up, list them, or print an "
                                             "experiment's settings")
    sub = ap.add_subparsers(dest="command", required=True)
    rp = sub.add_parser("reproduce", help="run figure scripts (all, or the IDs given); needs a source checkout",
                        description="Run the figure scripts of a source checkout (all, or the IDs given): two at a "
                                    "time in quick mode on two cores, else one after the other; the scripts are not "
                                    "part of the installed package.",
                        epilog=WHERE + """
examples:
  python -m minimem reproduce B2                     B2 quick, about a minute
  python -m minimem reproduce --full --cached-only   every committed figure, redrawn without training
  python -m minimem reproduce F1 --full --jobs 2     F1 at the write-up's settings, two processes
""", formatter_class=argparse.RawDescriptionHelpFormatter)
    rp.add_argument("ids", nargs="*", help="figure IDs such as B2 F1 (default: all; python -m minimem list names them)")
    add_flags(rp, "quick")
    rp.add_argument("--scripts", type=int, metavar="N", help="run N figure scripts at once (default: 2 in quick "
                    "and smoke mode on two cores or more, else 1)")
    sub.add_parser("list", help="list the figure scripts")
    cp = sub.add_parser("config", help="print an experiment's settings (by its name or a figure ID)",
                        description="Print every setting of an experiment (its catalogue entry in "
                                    "minimem/experiments/), at the write-up's values or with quick mode's changes, "
                                    "and its units; a figure ID prints each experiment the figure trains.")
    cp.add_argument("name", help="an experiment (bottleneck_dd) or a figure ID (B2)")
    cp.add_argument("--quick", action="store_true", help="the quick mode's settings")
    return ap


def print_config(name, quick=False):
    """Every setting of experiment ``name`` (or of each experiment of figure ``name``), one per line."""
    names = experiments.FIGURES.get(name, (name,))
    if not names:  # it draws another figure's runs: those its script's config names
        try:
            source = figure_scripts()[name].read_text()
        except (SystemExit, KeyError):
            source = ""
        names = [n for n in re.findall(r'"([\w.]+)"', " ".join(re.findall(r"(?m)^EXPERIMENTS? = .*$", source)))
                 if n in experiments.EXPERIMENTS]
        print(f"{name} trains nothing of its own: it draws the runs of {', '.join(names) or 'another figure'}")
    mode = "quick" if quick else "full"
    for n in names:
        try:
            cfg = experiments.config(n, mode)
        except ValueError as e:
            raise SystemExit(f"minimem config: {e}") from None
        units = experiments.EXPERIMENTS[n].units(cfg)
        print(f"{n}: {'quick mode' if quick else 'the write-up'}'s settings (minimem.experiments.config({n!r}"
              f"{', mode=' + repr(mode) if quick else ''})), {len(units)} units")
        for k, v in cfg.items():
            print(f"  {k:<22} {v!r}")
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "list":
        for fid, p in figure_scripts().items():
            print(f"{fid:4s} scripts/{p.name}")
        return 0
    if args.command == "config":
        return print_config(args.name, args.quick)
    check_flags(args)
    if args.scripts is not None and args.scripts < 1:
        raise SystemExit(f"minimem: --scripts must be >= 1, got {args.scripts}")
    return reproduce(args)


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
