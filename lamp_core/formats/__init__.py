"""File formats behind one registry: ``read(path) -> Motion`` and ``write(motion, path, **options)``.

One module per format; the suffix picks it.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from ..errors import MotionFormatError

READERS = {".bvh": "bvh", ".npy": "npy", ".npz": "smpl_npz", ".fbx": "fbx_read", ".glb": "gltf_read", ".gltf": "gltf_read"}
WRITERS = {".bvh": "bvh", ".npy": "npy", ".npz": "smpl_npz", ".fbx": "fbx_write", ".glb": "gltf", ".gltf": "gltf"}


def _module(table: dict[str, str], path: Path, verb: str):
    suffix = path.suffix.lower()
    if suffix not in table:
        raise MotionFormatError(path, f"cannot {verb} '{suffix or 'no suffix'}' files; supported: "
                                      f"{', '.join(sorted(table))}")
    return import_module(f"{__name__}.{table[suffix]}")


def read(path: str | Path, **options: Any):
    """Read any supported motion file as a Motion (SMPL-22 joints, metres, Y up)."""
    p = Path(path)
    return _module(READERS, p, "read").read(p, **options)


def write(motion, path: str | Path, **options: Any) -> Path:
    """Write a Motion; options are the format's own (fps, rest, in_place, names, ...)."""
    p = Path(path)
    return _module(WRITERS, p, "write").write(motion, p, **options)


def readable_suffixes() -> list[str]:
    return sorted(READERS)


def writable_suffixes() -> list[str]:
    return sorted(WRITERS)
