"""Timing helpers shared by the benchmarks: medians after warm-up, result rows, and a description of
the machine (numbers mean little without the CPU and thread count they were measured on)."""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable


def machine() -> dict:
    import torch
    info = {"cpu": platform.processor() or platform.machine(), "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(), "python": platform.python_version(),
            "torch": torch.__version__.split("+")[0], "platform": platform.platform()}
    try:
        info["cpus_usable"] = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        pass
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return info


def median_time(fn: Callable[[], object], repeats: int = 7, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def row(name: str, seconds: float, amount: float, unit: str) -> dict:
    """A timed result: ``amount`` of ``unit`` (frames, clips, ...) done in ``seconds``."""
    return {"name": name, "seconds": seconds, "per_s": amount / seconds, "unit": f"{unit}/s"}


def skipped(name: str, reason: str) -> dict:
    """A benchmark that could not run here, kept in the table so its absence is visible."""
    return {"name": name, "skipped": reason}
