"""A text progress bar for benchmarks (standard error, so printed figures stay clean)."""

from __future__ import annotations

import sys
import time


class Progress:
    """Redrawn only when the bar moves, so a log of a long build stays short."""

    def __init__(self, label: str, total: int, width: int = 30):
        self.label, self.total, self.width, self.done, self.drawn = label, max(total, 1), width, 0, -1
        self.started = time.perf_counter()

    def step(self, amount: int = 1) -> None:
        self.done = min(self.total, self.done + amount)
        filled = self.width * self.done // self.total
        if filled == self.drawn and self.done < self.total:
            return
        self.drawn = filled
        sys.stderr.write(f"\r{self.label:<30} [{'#' * filled}{'.' * (self.width - filled)}] "
                         f"{self.done:,}/{self.total:,} {time.perf_counter() - self.started:5.1f}s")
        sys.stderr.write("\n" if self.done >= self.total else "")
        sys.stderr.flush()
