"""`slo check` and `slo backup OUT.db`."""

from __future__ import annotations

from slo.services import integrity

from .context import Context, err
from .dates import cli_date, day_count


def register(groups) -> None:
    p = groups["root"].add_parser("check", help="integrity check of the database and the audit log")
    p.add_argument(
        "--anchor", action="store_true",
        help="admin: anchor an audit log that has no checkpoint (or whose checkpoint no longer matches) "
             "at its current head, after checking its chain; audited",
    )
    p.set_defaults(func=run_check)
    p = groups["root"].add_parser("backup", help="a consistent copy of the live database")
    p.add_argument("out", metavar="OUT.db")
    p.set_defaults(func=run_backup)
    register_retention(groups)


def run_check(ctx: Context, args) -> int:
    store = ctx.store()
    if getattr(args, "anchor", False):
        actor = ctx.actor()
        assert actor is not None  # ctx.actor() raises when there is none
        anchored = integrity.anchor(store, actor)
        if anchored is None:
            err("the audit checkpoint already verifies: nothing to anchor")
        else:
            err(f"anchored the audit log at row {anchored.rows} (head {anchored.head}, key {anchored.key_id})")
    report = integrity.check(store.db)
    for line in report.lines():
        print(line)
    if not report.ok:
        err("slo: error: the database failed its check (see above)")
        return 1
    return 0


def run_backup(ctx: Context, args) -> int:
    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    out = integrity.backup(store, args.out, actor=actor)
    report = integrity.check(store.db)
    head = report.chain.last_hash if report.chain else "-"
    err(f"backed up {ctx.db_path} to {out} (audit head {head})")
    return 0


def register_retention(groups) -> None:
    p = groups["root"].add_parser("retention", help="young people whose retention review is due (admin)")
    p.add_argument("--on", type=cli_date, metavar="DATE", help="review date (default today)")
    p.add_argument("--days", type=day_count(0, 3660), default=0, help="include reviews due within N days")
    p.set_defaults(func=run_retention)
    p = groups["root"].add_parser(
        "erase", help="erase a young person's personal data everywhere (admin; cannot be undone)"
    )
    p.add_argument("ref", metavar="YOUNG_PERSON_REF")
    p.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")
    p.set_defaults(func=run_erase)


def run_retention(ctx: Context, args) -> int:
    from datetime import date

    from slo.services import permissions, retention

    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    permissions.require(store.db, actor, permissions.ERASE, what="retention reviews")
    on = args.on or date.today()
    for review in retention.reviews_due(store.db, on, args.days):
        last = review.last_record.isoformat() if review.last_record else "-"
        print(f"{review.review_on.isoformat()}  {review.ref}  (last record {last})")
    return 0


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


#: how many earlier copies of each kind ``slo erase`` lists by name
LIST_COPIES = 5


def run_erase(ctx: Context, args) -> int:
    from slo.calendars.erasure import rewrite_calendars
    from slo.services import retention
    from slo.services.errors import ServiceError

    if not args.yes:
        raise ServiceError(f"erasing {args.ref} cannot be undone; repeat with --yes to confirm")
    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    result = retention.erase_young_person(store, actor, args.ref)
    err(
        f"erased {result.ref}: {_plural(result.consultations, 'consultation')} and "
        f"{_plural(result.referrals, 'referral')} deleted, {_plural(result.sessions_anonymised, 'session')} "
        f"anonymised, {_plural(result.texts_redacted, 'text')} redacted"
    )
    rewritten = rewrite_calendars(store, actor, result.calendar_schools)
    if rewritten:
        err(f"rewrote {_plural(len(rewritten), 'calendar')} that carried {result.ref}: "
            + ", ".join(str(p) for p in rewritten))
    copies = result.earlier_copies
    if not copies:
        err(f"no backup, bundle export, report or calendar was made while {result.ref} was recorded")
        return 0
    err(f"{_plural(len(copies), 'copy', 'copies')} made before this erasure may still hold {result.ref}'s data; "
        "delete them, or erase again in any copy that is restored:")
    by_kind: dict[str, list[retention.EarlierCopy]] = {}
    for copy in copies:
        by_kind.setdefault(copy.kind, []).append(copy)
    for kind, items in by_kind.items():
        shown = [f"{c.where or '-'} ({c.at.replace('T', ' ')}, {c.actor})" for c in items[-LIST_COPIES:]]
        more = f" and {len(items) - LIST_COPIES} earlier" if len(items) > LIST_COPIES else ""
        label = _plural(len(items), kind, kind + "s" if not kind.endswith("y") else kind[:-1] + "ies")
        err(f"  {label}: " + "; ".join(shown) + more)
    return 0
