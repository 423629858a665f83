"""Calendar subscription links: one private address per school for its head teacher's calendar.

A link is ``<base URL>/calendars/<token>.ics``, where the token is 256 random bits
(:func:`secrets.token_urlsafe`, 43 characters). Only the token's SHA-256 is kept
(``calendar_links.token_hash``, migration m009): the address is shown once, when it
is issued, and a copy of the database holds no working link. A school has at most
one active link; rotating it issues a new one and the old one stops at once;
revoking it leaves the school with none.

Who: an admin for any school; an officer (SLO or sergeant) for the schools
assigned to them today (``permissions.CALENDAR_LINKS``). Every issue, rotation and
revocation is audited (entity ``calendar_link``, key the URN, detail the link's
short id, never the token). The base URL is a setting an admin stores in the
database (:func:`set_base_url`), so every officer hands out the same address.

The calendar service (``slo calendars serve``, :mod:`slo.calendars.server`) finds a
link with :func:`resolve` and records each day's first fetch per school with
:func:`record_fetch`, a disclosure audited with the client's address and user
agent. Nothing here speaks HTTP.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import textwrap
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from slo.models.text import clean_line
from slo.store.db import Store

from . import audit, permissions
from .actors import Actor
from .errors import NotFound, PermissionDenied, ServiceError

if TYPE_CHECKING:
    from sqlite_utils import Database

#: random bytes in a token (256 bits; the issue asks for at least 128)
TOKEN_BYTES = 32
#: what a token looks like: URL-safe base64 of TOKEN_BYTES bytes, no padding
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
#: the path of a link under the base URL
PATH_PREFIX = "/calendars/"
#: the audit's actor for fetches through the calendar service
SERVICE_ACTOR = "calendar-service"
#: the audit entity of links and their fetches
ENTITY = "calendar_link"
#: the setting that holds the base URL
BASE_URL_KEY = "base_url"
#: hosts on which a plain http:// base URL is accepted (tests and a proxy on the same machine)
_LOOPBACK_NAMES = {"localhost"}
#: the width the head teacher's message is wrapped to (links are never broken)
MESSAGE_WIDTH = 100
#: longest user agent kept in the audit log
USER_AGENT_MAX = 200


class NoBaseUrl(ServiceError):
    """No base URL has been set, so no link can be written out."""


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued: the only moment its address is known."""

    school: str
    school_name: str
    url: str
    link_id: str
    issued_at: str
    #: the short id of the link this one replaced (a rotation), else None
    replaces: str | None
    #: False when the school has no calendar file yet (the link answers 404 until one is exported)
    has_calendar: bool
    message: str
    #: whom to send the message to, from the school's record (may be unknown)
    head_teacher: str | None = None
    head_teacher_email: str | None = None


@dataclass(frozen=True)
class LinkStatus:
    """A school's active link as the database knows it (the address itself cannot be shown again)."""

    school: str
    school_name: str
    link_id: str
    issued_at: str
    issued_by: str
    #: the last day the calendar service sent the file through this link, or None
    last_fetched: str | None
    has_calendar: bool


@dataclass(frozen=True)
class LinksResult:
    issued: list[IssuedLink]
    existing: list[LinkStatus]


@dataclass(frozen=True)
class ServedLink:
    """What the calendar service needs to answer one request."""

    school: str
    token_hash: str
    #: the file name of the school's calendar as last exported ("" when it has none)
    file_name: str


# ---------------------------------------------------------------- tokens


def new_token() -> str:
    """A fresh capability token: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    """The SHA-256 (hex) under which a token is stored and looked up."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def link_id(hashed: str) -> str:
    """A short, stable name for a link in the audit log and in listings (not enough to use it)."""
    return hashed[:12]


# ---------------------------------------------------------------- the base URL


