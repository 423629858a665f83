"""Entry point of the `slo` command.

Exit codes (docs/spec/cli.md): 0 success; 2 usage error (argparse); 1 for
anything the user must fix, with one line on standard error and never a
traceback. Textual is imported only when the desk opens, so headless commands
do not pay for it, and sqlite-utils only when a command uses it (the desk's
way to its first screen reads through plain ``sqlite3``: ``Store.conn``).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from slo import __version__

from .context import Context, err

#: modules that add subcommands; each has register(groups)
COMMAND_MODULES = [
    "slo.cli.cmd_data",
    "slo.cli.cmd_demo",
    "slo.cli.cmd_schools",
    "slo.cli.cmd_abstraction",
    "slo.cli.cmd_due",
    "slo.cli.cmd_terms",
    "slo.cli.cmd_calendars",
    "slo.cli.cmd_report",
    "slo.cli.cmd_scheduler",
    "slo.cli.cmd_admin",
    "slo.cli.cmd_access",
    "slo.cli.cmd_session",
]


class Parser(argparse.ArgumentParser):
    """argparse with exit code 2 and one line for usage errors."""

    def error(self, message: str):  # noqa: D401
        self.print_usage(sys.stderr)
        err(f"{self.prog}: usage error: {message}")
        raise SystemExit(2)


def _add_global_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"slo {__version__}")
    parser.add_argument("--db", metavar="PATH", help="database file (env SLO_DB; default db/slo.db)")
    parser.add_argument("--exports", metavar="DIR", help="export folder (env SLO_EXPORTS; default exports/)")
    parser.add_argument("--user", metavar="COLLAR", help="who you are (env SLO_USER)")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="create the demo database if missing (db/demo.db unless --db), then open the desk on it",
    )


def build_parser() -> argparse.ArgumentParser:
    import importlib

    parser = Parser(
        prog="slo",
        description="SLO Desk: the schools liaison officer's desk. With no command, opens the desk.",
    )
    _add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    groups = {"root": sub}
    export = sub.add_parser("export", help="export bundle | calendars")
    groups["export"] = export.add_subparsers(dest="export_command", metavar="WHAT", required=True, parser_class=Parser)
    schools = sub.add_parser("schools", help="schools import-gias")
    groups["schools"] = schools.add_subparsers(
        dest="schools_command", metavar="WHAT", required=True, parser_class=Parser
    )
    abstraction = sub.add_parser("abstraction", help="abstraction add | review")
    groups["abstraction"] = abstraction.add_subparsers(
        dest="abstraction_command", metavar="WHAT", required=True, parser_class=Parser
    )
    report = sub.add_parser("report", help="report continuity")
    groups["report"] = report.add_subparsers(dest="report_command", metavar="WHAT", required=True, parser_class=Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(groups)
    _accept_global_options_after_commands(sub)
    return parser


def _accept_global_options_after_commands(subparsers: argparse._SubParsersAction) -> None:
    """Let ``--db``, ``--exports`` and ``--user`` follow the command too (``slo demo --db x.db``),
    as people type them. ``SUPPRESS`` keeps a value given before the command when none follows."""
    for command in set(subparsers.choices.values()):
        nested = [a for a in command._actions if isinstance(a, argparse._SubParsersAction)]
        if nested:
            for action in nested:
                _accept_global_options_after_commands(action)
            continue
        taken = {opt for a in command._actions for opt in a.option_strings}
        for option, metavar, text in (
            ("--db", "PATH", "database file (also accepted before the command)"),
            ("--exports", "DIR", "export folder (also accepted before the command)"),
            ("--user", "COLLAR", "who you are (also accepted before the command)"),
        ):
            if option not in taken:
                command.add_argument(option, metavar=metavar, default=argparse.SUPPRESS, help=text)


class _NotOnlyGlobalOptions(Exception):
    pass


class _DeskParser(Parser):
    """The global options alone; anything it cannot take is for :func:`build_parser`."""

    def error(self, message: str):  # noqa: D401
        raise _NotOnlyGlobalOptions(message)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """``argv`` parsed; for the desk (global options only) without importing any command module.

    Building the full parser imports every ``cmd_*`` module and what they need
    (the bundle and demo services, ...): about 0.1 s that the desk does not use.
    Anything other than global options (a command, ``-h``, an unknown option, a
    usage error) goes to the full parser, so its behaviour and messages are unchanged.
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    slim = _DeskParser(prog="slo", add_help=False)
    _add_global_options(slim)
    try:
        args, rest = slim.parse_known_args(argv)
    except _NotOnlyGlobalOptions:
        rest = ["?"]
    if not rest:
        args.command = None
        return args
    return build_parser().parse_args(argv)


