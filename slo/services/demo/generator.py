"""The demo data generator: realistic, made-up, deterministic records written straight to the schema.

Shape of the data (every scale): one force of neighbourhood teams, each with a
sergeant and schools liaison officers (SLOs); an admin ``A1``, inspectors and
an evaluator ``E1``. The first two teams are always ``NHT-North`` (sergeant
``S100``) and ``NHT-South`` (``S200``); ``PC1000`` is the first SLO of
``NHT-North`` with a caseload of 20 schools. Schools come with their
assignment history (an officer change during the year, adjacent spans of the
same officer, some unassigned schools), young people, and a year of work per
officer: absences, abstractions (linked to the sessions they cancelled),
engagements (delivered, cancelled for each reason, planned for the weeks
ahead), consultations with outcomes and follow-ups, and referrals.

Coherent by construction: a school's phase matches the words of its name and
its young people are in the years it teaches (:func:`year_groups`); every
person (officer, head teacher, young person) has a name nobody else has
(:meth:`Plan.unique_name`); every local authority has term dates (the demo's
own calendar, :func:`.calendar.terms`) over the whole period, so deadlines are
not provisional. What changes other records (withdrawn challenges, a handover)
is made afterwards by the real services (:mod:`.history`).

Time is anchored on ``today``: the data covers the 52 weeks up to ``today``
and the next 20 school days. The same ``seed`` and ``today`` give the same
records, byte for byte: every random choice comes from a ``random.Random``
seeded with text naming the seed and the thing being made (an officer, a
school), so the generation order cannot change the result.

Rows go to the tables directly (``executemany`` of tuples in chunks, each chunk
in one ``store.write()`` transaction), streaming officer by officer so memory
stays flat whatever the scale. The data is valid by construction: the tests
export it as a bundle and import it into an empty database, which runs every
model and cross-record rule.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypeVar

from slo.store.db import Store

from . import names as N
from .calendar import academic_year_start, is_school_day, school_days, terms
from .weights import WEIGHTS

Progress = Callable[[str], None]
K = TypeVar("K")


@dataclass(frozen=True)
class Scale:
    """How much to make. Rates are per SLO over the year of data."""

    name: str
    teams: int
    slos_per_team: int
    schools: int
    engagements_per_day: float  # mean engagements on a school day the SLO works
    consultations_per_slo: int
    abstractions_per_slo: int
    young_people_secondary: tuple[int, int]  # young people per secondary-type school (min, max)
    young_people_primary: tuple[int, int]
    inspectors: int = 1
    unassigned_share: float = 0.03


SCALES: dict[str, Scale] = {
    "small": Scale("small", teams=2, slos_per_team=3, schools=66, engagements_per_day=2.2,
                   consultations_per_slo=30, abstractions_per_slo=24,
                   young_people_secondary=(6, 10), young_people_primary=(2, 4)),
    "force": Scale("force", teams=10, slos_per_team=9, schools=1000, engagements_per_day=1.45,
                   consultations_per_slo=28, abstractions_per_slo=55,
                   young_people_secondary=(5, 9), young_people_primary=(1, 3)),
    "national": Scale("national", teams=200, slos_per_team=9, schools=20000, engagements_per_day=1.45,
                      consultations_per_slo=28, abstractions_per_slo=55,
                      young_people_secondary=(5, 9), young_people_primary=(1, 3), inspectors=20),
}

#: PC1000's caseload size, and the positions in it that carry a fixed piece of history
PC1000_SCHOOLS = 20
CHANGED_OFFICER_AT = 3   # PC1000 took this school over from a colleague during the year
ADJACENT_AT = 5          # PC1000 holds this one in two back-to-back assignments
PLAIN_CLOTHES_AT = (2, 9)
NO_VISITS_AT = 14

FLUSH_ROWS = 20000
#: term dates are written for every local authority up to this many days after today
TERMS_AHEAD_DAYS = 183

SLOTS = [time(9, 0), time(10, 30), time(12, 15), time(13, 30), time(15, 0)]
SLOT_GAP = [90, 105, 75, 90, 60]  # minutes to the next slot (the last: to the end of the day)

ENGAGEMENT_KINDS = {  # kind: (weight at a secondary-type school, weight at a primary, minutes)
    "visit": (30, 34, 90),
    "assembly": (8, 10, 30),
    "lesson": (14, 16, 60),
    "one_to_one": (24, 6, 45),
    "drop_in": (10, 8, 60),
    "meeting": (8, 8, 60),
    "case_conference": (3, 2, 90),
    "parent_meeting": (3, 4, 45),
}
TITLES = {
    "visit": ["School visit", "Liaison visit", "Visit: meet DSL & pastoral team"],
    "assembly": ["Assembly: online safety", "Assembly: 'Knife crime - not worth it'",
                 "Assembly: anti-bullying [KS3]", "Assembly: stranger danger"],
    "lesson": ["Lesson: county lines awareness", "Lesson: consent & the law",
               "Lesson: road safety [Year 5]", "Lesson: social media & the law", "Lesson: drugs awareness"],
    "one_to_one": ["Liaison officer: 1:1 session"],
    "drop_in": ["Drop-in at lunch", "Drop-in: 'Ask the police'"],
    "meeting": ["Meeting with DSL", "Safeguarding meeting", "Meeting with head & deputy"],
    "case_conference": ["Multi-agency meeting", "Team around the child meeting"],
    "parent_meeting": ["Parent meeting", "Parents' evening stall"],
}
ENGAGEMENT_NOTES = [
    "Spoke with DSL about Year 9 group & lunchtime issues.",
    "Head asked for follow-up on [Year 10] vape seizures.",
    "Parent's concerns re online contact; advised a CEOP report.",
    "Rearranged from last week's slot at the school's request.",
    "Use the side gate: staff car park closed [building work].",
    "Good engagement; agreed to meet again after half term.",
    "Bring leaflets on county lines & exploitation.",
]

ABSTRACTION_CATEGORIES = {
    "call_handling": 25, "response": 20, "neighbourhood_patrol": 20, "public_order": 12,
    "mutual_aid": 4, "custody": 6, "investigation_support": 5, "training": 4, "court": 3, "other": 1,
}
REQUESTED_BY = {
    "call_handling": "Force control room inspector", "response": "Response sergeant",
    "neighbourhood_patrol": "Neighbourhood inspector", "public_order": "Events planning",
    "mutual_aid": "Mutual aid coordinator", "custody": "Custody manager",
    "investigation_support": "CID detective sergeant", "training": "Learning & development",
    "court": "Witness care unit", "other": "Duty inspector",
}
ABSTRACTION_REASONS = {
    "call_handling": ["Control room short-staffed", "Staff shortage on 'B' relief & sickness"],
    "response": ["Response minimum staffing not met", "Cover for response team [nights]"],
    "neighbourhood_patrol": ["Hotspot patrols after a stabbing", "Town centre ASB patrols"],
    "public_order": ["Football match [Cat C]", "Protest & counter-protest in the town centre"],
    "mutual_aid": ["Mutual aid to a neighbouring force"],
    "custody": ["Custody cover: two detention officers off"],
    "investigation_support": ["House-to-house enquiries for a major incident"],
    "training": ["Officer safety training refresher"],
    "court": ["Crown Court witness"],
    "other": ["Duty inspector's request"],
}
CHALLENGE_NOTES = [
    "Planned 1:1 sessions lost; please ask control room to use the relief first.",
    "Third abstraction this month - raise at the tasking meeting & with the inspector.",
    "Not a schools-priority event; the officer's sessions should have been protected.",
]
ACCEPT_NOTES = [None, None, "Unavoidable; sessions rebooked.", "Agreed in advance with the school's DSL."]
UPHELD_NOTES = [
    "Inspector confirmed: minimum staffing on response had to be met that day.",
    "Control room explained the shortfall; agreed to ask the relief first next time.",
    "Raised at tasking: abstraction stands, schools to be protected in the next rota.",
    None,
]
#: a challenge's result is recorded this many days after the challenge (a range) ...
RESULT_AFTER_DAYS = (3, 12)
#: ... and every challenge older than this has one
RESULT_BY_DAYS = 42

CONSULTED_BY = ["Head teacher", "Deputy head", "Designated safeguarding lead", "Head of Year 9",
                "Head of Year 10", "Assistant head (behaviour)"]
RISK_FACTORS = {
    "criminal_exploitation": 10, "county_lines": 6, "weapon_carrying": 8, "gang_association": 6,
    "missing_episodes": 7, "substance_misuse": 10, "mental_health": 14, "victim_of_violence": 6,
    "family_offending": 6, "online_harm": 8,
}
ADVICE = [
    "Advised a managed move be considered before any permanent exclusion.",
    "Offered 1:1 sessions & a referral to the youth justice service's prevention team.",
    "Suggested an early help assessment; school's DSL to lead.",
    "Shared concerns re exploitation; intelligence submitted [no names in calendar].",
    "Advised that the knife was a prohibited item matter for the school's policy & police.",
    "Agreed a joint home visit with the school's family liaison officer.",
]
PROPOSED_AFTER = {"suspension": 70, "permanent_exclusion": 20, "off_site_direction": 4,
                  "managed_move": 3, "alternative_provision": 3}
PROPOSED_BEFORE = {"suspension": 30, "permanent_exclusion": 30, "managed_move": 12,
                   "off_site_direction": 8, "alternative_provision": 5, "internal_measures": 10, "undecided": 5}
OUTCOME_GIVEN = {  # proposed -> outcome weights for a consultation before the decision
    "suspension": {"suspension": 55, "internal_measures": 25, "no_exclusion": 15, "withdrawn": 5},
    "permanent_exclusion": {"permanent_exclusion": 35, "managed_move": 15, "suspension": 25,
                            "off_site_direction": 10, "alternative_provision": 5, "no_exclusion": 10},
    "managed_move": {"managed_move": 70, "no_exclusion": 20, "withdrawn": 10},
    "off_site_direction": {"off_site_direction": 70, "alternative_provision": 15, "no_exclusion": 15},
    "alternative_provision": {"alternative_provision": 75, "no_exclusion": 25},
    "internal_measures": {"internal_measures": 75, "no_exclusion": 25},
    "undecided": {"no_exclusion": 40, "internal_measures": 40, "suspension": 20},
}
PARTNERS = {"youth_justice": 16, "childrens_social_care": 12, "early_help": 18, "camhs": 14,
            "vru_programme": 10, "mentoring": 12, "sports_programme": 8, "education_programme": 5,
            "substance_misuse": 4, "other": 1}
OUTCOME22_PARTNERS = ("youth_justice", "vru_programme", "mentoring", "sports_programme", "education_programme")


def _pick(rng: random.Random, weights: Mapping[K, float]) -> K:
    """One key of ``weights`` chosen in proportion to its weight (dict order is fixed)."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _pick_some(rng: random.Random, weights: Mapping[K, float], k: int) -> list[K]:
    """``k`` distinct keys, each drawn in proportion to its weight."""
    pool = dict(weights)
    out: list[K] = []
    for _ in range(min(k, len(pool))):
        choice = _pick(rng, pool)
        out.append(choice)
        del pool[choice]
    return out


