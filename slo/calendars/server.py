"""The calendar service (``slo calendars serve``): each school's calendar at its private link.

Read-only, built on Starlette and served by uvicorn, meant to listen on the loopback
address behind the force's reverse proxy (which does TLS); see docs/server.md,
"Calendar service". It serves exactly one thing:

``GET /calendars/<token>.ics`` (and ``HEAD``): the current file of the school whose
active link has that token (:func:`slo.services.calendar_links.resolve`), as
``text/calendar; charset=utf-8`` with a strong ``ETag`` (from the bytes) and
``Last-Modified`` (the file's time); ``304 Not Modified`` when ``If-None-Match`` matches
(or, without ``If-None-Match``, when ``If-Modified-Since`` is not older than the file).

Everything else is refused: an unknown, malformed, rotated or revoked token, a school
with no file yet, a percent-encoded or any other path all get the same ``404`` (no hint
whether a link ever existed); methods other than GET and HEAD get ``405``; limits of
:mod:`slo.calendars.limits` bound the rest. Responses are ``Cache-Control: private,
no-cache``, so the proxy never keeps a copy that would outlive a rotation.

It reads the files that ``slo export calendars`` and the scheduler write (the folder
``<exports>/calendars/``, the file named in ``calendar_files``); it never builds them.
Each fetch that returns the file (a GET answered 200) is a disclosure, audited at most
once per school per day with the client's address and user agent
(:func:`slo.services.calendar_links.record_fetch`); a fetch that cannot be audited is
not answered (503).
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import ipaddress
import os
import signal
import socket
import stat
import sys
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, cast

import anyio.to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from slo.services import audit, calendar_links
from slo.services.errors import ServiceError
from slo.store.db import Store

from .limits import Limits, RateLimiter, RequestGuard, refusal
from .paths import SAFE_NAME

CONTENT_TYPE = "text/calendar; charset=utf-8"
#: a calendar bigger than this is not served (the largest national file is about 0.1 MB)
MAX_FILE_BYTES = 16 * 1024 * 1024


class ServeError(ServiceError):
    """A setting of ``slo calendars serve`` the user must fix; ``str()`` is one line."""


# ---------------------------------------------------------------- the files


@dataclass(frozen=True)
class CalendarFile:
    """What the service knows of one calendar file on disk."""

    key: tuple[int, int, int, int]  # device, inode, size, mtime in ns: a replaced file has another
    etag: str
    sha256: str
    size: int
    mtime: int  # whole seconds, as Last-Modified carries them
    last_modified: str


class CalendarFiles:
    """The calendars folder, read through a small cache of each file's ETag.

    A 304 costs one ``stat``; a file is read only when it changed (to hash it) or is sent.
    The export replaces files atomically (``os.replace``), so a new version is a new inode.
    """

    def __init__(self, folder: Path, max_entries: int = 65536) -> None:
        self.folder = folder
        self.max_entries = max_entries
        self._known: OrderedDict[str, CalendarFile] = OrderedDict()

    def current(self, name: str) -> CalendarFile | None:
        """The file ``name`` as it is now, or None (missing, not a regular file, not a calendar name)."""
        if not SAFE_NAME.fullmatch(name):
            return None
        try:
            st = os.stat(self.folder / name, follow_symlinks=False)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        known = self._known.get(name)
        if known is not None and known.key == _key(st):
            self._known.move_to_end(name)
            return known
        found = self.read(name)
        return found[0] if found else None

    def read(self, name: str) -> tuple[CalendarFile, bytes] | None:
        """The file's bytes and what they hash to (never through a symbolic link)."""
        if not SAFE_NAME.fullmatch(name):
            return None
        try:
            fd = os.open(self.folder / name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_FILE_BYTES:
                return None
            chunks = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
        except OSError:
            return None
        finally:
            os.close(fd)
        known = self._known.get(name)
        if known is not None and known.key == _key(st) and known.size == len(data):
            return known, data
        digest = hashlib.sha256(data).hexdigest()
        mtime = int(st.st_mtime)
        meta = CalendarFile(_key(st), f'"{digest[:32]}"', digest, len(data), mtime, formatdate(mtime, usegmt=True))
        self._known[name] = meta
        self._known.move_to_end(name)
        while len(self._known) > self.max_entries:
            self._known.popitem(last=False)
        return meta, data


def _key(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def not_modified(request: Request, meta: CalendarFile) -> bool:
    """RFC 9110 13.1: If-None-Match (weak comparison) wins; If-Modified-Since only without it."""
    tags = request.headers.get("if-none-match")
    if tags is not None:
        wanted = meta.etag.removeprefix("W/")
        return any(t.strip() == "*" or t.strip().removeprefix("W/") == wanted for t in tags.split(","))
    since = request.headers.get("if-modified-since")
    if since is None:
        return False
    try:
        when = parsedate_to_datetime(since)
    except (TypeError, ValueError, IndexError, OverflowError):
        return False
    if when.tzinfo is None:
        return False
    return meta.mtime <= when.timestamp()


# ---------------------------------------------------------------- the audit of fetches


class FetchAuditor:
    """Audits fetches before they are answered, in group commits.

    Each fetch that is to return a file waits here until its audit row is committed
    (:func:`slo.services.calendar_links.record_fetches`). Fetches that arrive while a
    transaction is being written wait for the next one, which writes all of them: one
    ``BEGIN IMMEDIATE`` and one sync to disk for many clients at once (200 schools' first
    fetches of the day at the same moment), in one worker thread, so the service never
    contends with itself for SQLite's write lock.
    """

    #: fetches written in one transaction at most
    BATCH = 500

    def __init__(self, store: Store) -> None:
        self.store = store
        self._pending: list[tuple[calendar_links.Fetch, date, asyncio.Future[calendar_links.FetchOutcome]]] = []
        self._task: asyncio.Task[None] | None = None

    async def record(self, fetch: calendar_links.Fetch, day: date) -> calendar_links.FetchOutcome:
        """The fetch's outcome once it is on the record; raises what the database raised."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[calendar_links.FetchOutcome] = loop.create_future()
        self._pending.append((fetch, day, future))
        if self._task is None:
            self._task = loop.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                batch, self._pending = self._pending[: self.BATCH], self._pending[self.BATCH :]
                for day in sorted({d for _, d, _ in batch}):
                    items = [(f, fut) for f, d, fut in batch if d == day]
                    write = functools.partial(calendar_links.record_fetches, self.store, [f for f, _ in items],
                                              day=day)
                    try:
                        outcomes = await anyio.to_thread.run_sync(write)
                    except Exception as exc:
                        for _, fut in items:
                            if not fut.done():
                                fut.set_exception(exc)
                        continue
                    for (_, fut), outcome in zip(items, outcomes, strict=True):
                        if not fut.done():  # a client that went away has cancelled its wait
                            fut.set_result(outcome)
        finally:
            self._task = None


# ---------------------------------------------------------------- the app


class CalendarService:
    """The request handler and its state (the files' cache, what was audited today)."""

    def __init__(self, store: Store, folder: Path, *, today: Callable[[], date] | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.files = CalendarFiles(folder)
        self.today = today or (lambda: audit.now_local().date())
        self.log = log or (lambda text: print(text, file=sys.stderr, flush=True))
        self.auditor = FetchAuditor(store)
        #: token hash -> the day its fetch was audited (or found already audited for its school)
        self._audited: dict[str, date] = {}

    async def calendar(self, request: Request) -> Response:
        """``GET``/``HEAD /calendars/<token>.ics``."""
        scope = request.scope
        name: str = request.path_params["name"]
        if scope.get("raw_path", b"") != scope["path"].encode("utf-8") or not name.endswith(".ics"):
            return not_found()  # percent-encoded paths are never links
        link = calendar_links.resolve(self.store.db, name[:-4])
        if link is None or not link.file_name:
            return not_found()
        meta = self.files.current(link.file_name)
        if meta is None:
            return not_found()
        if not_modified(request, meta):
            return Response(status_code=304, headers=_validators(meta))
        if request.method == "HEAD":
            return Response(b"", headers={**_validators(meta), "content-length": str(meta.size)},
                            media_type=CONTENT_TYPE)
        found = self.files.read(link.file_name)
        if found is None:
            return not_found()
        meta, data = found
        client = scope.get("client")
        refused = await self._audit(link, client[0] if client else "", request.headers.get("user-agent", ""), meta)
        if refused is not None:
            return refused
        return Response(data, headers=_validators(meta), media_type=CONTENT_TYPE)

    async def _audit(self, link: calendar_links.ServedLink, client: str, user_agent: str,
                     meta: CalendarFile) -> Response | None:
        """Audit the disclosure (once per school per day); a response when the file must not go out."""
        day = self.today()
        if self._audited.get(link.token_hash) == day:
            return None
        try:
            outcome = await self.auditor.record(
                calendar_links.Fetch(link, client, user_agent, meta.sha256, meta.size), day)
        except Exception as exc:  # the database busy or broken: no audit, no disclosure
            self.log(f"calendar service: could not audit a fetch of school {link.school}'s calendar: {exc}")
            return refusal(503, "Service Unavailable", {"retry-after": "60"})
        if outcome == "revoked":
            return not_found()
        if len(self._audited) > 100_000:
            self._audited.clear()
        self._audited[link.token_hash] = day
        return None


def _validators(meta: CalendarFile) -> dict[str, str]:
    return {"etag": meta.etag, "last-modified": meta.last_modified, "cache-control": "private, no-cache"}


def not_found() -> Response:
    return refusal(404, "Not Found")


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (no route: 404; another method: 405) as plain one-line answers."""
    if isinstance(exc, HTTPException):
        if exc.status_code == 405:
            return refusal(405, "Method Not Allowed", {"allow": "GET, HEAD"})
        if exc.status_code == 404:
            return not_found()
        return refusal(exc.status_code, "Bad Request")
    return refusal(500, "Internal Server Error")


def build_app(store: Store, folder: Path, limits: Limits, trusted_proxies: list[str], *,
              today: Callable[[], date] | None = None) -> ASGIApp:
    """The whole ASGI application: proxy headers (if trusted) -> limits -> Starlette's one route."""
    service = CalendarService(store, folder, today=today)
    limiter = RateLimiter(limits.rate_per_minute, limits.burst, max_keys=limits.tracked_clients)
    starlette = Starlette(
        routes=[Route("/calendars/{name}", service.calendar, methods=["GET", "HEAD"])],
        middleware=[Middleware(RequestGuard, limits=limits, limiter=limiter)],
        exception_handlers={HTTPException: _http_error},
    )
    starlette.router.redirect_slashes = False  # "/calendars/x.ics/" is not found, not redirected
    if not trusted_proxies:
        return starlette
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    # uvicorn's and Starlette's ASGI type declarations differ; the protocol is the same
    wrapped: Any = ProxyHeadersMiddleware(cast(Any, starlette), trusted_hosts=trusted_proxies)
    return cast(ASGIApp, wrapped)


# ---------------------------------------------------------------- settings


def parse_listen(text: str) -> tuple[str, int]:
    """``HOST:PORT`` or ``[IPv6]:PORT`` (an address, not a name) -> (host, port)."""
    value = text.strip()
    host, sep, port_text = value.rpartition(":")
    if not sep or not port_text.isdigit():
        raise ServeError(f"--listen {text!r}: give ADDRESS:PORT, e.g. 127.0.0.1:8080 or [::1]:8080")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        ipaddress.ip_address(host)
    except ValueError:
        raise ServeError(f"--listen {text!r}: {host!r} is not an IP address (e.g. 127.0.0.1)") from None
    port = int(port_text)
    if port > 65535:
        raise ServeError(f"--listen {text!r}: port {port} is above 65535")
    return host, port


def parse_trusted(values: list[str]) -> list[str]:
    """Each ``--trusted-proxy`` as an address or network; names are refused (they would never match)."""
    out = []
    for value in values:
        try:
            net = ipaddress.ip_network(value.strip(), strict=False)
        except ValueError:
            raise ServeError(
                f"--trusted-proxy {value!r} is not an IP address or network (e.g. 127.0.0.1 or 10.1.2.0/24)"
            ) from None
        out.append(str(net.network_address) if net.num_addresses == 1 else str(net))
    return out


def bind(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket, so that an address in use is one clear line before anything starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock


# ---------------------------------------------------------------- running


class _Stop(Exception):
    pass


def _stop(signum: int, frame: Any) -> None:
    raise _Stop()


def serve(store: Store, folder: Path, *, listen: str, limits: Limits, trusted_proxies: list[str],
          announce: Callable[[str], None]) -> None:
    """Run the service until SIGTERM or SIGINT (a graceful stop: requests under way finish)."""
    import uvicorn

    host, port = parse_listen(listen)
    trusted = parse_trusted(trusted_proxies)
    app = build_app(store, folder, limits, trusted)
    sock = bind(host, port, backlog=max(64, limits.max_connections))
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    config = uvicorn.Config(
        app,
        http="h11",
        loop="asyncio",
        lifespan="off",
        ws="none",
        interface="asgi3",
        log_level="warning",
        access_log=False,  # a request line holds the token: never logged
        use_colors=False,
        server_header=False,
        proxy_headers=False,  # applied by build_app, from --trusted-proxy only
        limit_concurrency=limits.max_connections,
        timeout_keep_alive=limits.keep_alive_seconds,
        h11_max_incomplete_event_size=limits.max_head_bytes,
        timeout_graceful_shutdown=10,
    )
    server = uvicorn.Server(config)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        if not ipaddress.ip_address(bound_host).is_loopback:
            announce(f"calendar service: warning: listening on {shown}, not a loopback address: firewall the "
                     "port so that only the reverse proxy reaches it (links must only travel over TLS)")
        if not folder.is_dir():
            announce(f"calendar service: warning: {folder} does not exist yet; every link answers 404 "
                     "until 'slo export calendars' (or the scheduler) writes it")
        announce(
            f"calendar service: listening on http://{shown}:{bound_port}, serving {folder} "
            f"(trusted proxies: {', '.join(trusted) or 'none'}; {limits.rate_per_minute} requests a minute "
            f"per client, burst {limits.burst}; at most {limits.max_connections} connections)"
        )
        server.run(sockets=[sock])
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        sock.close()
    announce("calendar service: stopped")
