"""The report as a person reads it: a summary in plain sentences, then tables whose every header,
category and code is in words, every rate beside the counts it comes from, and the subset a rate
covers named where the rate stands. Both the md and the html reports are made from this, so they
say the same thing. Plain text only: each format escapes it on the way out.

Tables are generators of rows, so that a national report streams to its file instead of being
built as one string. Nothing here imports Textual."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slo.models.enums import ETHNIC_GROUPS, coded, label

from .definitions import DEFINITIONS, KEY_WORDS
from .evaluation import SUPPRESSED
from .figures import CATEGORIES

MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
#: how many bars a chart shows at most (the largest), so that it fits a page
MAX_BARS = 30
#: the sections whose counts the evaluation dataset suppresses (metrics.md), as tables and charts mark them
SUPPRESSED_SECTIONS = ("by_reason", "by_outcome", "by_proposed", "by_ethnic_group", "ethnicity_missing",
                       "schools.consultations")


# ---------------------------------------------------------------- numbers and words

def is_count(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def num(value: Any) -> str:
    """A count or day count: 3, 3.5, 1,234; "c" for a suppressed count; "–" for none."""
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return SUPPRESSED
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}"
    return f"{int(value):,}"


def pct(value: Any) -> str:
    if value is None:
        return "–"
    if value == SUPPRESSED:
        return SUPPRESSED
    return f"{value * 100:.1f}%"


def rate_of(value: Any, numerator: Any, denominator: Any) -> str:
    """``26.9% (3.5 of 13)``; ``– (none of 0)`` when there is nothing to divide by; ``c`` when suppressed."""
    if value == SUPPRESSED or numerator == SUPPRESSED or denominator == SUPPRESSED:
        return SUPPRESSED
    if value is None:
        return "– (0 of 0)" if not denominator else "–"
    return f"{pct(value)} ({num(numerator)} of {num(denominator)})"


def share_count(rate: Any, denominator: Any) -> Any:
    """The numerator behind a share of whole counts (delivered by the assigned officer, by the officer
    seen most): exact, since the share is numerator / denominator."""
    if not is_count(rate) or not is_count(denominator):
        return None
    return round(rate * denominator)


def plural(n: Any, one: str, many: str | None = None) -> str:
    words = one if n == 1 else (many or one + "s")
    return f"{num(n)} {words}"


def day_words(text: str) -> str:
    d = date.fromisoformat(text)
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def month_words(key: str) -> str:
    year, month = key.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def short(key: str | None) -> str:
    """A pseudonym is 64 hex characters: its first 12 are enough to tell rows apart on a page."""
    if key and len(key) == 64:
        return key[:12]
    return key or "–"


def cancelled(eng: dict[str, Any]) -> int:
    return sum(eng["cancelled"].values())


def decided(eng: dict[str, Any]) -> int:
    return eng["delivered"] + cancelled(eng)


def _joined(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


# ---------------------------------------------------------------- who the report is about

def scope_words(report: dict[str, Any]) -> str:
    scope = report.get("scope") or {"level": "force", "key": None}
    if scope["level"] == "officer":
        return f"officer {scope['key']}"
    if scope["level"] == "team":
        return f"team {scope['key']}"
    return "the whole force"


def title(report: dict[str, Any]) -> str:
    kind = "Evaluation dataset" if report.get("evaluation") else "Continuity report"
    return f"{kind}: {scope_words(report)}, {day_words(report['period']['from'])} to {day_words(counted_to(report))}"


def counted_to(report: dict[str, Any]) -> str:
    return report["period"].get("counted_to") or report["period"]["to"]


def meta_lines(report: dict[str, Any]) -> list[str]:
    period = report["period"]
    lines = [f"Period: {day_words(period['from'])} to {day_words(counted_to(report))}"
             + ("" if counted_to(report) == period["to"] else
                f" (asked for to {day_words(period['to'])}; later days have not happened yet and count nothing)"),
             f"Who: {scope_words(report)}",
             f"Definitions version {report['definitions_version']} (the definitions are at the end)",
             f"Produced {report['generated_at'].replace('T', ' at ')}"]
    if report.get("evaluation"):
        lines.append("Pseudonymised evaluation dataset: no names, no officer beside a school; counts from 1 to 9 "
                     "about children are shown as c")
    return lines


# ---------------------------------------------------------------- the summary

@dataclass
class Paragraph:
    heading: str
    text: str


def summary(report: dict[str, Any]) -> list[Paragraph]:
    """The first page: the headline figures in plain sentences and what they mean."""
    return [p for p in (_covers(report), _abstraction(report), _absence(report), _let_down(report),
                        _consultations(report), _schools(report), _young_people(report), _ethnicity(report))
            if p is not None]


def _covers(report: dict[str, Any]) -> Paragraph:
    n_off, n_sch, n_yp = len(report["officers"]), len(report["schools"]), len(report["young_people"])
    text = (f"This report covers {scope_words(report)} from {day_words(report['period']['from'])} to "
            f"{day_words(counted_to(report))}: {plural(n_off, 'schools liaison officer')}, "
            f"{plural(n_sch, 'school')} and {plural(n_yp, 'young person', 'young people')} with 1:1 sessions.")
    if counted_to(report) != report["period"]["to"]:
        text += (f" The period asked for runs to {day_words(report['period']['to'])}; the days after "
                 f"{day_words(counted_to(report))} have not happened yet, so they count nothing.")
    text += " Sergeants, inspectors and admins are not counted as schools liaison officers."
    return Paragraph("What this covers", text)


def _abstraction(report: dict[str, Any]) -> Paragraph:
    f = report["force"]
    who = "The officer was" if len(report["officers"]) == 1 else "Officers were"
    if not f["rostered_days"]:
        return Paragraph("Taken off schools work", "No officer had a day available for schools work in the "
                         "period, so there is no abstraction rate.")
    text = (f"{who} taken off schools work for other police duties (abstracted) on {num(f['abstracted_days'])} of "
            f"the {num(f['rostered_days'])} days they were available: an abstraction rate of "
            f"{pct(f['abstraction_rate'])}.")
    top = sorted(((v, c) for c, v in f["abstracted_days_by_category"].items() if v), key=lambda x: (-x[0], x[1]))
    if top:
        text += " Most of it was for " + _joined(
            [f"{label(c).lower()} ({plural(v, 'day')})" for v, c in top[:3]]) + "."
    if f["pending_review"]:
        text += (f" {plural(f['pending_review'], 'abstraction is', 'abstractions are')} still awaiting a "
                 "sergeant's review.")
    return Paragraph("Taken off schools work", text)


def _absence(report: dict[str, Any]) -> Paragraph | None:
    f = report["force"]
    if not f["pattern_days"]:
        return None
    return Paragraph("Absence, counted apart", (
        f"Separately, {num(f['absence_days'])} of {num(f['pattern_days'])} working days "
        f"({pct(f['unavailability_rate'])}, the unavailability rate) were lost to leave, sickness, rest days, "
        "courses and other absence. Abstraction is counted only on the days left, so the two rates do not "
        "overlap."))


def _let_down(report: dict[str, Any]) -> Paragraph:
    e = report["force"]["engagements"]
    text = (f"{plural(e['total'], 'engagement')} (visits, lessons, assemblies, 1:1 sessions and meetings) "
            f"started in the period: {num(e['delivered'])} delivered, {num(cancelled(e))} cancelled and "
            f"{num(e['planned'])} still planned.")
    if decided(e):
        text += (f" Of those delivered or cancelled, {pct(report['force']['delivery_rate'])} were delivered, and "
                 f"{num(e['cancelled']['abstraction'])} ({pct(report['force']['abstraction_cancellation_rate'])}) "
                 "were cancelled because the officer was taken off schools work.")
    people = report["young_people"]
    broken = [y["broken_arrangements"] for y in people if y["broken_arrangements"]]
    if people:
        text += (f" {plural(len(people), 'young person', 'young people')} had 1:1 sessions; "
                 f"{num(len(broken))} of them had police cancel at least one (the officer taken off schools work "
                 f"or unavailable): {plural(sum(broken), 'session')} in all.")
    return Paragraph("Sessions and young people let down", text)


def _consultations(report: dict[str, Any]) -> Paragraph:
    c = report["consultations"]
    if not c["total"]:
        return Paragraph("Consultations before exclusion", "No school consulted police about excluding a pupil "
                         "in the period.")
    text = (f"Schools consulted police {plural(c['total'], 'time')} about excluding a pupil: "
            f"{num(c['before_decision'])} ({pct(c['before_decision_rate'])}) before the head teacher decided, and "
            f"{num(c['after_decision'])} after.")
    if c["pex_avoided_rate"] == SUPPRESSED:
        text += (" Fewer than 10 consultations before the decision proposed a permanent exclusion and have an "
                 "outcome (or the split of them is that small), so what followed them is not shown.")
    elif c["pex_avoided_rate"] is not None:
        text += (f" Counting only the {num(c.get('pex_decided_count'))} consultations before the decision that "
                 f"proposed a permanent exclusion and have an outcome: {num(c.get('pex_avoided_count'))} "
                 f"({pct(c['pex_avoided_rate'])}) did not end in permanent exclusion.")
    outcomes = sorted(((v, k) for k, v in c["by_outcome"].items() if is_count(v) and v),
                      key=lambda x: (-x[0], x[1]))
    if outcomes:
        text += " What followed all consultations: " + _joined(
            [f"{label(k).lower()} {num(v)}" for v, k in outcomes[:4]]) + "."
    if any(v == SUPPRESSED for v in c["by_outcome"].values()):
        text += " Outcomes with fewer than 10 consultations are shown as c."
    r = c["referrals"]
    text += (f" {plural(r['total'], 'referral')} to partners {'was' if r['total'] == 1 else 'were'} made; "
             f"{num(r['outcome22'])} ended in outcome 22 (diversion or intervention, no further action).")
    return Paragraph("Consultations before exclusion", text)


def _schools(report: dict[str, Any]) -> Paragraph | None:
    schools = report["schools"]
    if not schools:
        return None
    changed = sum(1 for s in schools if s["officer_changes"])
    gaps = sum(1 for s in schools if s["unassigned_days"])
    held = sorted(s["tenure_days_at_end"] for s in schools if s["tenure_days_at_end"])
    text = (f"Of {plural(len(schools), 'school')}, {num(changed)} changed officer during the period and "
            f"{num(gaps)} spent some days with no officer.")
    if held:
        median = held[len(held) // 2] if len(held) % 2 else (held[len(held) // 2 - 1] + held[len(held) // 2]) / 2
        text += (f" On {day_words(counted_to(report))}, {num(len(held))} had an officer, who had held the school "
                 f"without a break for a median of {plural(median, 'day')}.")
    delivered = sum(s["engagements"]["delivered"] for s in schools)
    own = sum(share_count(s["delivered_by_assigned_share"], s["engagements"]["delivered"]) or 0 for s in schools)
    if delivered:
        text += (f" {num(own)} of {num(delivered)} delivered engagements ({pct(own / delivered)}) were by the "
                 "school's own officer.")
    return Paragraph("Continuity for schools", text)


def _young_people(report: dict[str, Any]) -> Paragraph | None:
    people = [y for y in report["young_people"] if y["sessions"]["delivered"]]
    if not people:
        return None
    delivered = sum(y["sessions"]["delivered"] for y in people)
    same = sum(share_count(y["same_officer_share"], y["sessions"]["delivered"]) or 0 for y in people)
    one = sum(1 for y in people if y["same_officer_share"] == 1)
    return Paragraph("Continuity for young people", (
        f"{plural(len(people), 'young person', 'young people')} had delivered 1:1 sessions; {num(one)} saw only one "
        f"officer. Of {plural(delivered, 'delivered session')}, {num(same)} ({pct(same / delivered)}) were with the "
        "officer each young person saw most."))


def _ethnicity(report: dict[str, Any]) -> Paragraph | None:
    c = report["consultations"]
    if not c["total"]:
        return None
    if c["ethnicity_recorded_rate"] == SUPPRESSED:
        text = ("The share of young people consulted about whose ethnicity was recorded rests on fewer than 10 "
                "young people (or fewer than 10 without it), so it is not shown.")
    else:
        text = (f"The self-defined ethnicity of {num(c.get('ethnicity_recorded_count'))} of the "
                f"{plural(c.get('young_people_consulted'), 'young person', 'young people')} consulted about was "
                f"recorded ({pct(c['ethnicity_recorded_rate'])}).")
    missing = [f"{label(k).lower()} {num(v)}" for k, v in c["ethnicity_missing"].items() if v]
    if missing:
        text += " For the rest: " + _joined(missing) + "."
    return Paragraph("Ethnicity recording", text)


# ---------------------------------------------------------------- tables

@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[list[str]]
    intro: str = ""
    #: the metrics.md section whose counts are suppressed in the evaluation dataset, if any
    section: str = ""
    #: columns that hold text (left-aligned); the rest are numbers
    text_columns: int = 1
    long: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _who(entry: dict[str, Any], key: str) -> str:
    return short(entry.get(key) or entry.get("pseudonym"))


def _day_cells(e: dict[str, Any]) -> list[str]:
    return [num(e["pattern_days"]), num(e["absence_days"]),
            rate_of(e["unavailability_rate"], e["absence_days"], e["pattern_days"]),
            num(e["rostered_days"]), num(e["abstracted_days"]),
            rate_of(e["abstraction_rate"], e["abstracted_days"], e["rostered_days"]), num(e["pending_review"])]


def _engagement_cells(e: dict[str, Any], eng: dict[str, Any]) -> list[str]:
    return [num(eng["total"]), num(eng["delivered"]), num(eng["planned"]), num(cancelled(eng)),
            rate_of(e["delivery_rate"], eng["delivered"], decided(eng)),
            rate_of(e["abstraction_cancellation_rate"], eng["cancelled"]["abstraction"], decided(eng))]


DAY_HEADERS = ["Working days", "Days absent", "Unavailability rate", "Days available", "Days taken off",
               "Abstraction rate", "Awaiting review"]
ENGAGEMENT_HEADERS = ["Engagements", "Delivered", "Still planned", "Cancelled", "Delivery rate",
                      "Cancelled by abstraction"]


def _categories(e: dict[str, Any]) -> str:
    parts = [f"{label(c)} {num(v)}" for c, v in e["abstracted_days_by_category"].items() if v]
    return "; ".join(parts) or "none"


def tables(report: dict[str, Any]) -> Iterator[Table]:
    """Every table of the report, in reading order; rows are produced as they are written."""
    evaluation = bool(report.get("evaluation"))
    off_key = "pseudonym" if evaluation else "collar_number"
    team_key = "pseudonym" if evaluation else "ref"
    who = "Officer (pseudonym)" if evaluation else "Officer"
    f = report["force"]

    def totals_rows(cells: Callable[[dict[str, Any]], list[str]]) -> Iterator[list[str]]:
        yield ["All listed officers", *cells(f)]
        for t in report["teams"]:
            yield [f"Team {_who(t, team_key)}", *cells(t)]

    yield Table("Abstraction and absence: the force and each team", ["Who", *DAY_HEADERS],
                totals_rows(_day_cells),
                intro="Days are the officers' working days in the period; abstraction is counted on the days "
                      "available after absence. Rates show the counts they come from in brackets.")
    yield Table("Abstraction and absence by officer", [who, *DAY_HEADERS],
                ([_who(o, off_key), *_day_cells(o)] for o in report["officers"]), long=len(report["officers"]) > 40)
    by_category = f["abstracted_days_by_category"]
    taken = f["abstracted_days"]
    yield Table("Days taken off schools work, by who took the officer", ["Category", "Days", "Share of days taken off"],
                ([label(c), num(by_category[c]), rate_of(by_category[c] / taken if taken else None, by_category[c],
                                                         taken)] for c in CATEGORIES),
                intro="All listed officers together.")
    requesters = report.get("abstracted_days_by_requested_by")
    if requesters is not None:
        yield Table("Who asked for the officers", ["Requested by", "Abstractions", "Days taken off",
                                                   "Share of days taken off", "Engagements cancelled"],
                    ([r["requested_by"], num(r["abstractions"]), num(r["abstracted_days"]),
                      rate_of(r["abstracted_days"] / taken if taken else None, r["abstracted_days"], taken),
                      num(r["engagements_cancelled"])] for r in requesters),
                    intro="Who took the officers off schools work, as the abstraction names them (requested by), "
                          "most days first: the same days as above, and the engagements those abstractions "
                          "cancelled in the period. Not a definition of metrics.md: an added table.",
                    text_columns=1, long=len(requesters) > 40)
    yield Table("Who took each officer (days)", [who, "Days taken off, by category"],
                ([_who(o, off_key), _categories(o)] for o in report["officers"] if o["abstracted_days"]),
                text_columns=2, long=len(report["officers"]) > 40)
    yield Table("Engagements: the force and each team", ["Who", *ENGAGEMENT_HEADERS],
                totals_rows(lambda e: _engagement_cells(e, e["engagements"])),
                intro="Engagements starting in the period. Delivery and abstraction-cancellation rates are shares "
                      "of the engagements delivered or cancelled (cancelled for any reason).")
    yield Table("Engagements by officer", [who, *ENGAGEMENT_HEADERS],
                ([_who(o, off_key), *_engagement_cells(o, o["engagements"])] for o in report["officers"]),
                long=len(report["officers"]) > 40)
    yield Table("Engagements cancelled, by reason", ["Reason", "Cancelled"],
                ([label(r), num(v)] for r, v in f["engagements"]["cancelled"].items()),
                intro="All listed officers together.")

    named = not evaluation
    school_head = ["URN", "School"] if named else ["URN"]

    def school_cells(s: dict[str, Any]) -> list[str]:
        return [s["urn"], s.get("name") or "–"] if named else [s["urn"]]

    schools = report["schools"]
    many = len(schools) > 40
    yield Table("Schools: who had them", [*school_head, *(["Officer at the end"] if named else []),
                                          "Changes of officer", "Officers who had the school",
                                          "Days without an officer", "Days with the same officer"],
                ([*school_cells(s), *([s["assigned_officer_at_end"] or "none"] if named else []),
                  num(s["officer_changes"]), num(s["distinct_officers"]), num(s["unassigned_days"]),
                  num(s["tenure_days_at_end"])] for s in schools),
                intro=("Every school with an assignment, an engagement or a consultation in the period. "
                       + ("" if named else "The officer at the end is left out of the evaluation dataset: the head "
                          "teachers' calendars name each school's officer.")),
                text_columns=len(school_head) + (1 if named else 0), long=many)
    yield Table("Schools: engagements", [*school_head, "Engagements", "Delivered", "Delivery rate",
                                         "Cancelled by abstraction", "Delivered by the school's own officer",
                                         "Longest gap (days)"],
                ([*school_cells(s), num(s["engagements"]["total"]), num(s["engagements"]["delivered"]),
                  rate_of(s["delivery_rate"], s["engagements"]["delivered"], decided(s["engagements"])),
                  rate_of(s["abstraction_cancellation_rate"], s["engagements"]["cancelled"]["abstraction"],
                          decided(s["engagements"])),
                  rate_of(s["delivered_by_assigned_share"],
                          share_count(s["delivered_by_assigned_share"], s["engagements"]["delivered"]),
                          s["engagements"]["delivered"]),
                  num(s["longest_gap_days"])] for s in schools),
                text_columns=len(school_head), long=many)
    consulted = [s for s in schools if s["consultations"]["total"] != 0]
    yield Table("Schools: consultations", [*school_head, "Consultations", "Before the decision",
                                           "After the decision", "Consulted before the decision"],
                ([*school_cells(s), num(s["consultations"]["total"]), num(s["consultations"]["before_decision"]),
                  num(s["consultations"]["after_decision"]),
                  rate_of(s["before_decision_rate"], s["consultations"]["before_decision"],
                          s["consultations"]["total"])] for s in consulted),
                intro="Schools with at least one consultation in the period.", section="schools.consultations",
                text_columns=len(school_head), long=len(consulted) > 40)

    yp_who = "Young person (pseudonym)" if evaluation else "Young person (reference)"
    people = report["young_people"]
    yield Table("Young people with 1:1 sessions", [yp_who, "Sessions", "Delivered", "Still planned", "Cancelled",
                                                   "Broken by police", "Delivery rate", "Seen by the same officer",
                                                   "Longest gap (days)"],
                ([short(y.get("ref") or y.get("pseudonym")), num(y["sessions"]["total"]),
                  num(y["sessions"]["delivered"]), num(y["sessions"]["planned"]), num(cancelled(y["sessions"])),
                  num(y["broken_arrangements"]),
                  rate_of(y["delivery_rate"], y["sessions"]["delivered"], decided(y["sessions"])),
                  rate_of(y["same_officer_share"], share_count(y["same_officer_share"], y["sessions"]["delivered"]),
                          y["sessions"]["delivered"]),
                  num(y["longest_gap_days"])] for y in people),
                intro="Broken by police: sessions cancelled because the officer was taken off schools work or was "
                      "unavailable. Seen by the same officer: the share of delivered sessions with the officer the "
                      "young person saw most.", long=len(people) > 40)

    c = report["consultations"]
    yield Table("Consultations before exclusion", ["Measure", "Value"], [
        ["Consultations", num(c["total"])],
        ["Before the head teacher's decision", num(c["before_decision"])],
        ["After the decision", num(c["after_decision"])],
        ["Consulted before the decision (of all consultations)",
         rate_of(c["before_decision_rate"], c["before_decision"], c["total"])],
        ["Permanent exclusion avoided (only consultations before the decision that proposed a permanent exclusion "
         "and have an outcome)",
         rate_of(c["pex_avoided_rate"], c.get("pex_avoided_count"), c.get("pex_decided_count"))],
        ["Ethnicity recorded (of the different young people consulted about)",
         rate_of(c["ethnicity_recorded_rate"], c.get("ethnicity_recorded_count"), c.get("young_people_consulted"))],
        ["Referrals to partners", num(c["referrals"]["total"])],
        ["Referrals ending in outcome 22", num(c["referrals"]["outcome22"])],
    ], text_columns=1)
    yield Table("Consultations by what the school proposed", ["Proposed", "Consultations"],
                ([label(k), num(v)] for k, v in c["by_proposed"].items()), section="by_proposed")
    yield Table("Consultations by outcome", ["Outcome", "Consultations"],
                ([label(k), num(v)] for k, v in c["by_outcome"].items()), section="by_outcome")
    yield Table("Consultations by DfE exclusion reason", ["Reason", "Consultations"],
                ([coded(k), num(v)] for k, v in c["by_reason"].items()), section="by_reason",
                intro="A consultation with several reasons counts once under each.")
    groups = c["by_ethnic_group"]
    yield Table("Consultations by the young person's ethnic group", ["Ethnic group", "Consultations",
                                                                    "After the decision", "Ended in suspension",
                                                                    "Ended in permanent exclusion"],
                ([label(g), *(num(groups[g][m]) for m in ("total", "after_decision", "suspension",
                                                           "permanent_exclusion"))] for g in ETHNIC_GROUPS),
                section="by_ethnic_group",
                intro="Self-defined ethnicity as recorded now; not stated includes no code at all.")
    yield Table("Young people consulted about without an ethnicity recorded, by reason", ["Reason", "Young people"],
                ([label(k), num(v)] for k, v in c["ethnicity_missing"].items()), section="ethnicity_missing")
    yield Table("Referrals by partner", ["Partner", "Referrals"],
                ([label(k), num(v)] for k, v in c["referrals"]["by_partner"].items()))
    months, before = months_shown(report)
    yield Table("Engagements by month", ["Month", "Delivered", "Cancelled", "Still planned"],
                ([month_words(m["month"]), num(m["delivered"]), num(m["cancelled"]), num(m["planned"])]
                 for m in months),
                intro=before)


def months_shown(report: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    """The months from the first with an engagement (months before the data starts are not shown as
    0 / 0), and a sentence saying which were left out."""
    months = list(report.get("months", []))
    first = next((i for i, m in enumerate(months) if m["delivered"] or m["cancelled"] or m["planned"]), None)
    if first is None:
        return [], "No engagement was recorded in the period."
    if first == 0:
        return months, ""
    return months[first:], (f"No engagement was recorded before {month_words(months[first]['month'])}, so the "
                            "months before it are not shown.")


# ---------------------------------------------------------------- charts (data only; each format draws them)

@dataclass
class Bars:
    title: str
    caption: str
    #: (label, values); a value is a number or "c"
    items: list[tuple[str, list[Any]]]
    series: list[str]
    percent: bool = False
    section: str = ""


def charts(report: dict[str, Any]) -> list[Bars]:
    evaluation = bool(report.get("evaluation"))
    out = []
    f = report["force"]
    out.append(Bars("Days taken off schools work, by who took the officer", "All listed officers together.",
                    [(label(c), [f["abstracted_days_by_category"][c]]) for c in CATEGORIES
                     if f["abstracted_days_by_category"][c]] or [("No days taken off", [0])], ["days"]))
    officers = sorted((o for o in report["officers"] if o["abstraction_rate"] is not None),
                      key=lambda o: (-o["abstraction_rate"], o.get("collar_number") or o.get("pseudonym")))
    more = len(officers) > MAX_BARS
    out.append(Bars("Abstraction rate by officer",
                    (f"The {MAX_BARS} highest of {len(officers)} officers." if more else "Every listed officer.")
                    + " The rate is the share of the officer's days available that were taken off schools work.",
                    [(short(o.get("collar_number") or o.get("pseudonym")), [o["abstraction_rate"]])
                     for o in officers[:MAX_BARS]] or [("No officer days", [None])], ["abstraction rate"],
                    percent=True))
    schools = [s for s in report["schools"] if is_count(s["consultations"]["total"]) and s["consultations"]["total"]]
    schools.sort(key=lambda s: (-s["consultations"]["total"], s["urn"]))
    caption = ("Schools with most consultations" + (f" (the {MAX_BARS} with most of {len(schools)})" if
                                                     len(schools) > MAX_BARS else "") + ".")
    if evaluation:
        caption += " Schools with fewer than 10 consultations are not shown (their counts are suppressed)."
    out.append(Bars("Consultations before and after the head teacher's decision, by school", caption,
                    [((s.get("name") or s["urn"]), [s["consultations"]["before_decision"],
                                                   s["consultations"]["after_decision"]]) for s in schools[:MAX_BARS]]
                    or [("No consultations to show", [0, 0])], ["before the decision", "after the decision"],
                    section="schools.consultations"))
    months, before = months_shown(report)
    out.append(Bars("Delivered and cancelled engagements by month", before or "Engagements starting in each month.",
                    [(month_words(m["month"]), [m["delivered"], m["cancelled"]]) for m in months]
                    or [("No engagements", [0, 0])], ["delivered", "cancelled"]))
    return out


# ---------------------------------------------------------------- definitions

def definition_rows() -> list[list[str]]:
    return [[d.name, d.sentence, d.formula] for d in DEFINITIONS]


def key_words(key: str) -> str:
    return KEY_WORDS.get(key) or label(key)
