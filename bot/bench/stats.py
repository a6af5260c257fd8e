"""Percentiles and summaries of latency samples (seconds in, milliseconds out)."""

import math
from dataclasses import dataclass


class BenchError(Exception):
    """The benchmark could not set up or measure; the message says what."""

    code = "bench_failed"


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the smallest sample with at least `fraction` of samples at or below it."""
    if not samples:
        raise BenchError("no samples to take a percentile of")
    if not 0 < fraction <= 1:
        raise ValueError(f"fraction {fraction} is not in (0, 1]")
    ordered = sorted(samples)
    return ordered[max(math.ceil(fraction * len(ordered)), 1) - 1]


@dataclass(frozen=True)
class Summary:
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: list[float]) -> "Summary":
        return cls(
            count=len(seconds),
            p50_ms=percentile(seconds, 0.50) * 1000,
            p95_ms=percentile(seconds, 0.95) * 1000,
            p99_ms=percentile(seconds, 0.99) * 1000,
            max_ms=max(seconds) * 1000,
        )


def ratio(ours: float, theirs: float) -> str:
    """How many times `theirs` is ours, as text ('n/a' when ours is zero)."""
    return "n/a" if ours <= 0 else f"{theirs / ours:.2f}×"
