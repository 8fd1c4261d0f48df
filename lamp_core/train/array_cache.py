"""Frozen inputs computed once: arrays (safetensors) + JSON metadata, reused when the key that made
them (data folder, model ids, split, version) is the same. Whole files only, so a run in parallel
never reads half a cache."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..data.cache import default_cache_dir
from ..formats.atomic import atomic_write_text


def cache_path(kind: str, key: dict) -> Path:
    name = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:20]
    return default_cache_dir(kind) / f"{key.get('split', 'all')}-{name}.safetensors"


def cached_arrays(path: Path, key: dict, make: Callable[[], tuple[dict[str, np.ndarray], dict]]
                  ) -> tuple[dict[str, np.ndarray], dict]:
    """(arrays, meta) from ``path`` when it was made from ``key``, else ``make()``'s, saved there."""
    from safetensors import safe_open
    from safetensors.numpy import load_file, save_file
    key_path = path.with_suffix(".json")
    if path.is_file() and key_path.is_file() and json.loads(key_path.read_text()) == key:
        with safe_open(str(path), "np") as f:
            meta = json.loads((f.metadata() or {}).get("meta", "{}"))
        return load_file(str(path)), meta
    arrays, meta = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    save_file({k: np.ascontiguousarray(v) for k, v in arrays.items()}, str(tmp), metadata={"meta": json.dumps(meta)})
    tmp.replace(path)
    atomic_write_text(key_path, json.dumps(key))
    return arrays, meta
