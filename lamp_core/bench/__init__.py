"""Speed and memory benchmarks, inside lamp_core so the installed ``lamp bench`` can run them
(``python -m benchmarks`` in a checkout is the same command). Each suite module has
``run(quick, bundle) -> rows``; a row has ``name`` and either ``seconds``/``per_s``/``unit``,
``value``/``unit``, or ``skipped`` with the reason."""

from __future__ import annotations

import importlib
from pathlib import Path

SUITES = ("bvh", "files", "library", "generate", "caption", "body")


def run_suites(names, quick: bool = False, bundle: Path | None = None, progress=None) -> list[dict]:
    rows = []
    for name in names:
        if progress:
            progress(name)
        module = importlib.import_module(f"{__name__}.{name}")
        rows += [{"suite": name, **r} for r in module.run(quick=quick, bundle=bundle)]
    return rows
