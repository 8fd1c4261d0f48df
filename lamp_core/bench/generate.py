"""Text -> 196-frame motion with and without the residual stage (median of 10 runs after 2 warm-ups;
3 after 1 with ``quick``), and the process' peak memory.

Uses the given model bundle (default: the shipped assets/models/default); without one the rows are
skipped, since timing untrained stand-ins would not describe what users run. The time covers the whole
Engine.generate call: text features, length given (9.8 s), the bundle's decoding steps with
classifier-free guidance, the residual codebooks, the tokenizer decoder and joints.
"""

from __future__ import annotations

import dataclasses
import resource
from pathlib import Path

from ..errors import LampError
from .common import median_time, row, skipped

PROMPT = "a person walks forward and waves"


def _name(stage: str) -> str:
    return f"text -> 196-frame motion, {stage}"


def run(quick: bool = False, bundle: Path | None = None) -> list[dict]:
    from ..engine import Engine
    from ..assets import DEFAULT_BUNDLE
    bundle = Path(bundle or DEFAULT_BUNDLE)
    stages = {True: _name("with residual"), False: _name("coarse codebook only")}
    try:
        engine = Engine.load(bundle)
    except LampError as e:
        return [skipped(name, f"no usable model bundle: {e}") for name in stages.values()]
    rows = []
    for residual, name in stages.items():
        if residual and engine.residual is None:
            rows.append(skipped(name, f"bundle {engine.name} has no residual transformer"))
            continue
        s = dataclasses.replace(engine.sampling, residual=residual)
        t = median_time(lambda s=s: engine.generate(PROMPT, seconds=9.8, seed=0, sampling=s),
                        repeats=3 if quick else 10, warmup=1 if quick else 2)
        rows.append(row(f"{name} ({engine.name})", t, 196, "frames"))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    rows.append({"name": "peak memory of the bench process so far (RSS)", "value": peak_mb, "unit": "MB"})
    return rows
