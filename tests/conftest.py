"""Process settings for the test suite (nothing here changes a number a test sees).

glibc hands every array above its mmap threshold (at most 32 MiB by default) fresh pages from the
kernel and returns them on free, so each of the analyses' 10,000 x 1,000 arrays (40-80 MB) costs a
page fault per 4 KiB when it is made again. The suite makes thousands of them: raising the
threshold and the trim threshold to 1 GiB keeps freed arrays in the heap for the next one (warm
suite on two cores, 2026-12-04: 238 s -> 190 s wall, system time 99 s -> 23 s). Set here, before
pytest-xdist starts its workers, which inherit the environment (a run with -n 0 keeps the
allocator it started with). Other C libraries ignore these variables.
"""

import os

for _name in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_"):
    os.environ.setdefault(_name, str(1 << 30))
