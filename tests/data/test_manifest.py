"""Manifest labels by entry name: sub-clips share their clip's row; folders without a manifest (HumanML3D,
KIT-ML) or with unknown names give None so callers go on without labels."""

from __future__ import annotations

from lamp_core.data.manifest import rows_for


def test_rows_by_name_and_missing_manifest(tmp_path):
    assert rows_for(tmp_path, ["a"]) is None
    (tmp_path / "manifest.csv").write_text("id,content,style\na,walk,happy\nb,bow,\n")
    rows = rows_for(tmp_path, ["b", "a#2"])
    assert [r["content"] for r in rows] == ["bow", "walk"]
    assert rows_for(tmp_path, ["a", "zzz"]) is None