def normalise_base_url(text: str) -> str:
    """``text`` checked as the public address links start with; one line naming the value if not.

    ``https://host[:port][/prefix]``: no user name or password, query or fragment; plain
    ``http://`` only on a loopback host (a test, or a proxy on the same machine).
    """
    given = clean_line(text)[:200]
    value = given.rstrip("/")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ServiceError(f"base URL {given!r} is not a web address") from None
    host = parts.hostname or ""
    if not value.isascii() or any(c.isspace() for c in value):
        raise ServiceError(f"base URL {given!r}: use the ASCII form of the address (no spaces or accents)")
    if parts.scheme not in ("https", "http") or not host:
        raise ServiceError(f"base URL {given!r} must start with https:// and name a host")
    if parts.scheme == "http" and not _is_loopback(host):
        raise ServiceError(f"base URL {given!r}: links must use https:// (http:// only on a loopback address)")
    if parts.username is not None or parts.password is not None:
        raise ServiceError(f"base URL {given!r} must not carry a user name or password")
    if parts.query or parts.fragment or "?" in value or "#" in value:
        raise ServiceError(f"base URL {given!r} must not have a query (?) or a fragment (#)")
    if port == 0:
        raise ServiceError(f"base URL {given!r} has port 0")
    return f"{parts.scheme}://{parts.netloc.lower()}{parts.path}"


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def base_url(db: Database) -> str | None:
    """The base URL an admin stored, or None."""
    row = db.execute("SELECT value FROM calendar_settings WHERE key = ?", [BASE_URL_KEY]).fetchone()
    return row[0] if row else None


def set_base_url(store: Store, actor: Actor, text: str) -> str:
    """Store the base URL of every link (admin). Returns it as stored. Links already issued keep theirs."""
    permissions.require(store.db, actor, permissions.MANAGE, what="the calendar service's settings")
    value = normalise_base_url(text)
    with store.write() as db:
        old = base_url(db)
        db.execute(
            "INSERT INTO calendar_settings (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [BASE_URL_KEY, value],
        )
        audit.record(db, actor.collar, audit.UPDATE if old else audit.CREATE, "calendar_settings", BASE_URL_KEY,
                     {"base_url": value})
    return value


def url_for(base: str, token: str) -> str:
    return f"{base}{PATH_PREFIX}{token}.ics"


# ---------------------------------------------------------------- who may


def _assigned_today(db: Database, collar: str, today: date) -> set[str]:
    day = today.isoformat()
    rows = db.execute(
        "SELECT DISTINCT school FROM assignments WHERE officer = ? AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?)",
        [collar, day, day],
    )
    return {r[0] for r in rows}


def _officer_of(db: Database, urn: str, today: date) -> str | None:
    day = today.isoformat()
    row = db.execute(
        "SELECT officer FROM assignments WHERE school = ? AND start_date <= ? "
        "AND (end_date IS NULL OR end_date >= ?) ORDER BY start_date DESC LIMIT 1",
        [urn, day, day],
    ).fetchone()
    return row[0] if row else None


def _school_name(db: Database, urn: str) -> str:
    row = db.execute("SELECT name FROM schools WHERE urn = ?", [urn]).fetchone()
    if row is None:
        raise NotFound(f"no school with URN {clean_line(urn)[:40]!r}")
    return str(row[0])


def require_school(db: Database, actor: Actor, urn: str, today: date) -> str:
    """The school's name if ``actor`` may manage its link; else NotFound or PermissionDenied (audited)."""
    name = _school_name(db, urn)
    scope = permissions.PERMISSIONS.get((actor.role, permissions.CALENDAR_LINKS))
    if scope == permissions.ANY or (scope is not None and urn in _assigned_today(db, actor.collar, today)):
        return name
    officer = _officer_of(db, urn, today)
    target = f"school {urn}" + (f" (assigned to {officer})" if officer else " (no officer assigned)")
    permissions.log_refusal(db, actor, permissions.CALENDAR_LINKS, target)
    raise PermissionDenied(f"{actor.collar} ({actor.role}) may not manage the calendar link of {target}")


def schools_in_scope(db: Database, actor: Actor, today: date) -> list[str]:
    """The URNs whose links ``actor`` may manage, in order (admin: every school)."""
    permissions.require(db, actor, permissions.CALENDAR_LINKS, what="any school's calendar link")
    scope = permissions.PERMISSIONS.get((actor.role, permissions.CALENDAR_LINKS))
    if scope == permissions.ANY:
        return [r[0] for r in db.execute("SELECT urn FROM schools ORDER BY urn")]
    return sorted(_assigned_today(db, actor.collar, today))


