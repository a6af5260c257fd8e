"""Speed and memory of the classifier against the plain full ja_ginza pipeline.

Each pipeline runs in its own fresh process pinned to one CPU core, so load
time and resident memory are not mixed up between the two and the figures
mean "one process, one core".
"""

import multiprocessing
import os
import statistics
import time
from dataclasses import asdict, dataclass

WARMUP_MESSAGES = 5


@dataclass(frozen=True)
class BenchFigures:
    pipeline: str
    messages: int
    load_seconds: float
    rss_mb_after_load: float
    messages_per_second: float
    p50_ms: float
    p95_ms: float

    def to_dict(self) -> dict:
        return asdict(self)


def _rss_mb() -> float:
    """Current resident set size of this process (Linux /proc, else peak RSS)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _run(pipeline: str, texts: list[str]) -> BenchFigures:
    _pin_to_one_core()
    started = time.perf_counter()
    if pipeline == "marugoto":
        from nlp.classifier import load_classifier

        process = load_classifier().classify
    else:
        import spacy

        process = spacy.load("ja_ginza")
    load_seconds = time.perf_counter() - started
    rss = _rss_mb()
    for text in texts[:WARMUP_MESSAGES]:
        process(text)
    latencies = []
    run_started = time.perf_counter()
    for text in texts:
        one = time.perf_counter()
        process(text)
        latencies.append((time.perf_counter() - one) * 1000)
    elapsed = time.perf_counter() - run_started
    return BenchFigures(
        pipeline=pipeline,
        messages=len(texts),
        load_seconds=round(load_seconds, 3),
        rss_mb_after_load=round(rss, 1),
        messages_per_second=round(len(texts) / elapsed, 1),
        p50_ms=round(statistics.median(latencies), 2),
        p95_ms=round(_percentile(latencies, 0.95), 2),
    )


def run_benchmark(texts: list[str]) -> tuple[BenchFigures, BenchFigures]:
    """(ours, full ja_ginza) on the same texts, each in a fresh single-core process."""
    context = multiprocessing.get_context("spawn")
    with context.Pool(1, maxtasksperchild=1) as pool:
        ours = pool.apply(_run, ("marugoto", texts))
    with context.Pool(1, maxtasksperchild=1) as pool:
        baseline = pool.apply(_run, ("ja_ginza (full)", texts))
    return ours, baseline


def format_benchmark(ours: BenchFigures, baseline: BenchFigures) -> str:
    header = f"{'pipeline':<16} {'msgs/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'load s':>8} {'RSS MB':>8}"
    rows = [
        f"{f.pipeline:<16} {f.messages_per_second:>8.1f} {f.p50_ms:>8.2f} {f.p95_ms:>8.2f} "
        f"{f.load_seconds:>8.2f} {f.rss_mb_after_load:>8.1f}"
        for f in (ours, baseline)
    ]
    speedup = ours.messages_per_second / baseline.messages_per_second if baseline.messages_per_second else 0.0
    memory = ours.rss_mb_after_load / baseline.rss_mb_after_load if baseline.rss_mb_after_load else 0.0
    return "\n".join(
        [
            f"{ours.messages} messages, one process pinned to one core each",
            header,
            *rows,
            f"ratio marugoto / ja_ginza: throughput x{speedup:.2f}, RSS x{memory:.2f}",
        ]
    )
