"""`slo due [--on DATE] [--days N] [--format text|json]`: what needs doing for --user."""

from __future__ import annotations

import json

from .dates import cli_date, day_count


def register(groups) -> None:
    p = groups["root"].add_parser(
        "due",
        help="what needs doing for --user over the next days",
        description=(
            "What needs doing for --user from DATE (default today) over N days (default 7): follow-ups, "
            "consultations still pending after 10 school days, exclusion deadlines (6th and 15th school "
            "days, the 45-day suspension cap) and, for a sergeant, the team's abstractions awaiting "
            "review. Overdue items are included and marked. The text names the school and the young person "
            "of each item (with its ref); --format json gives refs only."
        ),
    )
    p.add_argument("--on", type=cli_date, metavar="DATE", help="first day of the window (default today)")
    p.add_argument("--days", type=day_count(1, 366), default=7, metavar="N",
                   help="length of the window in days (default 7)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run_due)


def run_due(ctx, args) -> int:
    from slo.services.audit import now_local
    from slo.services.due import due_items, render_text

    store = ctx.store()
    actor = ctx.actor()
    on = args.on or now_local().date()
    items = due_items(store, actor, on, args.days, names=args.format == "text")
    if args.format == "json":
        print(json.dumps([i.to_json() for i in items], indent=2))
    else:
        print(render_text(items, actor, on, args.days))
    return 0
