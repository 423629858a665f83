"""The definitions (metrics.md, version 2) as a reader gets them at the end of the md and html
reports and in the data package: each in one plain sentence with its formula beside it; the words
for each key of the report; and the notes: every place where metrics.md can be read two ways, with
the reading this product takes (also in every report, under ``notes``).

The words for enumeration values (categories, reasons, partners, codes) are not here: they are
``slo.models.enums.label`` and ``coded``, the one place the desk and the reports share."""

from __future__ import annotations

from typing import NamedTuple

DEFINITIONS_VERSION = "2"


class Definition(NamedTuple):
    key: str        # the key in the json report (or the section)
    name: str       # the key in words
    sentence: str   # what it means, in one plain sentence
    formula: str    # the formula of metrics.md, for a reader who wants it exact


DEFINITIONS: list[Definition] = [
    Definition("period", "Period counted",
               "The days from the first day asked for to the last, but never past the day the report is "
               "counted to (today unless another day is given): days that have not happened count nothing.",
               "P = FROM..END, END = min(TO, AS_OF); FROM after AS_OF is refused"),
    Definition("officers", "Officers listed",
               "Schools liaison officers in post on at least one day of the period; sergeants, inspectors, "
               "admins and evaluators are not listed and are in no total.",
               "role = slo and start_date ≤ END and (end_date is none or end_date ≥ FROM)"),
    Definition("pattern_days", "Working days",
               "Days in the period on which the officer was in post and normally works.",
               "count of d in P with start_date ≤ d ≤ end_date and weekday(d) in working_days"),
    Definition("absence_days", "Days absent",
               "Working days covered by leave, sickness, a rest day, a course or another absence.",
               "count of pattern days covered by an absence"),
    Definition("rostered_days", "Days available",
               "Working days on which the officer was not absent.",
               "pattern_days - absence_days"),
    Definition("abstracted_days", "Days taken off schools work",
               "Days available on which the officer was taken off schools work for other police duties; "
               "a half day counts one half. Also split by who took the officer (the category).",
               "sum over rostered days covered by an abstraction of 1 (full) or 0.5 (half)"),
    Definition("abstraction_rate", "Abstraction rate",
               "The share of the days available that were taken off schools work.",
               "abstracted_days / rostered_days"),
    Definition("unavailability_rate", "Unavailability rate",
               "The share of working days lost to absence; kept apart from abstraction because the two "
               "differ by an order of magnitude.",
               "absence_days / pattern_days"),
    Definition("pending_review", "Awaiting a sergeant's review",
               "Abstractions overlapping the period that no sergeant has accepted or challenged yet.",
               "abstractions overlapping P with review_status = pending"),
    Definition("engagements", "Engagements",
               "Visits, lessons, assemblies, 1:1 sessions and meetings starting in the period: how many, "
               "how many were delivered, how many are still planned, and how many were cancelled, by reason.",
               "engagements with starts_at date in P: total, delivered, planned, cancelled by reason"),
    Definition("delivery_rate", "Delivery rate",
               "Of the engagements that were either delivered or cancelled, the share delivered.",
               "delivered / (delivered + all cancelled)"),
    Definition("abstraction_cancellation_rate", "Cancelled by abstraction",
               "Of the engagements that were either delivered or cancelled, the share cancelled because "
               "the officer was taken off schools work.",
               "cancelled for abstraction / (delivered + all cancelled)"),
    Definition("teams", "Teams and the force",
               "Every count is added up over the listed officers of the team (or of the force) and every "
               "rate is worked out again from those totals.",
               "sum over listed officers; rates recomputed from the sums"),
    Definition("assigned_officer_at_end", "Officer at the end",
               "The officer assigned to the school on the last day counted (left out of the evaluation "
               "dataset).",
               "officer with an assignment covering END, or none"),
    Definition("officer_changes", "Changes of officer",
               "How many times a new officer took the school on in the period; an officer's assignment "
               "renewed the next day is not a change.",
               "assignments with start_date in P, less those with previous end_date = start_date - 1 "
               "for the same officer"),
    Definition("distinct_officers", "Officers who had the school",
               "How many different officers were assigned to the school at some point in the period.",
               "officers with an assignment overlapping P"),
    Definition("unassigned_days", "Days without an officer",
               "Days in the period on which no officer was assigned to the school.",
               "count of d in P with no assignment covering d"),
    Definition("tenure_days_at_end", "Days with the same officer",
               "How long the officer at the end has had the school without a break, counted back to the "
               "start of their unbroken run (which may be before the period); 0 when no officer.",
               "END - start of that officer's unbroken run of assignments + 1, else 0"),
    Definition("delivered_by_assigned_share", "Delivered by the school's own officer",
               "Of the engagements delivered at the school, the share delivered by the officer assigned "
               "to it on that day.",
               "delivered by the assigned officer on that date / all delivered"),
    Definition("longest_gap_days", "Longest gap",
               "The longest run of days in the period with nothing delivered (at the school, or for the "
               "young person); the whole period when nothing was delivered.",
               "max(next - previous - 1) over FROM - 1, d1 … dk (in order), END + 1"),
    Definition("consultations", "Consultations",
               "Times a school consulted police about excluding a pupil, by whether the school came before "
               "or after deciding.",
               "consultations with consulted_on in P: total, before_decision, after_decision"),
    Definition("before_decision_rate", "Consulted before the decision",
               "The share of consultations in which the school came to police before deciding.",
               "before_decision / total"),
    Definition("sessions", "1:1 sessions",
               "A young person's sessions with an officer starting in the period.",
               "engagements with young_person set and starts_at date in P"),
    Definition("broken_arrangements", "Arrangements broken by police",
               "Sessions cancelled because the officer was taken off schools work or was unavailable.",
               "sessions cancelled for abstraction or officer_unavailable"),
    Definition("same_officer_share", "Seen by the same officer",
               "Of a young person's delivered sessions, the share delivered by the officer who delivered most "
               "of them.",
               "max over officers of delivered sessions / all delivered sessions"),
    Definition("pex_avoided_rate", "Permanent exclusion avoided",
               "Only consultations before the decision in which the school proposed a permanent exclusion "
               "and the outcome is known: the share that did not end in permanent exclusion.",
               "among before_decision, proposed = permanent_exclusion, outcome ≠ pending: "
               "share with outcome ≠ permanent_exclusion"),
    Definition("ethnicity_recorded_rate", "Ethnicity recorded",
               "Of the different young people the consultations were about, the share with a self-defined "
               "ethnicity recorded (not 'not stated').",
               "distinct young people with an ethnicity code other than NS / all distinct young people"),
    Definition("ethnicity_missing", "Ethnicity missing, by reason",
               "The others, by why it is missing: not asked, declined, not known, or no reason recorded.",
               "counts by ethnicity_missing_reason, unspecified when none"),
    Definition("by_ethnic_group", "By ethnic group",
               "Consultations by the young person's ethnic group: all, those after the decision, and those "
               "that ended in a suspension or a permanent exclusion.",
               "groups W*, M*, A*, B*, O*, NS or none: total, after_decision, suspension, permanent_exclusion"),
    Definition("by_reason", "By DfE reason",
               "Consultations by the DfE exclusion reason given; one with several reasons counts under each.",
               "counts by reason code, every code present"),
    Definition("referrals", "Referrals",
               "Referrals to partners made in the period, by partner, and how many ended in outcome 22 "
               "(diversion, education or intervention with no further action).",
               "referrals with made_on in P: total, by_partner, outcome22 = true"),
    Definition("evaluation", "The evaluation dataset",
               "What may leave the force: always the whole force; no names, dates of birth or free text; "
               "young people, officers and teams under pseudonyms that cannot be reversed without a secret "
               "kept in the database; no officer named beside a school; counts from 1 to 9 about children "
               "shown as c.",
               "HMAC-SHA-256(secret, key); counts 1-9 become \"c\", with the secondary rule"),
]