# ---------------------------------------------------------------- issue, rotate, revoke


def _has_calendar(db: Database, urns: list[str]) -> set[str]:
    out: set[str] = set()
    for i in range(0, len(urns), 500):
        part = urns[i : i + 500]
        marks = ",".join("?" * len(part))
        out.update(r[0] for r in db.execute(
            f"SELECT urn FROM calendar_files WHERE path != '' AND urn IN ({marks})", part
        ))
    return out


def _active(db: Database, urns: list[str]) -> dict[str, tuple[str, str, str, str | None]]:
    """``{urn: (token_hash, issued_at, issued_by, disclosed_on)}`` of the active links of these schools."""
    out: dict[str, tuple[str, str, str, str | None]] = {}
    for i in range(0, len(urns), 500):
        part = urns[i : i + 500]
        marks = ",".join("?" * len(part))
        for urn, hashed, at, by, seen in db.execute(
            "SELECT school, token_hash, issued_at, issued_by, disclosed_on FROM calendar_links "
            f"WHERE revoked_at IS NULL AND school IN ({marks})",
            part,
        ):
            out[urn] = (hashed, at, by, seen)
    return out


def _insert(db: Database, urn: str, actor: Actor, stamp: str) -> tuple[str, str]:
    """A new active link for ``urn``: ``(token, token_hash)``. Call inside the write transaction."""
    token = new_token()
    hashed = token_hash(token)
    db.execute(
        "INSERT INTO calendar_links (token_hash, school, issued_at, issued_by) VALUES (?, ?, ?, ?)",
        [hashed, urn, stamp, actor.collar],
    )
    return token, hashed


def _revoke(db: Database, hashed: str, actor: Actor, stamp: str, because: str) -> None:
    db.execute(
        "UPDATE calendar_links SET revoked_at = ?, revoked_by = ?, revoked_because = ? WHERE token_hash = ?",
        [stamp, actor.collar, because, hashed],
    )


def _require_base(db: Database) -> str:
    base = base_url(db)
    if base is None:
        raise NoBaseUrl(
            "no base URL for calendar links yet: an admin sets the public address of the calendar service "
            "with 'slo calendars base-url https://...' (see docs/calendars.md)"
        )
    return base


def links(store: Store, actor: Actor, *, school: str | None = None, today: date | None = None) -> LinksResult:
    """Issue a link for every school in scope (or ``school``) that has none; report the others."""
    db = store.db
    today = today or audit.now_local().date()
    if school is not None:
        require_school(db, actor, school, today)
        urns = [school]
    else:
        urns = schools_in_scope(db, actor, today)
    base = _require_base(db)
    names = _names(db, urns)
    with store.write() as wdb:
        active = _active(wdb, urns)
        files = _has_calendar(wdb, urns)
        stamp = audit.now_local().isoformat(timespec="seconds")
        issued: list[IssuedLink] = []
        existing: list[LinkStatus] = []
        audits: list[tuple[str | None, dict[str, object] | None]] = []
        for urn in urns:
            if urn in active:
                hashed, at, by, seen = active[urn]
                existing.append(LinkStatus(urn, names[urn], link_id(hashed), at, by, seen, urn in files))
                continue
            token, hashed = _insert(wdb, urn, actor, stamp)
            issued.append(_issued(wdb, urn, names[urn], base, token, hashed, stamp, None, urn in files, today))
            audits.append((urn, {"link": link_id(hashed), "action": "issue"}))
        if audits:
            audit.record_many(wdb, actor.collar, audit.CREATE, ENTITY, audits)
    return LinksResult(issued, existing)


