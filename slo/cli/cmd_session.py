"""`slo session --key SHA256:FP`: what sshd runs for a key that `slo access grant` wrote.

The forced command in ``authorized_keys`` names the key; the client's own command,
if any, arrives only as ``SSH_ORIGINAL_COMMAND``. The session:

1. refuses any ``SLO_*`` variable in its environment (a server that passes
   ``AcceptEnv SLO_*`` would otherwise let the client choose), and any ``--user``;
2. opens the database of the serving account's configuration (:func:`server_paths`),
   never one the client names, and only as the account that owns that file;
3. acts as the officer the key is bound to (refusing unknown and revoked keys and
   leavers, audited);
4. with no ``SSH_ORIGINAL_COMMAND`` opens the desk (a terminal is needed: ``ssh -t``);
   otherwise splits it with :func:`shlex.split` (never a shell) and runs it only if
   it is on :data:`ALLOWED` with options from its list, spelled out in full.

Paths the client could choose (``--out``, ``--db``, ``--exports``,
``--authorized-keys``, a key file) are not on the list: output goes to standard
output, exports to the configured folder, keys come on standard input
(``--ssh-key -``).
"""

from __future__ import annotations

import os
import shlex
import sys
import tomllib
from pathlib import Path

from slo.services.errors import PermissionDenied, ServiceError

from .context import Context, err

#: command words -> the options it may be given over SSH (exact spellings; nothing else)
ALLOWED: dict[tuple[str, ...], frozenset[str]] = {
    ("help",): frozenset(),
    ("whoami",): frozenset(),
    ("due",): frozenset({"--on", "--days", "--format"}),
    ("report", "continuity"): frozenset(
        {"--from", "--to", "--format", "--evaluation", "--scope", "--recipient", "--as-of"}
    ),
    ("export", "calendars"): frozenset({"--school"}),
    ("abstraction", "add"): frozenset(
        {"--officer", "--from", "--to", "--portion", "--category", "--requested-by", "--reason", "--cancel"}
    ),
    ("abstraction", "review"): frozenset({"--accept", "--challenge", "--note"}),
    ("access", "list"): frozenset({"--all", "--format"}),
    ("access", "grant"): frozenset({"--unix-user", "--ssh-key"}),
    ("access", "revoke"): frozenset({"--unix-user", "--ssh-key", "--all"}),
}
#: the serving account's configuration, relative to its home folder
CONFIG = Path(".config/slo/server.toml")


class SessionRefused(PermissionDenied):
    pass


def register(groups) -> None:
    p = groups["root"].add_parser(
        "session",
        help="what sshd runs for a granted SSH key (the forced command; see docs/server.md)",
        description="Run by sshd through the forced command that 'slo access grant --ssh-key' wrote: opens "
        "the desk as the key's officer, or runs an allowlisted command from SSH_ORIGINAL_COMMAND.",
    )
    p.add_argument("--key", required=True, metavar="SHA256:FP", help="the key's fingerprint")
    p.set_defaults(func=run)


def _home() -> Path:
    import pwd

    return Path(pwd.getpwuid(os.geteuid()).pw_dir)


