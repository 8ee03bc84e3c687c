"""``python -m minimem reproduce [IDs...] [--quick | --full | --smoke] [--fresh | --cached-only] [--out DIR]
[--jobs N] [--dask ADDRESS]`` and ``python -m minimem list``: see minimem.cli."""

import sys

from .cli import run

if __name__ == "__main__":
    sys.exit(run())
