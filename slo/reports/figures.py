"""The continuity figures of ``docs/spec/metrics.md`` (definitions version 2).

Every function here counts the period ``date_from..date_to`` it is given: the caller has already
cut TO back to AS_OF (``counted_to``), so days after AS_OF are never passed in. The desk's entry
points (``officer_figures``, ``officer_impact``, ``weekly_abstraction_rates``) take ``as_of`` and
cut the period themselves.

Counting is done in SQL where it is natural (engagement, consultation and
referral counts, delivered dates and their gaps); day arithmetic over working
patterns, absences and abstractions is done in Python over the (few) rows that
overlap the period. Every SQL value is bound as a parameter; lists of keys are
bound as one JSON array and read with ``json_each``.

Nothing here imports Textual.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from slo.models.enums import (
    ETHNIC_GROUPS,
    WEEKDAY_INDEX,
    AbstractionCategory,
    CancelReason,
    EthnicityMissingReason,
    Outcome,
    Partner,
    Proposed,
    ReasonCode,
    ethnic_group,
)

if TYPE_CHECKING:
    from sqlite_utils import Database

CATEGORIES = [c.value for c in AbstractionCategory]
CANCEL_REASONS = [r.value for r in CancelReason]
PROPOSED = [p.value for p in Proposed]
OUTCOMES = [o.value for o in Outcome]
REASONS = [r.value for r in ReasonCode]
PARTNERS = [p.value for p in Partner]
MISSING_REASONS = [r.value for r in EthnicityMissingReason] + ["unspecified"]
ETHNIC_MEASURES = ["total", "after_decision", "suspension", "permanent_exclusion"]

DAY_KEYS = ["pattern_days", "absence_days", "rostered_days", "abstracted_days"]


# ---------------------------------------------------------------- helpers

def rate(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator``, or None when the denominator is 0."""
    if not denominator:
        return None
    return numerator / denominator


def _num(x: float) -> float | int:
    """Day counts: an int when whole, else the half as a float (x.5)."""
    return int(x) if float(x).is_integer() else float(x)


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


def _day(text: str) -> date:
    """A date column that is never null (start dates, absence and abstraction spans)."""
    return date.fromisoformat(text[:10])


def _end_bound(date_to: date) -> str:
    """Exclusive upper bound for ``starts_at`` text comparisons: the day after TO."""
    return (date_to + timedelta(days=1)).isoformat()


def counted_to(date_from: date, date_to: date, as_of: date) -> date:
    """END of metrics.md version 2: the earlier of TO and AS_OF. A FROM after AS_OF has not
    happened yet: ``ValueError`` (the report turns it into a refusal)."""
    if date_from > as_of:
        raise ValueError(f"the period starts ({date_from}) after the day it is counted to ({as_of})")
    return min(date_to, as_of)


def count_weekdays(a: date, b: date, weekdays: set[int]) -> int:
    """Days d with a <= d <= b whose weekday (Mon=0) is in ``weekdays``."""
    if b < a or not weekdays:
        return 0
    n = (b - a).days + 1
    full, rest = divmod(n, 7)
    total = full * len(weekdays)
    start = a.weekday()
    for i in range(rest):
        if (start + i) % 7 in weekdays:
            total += 1
    return total


def empty_engagements() -> dict[str, Any]:
    return {"total": 0, "delivered": 0, "planned": 0, "cancelled": {r: 0 for r in CANCEL_REASONS}}


def _add_engagement_row(eng: dict[str, Any], status: str, reason: str | None, n: int) -> None:
    eng["total"] += n
    if status == "delivered":
        eng["delivered"] += n
    elif status == "planned":
        eng["planned"] += n
    elif status == "cancelled":
        key = reason if reason in eng["cancelled"] else "other"
        eng["cancelled"][key] += n


def engagement_rates(eng: dict[str, Any]) -> dict[str, float | None]:
    cancelled = sum(eng["cancelled"].values())
    base = eng["delivered"] + cancelled
    return {
        "delivery_rate": rate(eng["delivered"], base),
        "abstraction_cancellation_rate": rate(eng["cancelled"]["abstraction"], base),
    }


def longest_gap(date_from: date, date_to: date, first: date | None, last: date | None,
                inner_gap: int | None) -> int:
    """Largest (next - previous - 1) over (FROM-1, d1..dk, TO+1); inner gaps given by SQL."""
    if first is None or last is None:
        return (date_to - date_from).days + 1
    candidates = [(first - date_from).days, (date_to - last).days]
    if inner_gap is not None:
        candidates.append(int(inner_gap))
    return max(candidates)


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(sorted(set(values)))


# ---------------------------------------------------------------- one pass over engagements

