"""Run a figure script in this process, as ``python scripts/<ID>_*.py ARGS`` runs it in its own.

The tests call each script dozens of times; a process each would import numpy, numba and matplotlib
and load the kernels from numba's disk cache again every time (about 3 s before any work). Here the
script's module is imported once and its ``main(argv)`` called with ``sys.argv`` set as Python sets
it for a script, ``cwd`` the checkout, stdout and stderr captured, and $MINIMEM_RESULTS stood in for
by ``results`` (minimem.cache reads the variable once, at import). A ``SystemExit`` becomes the exit
status and its message the last line of stderr, as the interpreter would print them; any other
exception propagates, so a test sees the traceback a user would. One test still runs a script as a
program (tests/test_scripts.py), for the lines this skips: ``if __name__ == "__main__"`` and the
import of scripts/_plot.py from the script's own folder.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import io
import os
import pathlib
import sys

from minimem import cache
from minimem.cli import figure_scripts

SCRIPTS = figure_scripts()
ROOT = pathlib.Path(__file__).resolve().parents[1]


@dataclasses.dataclass
class Ran:
    returncode: int
    stdout: str
    stderr: str


def run_script(fid, args, results=None):
    """``python scripts/<fid>_*.py *args`` in this process; ``results``: $MINIMEM_RESULTS for the run."""
    path = SCRIPTS[fid]
    args = [str(a) for a in args]
    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv, list(sys.path), sys.excepthook, cache.RESULTS, os.getcwd()
    code = 0
    try:
        sys.argv = [str(path)] + args
        sys.path.insert(0, str(path.parent))
        if results is not None:
            cache.RESULTS = pathlib.Path(results).resolve()
        os.chdir(ROOT)
        module = importlib.import_module(path.stem)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                module.main(args)
            except SystemExit as e:
                if isinstance(e.code, int) or e.code is None:
                    code = e.code or 0
                else:  # SystemExit("message"): the interpreter prints it and exits with 1
                    print(e.code, file=sys.stderr)
                    code = 1
    finally:
        sys.argv, sys.path[:], sys.excepthook, cache.RESULTS, cwd = saved
        os.chdir(cwd)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")
    return Ran(code, out.getvalue(), err.getvalue())
