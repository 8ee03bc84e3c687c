"""Process settings for the test suite (nothing here changes a number a test sees): glibc's
allocator thresholds raised for pytest-xdist's workers, which inherit this environment (see
minimem.cli.allocator_env; `python -m minimem reproduce` sets them for its figure scripts too).
Set here, before the workers start; a run with -n 0 keeps the allocator it started with."""

import os

from minimem.cli import allocator_env

os.environ.update(allocator_env())
