"""Head teachers' calendars: contents, privacy, time zones, incremental writes, paths, audit, permissions.

Every test exports real files from a real SQLite database and parses them back
with icalendar, vobject and recurring-ical-events.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
import vobject

from slo.calendars import calendar_path, export_calendars
from slo.calendars.export import window_start
from slo.models.entities import Engagement
from slo.services import records
from slo.services.actors import SYSTEM, load_actor
from slo.services.errors import NotFound, PermissionDenied

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 6, 1)
NORTH = "100000"
SOUTH = "100001"


def admin(store):
    return load_actor(store.db, "A1")


def run(store, exports, actor=None, **kw):
    kw.setdefault("today", TODAY)
    return export_calendars(store, actor or admin(store), exports, **kw)


def file_of(exports: Path, urn: str) -> Path:
    found = sorted((exports / "calendars").glob(f"{urn}-*.ics"))
    assert len(found) == 1, found
    return found[0]


def parse(path: Path):
    data = path.read_bytes()
    cal = icalendar.Calendar.from_ical(data)
    vcal = vobject.readOne(data.decode("utf-8"))
    return cal, vcal


def events_by_uid(cal) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def changed(record, **update):
    """A copy of ``record`` with ``update`` applied, validated like a form would."""
    return type(record).model_validate({**record.to_bundle(), **update})


def add_engagement(store, ref, *, school=NORTH, officer="PC1000", starts="2026-06-10T09:00", minutes=60,
                   title="Assembly on online safety", kind="visit", young_person=None, status="planned",
                   notes=None, actor=None):
    start = datetime.fromisoformat(starts)
    eng = Engagement(
        ref=ref, officer=officer, school=school, young_person=young_person, kind=kind, title=title,
        starts_at=start, ends_at=start + timedelta(minutes=minutes), status=status,
        cancel_reason="school" if status == "cancelled" else None, notes=notes,
    )
    records.save(store, actor or admin(store), eng)
    return eng


@pytest.fixture
def exports(tmp_path) -> Path:
    return tmp_path / "exports"


# ---------------------------------------------------------------- contents


def test_file_has_publish_prodid_name_timezone_and_events(loaded_store, exports):
    result = run(loaded_store, exports)
    path = file_of(exports, NORTH)
    assert result.written == [path]
    assert result.events == 2
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    cal, vcal = parse(path)
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["PRODID"]) == "-//SLO Desk//slo-desk 0.1//EN"
    assert raw.count(b"X-WR-CALNAME") == 1
    # RFC 7986 requires VALUE=DURATION here (icalendar's refresh_interval setter leaves it out)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n" in raw and b"\r\nX-PUBLISHED-TTL:PT12H\r\n" in raw
    assert str(cal["X-WR-CALNAME"]) == "Police schools liaison: Northgate Academy"
    tzs = cal.walk("VTIMEZONE")
    assert [str(t["TZID"]) for t in tzs] == ["Europe/London"]
    # limited to the years the file needs (2026 only here), not 1970-2038
    assert b"1970" not in raw and b"2038" not in raw
    events = events_by_uid(cal)
    assert set(events) == {"ENG-1@slo-desk", "ENG-2@slo-desk"}
    for ev in events.values():
        for prop in ("DTSTART", "DTEND"):
            assert ev[prop].params["TZID"] == "Europe/London"
            assert ev[prop].dt.tzinfo is not None
        assert str(ev["LOCATION"]) == "Northgate Academy"
        assert "PC Sam Okafor" in str(ev["DESCRIPTION"]) and "PC1000" in str(ev["DESCRIPTION"])
        assert "Plain clothes" not in str(ev["DESCRIPTION"])
        assert "DTSTAMP" in ev and "SEQUENCE" in ev
    visit = events["ENG-1@slo-desk"]
    assert str(visit["SUMMARY"]) == "Drop-in at lunch"
    assert str(visit["STATUS"]) == "CONFIRMED"  # delivered stays as it was
    assert visit["DTSTART"].dt == datetime(2026, 1, 5, 9, 0, tzinfo=LONDON)
    one = events["ENG-2@slo-desk"]
    assert str(one["SUMMARY"]) == "Liaison officer: 1:1 session"
    assert str(one["STATUS"]) == "CANCELLED"
    # vobject reads the same events
    assert sorted(v.uid.value for v in vcal.vevent_list) == ["ENG-1@slo-desk", "ENG-2@slo-desk"]
    assert vcal.x_wr_calname.value == "Police schools liaison: Northgate Academy"
    # recurring-ical-events expands them in the right place
    occ = recurring_ical_events.of(cal).between(date(2026, 1, 1), date(2026, 2, 1))
    assert sorted(str(e["UID"]) for e in occ) == ["ENG-1@slo-desk", "ENG-2@slo-desk"]


def test_only_schools_with_engagements_get_a_file_and_plain_clothes_is_said(loaded_store, exports):
    run(loaded_store, exports)
    assert [p.name for p in (exports / "calendars").glob("*.ics")] == ["100000-northgate-academy.ics"]
    add_engagement(loaded_store, "ENG-S1", school=SOUTH, officer="PC1001", starts="2026-06-11T13:30")
    result = run(loaded_store, exports)
    path = file_of(exports, SOUTH)
    assert result.written == [path]
    cal, _ = parse(path)
    (ev,) = cal.walk("VEVENT")
    assert "Plain clothes" in str(ev["DESCRIPTION"])
    assert "PC Jo Hart" in str(ev["DESCRIPTION"]) and "PC1001" in str(ev["DESCRIPTION"])
    assert str(cal["X-WR-CALNAME"]) == "Police schools liaison: Southfield Primary"


def test_window_starts_twelve_months_ago(loaded_store, exports):
    add_engagement(loaded_store, "OLD", starts="2025-05-31T10:00")
    add_engagement(loaded_store, "EDGE", starts="2025-06-01T10:00")
    run(loaded_store, exports)
    cal, _ = parse(file_of(exports, NORTH))
    uids = set(events_by_uid(cal))
    assert "EDGE@slo-desk" in uids and "OLD@slo-desk" not in uids
    assert window_start(date(2028, 2, 29)) == date(2027, 2, 28)
    # the VTIMEZONE now spans 2025-2026: from the last change before 2025 to the last of 2026
    tz_block = file_of(exports, NORTH).read_bytes().split(b"END:VTIMEZONE")[0].decode()
    starts = [ln.split(":")[1] for ln in tz_block.split("\r\n") if ln.startswith("DTSTART:")]
    assert starts[0] == "20241027T020000" and starts[-1] == "20261025T020000" and len(starts) == 5


# ---------------------------------------------------------------- privacy


def test_no_young_persons_name_anywhere(loaded_store, exports, small_bundle):
    # the officer typed the child's name into 1:1 titles and notes, and into a visit title
    add_engagement(loaded_store, "ENG-3", kind="one_to_one", young_person="YP-0001",
                   title="1:1 with Alex Morgan", notes="Alex Morgan said ...", starts="2026-06-12T10:00")
    add_engagement(loaded_store, "ENG-4", kind="other", young_person=None,
                   title="Catch up with alex after lunch", starts="2026-06-12T12:00")
    add_engagement(loaded_store, "ENG-5", kind="one_to_one", title="Session with MORGAN",
                   starts="2026-06-12T14:00")
    run(loaded_store, exports)
    path = file_of(exports, NORTH)
    text = path.read_text(encoding="utf-8")
    unfolded = text.replace("\r\n ", "").lower()
    for yp in small_bundle["young_people"]:
        assert yp["given_name"].lower() not in unfolded
        assert yp["family_name"].lower() not in unfolded
    assert "football" not in unfolded  # notes are never exported
    cal, _ = parse(path)
    events = events_by_uid(cal)
    assert str(events["ENG-3@slo-desk"]["SUMMARY"]) == "Liaison officer: 1:1 session"
    assert str(events["ENG-5@slo-desk"]["SUMMARY"]) == "Liaison officer: 1:1 session"
    assert str(events["ENG-4@slo-desk"]["SUMMARY"]) == "Liaison officer: engagement"
    # a title without a name is left alone
    assert str(events["ENG-1@slo-desk"]["SUMMARY"]) == "Drop-in at lunch"


def test_stored_text_cannot_add_properties_or_events(loaded_store, exports):
    """Text written straight into the database (bypassing the models) is still neutralised."""
    hostile = "Visit\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil\x00\x1b[31m; x=1, y\\nz \\, \\\\ done"
    with loaded_store.write() as db:
        db.execute("UPDATE engagements SET title = ? WHERE ref = 'ENG-1'", [hostile])
        db.execute("UPDATE schools SET name = ? WHERE urn = ?",
                   ["Evil\nX-EVIL:1\\; School\u202e\x07", NORTH])
        db.execute("UPDATE officers SET name = ? WHERE collar_number = 'PC1000'", ["PC\r\nATTENDEE:x Okafor"])
    run(loaded_store, exports)
    path = file_of(exports, NORTH)
    raw = path.read_bytes()
    for bad in (b"\x00", b"\x1b", b"\x07", "\u202e".encode()):
        assert bad not in raw
    cal, vcal = parse(path)
    events = events_by_uid(cal)
    assert set(events) == {"ENG-1@slo-desk", "ENG-2@slo-desk"}
    assert len(vcal.vevent_list) == 2
    summary = str(events["ENG-1@slo-desk"]["SUMMARY"])
    assert "\\" not in summary and "\n" not in summary
    assert summary == "Visit END:VEVENT BEGIN:VEVENT UID:evil[31m; x=1, y/nz /, // done"
    assert [k for k in cal if k.startswith("X-EVIL")] == []
    for ev in events.values():
        assert set(ev) == {"UID", "DTSTAMP", "DTSTART", "DTEND", "SEQUENCE", "SUMMARY", "LOCATION",
                           "DESCRIPTION", "STATUS"}
        assert str(ev["LOCATION"]) == "Evil X-EVIL:1/; School"
    # the calendar's name carries no "," or ";", so icalendar (raw) and vobject (unescaping) read it alike
    label = "Police schools liaison: Evil X-EVIL:1/ - School"
    assert vcal.x_wr_calname.value == label and vcal.contents["name"][0].value == label
    assert str(cal["X-WR-CALNAME"]) == label and str(cal["NAME"]) == label


# ---------------------------------------------------------------- UIDs, SEQUENCE, cancellation


def test_uid_stable_and_sequence_rises_on_change(loaded_store, exports):
    add_engagement(loaded_store, "ENG-T", starts="2026-06-15T09:00")
    run(loaded_store, exports)
    cal, _ = parse(file_of(exports, NORTH))
    before = events_by_uid(cal)["ENG-T@slo-desk"]
    assert int(before["SEQUENCE"]) == 0
    # move it by an hour through the service
    eng = records.get(loaded_store.db, "engagements", "ENG-T")
    records.save(loaded_store, admin(loaded_store),
                 changed(eng, **{"starts_at": datetime(2026, 6, 15, 10), "ends_at": datetime(2026, 6, 15, 11)}))
    result = run(loaded_store, exports)
    assert result.written == [file_of(exports, NORTH)]
    cal, _ = parse(file_of(exports, NORTH))
    after = events_by_uid(cal)["ENG-T@slo-desk"]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == 1
    assert after["DTSTART"].dt == datetime(2026, 6, 15, 10, tzinfo=LONDON)
    # a title change raises it again
    eng = records.get(loaded_store.db, "engagements", "ENG-T")
    records.save(loaded_store, admin(loaded_store), changed(eng, **{"title": "Assembly moved"}))
    run(loaded_store, exports)
    cal, _ = parse(file_of(exports, NORTH))
    assert int(events_by_uid(cal)["ENG-T@slo-desk"]["SEQUENCE"]) == 2


def test_cancellation_republishes_same_uid_as_cancelled(loaded_store, exports):
    add_engagement(loaded_store, "ENG-C", starts="2026-06-16T09:00")
    run(loaded_store, exports)
    eng = records.get(loaded_store.db, "engagements", "ENG-C")
    records.save(loaded_store, admin(loaded_store),
                 changed(eng, **{"status": "cancelled", "cancel_reason": "officer_unavailable"}))
    run(loaded_store, exports)
    cal, vcal = parse(file_of(exports, NORTH))
    ev = events_by_uid(cal)["ENG-C@slo-desk"]
    assert str(ev["STATUS"]) == "CANCELLED"
    assert int(ev["SEQUENCE"]) == 1
    assert [v.status.value for v in vcal.vevent_list if v.uid.value == "ENG-C@slo-desk"] == ["CANCELLED"]


def test_uid_of_an_awkward_ref_is_safe_and_stable(loaded_store, exports):
    ref = "ENG/7; x,y é"
    add_engagement(loaded_store, ref, starts="2026-06-17T09:00")
    run(loaded_store, exports)
    raw = file_of(exports, NORTH).read_bytes()
    assert b"UID:ENG%2F7%3B%20x%2Cy%20%C3%A9@slo-desk\r\n" in raw
    cal, _ = parse(file_of(exports, NORTH))
    assert "ENG%2F7%3B%20x%2Cy%20%C3%A9@slo-desk" in events_by_uid(cal)


# ---------------------------------------------------------------- time zone


def test_local_times_across_the_clock_change(loaded_store, exports):
    # clocks go forward on Sunday 29 March 2026
    add_engagement(loaded_store, "GMT-VISIT", starts="2026-03-23T09:00")
    add_engagement(loaded_store, "BST-VISIT", starts="2026-04-13T09:00")
    run(loaded_store, exports)
    path = file_of(exports, NORTH)
    cal, vcal = parse(path)
    events = events_by_uid(cal)
    march = events["GMT-VISIT@slo-desk"]["DTSTART"].dt
    april = events["BST-VISIT@slo-desk"]["DTSTART"].dt
    assert (march.hour, march.minute) == (9, 0) and (april.hour, april.minute) == (9, 0)
    assert march.astimezone(UTC).hour == 9
    assert april.astimezone(UTC).hour == 8
    # the file's own VTIMEZONE (not the system zone database) gives the same answer: vobject uses it
    by_uid = {v.uid.value: v for v in vcal.vevent_list}
    assert by_uid["GMT-VISIT@slo-desk"].dtstart.value.astimezone(UTC).hour == 9
    assert by_uid["BST-VISIT@slo-desk"].dtstart.value.astimezone(UTC).hour == 8
    occ = recurring_ical_events.of(cal).between(date(2026, 3, 23), date(2026, 3, 24))
    assert [str(e["UID"]) for e in occ] == ["GMT-VISIT@slo-desk"]
    # nothing floating, nothing UTC-only
    text = path.read_text()
    for line in text.split("\r\n"):
        if line.startswith(("DTSTART", "DTEND")) and "VEVENT" not in line:
            if line.startswith(("DTSTART;TZID", "DTEND;TZID")):
                assert not line.endswith("Z")
            else:  # inside VTIMEZONE only
                assert line.startswith("DTSTART:") and not line.endswith("Z")


@pytest.mark.parametrize("years", [(2026, 2026), (2025, 2031), (2019, 2020)])
def test_vtimezone_agrees_with_the_zone_database(years):
    """Every hour of the span converts the same with the file's VTIMEZONE as with zoneinfo."""
    from slo.calendars.ics import vtimezone

    first, last = years
    block = vtimezone(first, last).to_ical().decode()  # the component the files share, serialised by icalendar
    text = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n" + block + "END:VCALENDAR\r\n"
    assert "RRULE" not in text and "RDATE" not in text
    (vtz,) = icalendar.Calendar.from_ical(text).walk("VTIMEZONE")
    tz = vtz.to_tz(lookup_tzid=False)  # built from the file, not looked up by name
    moment = datetime(first, 1, 1, tzinfo=UTC)
    while moment.year <= last:
        assert moment.astimezone(tz).utcoffset() == moment.astimezone(LONDON).utcoffset(), moment
        moment += timedelta(hours=1)
    # the onsets are the UK's: 01:00 GMT on the last Sunday of March, 02:00 BST on the last Sunday of October
    for line in text.split("\r\n"):
        if line.startswith("DTSTART:"):
            onset = datetime.strptime(line[8:], "%Y%m%dT%H%M%S")
            assert onset.weekday() == 6 and (onset + timedelta(days=7)).month != onset.month
            assert (onset.month, onset.hour) in ((3, 1), (10, 2))


