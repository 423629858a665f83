"""`slo abstraction add` and `slo abstraction review`.

``add`` prints the new ref as the first line of standard output, then one line per
cancelled engagement (ref, school URN and name, time; a 1:1 session says "a young
person's session was cancelled" and never names the young person). Warnings go to
standard error.
"""

from __future__ import annotations

from slo.models.enums import AbstractionCategory, Portion

from .context import Context, err
from .dates import cli_date

PORTIONS = [p.value for p in Portion]
CATEGORIES = [c.value for c in AbstractionCategory]


def register(groups) -> None:
    """Add ``abstraction add`` and ``abstraction review`` to the ``abstraction`` group."""
    add = groups["abstraction"].add_parser(
        "add",
        help="record an abstraction and cancel what it takes away",
        description=(
            "Record that an officer was taken off schools work (abstraction, not leave or sickness). "
            "With --portion full, every planned engagement of the officer on those days is cancelled "
            "(reason 'abstraction', linked to the new abstraction). With --portion half, only the "
            "engagements named with --cancel are. Prints the new ref first, then each cancelled "
            "engagement. Refused (nothing written) when it overlaps another abstraction of the officer. "
            "The officer themselves, their team's sergeant or an admin may record one."
        ),
    )
    add.add_argument("--officer", required=True, metavar="COLLAR", help="the abstracted officer")
    add.add_argument("--from", dest="date_from", required=True, type=cli_date, metavar="YYYY-MM-DD")
    add.add_argument("--to", dest="date_to", required=True, type=cli_date, metavar="YYYY-MM-DD")
    add.add_argument("--portion", required=True, choices=PORTIONS, help="of each day in the span")
    add.add_argument("--category", required=True, choices=CATEGORIES, metavar="CATEGORY",
                     help="one of: " + ", ".join(CATEGORIES))
    add.add_argument("--requested-by", required=True, metavar="TEXT", help="who took the officer (a role or name)")
    add.add_argument("--reason", metavar="TEXT")
    add.add_argument("--cancel", action="append", default=[], metavar="REF",
                     help="a planned engagement in the span to cancel (half days; repeatable)")
    add.set_defaults(func=run_add)

    review = groups["abstraction"].add_parser(
        "review",
        help="a sergeant accepts or challenges an abstraction of their team",
        description=(
            "Accept, or challenge with a note, an abstraction of an officer in your team. Only that "
            "team's sergeant may review, never the abstracted officer. A review can be changed later."
        ),
    )
    review.add_argument("ref", metavar="REF")
    how = review.add_mutually_exclusive_group(required=True)
    how.add_argument("--accept", action="store_true")
    how.add_argument("--challenge", action="store_true")
    review.add_argument("--note", metavar="TEXT", help="why (required with --challenge)")
    review.set_defaults(func=run_review)


def cancelled_line(c) -> str:
    """One cancelled engagement as a line; a 1:1 session is described, never its young person."""
    when = c.starts_at.strftime("%Y-%m-%d %H:%M")
    if c.ends_at is not None:
        when += c.ends_at.strftime("-%H:%M")
    line = f"cancelled {c.ref}  {c.school} {c.school_name}  {when}"
    if c.one_to_one:
        line += "  (a young person's session was cancelled)"
    return line


def run_add(ctx: Context, args) -> int:
    from slo.services.abstractions import make_abstraction, record_abstraction

    store = ctx.store(create=False)
    actor = ctx.actor()
    abstraction = make_abstraction(
        {
            "officer": args.officer,
            "date_from": args.date_from,
            "date_to": args.date_to,
            "portion": args.portion,
            "category": args.category,
            "requested_by": args.requested_by,
            "reason": args.reason,
        }
    )
    result = record_abstraction(store, actor, abstraction, cancel=args.cancel, source="cli")
    print(result.abstraction.ref, flush=True)
    for c in result.cancelled:
        print(cancelled_line(c))
    for warning in result.warnings:
        err(f"slo: warning: {warning}")
    n = len(result.cancelled)
    err(f"recorded abstraction {result.abstraction.ref}; {n} engagement(s) cancelled")
    return 0


def run_review(ctx: Context, args) -> int:
    from slo.services.abstractions import review_abstraction

    store = ctx.store(create=False)
    actor = ctx.actor()
    result = review_abstraction(store, actor, args.ref, accept=bool(args.accept), note=args.note)
    err(f"abstraction {result.ref} {result.review_status.value} by {result.reviewed_by}")
    return 0