def rotate(store: Store, actor: Actor, school: str, *, today: date | None = None) -> IssuedLink:
    """Replace the school's link with a new one; the old address stops working at once."""
    db = store.db
    today = today or audit.now_local().date()
    name = require_school(db, actor, school, today)
    base = _require_base(db)
    with store.write() as wdb:
        old = _active(wdb, [school]).get(school)
        stamp = audit.now_local().isoformat(timespec="seconds")
        if old is not None:
            _revoke(wdb, old[0], actor, stamp, "rotated")
        token, hashed = _insert(wdb, school, actor, stamp)
        replaced = link_id(old[0]) if old else None
        detail: dict[str, object] = {"link": link_id(hashed), "action": "rotate"}
        if replaced:
            detail["replaces"] = replaced
        audit.record(wdb, actor.collar, audit.UPDATE if old else audit.CREATE, ENTITY, school, detail)
        has_file = bool(_has_calendar(wdb, [school]))
        return _issued(wdb, school, name, base, token, hashed, stamp, replaced, has_file, today)


def revoke(store: Store, actor: Actor, school: str, *, today: date | None = None) -> LinkStatus:
    """Stop the school's link without issuing another. NotFound when it has none."""
    db = store.db
    today = today or audit.now_local().date()
    name = require_school(db, actor, school, today)
    with store.write() as wdb:
        old = _active(wdb, [school]).get(school)
        if old is None:
            raise NotFound(f"school {school} has no calendar link to revoke")
        stamp = audit.now_local().isoformat(timespec="seconds")
        _revoke(wdb, old[0], actor, stamp, "revoked")
        audit.record(wdb, actor.collar, audit.DELETE, ENTITY, school, {"link": link_id(old[0]), "action": "revoke"})
        return LinkStatus(school, name, link_id(old[0]), old[1], old[2], old[3], bool(_has_calendar(wdb, [school])))


def _names(db: Database, urns: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(urns), 500):
        part = urns[i : i + 500]
        marks = ",".join("?" * len(part))
        out.update((r[0], r[1]) for r in db.execute(f"SELECT urn, name FROM schools WHERE urn IN ({marks})", part))
    return out


def _issued(db: Database, urn: str, name: str, base: str, token: str, hashed: str, stamp: str,
            replaced: str | None, has_file: bool, today: date) -> IssuedLink:
    url = url_for(base, token)
    officer = _officer_of(db, urn, today)
    officer_name = None
    if officer:
        row = db.execute("SELECT name FROM officers WHERE collar_number = ?", [officer]).fetchone()
        officer_name = f"{row[0]} (collar number {officer})" if row else officer
    head = db.execute("SELECT head_teacher, head_teacher_email FROM schools WHERE urn = ?", [urn]).fetchone()
    return IssuedLink(urn, name, url, link_id(hashed), stamp, replaced, has_file,
                      head_teacher_message(name, url, officer_name),
                      head[0] if head else None, head[1] if head else None)


# ---------------------------------------------------------------- the message for the head teacher


def head_teacher_message(school_name: str, url: str, officer: str | None = None) -> str:
    """A short plain-text message to send the head teacher with their link: what it is, how to subscribe."""
    school = clean_line(school_name)
    webcal = "webcal://" + url.split("://", 1)[1]
    contact = f"your schools liaison officer, {officer}," if officer else "your schools liaison officer"

    def para(text: str, indent: str = "") -> str:
        return textwrap.fill(text, width=MESSAGE_WIDTH, subsequent_indent=indent or "",
                             break_long_words=False, break_on_hyphens=False)

    steps = [
        "Outlook (web, Microsoft 365): Calendar > Add calendar > Subscribe from web > paste the link > "
        'name it "Police schools liaison" > Import.',
        "Outlook (Windows desktop): Home > Add Calendar > From Internet... > paste the link > OK > Yes.",
        "Google Calendar (on a computer): Other calendars > + > From URL > paste the link > Add calendar. "
        "Google refreshes it on its own schedule: a change can take up to a day to show.",
        "Apple Calendar (Mac): File > New Calendar Subscription... > paste the link > Subscribe > "
        "set Auto-refresh to Every hour > OK.",
        "iPhone or iPad: Settings > Calendar > Accounts > Add Account > Other > Add Subscribed Calendar > "
        "paste the link; or open this address on the device:",
    ]
    return "\n".join([
        f"Subject: Police schools liaison visits at {school}: your calendar link",
        "",
        para(f"To the head teacher of {school},"),
        "",
        para(f"This private link adds the police schools liaison officer's planned visits at {school} to your "
             "calendar. Your calendar then updates itself when a visit is booked, moved or cancelled. "
             "It shows no pupil's name."),
        "",
        f"    {url}",
        "",
        *[para(step, "  ") for step in steps],
        f"    {webcal}",
        "",
        para("Please keep the link to yourself and the staff who need it: anyone who has it can see when the "
             f"officer visits. If it has been forwarded by mistake, or a new head teacher starts, ask {contact} "
             "for a new link: the old one then stops working at once."),
    ])


