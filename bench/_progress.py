"""A text progress bar for benchmarks (standard error, so printed figures stay clean)."""

from __future__ import annotations

import sys
import time


class Progress:
    def __init__(self, label: str, total: int, width: int = 30):
        self.label, self.total, self.width, self.done = label, max(total, 1), width, 0
        self.started = time.perf_counter()

    def step(self, amount: int = 1) -> None:
        self.done = min(self.total, self.done + amount)
        filled = int(self.width * self.done / self.total)
        elapsed = time.perf_counter() - self.started
        sys.stderr.write(f"\r{self.label:<28} [{'#' * filled}{'.' * (self.width - filled)}] "
                         f"{self.done}/{self.total} {elapsed:5.1f}s")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()