SAME_BYTES = """
import hashlib, sys
from datetime import datetime
from slo.calendars.ics import CalEvent, render_calendar
events = [CalEvent(ref=f"E{i}", starts_at=datetime(2026, 3, 20 + i, 9), ends_at=datetime(2026, 3, 20 + i, 10),
                   sequence=i, summary="Assembly; bikes, scooters", location="Northgate, Academy",
                   description=("Officer", "Plain clothes"), cancelled=i == 2, stamp=datetime(2026, 1, 1, 12))
          for i in range(10)]
sys.stdout.write(hashlib.sha256(render_calendar("Police schools liaison: Northgate", events)).hexdigest())
"""


def test_same_events_give_the_same_bytes_in_any_process():
    """The incremental export compares bytes: nothing random (icalendar's ``*.new`` UIDs), clock-dependent
    (a DTSTAMP of now) or hash-ordered may reach a file."""
    import subprocess
    import sys

    digests = set()
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", SAME_BYTES], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "PYTHONHASHSEED": seed}, check=True)
        digests.add(proc.stdout)
    here: dict = {}
    exec(SAME_BYTES.replace("sys.stdout.write(", "here['digest'] = ("), {"here": here})
    digests.add(here["digest"])
    assert len(digests) == 1, digests


# ---------------------------------------------------------------- incremental