class Facts:
    """Everything the report needs from the engagements starting in P, gathered in one pass:
    engagement objects by officer, school and young person, delivered dates, delivered
    (officer, date) pairs per school, delivered sessions per (young person, officer), months."""

    def __init__(self) -> None:
        self.by_officer: dict[str, dict[str, Any]] = defaultdict(empty_engagements)
        self.by_school: dict[str, dict[str, Any]] = defaultdict(empty_engagements)
        self.by_young_person: dict[str, dict[str, Any]] = defaultdict(empty_engagements)
        self.school_dates: dict[str, set[str]] = defaultdict(set)
        self.school_delivered: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.yp_dates: dict[str, set[str]] = defaultdict(set)
        self.yp_officers: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.months: dict[tuple[str, str], int] = defaultdict(int)

    @classmethod
    def load(cls, db: Database, date_from: date, date_to: date) -> Facts:
        """One read of every engagement starting in P (a plain table scan for long periods,
        which SQLite does faster than half a million index look-ups)."""
        hint = "NOT INDEXED" if (date_to - date_from).days > 62 else ""
        rows = db.execute(
            f"SELECT officer, school, young_person, status, cancel_reason, substr(starts_at, 1, 10) "
            f"FROM engagements {hint} WHERE starts_at >= ? AND starts_at < ?",
            [date_from.isoformat(), _end_bound(date_to)],
        )
        facts = cls()
        by_officer, by_school, by_yp = facts.by_officer, facts.by_school, facts.by_young_person
        months = facts.months
        for officer, school, yp, status, reason, day in rows:
            _add_engagement_row(by_officer[officer], status, reason, 1)
            _add_engagement_row(by_school[school], status, reason, 1)
            months[(day[:7], status)] += 1
            delivered = status == "delivered"
            if delivered:
                facts.school_dates[school].add(day)
                facts.school_delivered[school].append((officer, day))
            if yp is not None:
                _add_engagement_row(by_yp[yp], status, reason, 1)
                if delivered:
                    facts.yp_dates[yp].add(day)
                    facts.yp_officers[yp][officer] += 1
        return facts

    @staticmethod
    def gap(dates: set[str] | None, date_from: date, date_to: date) -> int:
        if not dates:
            return (date_to - date_from).days + 1
        ordered = [date.fromisoformat(x) for x in sorted(dates)]
        prev, best = date_from - timedelta(days=1), 0
        for day in ordered + [date_to + timedelta(days=1)]:
            best = max(best, (day - prev).days - 1)
            prev = day
        return best


# ---------------------------------------------------------------- officers

def _officer_engagement_counts(db: Database, collars: list[str] | None, date_from: date,
                               date_to: date, *, by: str = "officer") -> dict[str, dict[str, Any]]:
    """Engagement objects keyed by ``by`` (officer or school) over engagements starting in P."""
    assert by in ("officer", "school")
    sql = (f"SELECT {by}, status, cancel_reason, COUNT(*) FROM engagements "
           "WHERE starts_at >= ? AND starts_at < ?")
    params: list[Any] = [date_from.isoformat(), _end_bound(date_to)]
    if collars is not None:
        sql += f" AND {by} IN (SELECT value FROM json_each(?))"
        params.append(_json_list(collars))
    sql += f" GROUP BY {by}, status, cancel_reason"
    out: dict[str, dict[str, Any]] = defaultdict(empty_engagements)
    for key, status, reason, n in db.execute(sql, params).fetchall():
        _add_engagement_row(out[key], status, reason, n)
    return out


def officer_figures(db: Database, collars: list[str], date_from: date, date_to: date, *,
                    as_of: date, by_requester: Requesters | None = None) -> list[dict]:
    """metrics.md ``officers[]`` entries for those of ``collars`` of role ``slo`` in post in P,
    sorted by collar, counted to the earlier of ``date_to`` and ``as_of``. A period that starts
    after ``as_of`` has nothing counted yet: ``[]``. ``by_requester`` (if given) also gathers the
    abstracted days by who asked for the officer (:class:`Requesters`)."""
    if date_from > as_of:
        return []
    return _officer_figures(db, collars, date_from, min(date_to, as_of), by_requester=by_requester)


