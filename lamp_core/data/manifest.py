"""The per-clip labels a corpus built by ``lamp data build`` keeps in manifest.csv (source, content,
style, actor, license). HumanML3D and KIT-ML folders have none; callers then go without labels."""

from __future__ import annotations

import csv
from pathlib import Path


def read_manifest(root: Path) -> dict[str, dict[str, str]] | None:
    """Rows of ``root/manifest.csv`` by clip id, or None where the folder has no manifest."""
    path = Path(root) / "manifest.csv"
    if not path.is_file():
        return None
    with open(path, newline="", encoding="utf-8") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def action_class(row: dict[str, str]) -> str:
    """What a clip shows, for balancing: its action (content tag, "idle" or a CMU verb; corpora built
    before the action column fall back to content), else its source."""
    return row.get("action") or row.get("content") or row.get("source", "")


def rows_for(root: Path, names: list[str]) -> list[dict[str, str]] | None:
    """The manifest row of each entry name (a sub-clip ``ID#k`` shares its clip's row); None when the
    folder has no manifest or any name is missing from it."""
    rows = read_manifest(root)
    if rows is None:
        return None
    ids = [n.split("#", 1)[0] for n in names]
    if not all(i in rows for i in ids):
        return None
    return [rows[i] for i in ids]