def stat_of(path: Path):
    st = path.stat()
    return st.st_ino, st.st_mtime_ns, st.st_size


def test_second_run_writes_nothing_and_a_change_rewrites_only_that_school(loaded_store, exports):
    add_engagement(loaded_store, "ENG-S1", school=SOUTH, officer="PC1001", starts="2026-06-11T13:30")
    first = run(loaded_store, exports)
    assert len(first.written) == 2
    north, south = file_of(exports, NORTH), file_of(exports, SOUTH)
    n0, s0 = stat_of(north), stat_of(south)
    second = run(loaded_store, exports)
    assert second.written == [] and second.unchanged == 2 and second.events == 0
    assert stat_of(north) == n0 and stat_of(south) == s0
    assert sorted(p.name for p in (exports / "calendars").iterdir()) == sorted([north.name, south.name])
    # change one of the south school's engagements
    eng = records.get(loaded_store.db, "engagements", "ENG-S1")
    records.save(loaded_store, admin(loaded_store), changed(eng, **{"title": "Lesson on knife crime"}))
    third = run(loaded_store, exports)
    assert third.written == [south] and third.unchanged == 1
    assert stat_of(north) == n0 and stat_of(south) != s0
    # no temporary file left behind
    assert not [p for p in (exports / "calendars").iterdir() if p.name.startswith(".")]


