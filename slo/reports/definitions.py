"""The definitions (metrics.md, version 1) as printed at the end of md/html reports, and the notes:
every place where metrics.md can be read two ways, with the reading this product takes."""

from __future__ import annotations

DEFINITIONS_VERSION = "1"

DEFINITIONS: list[tuple[str, str]] = [
    ("period", "P is the inclusive range of dates FROM..TO. A rate is a number between 0 and 1, or "
     "null/blank when its denominator is 0. Day counts may be halves."),
    ("pattern_days", "Days in P on which the officer is in post (start_date <= d <= end_date or no end) "
     "and d's weekday is one of the officer's working days."),
    ("absence_days", "Pattern days covered by an absence (any kind)."),
    ("rostered_days", "pattern_days - absence_days."),
    ("abstracted_days", "Sum over rostered days covered by an abstraction of 1 (full) or 0.5 (half); "
     "abstraction days that are not rostered days count nothing. Also split by category."),
    ("abstraction_rate", "abstracted_days / rostered_days."),
    ("unavailability_rate", "absence_days / pattern_days (kept apart from abstraction)."),
    ("pending_review", "Abstractions of the officer overlapping P still awaiting a sergeant's review."),
    ("engagements", "Engagements starting in P: total, delivered, planned (still planned), cancelled by reason."),
    ("delivery_rate", "delivered / (delivered + all cancelled)."),
    ("abstraction_cancellation_rate", "cancelled for abstraction / (delivered + all cancelled)."),
    ("teams, force", "Every count is the sum over the listed officers of the team (or of all listed "
     "officers); every rate is recomputed from those sums."),
    ("assigned_officer_at_end", "The officer assigned to the school on TO, or none."),
    ("officer_changes", "The school's assignments starting in P, except a start that immediately continues "
     "the same officer's previous assignment (previous end = start - 1)."),
    ("distinct_officers", "Officers with an assignment to the school overlapping P."),
    ("unassigned_days", "Days in P on which the school has no assigned officer."),
    ("tenure_days_at_end", "If an officer is assigned on TO: days from the start of that officer's unbroken "
     "run of assignments to the school up to TO, both ends counted; else 0."),
    ("delivered_by_assigned_share", "Delivered engagements in P whose officer was the school's assigned "
     "officer on that date / all delivered engagements in P."),
    ("longest_gap_days", "The largest number of consecutive days in P with no delivered engagement "
     "(several on one date count as one date)."),
    ("before_decision_rate", "Consultations before the head's decision / all consultations in P."),
    ("sessions", "A young person's 1:1 sessions (engagements with the young person set) starting in P."),
    ("broken_arrangements", "Sessions cancelled for abstraction or officer unavailability."),
    ("same_officer_share", "The most delivered sessions by any one officer / all delivered sessions."),
    ("pex_avoided_rate", "Among before-decision consultations proposing permanent exclusion with a known "
     "outcome: the share whose outcome is not permanent exclusion."),
    ("ethnicity_recorded_rate", "Among the distinct young people of the consultations in P: the share with an "
     "ethnicity code other than NS."),
    ("ethnicity_missing", "The others, by the reason recorded (not asked, declined, not known, unspecified)."),
    ("by_ethnic_group", "Consultations by the young person's ethnic group (W*, M*, A*, B*, O*, NS/none): total, "
     "after decision, outcome suspension, outcome permanent exclusion."),
    ("referrals", "Referrals made in P: total, by partner, and how many were recorded as outcome 22."),
    ("evaluation dataset", "No names, dates of birth, notes, advice, review notes or free-text reasons; young "
     "people, officers and teams keyed by HMAC-SHA-256 pseudonyms with a secret kept in the database; "
     "counts 1-9 in the consultation breakdowns shown as \"c\" (with secondary suppression)."),
]

NOTES: list[str] = [
    "Officers of every role in post on a day of P are listed (metrics.md: 'each officer in post'), "
    "including sergeants and other ranks recorded in the database; team and force sums include them.",
    "Scope: an SLO's report lists only them, a sergeant's only their team, admin/inspector/system the force. "
    "In a scoped report, schools and young people are listed when the scope's officers had an assignment, "
    "engagement or consultation with them in P, but their figures count every record of that school or "
    "young person (so they agree with the force report); consultations[] counts consultations logged by the "
    "scope's officers, and referrals those linked to such a consultation (or, with no consultation, of a "
    "young person the scope's officers worked with).",
    "pending_review counts abstractions overlapping P whatever the officer's days in post.",
    "Sessions are engagements with a young person set, whatever their kind.",
    "A school's first assignment starting in P counts as an officer change (from no officer).",
    "tenure_days_at_end runs back before FROM when the officer's unbroken run started earlier.",
    "by_ethnic_group counts consultations (not young people), grouped by the young person's ethnicity as "
    "recorded now; suspension and permanent_exclusion count consultations with that outcome.",
    "ethnicity_missing counts distinct young people; a reason recorded with a real code is ignored.",
    "Delivered/cancelled rates use every cancel reason (school and young person included) in the denominator.",
    "JSON rates are unrounded; md, html and the desk show them as percentages with one decimal.",
    "Added keys: scope, evaluation, notes, months (engagements by calendar month, for the chart), "
    "audit_record (hash of the audit row of this export), and in named reports schools[].name.",
    "Evaluation dataset: officers[], teams[] and young_people[] are keyed by 'pseudonym' (64 hex characters, "
    "HMAC-SHA-256 of the collar number, team ref or young person ref with the database's secret); team refs are "
    "pseudonymised too, since a one-officer team would otherwise identify its officer; "
    "assigned_officer_at_end holds the officer's pseudonym; school names are left out (URNs stay).",
    "Suppression: in by_ethnic_group each measure across the six groups is one breakdown. When a breakdown has "
    "exactly one \"c\" and no other non-zero count, its first zero cell (in key order) becomes \"c\" as well: "
    "the only case where a 0 is hidden, so that the lone \"c\" cannot be worked out from the total.",
    "Suppressed rates: pex_avoided_rate and ethnicity_recorded_rate become \"c\" when their numerator, "
    "denominator or the difference of the two is between 1 and 9.",
]
