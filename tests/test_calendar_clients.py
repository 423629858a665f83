"""The exported calendars in real calendar clients: khal and calcurse (Debian packages).

These tests run the real programs; a missing program fails the test (never a skip).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from slo.calendars import export_calendars
from slo.models.entities import Engagement
from slo.services import records
from slo.services.actors import load_actor

pytestmark = pytest.mark.clients

TODAY = date(2026, 6, 1)
NORTH = "100000"


def admin(store):
    return load_actor(store.db, "A1")


def add(store, ref, starts, *, title="Assembly on online safety", minutes=60, kind="visit", young_person=None):
    start = datetime.fromisoformat(starts)
    records.save(store, admin(store), Engagement(
        ref=ref, officer="PC1000", school=NORTH, young_person=young_person, kind=kind, title=title,
        starts_at=start, ends_at=start + timedelta(minutes=minutes), status="planned",
    ))


def cancel(store, ref):
    eng = records.get(store.db, "engagements", ref)
    data = {**eng.to_bundle(), "status": "cancelled", "cancel_reason": "abstraction"}
    records.save(store, admin(store), Engagement.model_validate(data))


def export(store, exports) -> Path:
    export_calendars(store, admin(store), exports, today=TODAY)
    (path,) = (exports / "calendars").glob(f"{NORTH}-*.ics")
    return path


def tool(name: str) -> str:
    path = shutil.which(name) or f"/usr/bin/{name}"
    assert Path(path).exists(), f"{name} is required for these tests (Debian package {name})"
    return path


@pytest.fixture
def scenario(loaded_store, tmp_path):
    """North school with a visit either side of the March 2026 clock change and awkward titles."""
    add(loaded_store, "GMT", "2026-03-23T09:00", title="Visit before the clock change")
    add(loaded_store, "BST", "2026-04-13T09:00", title="Visit after the clock change")
    add(loaded_store, "PUNCT", "2026-04-14T14:15", title="Assembly; bikes, scooters & leaflets\\notes")
    add(loaded_store, "ONE", "2026-04-15T10:30", kind="one_to_one", young_person="YP-0001",
        title="1:1 with Alex Morgan", minutes=30)
    return loaded_store, tmp_path / "exports"


# ---------------------------------------------------------------- khal


class Khal:
    def __init__(self, root: Path):
        self.root = root
        self.cal = root / "calendar"
        self.cal.mkdir(parents=True)
        (root / "data").mkdir()
        self.config = root / "khal.conf"
        self.config.write_text(
            "[calendars]\n"
            "[[school]]\n"
            f"path = {self.cal}\n"
            "type = calendar\n"
            "\n[locale]\n"
            "timeformat = %H:%M\n"
            "dateformat = %Y-%m-%d\n"
            "longdateformat = %Y-%m-%d\n"
            "datetimeformat = %Y-%m-%d %H:%M\n"
            "longdatetimeformat = %Y-%m-%d %H:%M\n"
            "local_timezone = Europe/London\n"
            "default_timezone = Europe/London\n"
            "\n[sqlite]\n"
            f"path = {root / 'data' / 'khal.db'}\n",
            encoding="utf-8",
        )
        # the machine's zone must not matter: khal converts with the file's TZID
        self.env = {**os.environ, "HOME": str(root), "XDG_CONFIG_HOME": str(root), "XDG_DATA_HOME": str(root / "data"),
                    "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}

    def run(self, *args: str) -> subprocess.CompletedProcess:
        proc = subprocess.run([tool("khal"), "-c", str(self.config), *args], env=self.env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        return proc

    def import_(self, path: Path) -> str:
        return self.run("import", "--batch", "-a", "school", str(path)).stderr

    def day(self, day: str) -> list[str]:
        out = self.run("list", "--format", "{start-time} {title} [{status}]", day, "1d").stdout
        # khal pads {status} with a trailing space
        return [re.sub(r"\s+\]$", "]", line.rstrip()) for line in out.splitlines() if re.match(r"^\d\d:\d\d ", line)]


def test_khal_imports_with_correct_local_times_and_titles(scenario, tmp_path):
    store, exports = scenario
    path = export(store, exports)
    khal = Khal(tmp_path / "khal")
    stderr = khal.import_(path)
    assert "timezone" not in stderr.lower() and "warning" not in stderr.lower(), stderr
    assert khal.day("2026-03-23") == ["09:00 Visit before the clock change [CONFIRMED]"]
    assert khal.day("2026-04-13") == ["09:00 Visit after the clock change [CONFIRMED]"]
    # punctuation and the neutralised backslash survive as one line
    assert khal.day("2026-04-14") == ["14:15 Assembly; bikes, scooters & leaflets/notes [CONFIRMED]"]
    assert khal.day("2026-04-15") == ["10:30 Liaison officer: 1:1 session [CONFIRMED]"]
    assert khal.day("2026-01-06") == ["11:00 Liaison officer: 1:1 session [CANCELLED]"]
    # no child's name reached khal's store either
    stored = " ".join(p.read_text() for p in khal.cal.iterdir())
    assert "Alex" not in stored and "Morgan" not in stored


def test_khal_reimport_replaces_a_moved_and_a_cancelled_visit(scenario, tmp_path):
    store, exports = scenario
    khal = Khal(tmp_path / "khal")
    khal.import_(export(store, exports))
    cancel(store, "BST")
    eng = records.get(store.db, "engagements", "GMT")
    data = {**eng.to_bundle(), "starts_at": "2026-03-23T13:00", "ends_at": "2026-03-23T14:00"}
    records.save(store, admin(store), Engagement.model_validate(data))
    stderr = khal.import_(export(store, exports))
    assert "warning" not in stderr.lower(), stderr
    assert khal.day("2026-04-13") == ["09:00 Visit after the clock change [CANCELLED]"]
    assert khal.day("2026-03-23") == ["13:00 Visit before the clock change [CONFIRMED]"]
    assert len(list(khal.cal.glob("*.ics"))) == 6  # the same UIDs, replaced, not duplicated


# ---------------------------------------------------------------- calcurse


def calcurse_import(path: Path, folder: Path) -> tuple[str, list[str]]:
    folder.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "TZ": "Europe/London", "HOME": str(folder), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"}
    proc = subprocess.run([tool("calcurse"), "-D", str(folder), "-i", str(path)], env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    apts = (folder / "apts").read_text(encoding="utf-8").splitlines()
    return proc.stdout + proc.stderr, apts


def test_calcurse_imports_every_event_at_the_right_time(scenario, tmp_path):
    store, exports = scenario
    path = export(store, exports)
    report, apts = calcurse_import(path, tmp_path / "calcurse")
    assert report.strip().endswith("0 skipped"), report
    assert re.search(r"\b6 apps\b", report), report
    # calcurse drops UID and STATUS; strip its note hash, keep "start -> end |title"
    lines = sorted(re.sub(r">[0-9a-f]+ ", " ", a) for a in apts)
    assert "03/23/2026 @ 09:00 -> 03/23/2026 @ 10:00 |Visit before the clock change" in lines
    assert "04/13/2026 @ 09:00 -> 04/13/2026 @ 10:00 |Visit after the clock change" in lines
    assert "04/14/2026 @ 14:15 -> 04/14/2026 @ 15:15 |Assembly; bikes, scooters & leaflets/notes" in lines
    assert "04/15/2026 @ 10:30 -> 04/15/2026 @ 11:00 |Liaison officer: 1:1 session" in lines
    assert "01/05/2026 @ 09:00 -> 01/05/2026 @ 10:00 |Drop-in at lunch" in lines
    text = "\n".join(apts)
    assert "Alex" not in text and "Morgan" not in text
    # the description reached calcurse's notes, with the officer and no child
    notes = " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "calcurse" / "notes").iterdir())
    assert "PC Sam Okafor" in notes and "Alex" not in notes
