"""The head teachers' calendars on the command line.

``slo export calendars [--school URN]``: write or refresh the files (docs/calendars.md).

``slo calendars ...``: the subscription links and the service that answers them
(docs/calendars.md, "Subscription links"; docs/server.md, "Calendar service"):

* ``links [--school URN] [--format text|json]``: issue a link for each school in scope that has
  none (admin: every school; an officer: the schools assigned to them today) and print it with the
  message for the head teacher; schools that already have one are listed (their address is shown
  only when issued);
* ``rotate --school URN``: a new link; the old one stops at once;
* ``revoke --school URN``: no link any more;
* ``base-url [URL]``: show, or (admin) set, the public address links start with;
* ``serve [--listen ADDR:PORT] [--trusted-proxy ADDR ...] [--rate N] [--burst N] [--max-connections N]``.
"""

from __future__ import annotations

import json
from dataclasses import asdict

from .context import err


def register(groups) -> None:
    """Add ``calendars`` to the ``export`` group and the ``calendars`` command group."""
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

    top = groups["root"].add_parser(
        "calendars",
        help="calendars links | rotate | revoke | base-url | serve",
        description="The head teachers' calendar subscription links, and the service that answers them.",
    )
    sub = top.add_subparsers(dest="calendars_command", metavar="WHAT", required=True, parser_class=type(top))

    p = sub.add_parser(
        "links",
        help="issue (and print) a subscription link for each school that has none",
        description=(
            "Issue a private subscription link for each school in your scope that has none (an admin: every "
            "school; an officer: the schools assigned to you today; --school: that one) and print it with a "
            "message for the head teacher. A link's address is shown only when it is issued (the database "
            "keeps only a hash of it): schools that already have one are listed with when it was issued and "
            "last fetched; 'slo calendars rotate' gives such a school a new one."
        ),
    )
    p.add_argument("--school", metavar="URN", help="only this school")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="text (default) or json (a list of objects, e.g. for a mail merge)")
    p.set_defaults(func=run_links)

    p = sub.add_parser(
        "rotate",
        help="give a school a new link; the old one stops working at once",
        description="Issue a new subscription link for the school and stop the old one at once "
                    "(for a new head teacher, or a link that was forwarded). Prints the new link and the message.",
    )
    p.add_argument("--school", metavar="URN", required=True)
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=run_rotate)

    p = sub.add_parser(
        "revoke",
        help="stop a school's link without issuing another",
        description="Stop the school's subscription link at once; the school has none until 'links' or 'rotate'.",
    )
    p.add_argument("--school", metavar="URN", required=True)
    p.set_defaults(func=run_revoke)

    p = sub.add_parser(
        "base-url",
        help="show, or (admin) set, the public address every link starts with",
        description=(
            "Without URL: print the base URL links start with. With URL (admin): store it in the database, "
            "e.g. https://calendars.example.police.uk (https only; http only on a loopback address). A link is "
            "<base URL>/calendars/<token>.ics; links already issued keep the address they were issued with."
        ),
    )
    p.add_argument("url", nargs="?", metavar="URL")
    p.set_defaults(func=run_base_url)

    p = sub.add_parser(
        "serve",
        help="answer the links: serve each school's calendar file (read-only, behind the reverse proxy)",
        description=(
            "Serve GET /calendars/<token>.ics from <exports>/calendars/ (written by 'slo export calendars' and "
            "the scheduler), nothing else. Meant to listen on the loopback address behind the force's reverse "
            "proxy, which does TLS (docs/server.md). Stops cleanly on SIGTERM or Ctrl-C."
        ),
    )
    p.add_argument("--listen", metavar="ADDR:PORT", default="127.0.0.1:8080",
                   help="address and port to listen on (default 127.0.0.1:8080; port 0 picks a free one)")
    p.add_argument("--trusted-proxy", metavar="ADDR", action="append", default=[],
                   help="a proxy address or network whose X-Forwarded-For is believed (repeat for several; "
                        "default none: the connecting address is the client)")
    p.add_argument("--rate", type=_positive, metavar="N", default=None,
                   help="requests a minute per client address (default 120)")
    p.add_argument("--burst", type=_positive, metavar="N", default=None,
                   help="requests a client may make at once before the rate applies (default 60)")
    p.add_argument("--max-connections", type=_positive, metavar="N", default=None,
                   help="open connections at once; more are answered 503 (default 256)")
    p.set_defaults(func=run_serve)


