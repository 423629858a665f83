"""`slo schools import-gias FILE.csv`: add or update schools from a GIAS establishment extract."""

from __future__ import annotations

from .context import Context, err


def register(groups) -> None:
    """Add ``schools import-gias`` to the ``schools`` group."""
    p = groups["schools"].add_parser(
        "import-gias",
        help="add or update schools from a DfE 'Get Information About Schools' CSV, as downloaded",
        description=(
            "Add or update schools from a GIAS establishment extract (any of the CSV downloads, "
            "Windows-1252 or UTF-8). New URNs are added; known URNs get their GIAS fields refreshed "
            "(uniform policy, head teacher e-mail and assignments are kept). Closed establishments "
            "are skipped unless already in the database; unusable rows are skipped and listed with "
            "their line numbers. Needs an admin (--user)."
        ),
    )
    p.add_argument("csv", metavar="FILE.csv")
    p.set_defaults(func=run_import_gias)


def run_import_gias(ctx: Context, args) -> int:
    """Run the import and print the summary (and every skipped row, up to 20) on standard error."""
    from slo.services.gias import import_gias

    store = ctx.store()
    actor = ctx.actor()
    result = import_gias(store, actor, args.csv)
    err(f"imported {args.csv} ({result.encoding}, {result.rows} rows): {result.summary()}")
    for line in result.report_lines():
        err(line)
    return 0