def open_desk(ctx: Context, *, demo: bool) -> int:
    """Open the desk as the officer that ``ctx`` resolves to (see "Who you are" in cli.md).

    ``slo --demo`` opens only a demo database (made here if missing). On a real
    database the desk opens as the one officer the principal is bound to, asks
    among the principal's officers only when there are several, and refuses
    (exit 1, audited) a principal bound to nobody.
    """
    from slo.services import identity
    from slo.services.errors import NotFound, PermissionDenied

    if demo:
        from slo.cli.cmd_demo import ensure_demo

        if not ctx.db_given:
            from pathlib import Path

            ctx.db_path = Path("db/demo.db")
        ensure_demo(ctx)
    if not ctx.db_path.exists():
        raise NotFound(
            f"no database at {ctx.db_path}; run 'slo --demo' for a demo, or 'slo import BUNDLE.json'"
        )
    store = ctx.store()
    is_demo = identity.is_demo(store.conn)
    if demo:
        if not is_demo:
            raise PermissionDenied(
                f"{ctx.db_path} is not a demo database: 'slo --demo' opens only demo databases "
                "(open it with 'slo --db PATH' as the officer you are bound to)"
            )
        ctx.user = ctx.user or "PC1000"
    actor = ctx.actor(required=False)
    if actor is None:
        identity.desk_choices(store, ctx.who())  # refuses a principal bound to nobody, before the desk opens
    else:
        # the home caseload is read while Textual is imported (about 0.3 s), not after the first paint
        from slo.services.audit import now_local
        from slo.services.queries.home import start_home_caseload

        start_home_caseload(store, actor, now_local().date())
    from slo.tui.app import run_desk  # Textual is imported only here
    from slo.tui.gc_idle import collect_when_idle

    collect_when_idle()  # full garbage collections in idle moments, not inside screen changes
    try:
        return run_desk(store, actor, exports=ctx.exports, principal=ctx.who(), demo=is_demo)
    finally:
        from slo.services.queries.home import finish_early_reads

        finish_early_reads()  # before main closes the store they read through


def main(argv: list[str] | None = None) -> int:
    from slo.services.errors import USER_ERRORS

    raw = sys.argv[1:] if argv is None else argv
    for position, value in enumerate(raw, start=1):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            # bytes the terminal could not decode (surrogate escapes): refuse before anything runs
            err(f"slo: error: argument {position} is not valid UTF-8 text; retype it")
            return 1
    args = parse_args(argv)
    ctx = Context.from_args(args)
    try:
        if args.command is None:
            return open_desk(ctx, demo=args.demo)
        return int(args.func(ctx, args) or 0)
    except USER_ERRORS as exc:
        err(f"slo: error: {exc}")
        return 1
    except ValueError as exc:
        # a model built from command-line values that a command did not turn into
        # ValidationFailed itself: still one line, never a traceback
        from pydantic import ValidationError

        if not isinstance(exc, ValidationError):
            raise
        err(f"slo: error: {_one_line(exc)}")
        return 1
    except sqlite3.DatabaseError as exc:
        text = str(exc)
        if "locked" in text or "busy" in text:
            err("slo: error: the database is busy (another user or process is writing); try again in a moment")
        else:
            err(f"slo: error: database problem: {text} (run 'slo check')")
        return 1
    except BrokenPipeError:
        # the reader went away (e.g. `slo due | head`): not an error for the person at the terminal
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        err(f"slo: error: {exc.strerror or exc}: {exc.filename or ''}".rstrip(": "))
        return 1
    except KeyboardInterrupt:
        err("slo: interrupted")
        return 130
    finally:
        ctx.close()


def _one_line(exc) -> str:
    """A pydantic ValidationError as ``schools, field urn: '12' should be a 6-digit URN (and 1 more problem)``."""
    from slo.models.refusals import one_line

    return one_line(exc)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
