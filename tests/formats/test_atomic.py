"""Atomic writes: the file appears whole or not at all, with the permissions any other program's file
would get (an export readable only by its writer surprised a user sharing it)."""

from __future__ import annotations

import os

from lamp_core.formats.atomic import atomic_write_bytes, atomic_write_text


def test_new_file_gets_the_umask_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        path = atomic_write_text(tmp_path / "walk.bvh", "HIERARCHY\n")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o644
    assert path.read_text() == "HIERARCHY\n"


def test_overwrite_keeps_the_old_permissions_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "clip.npy"
    path.write_bytes(b"old")
    path.chmod(0o640)
    atomic_write_bytes(path, b"new")
    assert path.read_bytes() == b"new" and path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["clip.npy"]