# ---------------------------------------------------------------- for the calendar service


_RESOLVE = (
    "SELECT l.school, l.token_hash, coalesce(f.path, '') FROM calendar_links l "
    "LEFT JOIN calendar_files f ON f.urn = l.school WHERE l.token_hash = ? AND l.revoked_at IS NULL"
)


def resolve(db: Database, token: str) -> ServedLink | None:
    """The active link with this token, or None (unknown, malformed, rotated or revoked: all alike)."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    row = db.execute(_RESOLVE, [token_hash(token)]).fetchone()
    if row is None:
        return None
    path = str(row[2])
    return ServedLink(str(row[0]), str(row[1]), path.rsplit("/", 1)[-1] if path else "")


FetchOutcome = Literal["recorded", "already", "revoked"]


@dataclass(frozen=True)
class Fetch:
    """One fetch through a link that is about to return the calendar, as the service saw it."""

    link: ServedLink
    client: str
    user_agent: str
    sha256: str
    size: int


def record_fetch(
    store: Store,
    link: ServedLink,
    *,
    day: date,
    client: str,
    user_agent: str,
    sha256: str,
    size: int,
) -> FetchOutcome:
    """Audit a fetch that returns the calendar, at most once per school per ``day``.

    ``"recorded"``: this was the school's first fetch of the day, audited now (operation
    ``disclosure``, detail: client address, user agent, link id, the file's SHA-256 and
    size). ``"already"``: the school's calendar was already disclosed that day (through
    any of its links): nothing written. ``"revoked"``: the link was rotated or revoked
    since it was looked up: nothing written, and the caller must not send the file.
    """
    return record_fetches(store, [Fetch(link, client, user_agent, sha256, size)], day=day)[0]


def record_fetches(store: Store, fetches: list[Fetch], *, day: date) -> list[FetchOutcome]:
    """:func:`record_fetch` for several fetches in one transaction (one commit, one sync to disk).

    The outcome of each, in order; within the batch a school's second fetch is ``"already"``.
    """
    stamp = day.isoformat()
    outcomes: list[FetchOutcome] = []
    with store.write() as db:
        for fetch in fetches:
            outcomes.append(_record_one(db, fetch, stamp))
    return outcomes


def _record_one(db: Database, fetch: Fetch, stamp: str) -> FetchOutcome:
    link = fetch.link
    active = db.execute(
        "SELECT 1 FROM calendar_links WHERE token_hash = ? AND revoked_at IS NULL", [link.token_hash]
    ).fetchone()
    if active is None:
        return "revoked"
    seen = db.execute(
        "SELECT 1 FROM calendar_links WHERE school = ? AND disclosed_on = ? LIMIT 1", [link.school, stamp]
    ).fetchone()
    db.execute(
        "UPDATE calendar_links SET disclosed_on = ? WHERE token_hash = ? AND disclosed_on IS NOT ?",
        [stamp, link.token_hash, stamp],
    )
    if seen is not None:
        return "already"
    audit.record(db, SERVICE_ACTOR, audit.DISCLOSURE, ENTITY, link.school, {
        "link": link_id(link.token_hash),
        "client": clean_client(fetch.client),
        "user_agent": clean_line(fetch.user_agent)[:USER_AGENT_MAX],
        "sha256": fetch.sha256,
        "bytes": fetch.size,
    })
    return "recorded"


def clean_client(client: str) -> str:
    """A client address for the log: the address itself when it is one, else a marker (never raw text)."""
    try:
        return str(ipaddress.ip_address(client))
    except ValueError:
        return "not an address"
