"""A consistent copy of a benchmark's database (SQLite's backup API: safe while others use the source)."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def copy_database(source: Path, target: Path) -> Path:
    """Copy ``source`` (opened read-only) to ``target`` and return ``target``."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    with dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target