#: the report's keys in words (table headers, the data package's titles)
KEY_WORDS: dict[str, str] = {d.key: d.name for d in DEFINITIONS} | {
    "collar_number": "Collar number",
    "pseudonym": "Pseudonym",
    "ref": "Reference",
    "urn": "URN",
    "name": "School",
    "total": "Total",
    "delivered": "Delivered",
    "planned": "Still planned",
    "cancelled": "Cancelled",
    "before_decision": "Before the decision",
    "after_decision": "After the decision",
    "abstracted_days_by_category": "Days taken off, by who took the officer",
    "by_proposed": "By what the school proposed",
    "by_outcome": "By outcome",
    "by_partner": "By partner",
    "outcome22": "Outcome 22",
    "month": "Month",
    "officers": "Officers",
    "teams": "Teams",
}

NOTES: list[str] = [
    "Definitions version 2: officers[], teams[] and force hold the schools liaison officers (role slo) only; "
    "version 1 listed every role in post.",
    "The period is counted to AS_OF at the latest (--as-of, default today): period.counted_to is the last day "
    "counted, and every figure, including assigned_officer_at_end, tenure_days_at_end and longest_gap_days, "
    "uses it as TO. as_of (an added key) says which day that was.",
    "Schools' and young people's figures count every engagement and assignment of the school or young person, "
    "whatever the role of the officer (metrics.md restricts only officers[], teams[] and force).",
    "Scope: an SLO's report lists only them, a sergeant's only their team, admin/inspector/system the force. "
    "In a scoped report, schools and young people are listed when the scope's officers (every member of the "
    "team, whatever their role) had an assignment, engagement or consultation with them in P, but their "
    "figures count every record of that school or young person (so they agree with the force report); "
    "consultations counts consultations logged by the scope's officers, and referrals those linked to such a "
    "consultation (or, with no consultation, of a young person the scope's officers worked with).",
    "pending_review counts abstractions overlapping P whatever the officer's days in post.",
    "Sessions are engagements with a young person set, whatever their kind.",
    "A school's first assignment starting in P counts as an officer change (from no officer).",
    "tenure_days_at_end runs back before FROM when the officer's unbroken run started earlier.",
    "by_ethnic_group counts consultations (not young people), grouped by the young person's ethnicity as "
    "recorded now; suspension and permanent_exclusion count consultations with that outcome.",
    "ethnicity_missing counts distinct young people; a reason recorded with a real code is ignored.",
    "Delivered/cancelled rates use every cancel reason (school and young person included) in the denominator.",
    "JSON rates are unrounded; md, html and the desk show them as percentages with one decimal.",
    "Added keys: as_of, scope, evaluation, notes, months (engagements by calendar month to counted_to, for the "
    "chart), audit_record (hash of the audit row of this export), and in named reports schools[].name.",
    "Evaluation dataset: always the whole force (asking for a scope is refused; a sergeant, whose reports cover "
    "one team, may not produce it). officers[], teams[] and young_people[] are keyed by 'pseudonym' (64 hex "
    "characters, HMAC-SHA-256 of the collar number, team ref or young person ref with the database's secret); "
    "team refs are pseudonymised too, since a one-officer team would otherwise identify its officer; "
    "schools[].assigned_officer_at_end is null and school names are left out (URNs stay).",
    "Suppression: the breakdowns are by_reason, by_outcome, by_proposed, ethnicity_missing, each measure of "
    "by_ethnic_group across the six groups, and each school's before_decision/after_decision pair. When a "
    "breakdown has exactly one \"c\", its smallest other non-zero count becomes \"c\" too (the first in the "
    "breakdown's key order when equal); zeros stay 0, so when there is no other non-zero count nothing more "
    "is hidden.",
    "Suppressed rates: pex_avoided_rate and ethnicity_recorded_rate become \"c\" when their numerator, "
    "denominator or the difference of the two is between 1 and 9; a school's before_decision_rate when any of "
    "its three counts is \"c\". consultations.total, before_decision, after_decision and before_decision_rate "
    "(force-wide) are not in the listed sections and stay numbers.",
]
