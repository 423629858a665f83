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


def test_a_failed_write_is_refused_naming_the_target_and_leaves_nothing(tmp_path):
    import errno

    from slo.services.files import OutputRefused

    path = tmp_path / "a.json"
    with pytest.raises(OutputRefused) as info, atomic_file(path) as f:
        f.write("half")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert str(info.value) == f"cannot write {path}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_links_folders_and_fifos_are_never_replaced(tmp_path):
    import os

    from slo.services.files import OutputRefused, check_output_path

    (tmp_path / "real").write_text("old")
    (tmp_path / "link").symlink_to(tmp_path / "real")
    os.mkfifo(tmp_path / "fifo")
    for name, words in (("link", "symbolic link"), ("fifo", "not a regular file"), (".", "is a folder")):
        with pytest.raises(OutputRefused, match=words):
            write_atomic(tmp_path / name, "new")
    assert (tmp_path / "real").read_text() == "old" and (tmp_path / "link").is_symlink()
    check_output_path(tmp_path / "real")  # a regular file is fine (it is replaced)
    check_output_path(tmp_path / "missing" / "x")  # so is a path that does not exist yet


def test_missing_folders_are_made_0700_whatever_the_umask(tmp_path):
    import os

    old = os.umask(0)
    try:
        write_atomic(tmp_path / "x" / "y" / "z.txt", "z")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "x" / "y").stat().st_mode) == 0o700