def test_change_that_does_not_alter_the_file_writes_nothing(loaded_store, exports):
    run(loaded_store, exports)
    north = file_of(exports, NORTH)
    n0 = stat_of(north)
    # a new young person at the school changes the fingerprint, not the file
    with loaded_store.write() as db:
        db.execute("INSERT INTO young_people (ref, given_name, family_name, school) VALUES ('YP-9', 'Zed', 'Quill', ?)",
                   [NORTH])
    result = run(loaded_store, exports)
    assert result.written == [] and result.unchanged == 1
    assert stat_of(north) == n0


def test_officer_rename_and_policy_change_are_noticed(loaded_store, exports):
    run(loaded_store, exports)
    with loaded_store.write() as db:
        db.execute("UPDATE officers SET name = 'PC Sam Okafor-Lee' WHERE collar_number = 'PC1000'")
    assert run(loaded_store, exports).written == [file_of(exports, NORTH)]
    assert "Okafor-Lee" in file_of(exports, NORTH).read_text()
    school = records.get(loaded_store.db, "schools", NORTH)
    records.save(loaded_store, admin(loaded_store), changed(school, **{"uniform_policy": "plain_clothes_only"}))
    assert run(loaded_store, exports).written == [file_of(exports, NORTH)]
    assert "Plain clothes" in file_of(exports, NORTH).read_text()


