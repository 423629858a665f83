"""``slo export calendars [--school URN]``: write or refresh the head teachers' calendars."""

from __future__ import annotations

from .context import err


def register(groups) -> None:
    """Add ``calendars`` to the ``export`` group."""
    p = groups["export"].add_parser(
        "calendars",
        help="write or refresh the head teachers' calendars under <exports>/calendars/",
        description=(
            "Write one .ics file per school (<exports>/calendars/<URN>-<name>.ics) with the liaison "
            "officer's engagements from twelve months ago onwards. Only files whose content changed "
            "are rewritten. The paths of written files go to standard output; the summary to standard error."
        ),
    )
    p.add_argument("--school", metavar="URN", help="only this school's calendar")
    p.set_defaults(func=run)


def run(ctx, args) -> int:
    from slo.calendars import export_calendars

    store = ctx.store()
    actor = ctx.actor()
    result = export_calendars(store, actor, ctx.exports, school=args.school)
    for path in result.written:
        print(path, flush=True)
    err(
        f"calendars: written {len(result.written)}, unchanged {result.unchanged}, "
        f"events {result.events} ({result.seconds:.2f} s)"
    )
    for path in result.removed:
        err(f"calendars: removed {path} (the school was renamed)")
    return 0
