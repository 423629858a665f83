"""`slo import BUNDLE.json` and `slo export bundle OUT.json`."""

from __future__ import annotations

from pathlib import Path

from slo.services import bundle
from slo.services.files import atomic_file, open_input

from .context import Context, StderrProgress, err


def register(groups) -> None:
    p = groups["root"].add_parser("import", help="load a bundle (all or nothing)")
    p.add_argument("bundle", metavar="BUNDLE.json")
    p.set_defaults(func=run_import)
    p = groups["export"].add_parser("bundle", help="write every record as a bundle")
    p.add_argument("out", metavar="OUT.json", help="file to write ('-' for standard output)")
    p.set_defaults(func=run_export)


def run_import(ctx: Context, args) -> int:
    """Load the bundle; a database this command created is removed again if the import fails.

    Into a new or empty database (no officers yet) this is the bootstrap (cli.md, "Who you
    are"): the account running it is bound to every current admin of the bundle, in the
    same transaction as the import; a bundle without a current admin is refused.
    """
    source = Path(args.bundle)
    open_input(source, "bundle").close()  # missing, a folder, a device or a FIFO: refused before a database is made
    new_database = not ctx.db_path.exists()
    try:
        store = ctx.store(create=True)
        # Into a database without officers nobody can be looked up yet (cli.md): a --user or
        # SLO_USER is ignored then, and the import is recorded as the bootstrap actor.
        empty = store.db.execute("SELECT count(*) FROM officers").fetchone()[0] == 0
        actor = None if empty else ctx.actor(required=False)
        if empty:
            result, admins = _bootstrap_import(ctx, store, source)
        else:
            # streamed: memory stays flat for a national bundle
            result = bundle.import_bundle_file(store, source, actor, progress=StderrProgress("import"))
            admins = []
    except BaseException:
        if new_database:  # "a command that fails changes nothing": no empty database left behind
            ctx.close()
            for suffix in ("", "-wal", "-shm"):
                Path(str(ctx.db_path) + suffix).unlink(missing_ok=True)
        raise
    for warning in result.warnings:
        err(f"warning: {warning}")
    err(f"imported {args.bundle}: {result.summary()}")
    if admins:
        err(f"you ({ctx.who().label}) may act as {', '.join(admins)}; grant others with 'slo access grant'")
    return 0


def _bootstrap_import(ctx: Context, store, source: Path):
    """The first import and the creator's bindings to the bundle's admins, all or nothing."""
    from slo.services import identity

    with store.write() as db:
        result = bundle.import_bundle_file(store, source, None, progress=StderrProgress("import"))
        admins = identity.bootstrap(db, ctx.who())
    return result, admins


def run_export(ctx: Context, args) -> int:
    """Stream the bundle to a temporary file beside OUT, then rename it into place."""
    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    progress = StderrProgress("export")
    if args.out == "-":
        import sys

        bundle.write_bundle(store, actor, sys.stdout, progress=progress, to="standard output")
        return 0
    out = Path(args.out)
    with atomic_file(out) as f:
        counts = bundle.write_bundle(store, actor, f, progress=progress, to=str(out.resolve()))
    err(f"wrote {args.out}: " + ", ".join(f"{n} {e}" for e, n in counts.items()))
    return 0