def test_temporary_files_of_a_crashed_run_are_cleared_by_the_next_run(loaded_store, exports):
    """Issue 18 item 17: 163 temporary files of a killed run survived a rerun with nothing to do
    (and any younger than ten minutes survived every run). A run holds the folder's lock, so every
    temporary file it finds is a leftover, whatever its age, and even when nothing has changed."""
    run(loaded_store, exports)
    folder = exports / "calendars"
    leftovers = [folder / f".tmp-{i:03d}.ics" for i in range(163)]
    for i, tmp in enumerate(leftovers):
        tmp.write_text("half a calendar")
        if i % 2:
            os.utime(tmp, (1, 1))  # old and new alike
    result = run(loaded_store, exports)
    assert result.written == []  # nothing changed ...
    assert [t for t in leftovers if t.exists()] == []  # ... and still every leftover is gone
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in folder.glob("1*.ics"))


def test_a_run_waits_for_another_run_on_the_same_folder(loaded_store, exports):
    """While another run holds the folder (here: the lock taken by hand, with its temporary file
    being written), a second run waits instead of removing that file; then it runs."""
    import threading

    from slo.calendars.export import folder_lock, prepare_folder

    folder = prepare_folder(exports / "calendars")
    results = []
    with folder_lock(folder):
        in_flight = folder / ".tmp-in-flight.ics"
        in_flight.write_text("being written by the run holding the lock")
        worker = threading.Thread(target=lambda: results.append(run(loaded_store, exports)))
        worker.start()
        worker.join(1.0)
        assert worker.is_alive() and in_flight.exists() and results == []
    worker.join(30)
    assert not worker.is_alive()
    assert results[0].written == [file_of(exports, NORTH)]
    assert not in_flight.exists()  # the holder died without renaming it: the next run removes it


def test_modes_are_explicit_whatever_the_umask(loaded_store, exports):
    """Issue 18 item 17: at umask 000 the export folders were 0777 and calendars 0640. Folders made
    by the export are 0700, calendars 0600 (owner only: the calendar service runs as the same account),
    and a calendar left with another mode by an earlier version is set right on the next run."""
    old = os.umask(0)
    try:
        run(loaded_store, exports)
    finally:
        os.umask(old)
    folder = exports / "calendars"
    assert oct(exports.stat().st_mode & 0o777) == oct(0o700)
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    files = list(folder.glob("*.ics"))
    assert len(files) == 1 and {oct(f.stat().st_mode & 0o777) for f in files} == {oct(0o600)}
    os.chmod(files[0], 0o640)
    os.chmod(folder, 0o755)
    assert run(loaded_store, exports).written == []
    assert oct(files[0].stat().st_mode & 0o777) == oct(0o600)
    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)


