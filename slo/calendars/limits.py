"""Bounds on what the calendar service accepts: request size, rate per client address.

:class:`RequestGuard` is a plain ASGI middleware in front of the Starlette app of
:mod:`slo.calendars.server`. Before the app sees a request it refuses:

* a client over its rate (``429 Too Many Requests`` with ``Retry-After``), counted per
  client address (after :class:`uvicorn.middleware.proxy_headers.ProxyHeadersMiddleware`
  has replaced a trusted proxy's address with the forwarded one);
* a request target longer than ``max_target`` bytes (``414``);
* more than ``max_headers`` header lines or ``max_header_bytes`` of headers (``431``);
* any request body (``413``): GET and HEAD carry none.

It also adds ``X-Content-Type-Options``, ``Referrer-Policy`` and a default
``Cache-Control: no-store`` to every response. uvicorn bounds the rest: the number of
connections (``limit_concurrency``: 503 past it), the bytes of a request head it buffers
(``h11_max_incomplete_event_size``: 400 past it) and idle keep-alive connections.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class Limits:
    """What one client and one request may do (``slo calendars serve`` options in brackets)."""

    #: requests a minute per client address, sustained [--rate]
    rate_per_minute: int = 120
    #: requests a client may make at once before the rate applies [--burst]
    burst: int = 60
    #: open connections at once; uvicorn answers 503 past it [--max-connections]
    max_connections: int = 256
    #: bytes of path and query string (a link's path is 58 bytes)
    max_target: int = 512
    #: header lines in a request
    max_headers: int = 50
    #: bytes of all header names and values of a request
    max_header_bytes: int = 8192
    #: bytes of a request head uvicorn (h11) buffers before it gives up with 400
    max_head_bytes: int = 16384
    #: seconds an idle keep-alive connection stays open
    keep_alive_seconds: int = 5
    #: client addresses whose rate is remembered (the least recently seen are forgotten first)
    tracked_clients: int = 65536


class RateLimiter:
    """A token bucket per key (a client address), in memory, with a bounded number of keys."""

    def __init__(self, per_minute: int, burst: int, *, max_keys: int = 65536,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if per_minute < 1 or burst < 1:
            raise ValueError("the rate and the burst must be at least 1")
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_keys = max_keys
        self.clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, at)

    def take(self, key: str) -> float:
        """Spend one token of ``key``'s bucket: 0.0 if allowed, else the seconds until one is there."""
        now = self.clock()
        tokens, at = self._buckets.pop(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - at) * self.rate)
        if tokens >= 1.0:
            self._buckets[key] = (tokens - 1.0, now)
            wait = 0.0
        else:
            self._buckets[key] = (tokens, now)
            wait = (1.0 - tokens) / self.rate
        while len(self._buckets) > self.max_keys:
            self._buckets.popitem(last=False)
        return wait


#: headers every response carries (unless the app set them)
SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


def refusal(status: int, text: str, headers: dict[str, str] | None = None) -> PlainTextResponse:
    """A plain one-line answer, never cached."""
    return PlainTextResponse(text + "\n", status_code=status, headers={"cache-control": "no-store", **(headers or {})})


class RequestGuard:
    """ASGI middleware: refuse requests over the :class:`Limits` before the app sees them."""

    def __init__(self, app: ASGIApp, limits: Limits, limiter: RateLimiter) -> None:
        self.app = app
        self.limits = limits
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = _with_headers(send)
        answer = self.check(scope)
        if answer is not None:
            await answer(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def check(self, scope: Scope) -> PlainTextResponse | None:
        """The refusal for this request, or None when it may go on."""
        client = scope.get("client")
        wait = self.limiter.take(client[0] if client else "unknown")
        if wait:
            return refusal(429, "Too Many Requests", {"retry-after": str(max(1, math.ceil(wait)))})
        limits = self.limits
        if len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") > limits.max_target:
            return refusal(414, "URI Too Long")
        headers: list[tuple[bytes, bytes]] = scope["headers"]
        if len(headers) > limits.max_headers or sum(len(k) + len(v) for k, v in headers) > limits.max_header_bytes:
            return refusal(431, "Request Header Fields Too Large")
        for name, value in headers:
            if name == b"transfer-encoding" or (name == b"content-length" and value.strip() not in (b"", b"0")):
                return refusal(413, "Content Too Large")
        return None


def _with_headers(send: Send) -> Send:
    """``send`` that adds :data:`SECURITY_HEADERS` the response does not already have."""

    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers: list[Any] = list(message.get("headers", []))
            present = {bytes(k).lower() for k, _ in headers}
            headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
            message = {**message, "headers": headers}
        await send(message)

    return sender