def server_paths(home: Path | None = None) -> tuple[Path, Path]:
    """The database and exports folder that sessions of this account use.

    ``~/.config/slo/server.toml`` may set ``db`` and ``exports`` (relative paths are
    relative to the home folder); the defaults are ``~/db/slo.db`` and ``~/exports``.
    The home folder comes from the password database, not from ``$HOME``.
    """
    home = home or _home()
    db, exports = home / "db" / "slo.db", home / "exports"
    config = home / CONFIG
    if config.exists():
        try:
            settings = tomllib.loads(config.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ServiceError(f"{config}: cannot read the server configuration ({exc})") from None
        unknown = sorted(set(settings) - {"db", "exports"})
        if unknown or not all(isinstance(settings.get(k, ""), str) for k in ("db", "exports")):
            raise ServiceError(f"{config}: expected only db = \"PATH\" and exports = \"PATH\"")
        if settings.get("db"):
            db = home / settings["db"]
        if settings.get("exports"):
            exports = home / settings["exports"]
    return db, exports


def check_command(tokens: list[str]) -> tuple[str, ...]:
    """The allowlisted command ``tokens`` names; :class:`SessionRefused` for anything else."""
    if not tokens:
        raise SessionRefused("no command given")
    for words in sorted(ALLOWED, key=len, reverse=True):
        if tuple(tokens[: len(words)]) == words:
            break
    else:
        shown = " ".join(tokens[:2])[:60]
        raise SessionRefused(f"{shown!r} is not a command you can run over SSH; try 'help'")
    allowed = ALLOWED[words]
    for token in tokens[len(words):]:
        if token.startswith("-") and token != "-":
            option = token.split("=", 1)[0]
            if option in ("--user", "--db", "--exports", "--demo"):
                raise SessionRefused(f"{option} is not accepted over SSH: who you are and which database "
                                     "you use come from your key and the server")
            if option not in allowed:
                raise SessionRefused(f"option {option[:40]!r} is not accepted for '{' '.join(words)}' over SSH")
    return words


def _refuse_environment() -> None:
    chosen = sorted(name for name in os.environ if name.startswith("SLO_"))
    if chosen:
        raise SessionRefused(f"{chosen[0]} is set in the session's environment: over SSH, who you are and which "
                             "database you use come from your key and the server (remove AcceptEnv SLO_* "
                             "from sshd_config)")


def run(ctx: Context, args) -> int:
    from slo.services import identity

    _refuse_environment()
    if ctx.user or getattr(args, "user", None):
        raise SessionRefused("--user is not accepted by slo session: the key decides who you are")
    principal = identity.ssh_key(args.key)
    db_path, exports = server_paths()
    if args.db or args.exports:
        raise SessionRefused("--db and --exports are not accepted by slo session: set them in ~/" + str(CONFIG))
    if not db_path.exists():
        raise ServiceError(f"the server has no database at {db_path} (see docs/server.md)")
    if db_path.stat().st_uid != os.geteuid():
        raise SessionRefused(f"slo session runs only as the account that owns {db_path}")
    session = Context(db_path=db_path, exports=exports, user=None, db_given=True, principal=principal)
    try:
        command = os.environ.get("SSH_ORIGINAL_COMMAND")
        if command is None or not command.strip():
            return _desk(session)
        try:
            tokens = shlex.split(command)
        except ValueError as exc:
            raise SessionRefused(f"cannot read the command ({exc})") from None
        words = check_command(tokens)
        if words == ("help",):
            return _help()
        if words == ("whoami",):
            return _whoami(session)
        from .main import build_parser

        parsed = build_parser().parse_args(tokens)
        key_arg = getattr(parsed, "ssh_key", None)
        if key_arg not in (None, "-") and not key_arg.startswith("SHA256:"):
            raise SessionRefused("over SSH, pass the key on standard input (--ssh-key -) or by fingerprint")
        return int(parsed.func(session, parsed) or 0)
    finally:
        session.close()


def _desk(session: Context) -> int:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise SessionRefused("the desk needs a terminal: connect with 'ssh -t', or name a command "
                             "(for example 'ssh slo@server due'; 'help' lists them)")
    from .main import open_desk

    return open_desk(session, demo=False)


def _whoami(session: Context) -> int:
    from slo.services import identity

    store = session.store()
    principal = session.who()
    officers = identity.may_act_as(store.db, principal)
    if not officers:
        identity.resolve(store, principal, None, required=True)  # the audited refusal
    for actor in officers:
        print(f"{actor.collar}\t{actor.role}\t{actor.name}")
    err(f"you are {principal.label}")
    return 0


def _help() -> int:
    print("Commands you can run over SSH (ssh -t for the desk):")
    for words, options in ALLOWED.items():
        extra = " ".join(sorted(options))
        print(f"  {' '.join(words):<22} {extra}".rstrip())
    return 0
