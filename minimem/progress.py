"""A small progress bar on stderr, with no dependency: shown for long work, silent for short work."""

from __future__ import annotations

import sys
import time


class Progress:
    """``Progress(total, desc)``; call ``update(k)`` as work finishes and ``close()`` at the end.

    ``enabled``: True always shows, False never, None (default) shows only once the work has taken
    longer than ``delay`` seconds, so short runs (tests, small models) print nothing."""

    def __init__(self, total, desc="", enabled=None, delay=2.0, stream=None, interval=0.5):
        self.total, self.desc, self.enabled = max(int(total), 1), desc, enabled
        self.delay, self.interval = delay, interval
        self.stream = stream if stream is not None else sys.stderr
        self.count = 0
        self.start = time.perf_counter()
        self._mark = (self.start, 0)  # the estimate of the time left counts from here (see mark)
        self._last = 0.0
        self._shown = False
        # on a terminal the bar redraws in place; in a log file it writes a line every 10 s
        self._tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        if not self._tty:
            self.interval = max(self.interval, 10.0)

    def _visible(self, now):
        if self.enabled is None:
            return now - self.start >= self.delay
        return self.enabled

    def mark(self):
        """Estimate the time left from the work done after this point only: call it after a first
        piece of work that included a one-off cost (compiling, loading a cache)."""
        self._mark = (time.perf_counter(), self.count)

    def update(self, k=1, info="", one_off=False):
        """Count k more pieces of work done. ``one_off``: the work counted so far included a one-off
        cost (compiling, loading a cache): the time left is estimated from the work after it (mark)."""
        self.count = min(self.count + k, self.total)
        if one_off:
            self.mark()
        now = time.perf_counter()
        if now - self._last < self.interval and self.count < self.total:
            return
        if self._visible(now):
            self._last = now
            self._draw(now, info)

    def _draw(self, now, info=""):
        frac = self.count / self.total
        elapsed = now - self.start
        t_mark, c_mark = self._mark
        done = self.count - c_mark
        eta = (now - t_mark) * (self.total - self.count) / done if done > 0 else float("nan")
        bar = "#" * int(30 * frac)
        start, end = ("\r", "") if self._tty else ("", "\n")
        left = f"{eta:6.1f}s" if eta == eta else "     ?"  # nan: nothing measured yet
        self.stream.write(f"{start}{self.desc} [{bar:<30}] {self.count}/{self.total} "
                          f"{elapsed:6.1f}s elapsed, {left} left {info}   {end}")
        self.stream.flush()
        self._shown = True

    def close(self, info=""):
        now = time.perf_counter()
        if self._shown or (self.enabled and self._visible(now)):
            self._draw(now, info)
            if self._tty:
                self.stream.write("\n")
            self.stream.flush()