class Requesters:
    """Abstracted days by ``requested_by`` (an added key of the report, not a metrics.md definition):
    the same days as ``abstracted_days`` (rostered days only, 1 for a full day, 0.5 for a half), grouped
    by who asked for the officer. Spellings that differ only in case and spaces are one requester, shown
    in its most used spelling."""

    def __init__(self) -> None:
        self.days: dict[str, float] = defaultdict(float)
        self.refs: dict[str, set[str]] = defaultdict(set)
        self.spellings: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.by_category: dict[str, dict[str, float]] = defaultdict(lambda: {c: 0.0 for c in CATEGORIES})

    @staticmethod
    def key(requested_by: str) -> str:
        return " ".join((requested_by or "").split()).casefold()

    def add(self, requested_by: str, ref: str, category: str, value: float) -> None:
        """One rostered day (``value`` 1 or 0.5) of abstraction ``ref`` (after :meth:`seen`)."""
        key = self.key(requested_by)
        self.days[key] += value
        self.refs[key].add(ref)
        self.by_category[key][category if category in CATEGORIES else "other"] += value

    def seen(self, requested_by: str, ref: str) -> None:
        """An abstraction overlapping P (it counts as one, even with no rostered day in P)."""
        key = self.key(requested_by)
        if ref not in self.refs[key]:
            self.spellings[key][" ".join((requested_by or "").split())] += 1
        self.refs[key].add(ref)
        self.days.setdefault(key, 0.0)

    def rows(self, cancelled: dict[str, int] | None = None) -> list[dict[str, Any]]:
        """One object per requester, most days first: ``requested_by``, ``abstractions``,
        ``abstracted_days``, ``abstracted_days_by_category`` and ``engagements_cancelled`` (engagements
        in P cancelled for those abstractions, from ``cancelled`` by key)."""
        out = []
        for key in self.refs:
            spelled = sorted(self.spellings[key].items(), key=lambda kv: (-kv[1], kv[0]))
            out.append({
                "requested_by": spelled[0][0] if spelled else key,
                "abstractions": len(self.refs[key]),
                "abstracted_days": _num(self.days.get(key, 0.0)),
                "abstracted_days_by_category": {c: _num(v) for c, v in self.by_category[key].items()},
                "engagements_cancelled": (cancelled or {}).get(key, 0),
            })
        return sorted(out, key=lambda r: (-r["abstracted_days"], -r["abstractions"], r["requested_by"].casefold()))


def requester_cancellations(db: Database, collars: list[str], date_from: date, date_to: date) -> dict[str, int]:
    """Engagements of ``collars`` starting in P cancelled for abstraction, by requester key."""
    out: dict[str, int] = defaultdict(int)
    for requested_by, n in db.execute(
        "SELECT a.requested_by, COUNT(*) FROM engagements e JOIN abstractions a ON a.ref = e.abstraction "
        "WHERE e.status = 'cancelled' AND e.cancel_reason = 'abstraction' AND e.starts_at >= ? AND e.starts_at < ? "
        "AND e.officer IN (SELECT value FROM json_each(?)) GROUP BY a.requested_by",
        [date_from.isoformat(), _end_bound(date_to), _json_list(collars)],
    ).fetchall():
        out[Requesters.key(requested_by)] += n
    return dict(out)


def by_requested_by(db: Database, acc: Requesters, collars: list[str], date_from: date,
                    date_to: date) -> list[dict[str, Any]]:
    """:meth:`Requesters.rows` with the engagements each requester's abstractions cancelled in P."""
    return acc.rows(requester_cancellations(db, collars, date_from, date_to) if collars else {})


