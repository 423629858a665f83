"""`slo demo [--scale small|force|national] [--seed N]`, and the `slo --demo` helper.

``slo demo`` creates or replaces the database at ``--db`` (default
``db/slo.db``) with made-up data; no ``--user`` is needed. The hidden option
``--today YYYY-MM-DD`` anchors the dates (default: today), so that the same
seed and day give the same records. Progress goes to standard error.
"""

from __future__ import annotations

import argparse

from slo.store.db import StoreError

from .context import Context, err
from .dates import cli_date


def register(groups) -> None:
    """Add ``demo`` to the root command group."""
    from slo.services.demo import DEFAULT_SEED, SCALES

    p = groups["root"].add_parser(
        "demo",
        help="create (replace) a database with realistic made-up data",
        description=(
            "Create, or replace, the database at --db with realistic made-up records: "
            "officers, schools, young people and a year of work. Deterministic for a seed."
        ),
    )
    p.add_argument("--scale", choices=list(SCALES), default="small",
                   help="small (one force area, 6 officers; default), force (~100 officers, 1,000 schools) "
                        "or national (~2,000 officers, 20,000 schools)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    p.add_argument("--today", type=cli_date, default=None, help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(ctx: Context, args) -> int:
    from slo.services.demo import build_demo

    if ctx.db_path.is_dir():
        raise StoreError(f"{ctx.db_path} is a folder, not a database file")
    ctx.close()  # never hold the file we are about to replace
    progress = err if args.scale != "small" else None
    result = build_demo(ctx.db_path, scale=args.scale, seed=args.seed, today=args.today, progress=progress)
    err(f"created {result.summary()}")
    err(f"try: slo --db {ctx.db_path} --user PC1000   (or S100 for a sergeant, A1 for the admin)")
    return 0


def ensure_demo(ctx) -> None:
    """Create the small demo at ``ctx.db_path`` if no file is there (used by ``slo --demo``)."""
    from slo.services.demo import DEFAULT_SEED, build_demo

    if ctx.db_path.exists():
        return
    result = build_demo(ctx.db_path, scale="small", seed=DEFAULT_SEED)
    err(f"created {result.summary()}")
