"""`slo terms import FILE.csv` and `slo terms list`: term dates per local authority."""

from __future__ import annotations

from .context import err


def register(groups) -> None:
    from .main import Parser

    terms = groups["root"].add_parser("terms", help="terms import | list")
    sub = terms.add_subparsers(dest="terms_command", metavar="WHAT", required=True, parser_class=Parser)
    p = sub.add_parser(
        "import",
        help="load term dates from a CSV file (local_authority,term_start,term_end)",
        description=(
            "Load term dates from a UTF-8 CSV with the header local_authority,term_start,term_end "
            "(ISO dates, inclusive; half-terms are fine). All or nothing: bad rows are listed with "
            "their line numbers and nothing is written. A term starting on the same day as a stored "
            "one replaces its end. Needs an admin (--user)."
        ),
    )
    p.add_argument("csv", metavar="FILE.csv")
    p.set_defaults(func=run_import)
    p = sub.add_parser("list", help="list term dates (of one local authority with --la)")
    p.add_argument("--la", metavar="NAME", help="only this local authority")
    p.set_defaults(func=run_list)


def run_import(ctx, args) -> int:
    from slo.models.rules import ValidationFailed
    from slo.services.schooldays import import_term_dates

    store = ctx.store()
    actor = ctx.actor()
    try:
        n = import_term_dates(store, actor, args.csv)
    except ValidationFailed as exc:
        for problem in exc.problems[:20]:
            err(f"  {problem}")
        if len(exc.problems) > 20:
            err(f"  ... and {len(exc.problems) - 20} more")
        raise
    err(f"imported {n} term(s) from {args.csv}")
    return 0


def run_list(ctx, args) -> int:
    from slo.services.schooldays import list_terms

    terms = list_terms(ctx.store().db, args.la)
    if not terms:
        err("no term dates" + (f" for {args.la}" if args.la else "")
            + "; deadlines are counted on weekdays minus bank holidays and marked provisional")
        return 0
    for t in terms:
        days = (t.term_end - t.term_start).days + 1
        print(f"{t.local_authority}\t{t.term_start.isoformat()}\t{t.term_end.isoformat()}\t{days} days")
    return 0