def test_deleted_or_truncated_file_is_rewritten(loaded_store, exports):
    run(loaded_store, exports)
    north = file_of(exports, NORTH)
    good = north.read_bytes()
    north.write_bytes(good[:100])
    assert run(loaded_store, exports).written == [north]
    assert north.read_bytes() == good
    north.unlink()
    assert run(loaded_store, exports).written == [north]
    assert north.read_bytes() == good


def test_renamed_school_moves_its_file(loaded_store, exports):
    run(loaded_store, exports)
    old = file_of(exports, NORTH)
    school = records.get(loaded_store.db, "schools", NORTH)
    records.save(loaded_store, admin(loaded_store), changed(school, **{"name": "Northgate Hub"}))
    result = run(loaded_store, exports)
    new = exports / "calendars" / "100000-northgate-hub.ics"
    assert result.written == [new] and result.removed == [old]
    assert not old.exists() and new.exists()


def test_events_leaving_the_window_empty_the_file_rather_than_strand_it(loaded_store, exports):
    run(loaded_store, exports)
    north = file_of(exports, NORTH)
    result = run(loaded_store, exports, today=date(2027, 3, 1))
    assert result.written == [north]
    cal, _ = parse(north)
    assert cal.walk("VEVENT") == [] and cal.walk("VTIMEZONE") == []
    assert run(loaded_store, exports, today=date(2027, 3, 1)).written == []


def test_dtstamp_is_stable_and_follows_updated_at(loaded_store, exports):
    add_engagement(loaded_store, "ENG-D", starts="2026-06-18T09:00")
    run(loaded_store, exports)
    cal, _ = parse(file_of(exports, NORTH))
    stamp = events_by_uid(cal)["ENG-D@slo-desk"]["DTSTAMP"].dt
    updated = loaded_store.db.execute("SELECT updated_at FROM engagements WHERE ref = 'ENG-D'").fetchone()[0]
    assert stamp == datetime.fromisoformat(updated).replace(tzinfo=LONDON).astimezone(UTC)
    assert stamp.tzinfo is not None and stamp.utcoffset() == timedelta(0)


# ---------------------------------------------------------------- paths


HOSTILE = ["../../etc/passwd", "/abs", "..", ".", "", "   ", "école Saint-Żółć ñ", "日本語の学校", "a/b\\c",
           "x" * 300, "-" * 70, "CON", "name.ics", "\x00\x1b"]


@pytest.mark.parametrize("name", HOSTILE)
def test_calendar_path_stays_inside_the_export_folder(tmp_path, name):
    exports = tmp_path / "exports"
    path = calendar_path(exports, "123456", name)
    root = (exports / "calendars").resolve()
    assert path.resolve().parent == root
    stem = path.name[: -len(".ics")]
    assert path.name.endswith(".ics") and stem.startswith("123456")
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in stem)
    assert len(stem) <= len("123456-") + 60


def test_slug_transliterates_and_limits():
    from slo.calendars import slugify

    assert slugify("École Saint-Éloi & Straße") == "ecole-saint-eloi-and-strasse"
    assert slugify("../../etc/passwd") == "etc-passwd"
    assert slugify("日本語") == ""
    assert calendar_path(Path("/x"), "123456", "日本語").name == "123456.ics"
    assert len(slugify("ab " * 100)) <= 60 and not slugify("ab " * 100).endswith("-")


def test_hostile_school_names_export_inside_the_folder(loaded_store, exports):
    for name in ("../../etc/passwd", "/abs/school", "日本語"):
        school = records.get(loaded_store.db, "schools", NORTH)
        records.save(loaded_store, admin(loaded_store), changed(school, **{"name": name}))
        result = run(loaded_store, exports)
        (path,) = result.written
        assert path.resolve().parent == (exports / "calendars").resolve()
        _, vcal = parse(path)
        assert vcal.x_wr_calname.value == f"Police schools liaison: {name}"
    assert sorted(p.name for p in (exports / "calendars").iterdir()) == ["100000.ics"]


# ---------------------------------------------------------------- audit