def _officer_figures(db: Database, collars: list[str] | None, date_from: date,
                     date_to: date, facts: Facts | None = None, *,
                     by_requester: Requesters | None = None) -> list[dict]:
    p_from, p_to = date_from.isoformat(), date_to.isoformat()
    # version 2: the schools liaison officers only (sergeants, admins... count in no sum)
    sql = ("SELECT collar_number, working_days, start_date, end_date FROM officers "
           "WHERE role = 'slo' AND start_date <= ? AND (end_date IS NULL OR end_date >= ?)")
    params: list[Any] = [p_to, p_from]
    key_filter = ""
    key_params: list[Any] = []
    if collars is not None:
        sql += " AND collar_number IN (SELECT value FROM json_each(?))"
        params.append(_json_list(collars))
        key_filter = " AND officer IN (SELECT value FROM json_each(?))"
        key_params = [_json_list(collars)]
    officers = db.execute(sql + " ORDER BY collar_number", params).fetchall()
    if not officers:
        return []

    absences: dict[str, list[tuple[date, date]]] = defaultdict(list)
    for officer, a, b in db.execute(
        "SELECT officer, date_from, date_to FROM absences WHERE date_to >= ? AND date_from <= ?"
        + key_filter, [p_from, p_to, *key_params]
    ).fetchall():
        absences[officer].append((_day(a), _day(b)))

    abstractions: dict[str, list[tuple[date, date, str, str, str, str]]] = defaultdict(list)
    pending: dict[str, int] = defaultdict(int)
    for officer, a, b, portion, category, status, ref, requested_by in db.execute(
        "SELECT officer, date_from, date_to, portion, category, review_status, ref, requested_by FROM abstractions "
        "WHERE date_to >= ? AND date_from <= ?" + key_filter, [p_from, p_to, *key_params]
    ).fetchall():
        abstractions[officer].append((_day(a), _day(b), portion, category, ref, requested_by))
        if status == "pending":
            pending[officer] += 1

    engagements = (facts.by_officer if facts is not None
                   else _officer_engagement_counts(db, collars, date_from, date_to))

    out = []
    for collar, working_days, start, end in officers:
        wd = {WEEKDAY_INDEX[w] for w in json.loads(working_days or "[]")}
        a = max(date_from, _day(start))
        b = min(date_to, _day(end)) if end else date_to
        pattern = count_weekdays(a, b, wd)
        absent: set[int] = set()
        for x, y in absences.get(collar, ()):
            day, last = max(x, a), min(y, b)
            while day <= last:
                if day.weekday() in wd:
                    absent.add(day.toordinal())
                day += timedelta(days=1)
        by_category = {c: 0.0 for c in CATEGORIES}
        counted: set[int] = set()
        for x, y, portion, category, ref, requested_by in abstractions.get(collar, ()):
            value = 0.5 if portion == "half" else 1.0
            day, last = max(x, a), min(y, b)
            if by_requester is not None:
                by_requester.seen(requested_by, ref)
            while day <= last:
                o = day.toordinal()
                if day.weekday() in wd and o not in absent and o not in counted:
                    counted.add(o)
                    by_category[category if category in by_category else "other"] += value
                    if by_requester is not None:
                        by_requester.add(requested_by, ref, category, value)
                day += timedelta(days=1)
        eng = engagements.get(collar) or empty_engagements()
        entry = {
            "collar_number": collar,
            "pattern_days": pattern,
            "absence_days": len(absent),
            "rostered_days": pattern - len(absent),
            "abstracted_days": 0,
            "abstracted_days_by_category": {k: _num(v) for k, v in by_category.items()},
            "pending_review": pending.get(collar, 0),
            "engagements": eng,
        }
        entry["abstracted_days"] = _num(sum(by_category.values()))
        out.append(with_rates(entry))
    return out


def with_rates(entry: dict[str, Any]) -> dict[str, Any]:
    """Add (or recompute) every rate of an officer/team/force entry from its counts."""
    entry["abstraction_rate"] = rate(entry["abstracted_days"], entry["rostered_days"])
    entry["unavailability_rate"] = rate(entry["absence_days"], entry["pattern_days"])
    entry.update(engagement_rates(entry["engagements"]))
    return entry