def _positive(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 1_000_000:
        raise argparse.ArgumentTypeError(f"{text!r} must be between 1 and 1000000")
    return value


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


# ---------------------------------------------------------------- links


_NO_FILE = ("no calendar file yet (no visits exported for this school): the link answers 'not found' until "
            "'slo export calendars' or the nightly job writes one")


def _print_issued(link, *, rotated: bool = False) -> None:
    verb = "new link (the old one no longer works)" if rotated and link.replaces else "new link"
    print(f"{link.school_name} (URN {link.school}): {verb}")
    print(f"  {link.url}")
    if not link.has_calendar:
        print(f"  note: {_NO_FILE}")
    to = " ".join(x for x in (link.head_teacher, f"<{link.head_teacher_email}>" if link.head_teacher_email else "")
                  if x)
    print(f"--- message for the head teacher{f' (send to {to})' if to else ''} ---")
    print(link.message)
    print("--- end of message ---")
    print()


def _print_existing(status) -> None:
    fetched = f"last fetched {status.last_fetched}" if status.last_fetched else "never fetched"
    print(f"{status.school_name} (URN {status.school}): link {status.link_id} issued {status.issued_at[:10]} "
          f"by {status.issued_by}, {fetched}; its address is shown only when issued: "
          f"'slo calendars rotate --school {status.school}' issues a new one and stops this one")
    if not status.has_calendar:
        print(f"  note: {_NO_FILE}")


def _issued_json(link) -> dict:
    return {"status": "issued", **asdict(link)}


def run_links(ctx, args) -> int:
    from slo.services import calendar_links

    result = calendar_links.links(ctx.store(), ctx.actor(), school=args.school)
    if args.format == "json":
        rows = [_issued_json(x) for x in result.issued] + [{"status": "active", **asdict(x)} for x in result.existing]
        print(json.dumps(sorted(rows, key=lambda r: r["school"]), indent=2, ensure_ascii=False))
    else:
        for link in result.issued:
            _print_issued(link)
        for status in result.existing:
            _print_existing(status)
    n, m = len(result.issued), len(result.existing)
    err(f"calendar links: {n} issued, {m} already active")
    return 0


def run_rotate(ctx, args) -> int:
    from slo.services import calendar_links

    link = calendar_links.rotate(ctx.store(), ctx.actor(), args.school)
    if args.format == "json":
        print(json.dumps(_issued_json(link), indent=2, ensure_ascii=False))
    else:
        _print_issued(link, rotated=True)
    err(f"calendar links: school {link.school} has a new link" +
        (f"; link {link.replaces} stopped" if link.replaces else " (it had none)"))
    return 0


def run_revoke(ctx, args) -> int:
    from slo.services import calendar_links

    status = calendar_links.revoke(ctx.store(), ctx.actor(), args.school)
    err(f"calendar links: link {status.link_id} of {status.school_name} (URN {status.school}) revoked; "
        "it no longer works")
    return 0


def run_base_url(ctx, args) -> int:
    from slo.services import calendar_links

    store = ctx.store()
    if args.url is None:
        current = calendar_links.base_url(store.db)
        if current is None:
            err("calendar links: no base URL set yet; an admin sets it with 'slo calendars base-url https://...'")
            return 1
        print(current)
        return 0
    value = calendar_links.set_base_url(store, ctx.actor(), args.url)
    print(value)
    err("calendar links: base URL stored; links issued from now on start with it")
    return 0


# ---------------------------------------------------------------- serve


def run_serve(ctx, args) -> int:
    from dataclasses import replace
    from pathlib import Path

    from slo.calendars.limits import Limits
    from slo.calendars.paths import calendars_dir
    from slo.calendars.server import serve

    limits = Limits()
    changes = {k: v for k, v in (("rate_per_minute", args.rate), ("burst", args.burst),
                                 ("max_connections", args.max_connections)) if v is not None}
    limits = replace(limits, **changes)
    store = ctx.store(create=False)
    folder = calendars_dir(Path(ctx.exports).absolute())
    serve(store, folder, listen=args.listen, limits=limits, trusted_proxies=args.trusted_proxy, announce=err)
    return 0
