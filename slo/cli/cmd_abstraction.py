"""`slo abstraction add` and `slo abstraction review` (accept, challenge, uphold, withdraw).

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
        help="a sergeant reviews an abstraction of their team: accept, challenge, then the challenge's result",
        description=(
            "Accept, or challenge with a note, an abstraction of an officer in your team; then record the "
            "result of the challenge: --uphold (the abstraction stands) or --withdraw (the officer returns to "
            "schools work on --returned-on, default today: the abstraction is cut back to the days before, "
            "or removed when none had passed, and the sessions it cancelled on the days given back are "
            "planned again; those whose slot has gone are listed to rebook). Only that team's sergeant "
            "may review, never the abstracted officer. Accept and challenge may be changed until a result "
            "is recorded; an upheld challenge may be challenged again or withdrawn later; a withdrawal is final."
        ),
    )
    review.add_argument("ref", metavar="REF")
    how = review.add_mutually_exclusive_group(required=True)
    how.add_argument("--accept", action="store_true", help="the abstraction was justified")
    how.add_argument("--challenge", action="store_true", help="question it with whoever took the officer")
    how.add_argument("--uphold", action="store_true", help="the challenge's result: the abstraction stands")
    how.add_argument("--withdraw", action="store_true",
                     help="the challenge's result: the abstraction is withdrawn and the officer returns")
    review.add_argument("--note", metavar="TEXT",
                        help="why (required with --challenge); with --uphold or --withdraw, what was decided")
    review.add_argument("--challenged-to", metavar="TEXT",
                        help="with --challenge: to whom the challenge went (default: who requested the officer)")
    review.add_argument("--returned-on", type=cli_date, metavar="YYYY-MM-DD",
                        help="with --withdraw: the first day back on schools work (default today)")
    review.set_defaults(func=run_review, review_parser=review)


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
    assert actor is not None  # required: refused before this when no user is given
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


def given_back_line(word: str, c, why: str | None = None) -> str:
    """A session an abstraction gave back (``reinstated``) or whose slot has gone (``to rebook``)."""
    line = cancelled_line(c).replace("cancelled", word, 1)
    if c.one_to_one:
        line = line.replace("(a young person's session was cancelled)", "(a young person's session)")
    return line + (f"  ({why})" if why else "")


def run_review(ctx: Context, args) -> int:
    from slo.services.abstractions import resolve_challenge, review_abstraction

    if args.challenged_to is not None and not args.challenge:
        args.review_parser.error("--challenged-to goes with --challenge")
    if args.returned_on is not None and not args.withdraw:
        args.review_parser.error("--returned-on goes with --withdraw")
    store = ctx.store(create=False)
    actor = ctx.actor()
    assert actor is not None  # required: refused before this when no user is given
    if args.uphold or args.withdraw:
        done = resolve_challenge(store, actor, args.ref, withdrawn=bool(args.withdraw), note=args.note,
                                 returned_on=args.returned_on)
        for c in done.reinstated:
            print(given_back_line("reinstated", c))
        for n in done.to_rebook:
            print(given_back_line("to rebook", n.engagement, n.why))
        if not args.withdraw:
            err(f"abstraction {args.ref}: challenge upheld (the abstraction stands)")
        elif done.abstraction is None:
            err(f"abstraction {args.ref} withdrawn and removed (the officer was back on {done.returned_on}, "
                f"before its first day); {len(done.reinstated)} session(s) reinstated, "
                f"{len(done.to_rebook)} to rebook")
        elif done.was_to is not None and done.abstraction.date_to >= done.was_to:
            err(f"abstraction {args.ref} withdrawn; it had already ended on {done.was_to}, so no day was given back")
        else:
            a = done.abstraction
            err(f"abstraction {args.ref} withdrawn: now {a.date_from} to {a.date_to} (back on {done.returned_on}); "
                f"{len(done.reinstated)} session(s) reinstated, {len(done.to_rebook)} to rebook")
        return 0
    result = review_abstraction(store, actor, args.ref, accept=bool(args.accept), note=args.note,
                                challenged_to=args.challenged_to)
    to = f" (challenge to {result.challenged_to})" if result.challenged_to else ""
    err(f"abstraction {result.ref} {result.review_status.value} by {result.reviewed_by}{to}")
    return 0
