"""Exported files are written atomically, owner-only, and only when their bytes change."""

from __future__ import annotations

import stat

import pytest

from slo.services.files import atomic_file, write_atomic, write_if_changed


def test_write_is_owner_only_and_replaces(tmp_path):
    path = tmp_path / "out" / "a.json"
    write_atomic(path, "one")
    write_atomic(path, b"two")
    assert path.read_bytes() == b"two"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["a.json"]


def test_failure_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "a.txt"
    write_atomic(path, "old")
    with pytest.raises(RuntimeError), atomic_file(path) as f:
        f.write("half of the new")
        raise RuntimeError("disk full")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_write_if_changed_touches_nothing_when_equal(tmp_path):
    path = tmp_path / "d.md"
    assert write_if_changed(path, b"x") is True
    inode, mtime = path.stat().st_ino, path.stat().st_mtime_ns
    assert write_if_changed(path, b"x") is False
    assert (path.stat().st_ino, path.stat().st_mtime_ns) == (inode, mtime)
    assert write_if_changed(path, b"y") is True and path.read_bytes() == b"y"
