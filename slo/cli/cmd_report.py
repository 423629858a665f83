"""`slo report continuity --from D --to D [--as-of D] [--format json|csv|md|html|package] [--evaluation]
[--out PATH]`."""

from __future__ import annotations

import sys
from pathlib import Path

from .context import Context, err
from .dates import cli_date


def register(groups) -> None:
    """Add ``report continuity`` to the ``report`` group."""
    p = groups["report"].add_parser(
        "continuity",
        help="the continuity report (metrics.md); json to standard output unless --out",
        description=(
            "The continuity report of metrics.md (definitions version 2) for your scope: an SLO gets "
            "their own figures, a sergeant their team, admin/inspector the force. Figures are counted to "
            "--as-of (default today) at the latest. --evaluation produces the pseudonymised, suppressed "
            "evaluation dataset for the whole force (audited as a disclosure). csv writes one file per "
            "section into a folder, or a .zip when --out ends in .zip; package (with --evaluation and "
            "--out FILE.zip) writes a documented Frictionless data package."
        ),
    )
    p.add_argument("--from", dest="date_from", metavar="D", type=cli_date, required=True, help="first day (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="D", type=cli_date, required=True, help="last day, inclusive")
    p.add_argument("--as-of", dest="as_of", metavar="D", type=cli_date, default=None,
                   help="count the figures to this day at the latest (default today)")
    p.add_argument("--format", choices=["json", "csv", "md", "html", "package"], default="json")
    p.add_argument("--evaluation", action="store_true", help="the evaluation dataset (no names or refs)")
    p.add_argument("--out", metavar="PATH", help="file (or folder / .zip for csv; FILE.zip for package) to write")
    p.add_argument("--recipient", metavar="TEXT", help="who receives the evaluation dataset (audited)")
    p.add_argument("--scope", metavar="SCOPE",
                   help="officer | team | force | team:REF | officer:COLLAR (default by your role)")
    p.set_defaults(func=run_continuity, report_parser=p)


def run_continuity(ctx: Context, args) -> int:
    from slo.reports import build_report, render, write_report

    if args.format == "package":
        # usage errors (exit 2), before anything is opened
        if not args.evaluation:
            args.report_parser.error("--format package is the evaluation dataset: add --evaluation")
        if not args.out or not args.out.lower().endswith(".zip"):
            args.report_parser.error("--format package needs --out FILE.zip")
    store = ctx.store(create=False)
    actor = ctx.actor()
    report = build_report(store, actor, args.date_from, args.date_to, evaluation=args.evaluation,
                          scope=args.scope, recipient=args.recipient, audit_format=args.format,
                          as_of=args.as_of)
    out = args.out
    if args.format == "csv" and not out:
        name = "continuity_{}_{}{}".format(args.date_from, args.date_to, "_evaluation" if args.evaluation else "")
        out = str(ctx.exports / "reports" / name)
    if args.format == "json":
        return _write_json(report, Path(out) if out else None)
    if out:
        path = write_report(report, args.format, Path(out))
        err(f"wrote {path}: {len(report['officers'])} officers, {len(report['schools'])} schools, "
            f"{len(report['young_people'])} young people")
        return 0
    text = render(report, args.format)
    assert isinstance(text, str)
    sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _json_chunks(report: dict):
    """``render(report, "json")`` piece by piece, as the encoder makes it.

    ``json.dumps(..., indent=2)`` uses the pure-Python encoder, which keeps every
    piece in a list before joining them: for a national year (30 MB of text) that
    took the process from 150 MB to 300 MB. The same pieces, written as they come,
    give the same bytes.
    """
    import json

    batch: list[str] = []
    size = 0
    for piece in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(report):
        batch.append(piece)
        size += len(piece)
        if size >= 1 << 16:
            yield "".join(batch)
            batch, size = [], 0
    batch.append("\n")
    yield "".join(batch)


def _write_json(report: dict, out: Path | None) -> int:
    """The json report to ``out`` (atomic, owner-only, like ``write_report``) or to standard output."""
    if out is None:
        for chunk in _json_chunks(report):
            sys.stdout.write(chunk)
        sys.stdout.flush()
        return 0
    from slo.services.files import atomic_file

    with atomic_file(out) as f:
        for chunk in _json_chunks(report):
            f.write(chunk)
    err(f"wrote {out}: {len(report['officers'])} officers, {len(report['schools'])} schools, "
        f"{len(report['young_people'])} young people")
    return 0