def _weekday(d: date) -> date:
    """``d``, or the Monday after it when it falls on a weekend."""
    return d + timedelta(days=(7 - d.weekday()) % 7) if d.weekday() >= 5 else d


def _iso(d: date) -> str:
    return d.isoformat()


def _dt(d: date, t: time) -> str:
    return datetime.combine(d, t).strftime("%Y-%m-%dT%H:%M")


# --------------------------------------------------------------------------- the plan


@dataclass
class OfficerPlan:
    collar: str
    name: str
    role: str
    team: str | None
    working_days: list[str]
    start_date: date
    sergeant: str | None = None  # of the officer's team (for reviews)


@dataclass
class Plan:
    """Everything small enough to hold for the whole run (officers, school facts, caseloads)."""

    scale: Scale
    seed: int
    today: date
    start: date  # first day of the data
    horizon: date  # last day of planned work
    teams: list[tuple[str, str, str]] = field(default_factory=list)  # ref, name, sergeant
    officers: list[OfficerPlan] = field(default_factory=list)
    slos: list[OfficerPlan] = field(default_factory=list)
    urns: list[str] = field(default_factory=list)
    phases: list[str] = field(default_factory=list)
    policies: list[str] = field(default_factory=list)
    yp_base: list[int] = field(default_factory=list)
    yp_count: list[int] = field(default_factory=list)
    # collar -> [(school index, start, end or None)]
    caseload: dict[str, list[tuple[int, date, date | None]]] = field(default_factory=lambda: defaultdict(list))
    assignments: list[tuple[str, str, str, str | None]] = field(default_factory=list)
    #: the local authority of each team's schools (made up), in team order
    authorities: dict[str, str] = field(default_factory=dict)
    #: the year groups each school teaches, by phase and name (a junior school: Years 3 to 6)
    years: list[range] = field(default_factory=list)
    #: every person's name so far ("Given Family", without title or role): no two people share one
    names: set[str] = field(default_factory=set)

    def unique_name(self, first: tuple[str, str], key: object, given: Sequence[str]) -> str:
        """``first`` (given, family) as "Given Family" when nobody has that name yet, else another name
        nobody has: the same given name with another family name, then another given name, then a
        double-barrelled family name. The retries draw from a stream of their own (``key`` names the
        person), so the caller's stream, and so everything else it makes, stays as it was."""
        name = f"{first[0]} {first[1]}"
        if name in self.names:
            r = _rng(self.seed, "name", key)
            families = N.FAMILY + N.FAMILY_MORE
            for attempt in range(400):
                first_name = first[0] if attempt < 8 else r.choice(given)
                family = r.choice(families) if attempt < 24 else f"{r.choice(N.FAMILY)}-{r.choice(families)}"
                name = f"{first_name} {family}"
                if name not in self.names:
                    break
            else:  # pragma: no cover - 400 misses in a space of millions
                raise RuntimeError(f"no free name for {key}")
        self.names.add(name)
        return name