def sum_entries(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A team/force entry: every count summed over ``entries``, every rate recomputed."""
    total: dict[str, Any] = {k: 0 for k in DAY_KEYS}
    total["abstracted_days_by_category"] = {c: 0 for c in CATEGORIES}
    total["pending_review"] = 0
    total["engagements"] = empty_engagements()
    for e in entries:
        for k in DAY_KEYS:
            total[k] += e[k]
        for c in CATEGORIES:
            total["abstracted_days_by_category"][c] += e["abstracted_days_by_category"][c]
        total["pending_review"] += e["pending_review"]
        eng = e["engagements"]
        t = total["engagements"]
        for k in ("total", "delivered", "planned"):
            t[k] += eng[k]
        for r in CANCEL_REASONS:
            t["cancelled"][r] += eng["cancelled"][r]
    for k in DAY_KEYS:
        total[k] = _num(total[k])
    total["abstracted_days_by_category"] = {
        c: _num(v) for c, v in total["abstracted_days_by_category"].items()
    }
    return with_rates(total)


def team_figures(db: Database, officers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``teams[]``: one entry per team with a listed officer, sums over its listed officers."""
    collars = [o["collar_number"] for o in officers]
    team_of = dict(db.execute(
        "SELECT collar_number, team FROM officers WHERE collar_number IN (SELECT value FROM json_each(?))",
        [_json_list(collars)],
    ).fetchall())
    members: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in officers:
        team = team_of.get(o["collar_number"])
        if team is not None:
            members[team].append(o)
    return [{"ref": ref, **sum_entries(members[ref])} for ref in sorted(members)]


def officer_impact(db: Database, collars: list[str], date_from: date, date_to: date, *,
                   as_of: date) -> dict[str, dict]:
    """For the desk: per officer, distinct schools and young people whose engagements in P were
    cancelled for abstraction (``schools_affected``; ``young_people_let_down`` counts sessions
    cancelled for abstraction or officer unavailability). P ends at ``as_of`` at the latest."""
    out = {c: {"schools_affected": 0, "young_people_let_down": 0} for c in collars}
    if date_from > as_of:
        return out
    date_to = min(date_to, as_of)
    params = [date_from.isoformat(), _end_bound(date_to), _json_list(collars)]
    for officer, n in db.execute(
        "SELECT officer, COUNT(DISTINCT school) FROM engagements WHERE starts_at >= ? AND starts_at < ? "
        "AND officer IN (SELECT value FROM json_each(?)) AND status = 'cancelled' "
        "AND cancel_reason = 'abstraction' GROUP BY officer", params
    ).fetchall():
        out[officer]["schools_affected"] = n
    for officer, n in db.execute(
        "SELECT officer, COUNT(DISTINCT young_person) FROM engagements WHERE starts_at >= ? AND starts_at < ? "
        "AND officer IN (SELECT value FROM json_each(?)) AND status = 'cancelled' "
        "AND cancel_reason IN ('abstraction', 'officer_unavailable') AND young_person IS NOT NULL "
        "GROUP BY officer", params
    ).fetchall():
        out[officer]["young_people_let_down"] = n
    return out


# ---------------------------------------------------------------- schools

def school_keys(db: Database, date_from: date, date_to: date,
                collars: list[str] | None) -> list[str]:
    """URNs with an assignment overlapping P, an engagement in P or a consultation in P
    (of the given officers when ``collars`` is not None)."""
    p_from, p_to, p_end = date_from.isoformat(), date_to.isoformat(), _end_bound(date_to)
    flt, extra = "", []
    if collars is not None:
        flt = " AND officer IN (SELECT value FROM json_each(?))"
        extra = [_json_list(collars)]
    sql = (
        "SELECT school FROM assignments WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)" + flt
        + " UNION SELECT DISTINCT school FROM engagements WHERE starts_at >= ? AND starts_at < ?" + flt
        + " UNION SELECT DISTINCT school FROM consultations WHERE consulted_on >= ? AND consulted_on <= ?" + flt
    )
    params = [p_to, p_from, *extra, p_from, p_end, *extra, p_from, p_to, *extra]
    return sorted(r[0] for r in db.execute(sql, params).fetchall())


def school_keys_whole(db: Database, date_from: date, date_to: date, facts: Facts) -> list[str]:
    """school_keys for the whole force, with the engagements taken from ``facts``."""
    p_from, p_to = date_from.isoformat(), date_to.isoformat()
    keys = set(facts.by_school)
    keys.update(r[0] for r in db.execute(
        "SELECT school FROM assignments WHERE start_date <= ? AND (end_date IS NULL OR end_date >= ?)",
        [p_to, p_from]))
    keys.update(r[0] for r in db.execute(
        "SELECT DISTINCT school FROM consultations WHERE consulted_on >= ? AND consulted_on <= ?", [p_from, p_to]))
    return sorted(keys)


def _gaps(db: Database, key: str, date_from: date, date_to: date,
          keys: list[str] | None) -> dict[str, tuple[date | None, date | None, int | None]]:
    """Per school or young person: first and last delivered date in P and the largest inner gap."""
    assert key in ("school", "young_person")
    flt, extra = "", []
    if keys is not None:
        flt = f" AND {key} IN (SELECT value FROM json_each(?))"
        extra = [_json_list(keys)]
    sql = (
        f"WITH dd AS (SELECT DISTINCT {key} AS k, substr(starts_at, 1, 10) AS d FROM engagements "
        f"WHERE status = 'delivered' AND starts_at >= ? AND starts_at < ? AND {key} IS NOT NULL{flt}), "
        "g AS (SELECT k, d, CAST(julianday(d) - julianday(LAG(d) OVER (PARTITION BY k ORDER BY d)) AS INTEGER) - 1 "
        "AS gap FROM dd) SELECT k, MIN(d), MAX(d), MAX(gap) FROM g GROUP BY k"
    )
    rows = db.execute(sql, [date_from.isoformat(), _end_bound(date_to), *extra]).fetchall()
    return {k: (_day(a), _day(b), gap) for k, a, b, gap in rows}


def school_figures(db: Database, urns: list[str], date_from: date, date_to: date,
                   *, restrict: bool = True, facts: Facts | None = None) -> list[dict[str, Any]]:
    """``schools[]`` entries for ``urns`` (figures over every record of each school)."""
    if not urns:
        return []
    keys = urns if restrict else None
    wanted = set(urns)
    p_from, p_to, p_end = date_from.isoformat(), date_to.isoformat(), _end_bound(date_to)
    period_days = (date_to - date_from).days + 1

    spans: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
    sql = "SELECT school, officer, start_date, end_date FROM assignments"
    params: list[Any] = []
    if keys is not None:
        sql += " WHERE school IN (SELECT value FROM json_each(?))"
        params.append(_json_list(keys))
    for school, officer, start, end in db.execute(sql + " ORDER BY school, start_date", params):
        spans[school].append((officer, _day(start), _d(end)))

    engagements = (facts.by_school if facts is not None
                   else _officer_engagement_counts(db, keys, date_from, date_to, by="school"))

    by_assigned: dict[str, int] = {}
    sql = (
        "SELECT e.school, COUNT(*) FROM engagements e WHERE e.status = 'delivered' "
        "AND e.starts_at >= ? AND e.starts_at < ? AND EXISTS (SELECT 1 FROM assignments a "
        "WHERE a.school = e.school AND a.officer = e.officer AND a.start_date <= substr(e.starts_at, 1, 10) "
        "AND (a.end_date IS NULL OR a.end_date >= substr(e.starts_at, 1, 10)))"
    )
    params = [p_from, p_end]
    if keys is not None:
        sql += " AND e.school IN (SELECT value FROM json_each(?))"
        params.append(_json_list(keys))
    if facts is None:
        for school, n in db.execute(sql + " GROUP BY e.school", params):
            by_assigned[school] = n
        gaps = _gaps(db, "school", date_from, date_to, keys)
    else:
        for school, pairs in facts.school_delivered.items():
            iso = [(o, s.isoformat(), e.isoformat() if e else "9999-12-31") for o, s, e in spans.get(school, ())]
            by_assigned[school] = sum(
                1 for officer, day in pairs if any(o == officer and s <= day <= e for o, s, e in iso))

    consult: dict[str, dict[str, int]] = defaultdict(lambda: {"total": 0, "before_decision": 0,
                                                               "after_decision": 0})
    sql = ("SELECT school, timing, COUNT(*) FROM consultations WHERE consulted_on >= ? AND consulted_on <= ?")
    params = [p_from, p_to]
    if keys is not None:
        sql += " AND school IN (SELECT value FROM json_each(?))"
        params.append(_json_list(keys))
    for school, timing, n in db.execute(sql + " GROUP BY school, timing", params):
        c = consult[school]
        c["total"] += n
        if timing in c:
            c[timing] += n

    out = []
    for urn in sorted(wanted):
        school_spans = spans.get(urn, [])
        at_end: str | None = None
        run_start = date_to
        covered: list[tuple[date, date]] = []
        officers_in_p: set[str] = set()
        changes = 0
        ends_by_officer: set[tuple[str, date]] = {(o, e) for o, _s, e in school_spans if e is not None}
        for officer, start, end in school_spans:
            if start <= date_to and (end is None or end >= date_from):
                officers_in_p.add(officer)
                covered.append((max(start, date_from), min(end, date_to) if end else date_to))
            if date_from <= start <= date_to and (officer, start - timedelta(days=1)) not in ends_by_officer:
                changes += 1
            if start <= date_to and (end is None or end >= date_to):
                at_end = officer
                run_start = start
        if at_end is not None:
            moved = True
            while moved:
                moved = False
                for officer, start, end in school_spans:
                    if (officer == at_end and start < run_start and end is not None
                            and end >= run_start - timedelta(days=1)):
                        run_start = start
                        moved = True
        covered_days = 0
        last_end: date | None = None
        for a, b in sorted(covered):
            if last_end is not None and a <= last_end:
                a = last_end + timedelta(days=1)
            if b >= a:
                covered_days += (b - a).days + 1
            last_end = b if last_end is None else max(last_end, b)
        eng = engagements.get(urn) or empty_engagements()
        if facts is None:
            first, last, inner = gaps.get(urn, (None, None, None))
            gap = longest_gap(date_from, date_to, first, last, inner)
        else:
            gap = Facts.gap(facts.school_dates.get(urn), date_from, date_to)
        c = consult.get(urn) or {"total": 0, "before_decision": 0, "after_decision": 0}
        entry = {
            "urn": urn,
            "assigned_officer_at_end": at_end,
            "officer_changes": changes,
            "distinct_officers": len(officers_in_p),
            "unassigned_days": period_days - covered_days,
            "tenure_days_at_end": (date_to - run_start).days + 1 if at_end is not None else 0,
            "engagements": eng,
            **engagement_rates(eng),
            "delivered_by_assigned_share": rate(by_assigned.get(urn, 0), eng["delivered"]),
            "longest_gap_days": gap,
            "consultations": c,
            "before_decision_rate": rate(c["before_decision"], c["total"]),
        }
        out.append(entry)
    return out


# ---------------------------------------------------------------- young people

def young_person_keys(db: Database, date_from: date, date_to: date,
                      collars: list[str] | None) -> list[str]:
    sql = ("SELECT DISTINCT young_person FROM engagements WHERE young_person IS NOT NULL "
           "AND starts_at >= ? AND starts_at < ?")
    params: list[Any] = [date_from.isoformat(), _end_bound(date_to)]
    if collars is not None:
        sql += " AND officer IN (SELECT value FROM json_each(?))"
        params.append(_json_list(collars))
    return sorted(r[0] for r in db.execute(sql, params).fetchall())


def young_person_figures(db: Database, refs: list[str], date_from: date, date_to: date,
                         *, restrict: bool = True, facts: Facts | None = None) -> list[dict[str, Any]]:
    if not refs:
        return []
    if facts is not None:
        out = []
        for ref in sorted(set(refs)):
            s = facts.by_young_person.get(ref) or empty_engagements()
            per_officer = facts.yp_officers.get(ref) or {}
            out.append({
                "ref": ref,
                "sessions": s,
                **engagement_rates(s),
                "broken_arrangements": s["cancelled"]["abstraction"] + s["cancelled"]["officer_unavailable"],
                "same_officer_share": rate(max(per_officer.values(), default=0), s["delivered"]),
                "longest_gap_days": Facts.gap(facts.yp_dates.get(ref), date_from, date_to),
            })
        return out
    keys = refs if restrict else None
    flt, extra = "", []
    if keys is not None:
        flt = " AND young_person IN (SELECT value FROM json_each(?))"
        extra = [_json_list(keys)]
    base = [date_from.isoformat(), _end_bound(date_to)]
    sessions: dict[str, dict[str, Any]] = defaultdict(empty_engagements)
    for yp, status, reason, n in db.execute(
        "SELECT young_person, status, cancel_reason, COUNT(*) FROM engagements WHERE young_person IS NOT NULL "
        "AND starts_at >= ? AND starts_at < ?" + flt + " GROUP BY young_person, status, cancel_reason",
        [*base, *extra],
    ):
        _add_engagement_row(sessions[yp], status, reason, n)
    best: dict[str, int] = {}
    for yp, n in db.execute(
        "SELECT young_person, MAX(n) FROM (SELECT young_person, officer, COUNT(*) AS n FROM engagements "
        "WHERE young_person IS NOT NULL AND status = 'delivered' AND starts_at >= ? AND starts_at < ?" + flt
        + " GROUP BY young_person, officer) GROUP BY young_person",
        [*base, *extra],
    ):
        best[yp] = n
    gaps = _gaps(db, "young_person", date_from, date_to, keys)
    out = []
    for ref in sorted(set(refs)):
        s = sessions.get(ref) or empty_engagements()
        first, last, inner = gaps.get(ref, (None, None, None))
        out.append({
            "ref": ref,
            "sessions": s,
            **engagement_rates(s),
            "broken_arrangements": s["cancelled"]["abstraction"] + s["cancelled"]["officer_unavailable"],
            "same_officer_share": rate(best.get(ref, 0), s["delivered"]),
            "longest_gap_days": longest_gap(date_from, date_to, first, last, inner),
        })
    return out


# ---------------------------------------------------------------- consultations

def consultation_figures(db: Database, date_from: date, date_to: date,
                         collars: list[str] | None) -> dict[str, Any]:
    p_from, p_to = date_from.isoformat(), date_to.isoformat()
    sql = ("SELECT c.young_person, c.timing, c.proposed, c.reasons, c.outcome, y.ethnicity, "
           "y.ethnicity_missing_reason FROM consultations c LEFT JOIN young_people y ON y.ref = c.young_person "
           "WHERE c.consulted_on >= ? AND c.consulted_on <= ?")
    params: list[Any] = [p_from, p_to]
    if collars is not None:
        sql += " AND c.officer IN (SELECT value FROM json_each(?))"
        params.append(_json_list(collars))
    total = before = after = 0
    by_proposed = {k: 0 for k in PROPOSED}
    by_outcome = {k: 0 for k in OUTCOMES}
    by_reason = {k: 0 for k in REASONS}
    by_group = {g: {m: 0 for m in ETHNIC_MEASURES} for g in ETHNIC_GROUPS}
    pex_base = pex_avoided = 0
    people: dict[str, tuple[str | None, str | None]] = {}
    for yp, timing, proposed, reasons, outcome, ethnicity, missing in db.execute(sql, params):
        total += 1
        if timing == "before_decision":
            before += 1
            if proposed == "permanent_exclusion" and outcome != "pending":
                pex_base += 1
                if outcome != "permanent_exclusion":
                    pex_avoided += 1
        elif timing == "after_decision":
            after += 1
        if proposed in by_proposed:
            by_proposed[proposed] += 1
        if outcome in by_outcome:
            by_outcome[outcome] += 1
        for code in set(json.loads(reasons or "[]")):
            if code in by_reason:
                by_reason[code] += 1
        g = by_group[ethnic_group(ethnicity)]
        g["total"] += 1
        if timing == "after_decision":
            g["after_decision"] += 1
        if outcome in ("suspension", "permanent_exclusion"):
            g[outcome] += 1
        people[yp] = (ethnicity, missing)
    recorded = sum(1 for e, _m in people.values() if e and e != "NS")
    missing_counts = {k: 0 for k in MISSING_REASONS}
    for e, m in people.values():
        if not e or e == "NS":
            missing_counts[m if m in missing_counts else "unspecified"] += 1

    referral_sql = "SELECT r.partner, r.outcome22 FROM referrals r WHERE r.made_on >= ? AND r.made_on <= ?"
    rparams: list[Any] = [p_from, p_to]
    if collars is not None:
        referral_sql += (
            " AND (r.consultation IN (SELECT ref FROM consultations WHERE officer IN (SELECT value FROM json_each(?)))"
            " OR (r.consultation IS NULL AND (r.young_person IN (SELECT young_person FROM consultations "
            "WHERE officer IN (SELECT value FROM json_each(?))) OR r.young_person IN (SELECT young_person "
            "FROM engagements WHERE young_person IS NOT NULL AND officer IN (SELECT value FROM json_each(?))))))"
        )
        rparams += [_json_list(collars)] * 3
    by_partner = {k: 0 for k in PARTNERS}
    made = outcome22 = 0
    for partner, o22 in db.execute(referral_sql, rparams):
        made += 1
        by_partner[partner if partner in by_partner else "other"] += 1
        if o22:
            outcome22 += 1
    referrals = {"total": made, "by_partner": by_partner, "outcome22": outcome22}
    return {
        "total": total,
        "before_decision": before,
        "after_decision": after,
        "before_decision_rate": rate(before, total),
        "by_proposed": by_proposed,
        "by_outcome": by_outcome,
        "by_reason": by_reason,
        "pex_avoided_rate": rate(pex_avoided, pex_base),
        "ethnicity_recorded_rate": rate(recorded, len(people)),
        "ethnicity_missing": missing_counts,
        "by_ethnic_group": by_group,
        "referrals": referrals,
        # added keys: the counts behind the two rates, so that a reader sees what each rate is of
        "pex_avoided_count": pex_avoided,
        "pex_decided_count": pex_base,
        "ethnicity_recorded_count": recorded,
        "young_people_consulted": len(people),
    }


# ---------------------------------------------------------------- months (charts)

def month_figures(db: Database, date_from: date, date_to: date,
                  collars: list[str] | None, facts: Facts | None = None) -> list[dict[str, Any]]:
    """Engagements starting in P by calendar month: delivered, cancelled, planned (for charts)."""
    sql = ("SELECT substr(starts_at, 1, 7) AS m, status, COUNT(*) FROM engagements "
           "WHERE starts_at >= ? AND starts_at < ?")
    params: list[Any] = [date_from.isoformat(), _end_bound(date_to)]
    if collars is not None:
        sql += " AND officer IN (SELECT value FROM json_each(?))"
        params.append(_json_list(collars))
    months: dict[str, dict[str, Any]] = {}
    y, m = date_from.year, date_from.month
    while (y, m) <= (date_to.year, date_to.month):
        key = f"{y:04d}-{m:02d}"
        months[key] = {"month": key, "delivered": 0, "cancelled": 0, "planned": 0}
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    counted = (((m, st), n) for (m, st), n in facts.months.items()) if facts is not None else (
        ((m, st), n) for m, st, n in db.execute(sql + " GROUP BY m, status", params))
    for (key, status), n in counted:
        if key in months and status in months[key]:
            months[key][status] += n
    return list(months.values())


def weekly_abstraction_rates(db: Database, collars: list[str], end: date,
                             weeks: int = 26, *, as_of: date) -> list[dict[str, Any]]:
    """For the desk chart: the abstraction rate of ``collars`` together, week by week (Mon-Sun),
    for the ``weeks`` weeks ending with the week holding ``end``; each week counted to ``as_of``
    at the latest (the current week so far), weeks that have not started left out."""
    last_monday = end - timedelta(days=end.weekday())
    out = []
    for i in range(weeks - 1, -1, -1):
        monday = last_monday - timedelta(weeks=i)
        if monday > as_of:
            continue
        entries = officer_figures(db, collars, monday, monday + timedelta(days=6), as_of=as_of)
        total = sum_entries(entries)
        out.append({"week": monday.isoformat(), "abstraction_rate": total["abstraction_rate"],
                    "unavailability_rate": total["unavailability_rate"],
                    "abstracted_days": total["abstracted_days"], "rostered_days": total["rostered_days"]})
    return out
