"""The calendar service, for real: ``slo calendars serve`` as a subprocess on a free port of 127.0.0.1,
fetched with httpx the way a calendar client polls (and with a raw socket where httpx would tidy a
hostile request up before sending it).

Each test starts its own service on a real SQLite file holding the small bundle, exports the
calendars with the real export, issues links with the real service, and stops the service with
SIGTERM (it must stop cleanly, exit 0).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import icalendar
import pytest

from slo.calendars import export_calendars
from slo.models.entities import Engagement
from slo.services import calendar_links as links
from slo.services import integrity, records
from slo.services.actors import load_actor

ROOT = Path(__file__).resolve().parents[1]
NORTH, SOUTH = "100000", "100001"
AGENT = "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0; calendar test)"


class Service:
    """One ``slo calendars serve`` child process, listening on a port the kernel picked."""

    def __init__(self, db_path: Path, exports: Path, *options: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("SLO_DB", "SLO_EXPORTS", "SLO_USER")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "slo", "--db", str(db_path), "--exports", str(exports), "calendars", "serve",
             "--listen", "127.0.0.1:0", *options],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        if not self.ready.wait(60):
            self.proc.kill()
            raise AssertionError(f"the service did not start: {self.lines}")
        line = next(x for x in self.lines if "listening on" in x)
        self.port = int(line.split("http://127.0.0.1:")[1].split(",")[0])
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line)
            if "listening on http://127.0.0.1:" in line:
                self.ready.set()

    def stop(self) -> tuple[int, str]:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(10)
        return self.proc.returncode, "".join(self.lines)


@pytest.fixture
def start(loaded_store, db_path, tmp_path):
    """``start(*options)`` -> a running Service; every one is stopped (and must stop cleanly) at the end."""
    started: list[Service] = []

    def run(*options: str) -> Service:
        service = Service(db_path, tmp_path / "exports", *options)
        started.append(service)
        return service

    yield run
    for service in started:
        code, err = service.stop()
        assert code == 0 and "calendar service: stopped" in err, err
        assert "Traceback" not in err, err


@pytest.fixture
def exports(tmp_path) -> Path:
    return tmp_path / "exports"


def admin(store):
    return load_actor(store.db, "A1")


def plan_visit(store, ref, *, school=NORTH, officer="PC1000", days=7, hour=10, title="Assembly on online safety"):
    start = datetime.combine(datetime.now().date() + timedelta(days=days), datetime.min.time()).replace(hour=hour)
    eng = Engagement(ref=ref, officer=officer, school=school, kind="visit", title=title, starts_at=start,
                     ends_at=start + timedelta(hours=1), status="planned")
    records.save(store, admin(store), eng)
    return eng


def export(store, exports):
    return export_calendars(store, admin(store), exports)


def issue(store, service: Service, school=NORTH) -> str:
    """The school's link as an admin hands it out, with the running service's address as the base URL."""
    if links.base_url(store.db) != service.base:
        links.set_base_url(store, admin(store), service.base)
    issued = links.links(store, admin(store), school=school).issued
    return issued[0].url if issued else links.rotate(store, admin(store), school).url


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def disclosures(store) -> list[tuple[str, str, dict]]:
    return [(r[0], r[1], json.loads(r[2])) for r in store.db.execute(
        "SELECT actor, key, detail FROM audit WHERE operation = 'disclosure' AND entity = ? ORDER BY id",
        [links.ENTITY])]


def raw(port: int, request: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send ``request`` bytes as they are; the status code and the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except (ConnectionResetError, TimeoutError):
                break
            if not chunk:
                break
            chunks.append(chunk)
    answer = b"".join(chunks)
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0, answer


def get_raw(port: int, target: str, *headers: str) -> int:
    head = "".join(f"{h}\r\n" for h in headers)
    return raw(port, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}Connection: close\r\n\r\n".encode())[0]


# ---------------------------------------------------------------- a calendar client's day


def test_a_calendar_client_subscribes_polls_and_sees_the_change(start, loaded_store, exports):
    service = start()  # started before any export: it serves what is there when a request comes
    visit = plan_visit(loaded_store, "ENG-SERVE-1")
    export(loaded_store, exports)
    url = issue(loaded_store, service)
    folder = exports / "calendars"
    on_disk = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}

    with httpx.Client(headers={"User-Agent": AGENT}, timeout=10) as client:
        first = client.get(url)
        assert first.status_code == 200
        assert first.headers["content-type"] == "text/calendar; charset=utf-8"
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34
        assert first.headers["cache-control"] == "private, no-cache"
        assert first.content == (folder / "100000-northgate-academy.ics").read_bytes()
        uid = f"{visit.ref}@slo-desk"
        before = events(first.content)[uid]
        assert str(before["SUMMARY"]) == "Assembly on online safety"

        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
        assert client.get(url, headers={"If-None-Match": f'"other", W/{etag}'}).status_code == 304
        assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
        assert client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": modified}).status_code == 200
        head = client.head(url)
        assert head.status_code == 200 and head.content == b""
        assert int(head.headers["content-length"]) == len(first.content) and head.headers["etag"] == etag

        # the officer moves the visit; the nightly export (here: now) rewrites the file
        moved = visit.model_copy(update={"starts_at": visit.starts_at + timedelta(hours=2),
                                         "ends_at": visit.ends_at + timedelta(hours=2)})
        records.save(loaded_store, admin(loaded_store), moved)
        assert export(loaded_store, exports).written
        after = client.get(url, headers={"If-None-Match": etag})
        assert after.status_code == 200 and after.headers["etag"] != etag
        event = events(after.content)[uid]
        assert int(event["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
        assert event.decoded("DTSTART").hour == visit.starts_at.hour + 2
        assert client.get(url, headers={"If-None-Match": after.headers["etag"]}).status_code == 304

    # the service only read: the calendars folder is as the export left it
    assert {p.name for p in folder.iterdir()} == set(on_disk)


def test_a_school_without_a_file_yet_is_not_found_until_it_has_one(start, loaded_store, exports):
    service = start()
    export(loaded_store, exports)
    url = issue(loaded_store, service, SOUTH)  # Southfield has nothing to show yet: no file
    with httpx.Client(timeout=10) as client:
        assert client.get(url).status_code == 404
        plan_visit(loaded_store, "ENG-SOUTH-1", school=SOUTH, officer="PC1001")
        export(loaded_store, exports)
        answer = client.get(url)
        assert answer.status_code == 200 and "ENG-SOUTH-1@slo-desk" in events(answer.content)


def test_a_rotated_or_revoked_link_is_not_found_like_one_that_never_existed(start, loaded_store, exports):
    service = start()
    plan_visit(loaded_store, "ENG-SERVE-2")
    export(loaded_store, exports)
    old = issue(loaded_store, service)
    with httpx.Client(timeout=10) as client:
        assert client.get(old).status_code == 200
        new = links.rotate(loaded_store, admin(loaded_store), NORTH).url
        gone = client.get(old)
        never = client.get(f"{service.base}/calendars/{links.new_token()}.ics")
        assert gone.status_code == never.status_code == 404
        assert gone.content == never.content == b"Not Found\n"
        assert {k for k in gone.headers if k != "date"} == {k for k in never.headers if k != "date"}
        assert client.get(new).status_code == 200
        links.revoke(loaded_store, admin(loaded_store), NORTH)
        assert client.get(new).status_code == 404
        assert client.get(new, headers={"If-None-Match": "*"}).status_code == 404


# ---------------------------------------------------------------- nothing else


def test_nothing_else_is_served(start, loaded_store, exports, db_path):
    service = start()
    plan_visit(loaded_store, "ENG-SERVE-3")
    export(loaded_store, exports)
    url = issue(loaded_store, service)
    path = url.removeprefix(service.base)
    token = path.removeprefix("/calendars/").removesuffix(".ics")
    port = service.port
    # traversal and look-alike paths, sent byte for byte (httpx would normalise some of them)
    for target in ["/calendars/../db/slo.db", "/calendars/..%2F..%2Fdb%2Fslo.db", "/calendars/%2e%2e/slo.db",
                   "/calendars/..%2f" + db_path.name, f"/calendars/{token}.ics/", f"/calendars/{token}",
                   f"/calendars/{token}.ICS", f"/calendars/{token}.ics.bak", f"/calendars//{token}.ics",
                   f"/calendars/%{ord(token[0]):02X}{token[1:]}.ics", f"/{token}.ics", f"/CALENDARS/{token}.ics",
                   "/calendars/100000-northgate-academy.ics", "/calendars/", "/calendars", "/", "/favicon.ico",
                   "/exports/calendars/100000-northgate-academy.ics", "/calendars/.tmp-x.ics"]:
        assert get_raw(port, target) == 404, target
    assert get_raw(port, path) == 200  # the real link, sent the same way, works
    with httpx.Client(timeout=10) as client:
        for method in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]:
            answer = client.request(method, url)
            assert answer.status_code == 405 and answer.headers["allow"] == "GET, HEAD", method
            assert client.request(method, f"{service.base}/").status_code == 404
        # oversized requests
        assert client.get(url + "?" + "x" * 600).status_code == 414
        assert client.get(url, headers={"X-Filler": "y" * 9000}).status_code == 431
        assert client.get(url, headers={f"X-Many-{i}": "1" for i in range(60)}).status_code == 431
        huge = client.get(url, headers={"X-Filler": "y" * 40000})
        assert huge.status_code in (400, 431)
        assert client.request("GET", url, content=b"x" * 10).status_code == 413
        assert client.request("GET", url, content=iter([b"chunk"])).status_code == 413  # chunked
        assert client.get(url).status_code == 200  # still serving
    status, answer = raw(port, b"GARBAGE\r\n\r\n")
    assert status == 400
    assert b"server:" not in answer.lower()


# ---------------------------------------------------------------- the audit


def test_one_disclosure_per_school_per_day_however_often_clients_poll(start, loaded_store, exports):
    service = start()
    plan_visit(loaded_store, "ENG-SERVE-4")
    plan_visit(loaded_store, "ENG-SERVE-5", school=SOUTH, officer="PC1001")
    export(loaded_store, exports)
    north, south = issue(loaded_store, service), issue(loaded_store, service, SOUTH)
    # twenty clients of one school fetch at the same moment (none has the file yet)
    barrier = threading.Barrier(20)
    codes: list[int] = []

    def first_fetch() -> None:
        with httpx.Client(headers={"User-Agent": AGENT}, timeout=20) as client:
            barrier.wait()
            codes.append(client.get(north).status_code)

    threads = [threading.Thread(target=first_fetch) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes == [200] * 20
    with httpx.Client(headers={"User-Agent": AGENT}, timeout=10) as client:
        etag = ""
        for i in range(30):  # polls all day: plain and conditional, 200s and 304s
            answer = client.get(north, headers={"If-None-Match": etag} if i % 2 else {})
            etag = answer.headers["etag"]
            assert answer.status_code == (304 if i % 2 else 200)
        for _ in range(5):
            assert client.get(south).status_code == 200
    rows = disclosures(loaded_store)
    assert sorted(r[1] for r in rows) == [NORTH, SOUTH]
    for actor, _school, detail in rows:
        assert actor == links.SERVICE_ACTOR
        assert detail["client"] == "127.0.0.1" and detail["user_agent"] == AGENT
        assert set(detail) == {"link", "client", "user_agent", "sha256", "bytes"}
    log = " ".join(str(r) for r in loaded_store.db.execute("SELECT * FROM audit"))
    for url in (north, south):
        assert url.rsplit("/", 1)[1].removesuffix(".ics") not in log  # no token in the log
    report = integrity.check(loaded_store.db)  # the service's rows keep the chain and its checkpoint whole
    assert report.ok, report.lines()


# ---------------------------------------------------------------- limits and the proxy


def test_rate_per_client_address_from_a_trusted_proxy(start, loaded_store, exports):
    service = start("--rate", "60", "--burst", "5", "--trusted-proxy", "127.0.0.1")
    plan_visit(loaded_store, "ENG-SERVE-6")
    export(loaded_store, exports)
    url = issue(loaded_store, service)
    with httpx.Client(timeout=10) as client:
        def get(forwarded: str) -> httpx.Response:
            return client.get(url, headers={"X-Forwarded-For": forwarded, "User-Agent": AGENT})

        assert [get("198.51.100.1").status_code for _ in range(5)] == [200] * 5
        limited = get("198.51.100.1")
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
        # the proxy appends the address it saw: a client cannot dodge its limit by sending its own header
        assert get("192.0.2.99, 198.51.100.1").status_code == 429
        assert get("198.51.100.2").status_code == 200  # another school's client is not held up
    assert [r[2]["client"] for r in disclosures(loaded_store)] == ["198.51.100.1"]


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(start, loaded_store, exports):
    service = start("--burst", "3")
    plan_visit(loaded_store, "ENG-SERVE-7")
    export(loaded_store, exports)
    url = issue(loaded_store, service)
    with httpx.Client(timeout=10) as client:
        codes = [client.get(url, headers={"X-Forwarded-For": f"198.51.100.{i}"}).status_code for i in range(4)]
    assert codes == [200, 200, 200, 429]  # one client (the connecting address), whatever the header says
    assert [r[2]["client"] for r in disclosures(loaded_store)] == ["127.0.0.1"]


def test_connections_are_bounded(start, loaded_store, exports):
    service = start("--max-connections", "4")
    plan_visit(loaded_store, "ENG-SERVE-8")
    export(loaded_store, exports)
    url = issue(loaded_store, service)
    idle = [socket.create_connection(("127.0.0.1", service.port), timeout=5) for _ in range(4)]
    try:
        time.sleep(0.3)
        with httpx.Client(timeout=10) as client:
            assert client.get(url).status_code == 503
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    with httpx.Client(timeout=10) as client:
        assert client.get(url).status_code == 200


def test_an_address_in_use_is_one_line(start, loaded_store, db_path, exports):
    service = start()
    done = subprocess.run(
        [sys.executable, "-m", "slo", "--db", str(db_path), "--exports", str(exports), "calendars", "serve",
         "--listen", f"127.0.0.1:{service.port}"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"slo: error: cannot listen on 127.0.0.1:{service.port}")
