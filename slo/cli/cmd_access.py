"""`slo access grant|revoke|list`: who may act as which officer (admins only).

    slo access grant COLLAR --unix-user NAME
    slo access grant COLLAR --ssh-key FILE.pub [--authorized-keys PATH]
    slo access revoke COLLAR (--unix-user NAME | --ssh-key FILE.pub|SHA256:FP | --all)
    slo access list [--all] [--format text|json]

An SSH key's forced-command line goes into the serving account's
``~/.ssh/authorized_keys`` (this process's account) unless ``--authorized-keys``
names another file; ``--ssh-key -`` reads the key from standard input (how an admin
grants over SSH). See ``docs/server.md``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .context import Context, err


def register(groups) -> None:
    from .main import Parser

    access = groups["root"].add_parser(
        "access", help="access grant | revoke | list: who may act as which officer (admin)"
    )
    sub = access.add_subparsers(dest="access_command", metavar="WHAT", required=True, parser_class=Parser)

    grant = sub.add_parser(
        "grant",
        help="bind an account or an SSH key to an officer",
        description="Bind an operating-system account or an SSH public key to an officer (admin only). "
        "An SSH key gets a forced-command line in the serving account's authorized_keys.",
    )
    grant.add_argument("collar", metavar="COLLAR")
    how = grant.add_mutually_exclusive_group(required=True)
    how.add_argument("--unix-user", metavar="NAME", help="an account of this machine")
    how.add_argument("--ssh-key", metavar="FILE.pub", help="an OpenSSH public key file ('-' for standard input)")
    grant.add_argument("--authorized-keys", metavar="PATH",
                       help="the authorized_keys file to write (default: ~/.ssh/authorized_keys of this account)")
    grant.set_defaults(func=run_grant)

    revoke = sub.add_parser(
        "revoke",
        help="remove an officer's bindings (and their keys' authorized_keys lines)",
        description="End an officer's access through one account, one key, or all of them (admin only). "
        "A key's authorized_keys line is removed once no officer is bound to the key.",
    )
    revoke.add_argument("collar", metavar="COLLAR")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--unix-user", metavar="NAME")
    which.add_argument("--ssh-key", metavar="FILE.pub", help="the key's .pub file, '-' (standard input) or SHA256:FP")
    which.add_argument("--all", action="store_true", help="every binding of the officer")
    revoke.set_defaults(func=run_revoke)

    listing = sub.add_parser("list", help="who may act as which officer")
    listing.add_argument("--all", action="store_true", help="include revoked bindings (the history)")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(func=run_list)


def _principal_words(kind: str, name: str) -> str:
    return f"account {name}" if kind == "unix" else f"SSH key {name}"


def run_grant(ctx: Context, args) -> int:
    from slo.services import identity, ssh_keys

    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    if args.unix_user is not None:
        if args.authorized_keys:
            err("slo: usage error: --authorized-keys goes with --ssh-key")
            return 2
        result = identity.grant_unix(store, actor, args.collar, args.unix_user)
        verb = "granted" if result.created else "already granted:"
        err(f"{verb} {args.collar} to the account {args.unix_user}")
        return 0
    key = ssh_keys.read_public_key(args.ssh_key)
    target = Path(args.authorized_keys) if args.authorized_keys else ssh_keys.default_authorized_keys()
    result = identity.grant_key(store, actor, args.collar, key, target, ssh_keys.slo_executable())
    verb = "granted" if result.created else "already granted:"
    where = f"line written to {target}" if result.line_written else f"its line is already in {target}"
    err(f"{verb} {args.collar} to the SSH key {key.fingerprint} ({where})")
    if not args.authorized_keys:
        _warn_if_sessions_use_another_database(ctx)
    return 0


def _warn_if_sessions_use_another_database(ctx: Context) -> None:
    """A key written to this account's authorized_keys is served by `slo session`, which opens the
    database of the account's configuration: say so when that is not the database just changed."""
    from .cmd_session import server_paths

    try:
        served, _ = server_paths()
    except Exception:  # a broken configuration is reported by slo session itself
        return
    if served.resolve() != ctx.db_path.resolve():
        err(f"warning: SSH sessions of this account open {served}, not {ctx.db_path}: "
            "this key will not reach the database you granted it in (see docs/server.md)")


def run_revoke(ctx: Context, args) -> int:
    from slo.services import identity, ssh_keys

    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    fingerprint = None
    if args.ssh_key is not None:
        if ssh_keys.is_fingerprint(args.ssh_key) and not Path(args.ssh_key).exists():
            fingerprint = args.ssh_key
        else:
            fingerprint = ssh_keys.read_public_key(args.ssh_key).fingerprint
    result = identity.revoke(store, actor, args.collar, account=args.unix_user, fingerprint=fingerprint,
                             every=args.all)
    for b in result.revoked:
        err(f"revoked {b.officer} from the {_principal_words(b.kind, b.principal)}")
    if result.lines_removed:
        err(f"removed {result.lines_removed} authorized_keys line(s)")
    for warning in result.warnings:
        err(f"warning: {warning}")
    return 0


def run_list(ctx: Context, args) -> int:
    from slo.services import identity

    store = ctx.store()
    actor = ctx.actor()
    assert actor is not None
    rows = identity.list_access(store, actor, include_revoked=args.all)
    if args.format == "json":
        print(json.dumps([b.to_json() for b in rows], indent=2))
        return 0
    if not rows:
        print("nobody has access" if not args.all else "no access was ever granted")
        return 0
    for b in rows:
        state = "" if b.active else f"  revoked {b.revoked_at} by {b.revoked_by} ({b.revoked_reason})"
        left = f" (left {b.end_date})" if b.end_date and b.active and b.end_date < _today() else ""
        print(f"{b.officer:<10} {b.role:<9} {_principal_words(b.kind, b.principal)}  "
              f"granted {b.granted_at} by {b.granted_by}{left}{state}")
    return 0


def _today() -> str:
    from slo.services.audit import now_local

    return now_local().date().isoformat()