def _rng(seed: int, *parts: object) -> random.Random:
    return random.Random(":".join(str(p) for p in (seed, *parts)))


def team_ref(t: int) -> str:
    if t == 0:
        return "NHT-North"
    if t == 1:
        return "NHT-South"
    return f"NHT-{N.TEAM_AREAS[t % len(N.TEAM_AREAS)]}-{t // len(N.TEAM_AREAS) + 1}"


def sergeant_collar(t: int) -> str:
    return f"S{(t + 1) * 100}"


def place_name(n: int) -> str:
    return N.PLACE_START[n % len(N.PLACE_START)] + N.PLACE_END[(n // len(N.PLACE_START) * 7 + n) % len(N.PLACE_END)]


def school_urn(i: int) -> str:
    """A distinct 6-digit URN for school ``i`` (7919 is coprime with 900000, so no two collide)."""
    return str(100000 + (i * 7919 + 13) % 900000)


def make_plan(scale: Scale, seed: int, today: date) -> Plan:
    plan = Plan(scale, seed, today, today - timedelta(days=364), today)
    days_ahead = 0
    day = today
    while days_ahead < 20:
        day += timedelta(days=1)
        if is_school_day(day):
            days_ahead += 1
    plan.horizon = day

    rng = _rng(seed, "officers")
    # teams and their sergeants
    for t in range(scale.teams):
        area = "North" if t == 0 else "South" if t == 1 else place_name(t * 3 + 1)
        plan.teams.append((team_ref(t), f"{area} neighbourhood team", sergeant_collar(t)))
        # the local authority of the team's schools (made up: "Northshire" and "Southshire" for the first
        # two teams, a place name for the rest)
        plan.authorities[team_ref(t)] = ("Northshire", "Southshire")[t] if t < 2 else place_name(t * 5 + 2)

    def person(r: random.Random, key: str) -> str:
        drawn = r.choice(N.OFFICER_GIVEN), r.choice(N.FAMILY)
        return plan.unique_name(drawn, key, N.OFFICER_GIVEN)

    def start_date(r: random.Random, earliest_years: int = 10) -> date:
        return date(plan.start.year - r.randint(2, earliest_years), r.randint(1, 12), 1)

    plan.officers.append(OfficerPlan("A1", f"{person(rng, 'A1')} (admin)", "admin", None,
                                     ["mon", "tue", "wed", "thu", "fri"], start_date(rng)))
    for k in range(scale.inspectors):
        plan.officers.append(OfficerPlan(f"I{k + 1}", f"Insp {person(rng, f'I{k + 1}')}", "inspector", None,
                                         ["mon", "tue", "wed", "thu", "fri"], start_date(rng)))
    plan.officers.append(OfficerPlan("E1", f"Dr {person(rng, 'E1')} (evaluator)", "evaluator", None,
                                     ["mon", "tue", "wed", "thu", "fri"], start_date(rng)))
    for t, (ref, _name, sergeant) in enumerate(plan.teams):
        plan.officers.append(OfficerPlan(sergeant, f"Sgt {person(rng, sergeant)}", "sergeant", ref,
                                         ["mon", "tue", "wed", "thu", "fri"], start_date(rng)))
        for s in range(scale.slos_per_team):
            collar = f"PC{1000 + t * scale.slos_per_team + s}"
            roll = rng.random()
            if collar == "PC1000" or roll < 0.85:
                days = ["mon", "tue", "wed", "thu", "fri"]
            elif roll < 0.95:
                days = ["tue", "wed", "thu", "fri", "sat"]
            else:
                days = ["mon", "tue", "wed", "thu"]
            officer = OfficerPlan(collar, f"PC {person(rng, collar)}", "slo", ref, days, start_date(rng, 8), sergeant)
            plan.officers.append(officer)
            plan.slos.append(officer)

    # schools: facts that the per-officer stage needs again
    n_unassigned = max(4, round(scale.schools * scale.unassigned_share))
    for i in range(scale.schools):
        r = _rng(seed, "school-facts", i)
        phase = _pick(r, {"primary": 80, "secondary": 10, "all_through": 2, "special": 4,
                          "alternative_provision": 2, "post16": 2}) if i % 6 != 1 else "secondary"
        if i == 0:
            phase = "primary"  # St Mary's C of E [VA] Primary (the fixed name of school 0)
        policy = _pick(r, {"uniform_welcome": 965, "plain_clothes_only": 30, "no_visits": 5})
        if i in PLAIN_CLOTHES_AT:
            policy = "plain_clothes_only"
        elif i == NO_VISITS_AT:
            policy = "no_visits"
        elif i < PC1000_SCHOOLS and policy != "uniform_welcome":
            policy = "uniform_welcome"
        plan.urns.append(school_urn(i))
        plan.phases.append(phase)
        plan.policies.append(policy)
        lo, hi = scale.young_people_primary if phase == "primary" else scale.young_people_secondary
        plan.yp_base.append(plan.yp_base[-1] + plan.yp_count[-1] if plan.yp_base else 0)
        plan.yp_count.append(r.randint(lo, hi))

    # caseloads: PC1000 first, then contiguous blocks for the other SLOs, unassigned at the end
    assignable = scale.schools - n_unassigned
    holder: list[OfficerPlan | None] = [None] * scale.schools
    for i in range(PC1000_SCHOOLS):
        holder[i] = plan.slos[0]
    others = plan.slos[1:]
    rest = assignable - PC1000_SCHOOLS
    for j in range(rest):
        holder[PC1000_SCHOOLS + j] = others[j * len(others) // rest]
    team_slos: dict[str | None, list[OfficerPlan]] = defaultdict(list)
    for o in plan.slos:
        team_slos[o.team].append(o)

    window_days = (today - plan.start).days
    for i in range(scale.schools):
        r = _rng(seed, "assignment", i)
        urn = plan.urns[i]
        holding = holder[i]
        spans: list[tuple[OfficerPlan, date, date | None]]
        base = date(plan.start.year - r.randint(1, 3), 9, 1)
        change = plan.start + timedelta(days=r.randint(60, max(61, window_days - 45)))
        change -= timedelta(days=change.weekday())  # a Monday
        if holding is None:
            if r.random() < 0.5:  # had an officer until part-way through the year
                previous = plan.slos[r.randrange(len(plan.slos))]
                spans = [(previous, max(base, previous.start_date), change - timedelta(days=1))]
            else:
                spans = []
        else:
            variant = r.random()
            if i == CHANGED_OFFICER_AT or (i >= PC1000_SCHOOLS and variant < 0.06):
                mates = team_slos[holding.team]
                previous = mates[(mates.index(holding) + 1) % len(mates)]
                spans = [(previous, max(base, previous.start_date), change - timedelta(days=1)),
                         (holding, change, None)]
            elif i == ADJACENT_AT or (i >= PC1000_SCHOOLS and variant < 0.11):
                first = max(base, holding.start_date)
                spans = [(holding, first, change - timedelta(days=1)), (holding, change, None)]
            else:
                spans = [(holding, max(base, holding.start_date), None)]
        for who, start, end in spans:
            plan.assignments.append((who.collar, urn, _iso(start), _iso(end) if end else None))
            plan.caseload[who.collar].append((i, start, end))
    return plan


# --------------------------------------------------------------------------- writing


TABLE_COLUMNS = {
    "teams": ("ref", "name", "sergeant"),
    "officers": ("collar_number", "name", "role", "team", "working_days", "start_date", "end_date"),
    "schools": ("urn", "name", "phase", "local_authority", "postcode", "head_teacher",
                "head_teacher_email", "uniform_policy"),
    "assignments": ("officer", "school", "start_date", "end_date"),
    "young_people": ("ref", "given_name", "family_name", "date_of_birth", "school", "year_group", "sex",
                     "ethnicity", "ethnicity_missing_reason", "sen", "fsm"),
    "absences": ("officer", "date_from", "date_to", "kind"),
    "abstractions": ("ref", "officer", "date_from", "date_to", "portion", "category", "requested_by",
                     "reason", "review_status", "reviewed_by", "reviewed_at", "review_note", "challenged_to",
                     "resolved_on", "resolution_note"),
    "term_dates": ("local_authority", "term_start", "term_end"),
    "engagements": ("ref", "officer", "school", "young_person", "kind", "title", "starts_at", "ends_at",
                    "status", "cancel_reason", "abstraction", "notes", "sequence"),
    "consultations": ("ref", "young_person", "school", "officer", "consulted_on", "consulted_by", "timing",
                      "proposed", "reasons", "suspension_days", "risk_factors", "advice", "outcome",
                      "outcome_on", "follow_up_on", "exclusion_start"),
    "referrals": ("ref", "young_person", "consultation", "partner", "made_on", "status", "outcome22"),
}
#: parents before children, so every chunk satisfies the foreign keys
WRITE_ORDER = ["teams", "officers", "schools", "assignments", "young_people", "absences",
               "abstractions", "engagements", "consultations", "referrals", "term_dates"]


class Sink:
    """Buffers rows per table and writes them in chunks, each chunk in one ``store.write()``."""

    def __init__(self, store: Store):
        self.store = store
        self.buffers: dict[str, list[tuple]] = {t: [] for t in WRITE_ORDER}
        self.counts: dict[str, int] = {t: 0 for t in WRITE_ORDER}
        self.pending = 0
        self.sql = {
            t: f"INSERT INTO [{t}] ({', '.join(f'[{c}]' for c in cols)}) VALUES ({', '.join('?' * len(cols))})"
            for t, cols in TABLE_COLUMNS.items()
        }

    def add(self, table: str, row: tuple) -> None:
        self.buffers[table].append(row)
        self.pending += 1

    def maybe_flush(self) -> None:
        """Flush when enough rows are waiting (call only where every buffered parent is buffered too)."""
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        with self.store.write() as db:
            for table in WRITE_ORDER:
                rows = self.buffers[table]
                if rows:
                    db.conn.executemany(self.sql[table], rows)
                    self.counts[table] += len(rows)
                    rows.clear()
        self.pending = 0


# --------------------------------------------------------------------------- stages


def write_people_and_schools(plan: Plan, sink: Sink) -> None:
    """Teams, officers, schools, assignments and young people."""
    seed = plan.seed
    for ref, name, sergeant in plan.teams:
        sink.add("teams", (ref, name, sergeant))
    for o in plan.officers:
        sink.add("officers", (o.collar, o.name, o.role, o.team, json.dumps(o.working_days), _iso(o.start_date), None))
    sink.flush()

    # the local authority of a school: the area of the team its block of schools belongs to
    la_of_team = plan.authorities
    holder_team: dict[int, str] = {}
    for o in plan.slos:
        for i, _s, _e in plan.caseload[o.collar]:
            holder_team[i] = o.team or ""
    for i, urn in enumerate(plan.urns):
        r = _rng(seed, "school", i)
        phase = plan.phases[i]
        place = place_name(r.randrange(10_000))
        if i == 0:
            name = "St Mary's C of E [VA] Primary"
        elif i == 1:
            name = "Oakfield & District High School"
        elif phase == "primary":
            name = (f"St {r.choice(N.SAINTS)} " if r.random() < 0.3 else f"{place} ") + r.choice(N.PRIMARY_SUFFIX)
        else:
            suffix = {"secondary": N.SECONDARY_SUFFIX, "special": N.SPECIAL_SUFFIX,
                      "alternative_provision": N.AP_SUFFIX, "all_through": N.ALL_THROUGH_SUFFIX,
                      "post16": N.POST16_SUFFIX}[phase]
            name = f"{place} {r.choice(suffix)}"
        plan.years.append(year_groups(phase, name))
        head = None
        email = None
        if r.random() < 0.92:
            title = r.choice(N.HEAD_TITLES)
            given_names = {"Mr": N.HEAD_GIVEN_MALE, "Dr": N.HEAD_GIVEN_FEMALE + N.HEAD_GIVEN_MALE}.get(
                title, N.HEAD_GIVEN_FEMALE)
            head = f"{title} {plan.unique_name((r.choice(given_names), r.choice(N.FAMILY)), urn, given_names)}"
            slug = "".join(ch for ch in place.lower() if ch.isalnum()) + str(i)
            email = f"head@{slug}.sch.example" if r.random() < 0.8 else None
        letters = "ABDEFGHJLNPQRSTUWXYZ"
        postcode = (f"{r.choice(N.POSTCODE_AREAS)}{r.randint(1, 29)} "
                    f"{r.randint(1, 9)}{r.choice(letters)}{r.choice(letters)}")
        la = la_of_team.get(holder_team.get(i, ""), la_of_team[plan.teams[i % len(plan.teams)][0]])
        sink.add("schools", (urn, name, phase, la, postcode if r.random() < 0.95 else None, head, email,
                             plan.policies[i]))
        sink.maybe_flush()
    for row in plan.assignments:
        sink.add("assignments", row)
        sink.maybe_flush()
    # every authority's terms, the demo's calendar, from the start of the data to half a year ahead
    # (so deadlines counted in school days are not provisional)
    spans = terms(plan.start, plan.today + timedelta(days=TERMS_AHEAD_DAYS))
    for la in sorted(set(plan.authorities.values())):
        for start, end in spans:
            sink.add("term_dates", (la, _iso(start), _iso(end)))
    sink.flush()

    year_start = academic_year_start(plan.today)
    for i, urn in enumerate(plan.urns):
        r = _rng(seed, "young-people", i)
        years = {y: WEIGHTS["year_group"][min(y, 12)] for y in plan.years[i]}
        for k in range(plan.yp_count[i]):
            sex = _pick(r, WEIGHTS["sex"]) if r.random() < 0.96 else r.choice(["unknown", "unknown", "other"])
            if sex == "female":
                given = r.choice(N.GIVEN_FEMALE)
            elif sex == "male":
                given = r.choice(N.GIVEN_MALE)
            else:
                given = r.choice(N.GIVEN_OTHER)
            year = _pick(r, years)
            dob = None
            if r.random() < 0.93:
                born_from = date(year_start.year - year - 5, 9, 1)
                dob = _iso(born_from + timedelta(days=r.randrange(365)))
            ethnicity: str | None = _pick(r, WEIGHTS["ethnicity"])
            reason = None
            if r.random() < 0.06:  # not recorded at all
                ethnicity = None
            if ethnicity in (None, "NS") and r.random() < 0.7:
                reason = r.choice(["not_asked", "declined", "not_known"])
            sen = _pick(r, WEIGHTS["sen"]) if r.random() < 0.95 else "unknown"
            fsm = _pick(r, WEIGHTS["fsm"]) if r.random() < 0.94 else "unknown"
            ref = yp_ref(plan, i, k)
            given_names = N.GIVEN_FEMALE if sex == "female" else N.GIVEN_MALE if sex == "male" else N.GIVEN_OTHER
            given, family = plan.unique_name((given, r.choice(N.FAMILY)), ref, given_names).split(" ", 1)
            sink.add("young_people", (ref, given, family, dob, urn, year, sex, ethnicity, reason, sen, fsm))
        sink.maybe_flush()
    sink.flush()


def year_groups(phase: str, name: str) -> range:
    """The year groups of a school of ``phase`` called ``name``: Years 1-6 at a primary (3-6 at a junior
    school), 7-11 at a secondary or a pupil referral unit, 12-13 at a sixth form college, 1-13 at an
    all-through school, 3-12 at a special school. Reception (year 0) is not used: the desk has no
    wording for it yet, and few suspensions are of reception pupils."""
    if phase == "primary":
        return range(3, 7) if "Junior" in name and "Infant" not in name else range(1, 7)
    return {"secondary": range(7, 12), "all_through": range(1, 14), "special": range(3, 13),
            "alternative_provision": range(7, 12), "post16": range(12, 14)}[phase]


def yp_ref(plan: Plan, school: int, k: int) -> str:
    return f"YP-{plan.yp_base[school] + k + 1:06d}"


@dataclass
class Day:
    """What an officer's day holds: an absence kind, or an abstraction (ref, portion, morning?)."""

    absence: str | None = None
    abstraction: str | None = None
    portion: str | None = None
    morning: bool = True


def challenge_result(plan: Plan, ref: str, challenged_on: date) -> tuple[str, str | None, str | None]:
    """What became of the challenge of past abstraction ``ref`` made on ``challenged_on``: its
    review status, ``resolved_on`` and ``resolution_note``. Most challenges that are more than a
    fortnight old have been upheld (the abstraction stands: its days had already passed when it was
    challenged); the rest still await a result, and those older than five working days are on the
    sergeant's due list. Every challenge older than six weeks has been upheld. (Withdrawals, which
    give sessions back, are made by the real service: :mod:`.history`.) Drawn from a stream of its
    own, so the officer's stream is unchanged."""
    r = _rng(plan.seed, "challenge", ref)
    resolved = challenged_on + timedelta(days=r.randint(*RESULT_AFTER_DAYS))
    old = challenged_on < plan.today - timedelta(days=RESULT_BY_DAYS)
    if old or (resolved < plan.today - timedelta(days=2) and r.random() < 0.6):
        return "upheld", _iso(_weekday(resolved)), r.choice(UPHELD_NOTES)
    return "challenged", None, None


def officer_work(plan: Plan, officer: OfficerPlan, sink: Sink, school_day_list: list[date]) -> None:
    """One SLO's year: absences, abstractions, engagements, consultations, referrals."""
    scale, seed, today = plan.scale, plan.seed, plan.today
    r = _rng(seed, "work", officer.collar)
    collar = officer.collar
    works = set(officer.working_days)
    weekday_names = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
    days: dict[date, Day] = {}

    def free(start: date, length: int) -> bool:
        return all((start + timedelta(days=n)) not in days for n in range(length))

    def working(d: date) -> bool:
        return weekday_names[d.weekday()] in works

    span_days = (plan.horizon - plan.start).days

    # absences: annual leave (often in school holidays), sickness (past only), rest days, courses
    absence_plan = [("annual_leave", 5, (3, 10))] + [("sickness", r.randint(0, 3), (1, 5))] + \
                   [("rest_day", r.randint(1, 3), (1, 1))] + [("training_course", r.randint(0, 1), (1, 3))]
    for kind, count, (lo, hi) in absence_plan:
        placed = 0
        for _attempt in range(40):
            if placed >= count:
                break
            length = r.randint(lo, hi)
            latest = (today - plan.start).days - length if kind == "sickness" else span_days - length
            start = plan.start + timedelta(days=r.randint(0, max(0, latest)))
            if kind == "annual_leave":
                start -= timedelta(days=start.weekday())  # leave starts on a Monday
                if start < plan.start:
                    continue
            if not working(start) or not free(start, length):
                continue
            for n in range(length):
                days[start + timedelta(days=n)] = Day(absence=kind)
            sink.add("absences", (collar, _iso(start), _iso(start + timedelta(days=length - 1)), kind))
            placed += 1

    # abstractions: mostly past, a few recent (awaiting review) and a few booked ahead
    n_abs = max(3, round(scale.abstractions_per_slo * r.uniform(0.8, 1.2)))
    recent_from = today - timedelta(days=10)
    abs_no = 0
    for attempt in range(n_abs * 6):
        if abs_no >= n_abs:
            break
        if attempt < 2:  # one recent and one ahead for everybody
            span_from, span_to = ((recent_from, today - timedelta(days=1)) if attempt == 0
                                else (today + timedelta(days=2), plan.horizon))
        elif r.random() < 0.08:
            span_from, span_to = today, plan.horizon
        else:
            span_from, span_to = plan.start, today - timedelta(days=1)
        start = span_from + timedelta(days=r.randint(0, max(0, (span_to - span_from).days)))
        category = _pick(r, ABSTRACTION_CATEGORIES)
        portion = "full" if r.random() < 0.65 else "half"
        length = 1
        if portion == "full" and category in ("public_order", "mutual_aid", "training"):
            length = r.choice([1, 2, 3, 5])
        elif portion == "full" and r.random() < 0.1:
            length = 2
        if not working(start) or not free(start, length):
            continue
        abs_no += 1
        ref = f"ABS-{collar}-{abs_no:03d}"
        end = start + timedelta(days=length - 1)
        morning = r.random() < 0.5
        for n in range(length):
            days[start + timedelta(days=n)] = Day(abstraction=ref, portion=portion, morning=morning)
        status, reviewed_by, reviewed_at, note = "pending", None, None, None
        challenged_to = resolved_on = resolution = None
        reviewed_on = end + timedelta(days=r.randint(1, 6))
        if end < today - timedelta(days=7) and reviewed_on < today:
            roll = r.random()
            if roll < 0.86:
                status, note = "accepted", r.choice(ACCEPT_NOTES)
            elif roll < 0.97:
                status, note = "challenged", r.choice(CHALLENGE_NOTES)
                challenged_to = REQUESTED_BY[category]  # as review_abstraction writes it
                status, resolved_on, resolution = challenge_result(plan, ref, reviewed_on)
            if status != "pending":
                reviewed_by = officer.sergeant
                reviewed_at = _dt(reviewed_on, time(r.randint(8, 17), r.choice([0, 15, 30, 45])))
        sink.add("abstractions", (ref, collar, _iso(start), _iso(end), portion, category, REQUESTED_BY[category],
                                  r.choice(ABSTRACTION_REASONS[category]) if r.random() < 0.85 else None,
                                  status, reviewed_by, reviewed_at, note, challenged_to, resolved_on, resolution))

    # engagements, day by day over the school days the officer works
    spans = plan.caseload.get(collar, [])
    mean = scale.engagements_per_day
    p = min(1.0, mean / 4)
    eng_no = 0
    for d in school_day_list:
        if not working(d):
            continue
        state = days.get(d)
        if state is not None and state.absence is not None and state.absence != "sickness":
            continue
        active = [s for s, a, b in spans if a <= d and (b is None or d <= b) and plan.policies[s] != "no_visits"]
        if not active:
            continue
        k = sum(1 for _ in range(4) if r.random() < p)
        if state is not None and state.absence == "sickness":
            k = min(k, 2)
        if not k:
            continue
        for slot in sorted(r.sample(range(len(SLOTS)), k)):
            school = r.choice(active)
            primary = plan.phases[school] == "primary"
            kind = r.choices(list(ENGAGEMENT_KINDS),
                             weights=[w[1] if primary else w[0] for w in ENGAGEMENT_KINDS.values()])[0]
            young_person = None
            if kind == "one_to_one":
                count = plan.yp_count[school]
                young_person = yp_ref(plan, school, min(int(r.expovariate(0.7)), count - 1))
            minutes = min(ENGAGEMENT_KINDS[kind][2], SLOT_GAP[slot])
            starts = datetime.combine(d, SLOTS[slot])
            ends = starts + timedelta(minutes=minutes)
            title = r.choice(TITLES[kind])
            if plan.policies[school] == "plain_clothes_only" and kind != "one_to_one":
                title += " (plain clothes)"
            status, reason, abstraction, sequence = "delivered", None, None, 0
            if state is not None and state.absence == "sickness":
                status, reason = "cancelled", "officer_unavailable"
            elif state is not None and state.abstraction is not None and (
                state.portion == "full" or state.morning == (slot < 2)
            ):
                status, reason, abstraction = "cancelled", "abstraction", state.abstraction
            elif d >= today:
                status = "planned" if r.random() < 0.97 else "cancelled"
                if status == "cancelled":
                    reason = "school"
            else:
                roll = r.random()
                if roll < 0.90:
                    status = "delivered"
                elif roll < 0.94:
                    status, reason = "cancelled", "school"
                elif roll < 0.97:
                    status, reason = "cancelled", "young_person" if young_person else "school"
                elif roll < 0.99:
                    status, reason = "cancelled", "officer_unavailable"
                else:
                    status, reason = "cancelled", "other"
            if status == "cancelled":
                sequence = 1  # it was on the school's calendar, then cancelled
            eng_no += 1
            sink.add("engagements", (
                f"ENG-{collar}-{eng_no:05d}", collar, plan.urns[school], young_person, kind, title,
                starts.isoformat(timespec="minutes"), ends.isoformat(timespec="minutes"), status, reason,
                abstraction, r.choice(ENGAGEMENT_NOTES) if r.random() < 0.12 else None, sequence,
            ))

    # consultations (and the referrals that followed), on past school days
    past = [d for d in school_day_list if d <= today and working(d)
            and (d not in days or days[d].absence is None)]
    recent = [d for d in past if d >= today - timedelta(days=14)]
    n_con = max(3, round(scale.consultations_per_slo * r.uniform(0.8, 1.2)))
    con_no = ref_no = 0
    for c in range(n_con):
        pool = recent if c < 3 and recent else past
        if not pool:
            break
        d = r.choice(pool)
        held = [s for s, a, b in spans if a <= d and (b is None or d <= b)]
        if not held:
            continue
        school = r.choices(held, weights=[1 if plan.phases[s] == "primary" else 6 for s in held])[0]
        young_person = yp_ref(plan, school, min(int(r.expovariate(0.5)), plan.yp_count[school] - 1))
        timing = "after_decision" if r.random() < 0.7 else "before_decision"
        proposed = _pick(r, PROPOSED_AFTER if timing == "after_decision" else PROPOSED_BEFORE)
        table = WEIGHTS["reasons_permanent"] if proposed == "permanent_exclusion" else WEIGHTS["reasons_suspension"]
        reasons = _pick_some(r, table, r.choices([1, 2, 3], weights=[60, 28, 12])[0])
        suspension_days = r.choice([0.5, 1, 1, 2, 2, 3, 3, 5]) if proposed == "suspension" else None
        risks = _pick_some(r, RISK_FACTORS, r.randint(1, 3)) if r.random() < 0.45 else None
        outcome: str = "pending"
        outcome_on: date | None = None
        age = (today - d).days
        if timing == "after_decision":
            if r.random() < 0.93 and proposed != "undecided":
                outcome, outcome_on = proposed, d
        elif (age > 14 and r.random() < 0.9) or (age > 3 and r.random() < 0.3):
            outcome = _pick(r, OUTCOME_GIVEN[proposed])
            outcome_on = min(today, _weekday(d + timedelta(days=r.randint(1, 7))))
        follow_up = None
        if c < 3:
            follow_up = _weekday(today + timedelta(days=r.randint(0, 4)))
        elif r.random() < 0.6:
            follow_up = _weekday(d + timedelta(days=r.randint(7, 28)))
        exclusion_start = None
        if outcome in ("suspension", "permanent_exclusion") and outcome_on is not None:
            decided = outcome_on
            exclusion_start = next((x for x in school_day_list if x > decided), decided + timedelta(days=1))
        con_no += 1
        ref = f"CON-{collar}-{con_no:03d}"
        sink.add("consultations", (
            ref, young_person, plan.urns[school], collar, _iso(d), r.choice(CONSULTED_BY), timing, proposed,
            json.dumps(reasons), float(suspension_days) if suspension_days else None,
            json.dumps(risks) if risks else None, r.choice(ADVICE) if r.random() < 0.7 else None,
            outcome, _iso(outcome_on) if outcome_on else None, _iso(follow_up) if follow_up else None,
            _iso(exclusion_start) if exclusion_start else None,
        ))
        if r.random() < 0.38:
            ref_no += 1
            made_on = min(today, d + timedelta(days=r.randint(0, 5)))
            write_referral(r, sink, f"REF-{collar}-{ref_no:03d}", young_person, ref, made_on, today)
    # a couple of referrals made after 1:1 work, with no consultation
    for _ in range(2):
        held = [s for s, a, b in spans if b is None]
        if not held or not past:
            break
        school = r.choice(held)
        ref_no += 1
        write_referral(r, sink, f"REF-{collar}-{ref_no:03d}", yp_ref(plan, school, 0), None, r.choice(past), today)


def write_referral(r: random.Random, sink: Sink, ref: str, young_person: str, consultation: str | None,
                   made_on: date, today: date) -> None:
    partner = _pick(r, PARTNERS)
    if (today - made_on).days < 14:
        status = r.choice(["made", "made", "waiting_list", "accepted"])
    else:
        status = _pick(r, {"accepted": 40, "completed": 30, "declined": 10, "waiting_list": 10, "made": 10})
    outcome22 = None
    if status == "completed" and partner in OUTCOME22_PARTNERS:
        outcome22 = 1 if r.random() < 0.4 else 0
    sink.add("referrals", (ref, young_person, consultation, partner, _iso(made_on), status, outcome22))


def generate(store: Store, scale: Scale, seed: int, today: date, progress: Progress | None = None) -> dict[str, int]:
    """Write the whole demo into an empty ``store``; returns rows written per table."""
    say = progress or (lambda _line: None)
    plan = make_plan(scale, seed, today)
    sink = Sink(store)
    write_people_and_schools(plan, sink)
    say(f"people and schools: {sink.counts['officers']:,} officers, {sink.counts['schools']:,} schools, "
        f"{sink.counts['assignments']:,} assignments, {sink.counts['young_people']:,} young people")
    school_day_list = school_days(plan.start, plan.horizon)
    total = len(plan.slos)
    step = max(1, math.ceil(total / 10))
    for n, officer in enumerate(plan.slos, 1):
        officer_work(plan, officer, sink, school_day_list)
        sink.maybe_flush()
        if n % step == 0 or n == total:
            made = sink.counts["engagements"] + len(sink.buffers["engagements"])
            say(f"caseloads: {n:,}/{total:,} officers, {made:,} engagements")
    sink.flush()
    return dict(sink.counts)