def test_every_written_file_is_audited_as_a_disclosure(loaded_store, exports):
    from slo.services.audit import verify_chain

    head_before = loaded_store.db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    result = run(loaded_store, exports, actor=SYSTEM)
    rows = loaded_store.db.execute(
        "SELECT actor, operation, entity, key, detail, prev_hash FROM audit WHERE operation = 'disclosure'"
    ).fetchall()
    assert len(rows) == 1
    actor, op, entity, key, detail, prev = rows[0]
    detail = json.loads(detail)
    assert (actor, op, entity, key) == ("system", "disclosure", "calendar", NORTH)
    assert detail["events"] == 2
    assert detail["sha256"] == hashlib.sha256(result.written[0].read_bytes()).hexdigest()
    assert detail["audit_head"] == head_before == prev
    # the audit holds no personal data
    assert "Alex" not in json.dumps(detail) and "Morgan" not in json.dumps(detail)
    # a quiet rerun discloses nothing and writes nothing new (idempotent scheduled runs)
    run(loaded_store, exports, actor=SYSTEM)
    assert loaded_store.db.execute("SELECT count(*) FROM audit WHERE operation = 'disclosure'").fetchone()[0] == 1
    assert loaded_store.db.execute(
        "SELECT count(*) FROM audit WHERE operation = 'export' AND entity = 'calendars'").fetchone()[0] == 1
    assert verify_chain(loaded_store.db).ok


# ---------------------------------------------------------------- permissions


def test_slo_exports_only_assigned_schools(loaded_store, exports):
    add_engagement(loaded_store, "ENG-S1", school=SOUTH, officer="PC1001", starts="2026-06-11T13:30")
    slo = load_actor(loaded_store.db, "PC1000")
    result = run(loaded_store, exports, actor=slo)
    assert [p.name for p in result.written] == ["100000-northgate-academy.ics"]
    with pytest.raises(PermissionDenied, match="100001"):
        run(loaded_store, exports, actor=slo, school=SOUTH)
    refused = loaded_store.db.execute(
        "SELECT actor, key FROM audit WHERE operation = 'refused'").fetchall()
    assert refused == [("PC1000", "export_calendars")]
    assert not list((exports / "calendars").glob(f"{SOUTH}-*"))


def test_sergeant_exports_team_schools_and_admin_all(loaded_store, exports):
    add_engagement(loaded_store, "ENG-S1", school=SOUTH, officer="PC1001", starts="2026-06-11T13:30")
    sergeant = load_actor(loaded_store.db, "S200")  # NHT-South: PC1001 -> 100001
    result = run(loaded_store, exports, actor=sergeant)
    assert [p.name for p in result.written] == ["100001-southfield-primary.ics"]
    with pytest.raises(PermissionDenied):
        run(loaded_store, exports, actor=sergeant, school=NORTH)
    result = run(loaded_store, exports)
    assert [p.name for p in result.written] == ["100000-northgate-academy.ics"]


def test_unknown_school_is_not_found(loaded_store, exports):
    with pytest.raises(NotFound, match="999999"):
        run(loaded_store, exports, school="999999")


def test_school_option_exports_one_school(loaded_store, exports):
    add_engagement(loaded_store, "ENG-S1", school=SOUTH, officer="PC1001", starts="2026-06-11T13:30")
    result = run(loaded_store, exports, school=SOUTH)
    assert [p.name for p in result.written] == ["100001-southfield-primary.ics"]
    assert not list((exports / "calendars").glob(f"{NORTH}-*"))


def test_progress_is_reported(loaded_store, exports):
    seen = []
    run(loaded_store, exports, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 1) and seen[-1] == (1, 1)


# ---------------------------------------------------------------- command


def test_cli_export_calendars(loaded_store, db_path, tmp_path, capsys):
    from slo.cli.main import main

    soon = (date.today() + timedelta(days=7)).isoformat()
    add_engagement(loaded_store, "ENG-CLI", starts=f"{soon}T09:00")
    loaded_store.close()
    exports = tmp_path / "out"
    base = ["--db", str(db_path), "--exports", str(exports), "--user", "PC1000"]
    assert main(base + ["export", "calendars"]) == 0
    out, err = capsys.readouterr()
    path = exports / "calendars" / "100000-northgate-academy.ics"
    assert out.splitlines() == [str(path)]
    assert "written 1, unchanged 0, events" in err
    assert path.exists()
    assert main(base + ["export", "calendars", "--school", NORTH]) == 0
    out, err = capsys.readouterr()
    assert out == "" and "written 0, unchanged 1, events 0" in err
    assert main(base + ["export", "calendars", "--school", SOUTH]) == 1
    out, err = capsys.readouterr()
    assert err.startswith("slo: error: ") and "100001" in err and "Traceback" not in err
    assert main(base + ["export", "calendars", "--school", "999999"]) == 1


# ---------------------------------------------------------------- change tracking (m003 triggers)


def test_every_writer_is_noticed_not_only_the_services(loaded_store, exports, small_bundle):
    from slo.services.bundle import import_bundle

    add_engagement(loaded_store, "ENG-S1", school=SOUTH, officer="PC1001", starts="2026-06-11T13:30")
    run(loaded_store, exports)
    north, south = file_of(exports, NORTH), file_of(exports, SOUTH)
    _n0, s0 = stat_of(north), stat_of(south)
    # a bundle import that moves a visit
    small_bundle["engagements"][0]["starts_at"] = "2026-01-05T09:30"
    small_bundle["engagements"][0]["ends_at"] = "2026-01-05T10:30"
    import_bundle(loaded_store, small_bundle, admin(loaded_store))
    assert run(loaded_store, exports).written == [north]
    assert stat_of(south) == s0
    cal, _ = parse(north)
    assert events_by_uid(cal)["ENG-1@slo-desk"]["DTSTART"].dt == datetime(2026, 1, 5, 9, 30, tzinfo=LONDON)
    # a row deleted by hand
    with loaded_store.write() as db:
        db.execute("DELETE FROM engagements WHERE ref = 'ENG-S1'")
    result = run(loaded_store, exports)
    assert result.written == [south]
    cal, _ = parse(south)
    assert cal.walk("VEVENT") == []  # emptied, so subscribers drop the event
    # an engagement moved to the other school: both files change
    with loaded_store.write() as db:
        db.execute("UPDATE engagements SET school = ? WHERE ref = 'ENG-1'", [SOUTH])
    assert sorted(p.name for p in run(loaded_store, exports).written) == [north.name, south.name]
    assert set(events_by_uid(parse(south)[0])) == {"ENG-1@slo-desk"}
    assert set(events_by_uid(parse(north)[0])) == {"ENG-2@slo-desk"}


def test_erasing_a_young_person_keeps_the_session_anonymous(loaded_store, exports):
    add_engagement(loaded_store, "ENG-Y", kind="one_to_one", young_person="YP-0001", starts="2026-06-20T10:00",
                   title="1:1 with Alex")
    run(loaded_store, exports)
    versions = dict(loaded_store.db.execute("SELECT urn, version FROM calendar_changes").fetchall())
    with loaded_store.write() as db:  # what erasure does to the sessions, then the record goes
        db.execute("UPDATE engagements SET young_person = NULL, notes = NULL, sequence = sequence + 1 "
                   "WHERE young_person = 'YP-0001'")
        db.execute("DELETE FROM referrals")
        db.execute("DELETE FROM consultations")
        db.execute("DELETE FROM young_people WHERE ref = 'YP-0001'")
    assert loaded_store.db.execute("SELECT version FROM calendar_changes WHERE urn = ?", [NORTH]).fetchone()[0] > \
        versions[NORTH]
    result = run(loaded_store, exports)
    assert result.written == [file_of(exports, NORTH)]  # SEQUENCE rose
    cal, _ = parse(file_of(exports, NORTH))
    ev = events_by_uid(cal)["ENG-Y@slo-desk"]
    assert str(ev["SUMMARY"]) == "Liaison officer: 1:1 session" and int(ev["SEQUENCE"]) == 1
    assert "Alex" not in file_of(exports, NORTH).read_text()


def test_a_school_with_only_old_engagements_gets_no_file(loaded_store, exports):
    run(loaded_store, exports, today=date(2027, 6, 1))
    assert not (exports / "calendars").exists() or not list((exports / "calendars").glob("*.ics"))
    # and a later run does not rebuild it
    result = run(loaded_store, exports, today=date(2027, 6, 1))
    assert result.written == [] and result.unchanged == 0
    state = loaded_store.db.execute("SELECT path, events FROM calendar_files WHERE urn = ?", [NORTH]).fetchone()
    assert state == ("", 0)


def test_another_export_folder_gets_its_own_files(loaded_store, tmp_path):
    run(loaded_store, tmp_path / "one")
    result = run(loaded_store, tmp_path / "two")
    assert result.written == [tmp_path / "two" / "calendars" / "100000-northgate-academy.ics"]
    assert (tmp_path / "one" / "calendars" / "100000-northgate-academy.ics").exists()


def test_two_exports_at_once_leave_valid_files(loaded_store, exports):
    import threading

    for i in range(30):
        add_engagement(loaded_store, f"ENG-P{i}", starts=f"2026-07-{1 + i % 28:02d}T{9 + i % 6:02d}:00")
    errors, results = [], []

    def export():
        try:
            results.append(run(loaded_store, exports, actor=SYSTEM))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=export) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and len(results) == 2
    cal, _ = parse(file_of(exports, NORTH))
    assert len(cal.walk("VEVENT")) == 32
    assert not [p for p in (exports / "calendars").iterdir() if p.name.startswith(".")]
    assert run(loaded_store, exports).written == []
