"""Every enumeration of the data dictionary (``docs/spec/bundle.md``).

Values are the exact lower-case words of the spec (upper-case codes for DfE
reasons and ethnicity, as the spec writes them). ``LABELS`` gives the words a
person reads in the desk and in reports.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    SLO = "slo"
    SERGEANT = "sergeant"
    INSPECTOR = "inspector"
    ADMIN = "admin"
    EVALUATOR = "evaluator"


class Weekday(StrEnum):
    MON = "mon"
    TUE = "tue"
    WED = "wed"
    THU = "thu"
    FRI = "fri"
    SAT = "sat"
    SUN = "sun"


WEEKDAY_INDEX = {d.value: i for i, d in enumerate(Weekday)}


class Phase(StrEnum):
    PRIMARY = "primary"
    SECONDARY = "secondary"
    ALL_THROUGH = "all_through"
    SPECIAL = "special"
    ALTERNATIVE_PROVISION = "alternative_provision"
    POST16 = "post16"
    OTHER = "other"


class UniformPolicy(StrEnum):
    UNIFORM_WELCOME = "uniform_welcome"
    PLAIN_CLOTHES_ONLY = "plain_clothes_only"
    NO_VISITS = "no_visits"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Ethnicity(StrEnum):
    W1 = "W1"
    W2 = "W2"
    W3 = "W3"
    W9 = "W9"
    M1 = "M1"
    M2 = "M2"
    M3 = "M3"
    M9 = "M9"
    A1 = "A1"
    A2 = "A2"
    A3 = "A3"
    A4 = "A4"
    A9 = "A9"
    B1 = "B1"
    B2 = "B2"
    B9 = "B9"
    O2 = "O2"
    O9 = "O9"
    NS = "NS"


ETHNICITY_LABELS = {
    "W1": "White: British",
    "W2": "White: Irish",
    "W3": "White: Gypsy or Irish Traveller",
    "W9": "White: any other White background",
    "M1": "Mixed: White and Black Caribbean",
    "M2": "Mixed: White and Black African",
    "M3": "Mixed: White and Asian",
    "M9": "Mixed: any other Mixed or multiple background",
    "A1": "Asian: Indian",
    "A2": "Asian: Pakistani",
    "A3": "Asian: Bangladeshi",
    "A4": "Asian: Chinese",
    "A9": "Asian: any other Asian background",
    "B1": "Black: Caribbean",
    "B2": "Black: African",
    "B9": "Black: any other Black, Black British or Caribbean background",
    "O2": "Other: Arab",
    "O9": "Other: any other ethnic group",
    "NS": "Not stated",
}


def ethnic_group(code: str | None) -> str:
    """The five reporting groups plus ``not_stated`` (NS or no code)."""
    if not code or code == "NS":
        return "not_stated"
    return {"W": "white", "M": "mixed", "A": "asian", "B": "black", "O": "other"}[code[0]]


ETHNIC_GROUPS = ["white", "mixed", "asian", "black", "other", "not_stated"]


class EthnicityMissingReason(StrEnum):
    NOT_ASKED = "not_asked"
    DECLINED = "declined"
    NOT_KNOWN = "not_known"


class SEN(StrEnum):
    NONE = "none"
    SEN_SUPPORT = "sen_support"
    EHC_PLAN = "ehc_plan"
    UNKNOWN = "unknown"


class FSM(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class EngagementKind(StrEnum):
    VISIT = "visit"
    ASSEMBLY = "assembly"
    LESSON = "lesson"
    ONE_TO_ONE = "one_to_one"
    DROP_IN = "drop_in"
    MEETING = "meeting"
    CASE_CONFERENCE = "case_conference"
    PARENT_MEETING = "parent_meeting"
    OTHER = "other"


class EngagementStatus(StrEnum):
    PLANNED = "planned"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"


class CancelReason(StrEnum):
    ABSTRACTION = "abstraction"
    OFFICER_UNAVAILABLE = "officer_unavailable"
    SCHOOL = "school"
    YOUNG_PERSON = "young_person"
    OTHER = "other"


class AbsenceKind(StrEnum):
    ANNUAL_LEAVE = "annual_leave"
    SICKNESS = "sickness"
    REST_DAY = "rest_day"
    TRAINING_COURSE = "training_course"
    OTHER = "other"


class Portion(StrEnum):
    FULL = "full"
    HALF = "half"


class AbstractionCategory(StrEnum):
    CALL_HANDLING = "call_handling"
    RESPONSE = "response"
    NEIGHBOURHOOD_PATROL = "neighbourhood_patrol"
    PUBLIC_ORDER = "public_order"
    MUTUAL_AID = "mutual_aid"
    CUSTODY = "custody"
    INVESTIGATION_SUPPORT = "investigation_support"
    TRAINING = "training"
    COURT = "court"
    OTHER = "other"


class ReviewStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    CHALLENGED = "challenged"
    #: results of a challenge: the abstraction stands / it was withdrawn (the officer returned)
    UPHELD = "upheld"
    WITHDRAWN = "withdrawn"


class Timing(StrEnum):
    BEFORE_DECISION = "before_decision"
    AFTER_DECISION = "after_decision"


class Proposed(StrEnum):
    SUSPENSION = "suspension"
    PERMANENT_EXCLUSION = "permanent_exclusion"
    MANAGED_MOVE = "managed_move"
    OFF_SITE_DIRECTION = "off_site_direction"
    ALTERNATIVE_PROVISION = "alternative_provision"
    INTERNAL_MEASURES = "internal_measures"
    UNDECIDED = "undecided"


class Outcome(StrEnum):
    PENDING = "pending"
    NO_EXCLUSION = "no_exclusion"
    INTERNAL_MEASURES = "internal_measures"
    SUSPENSION = "suspension"
    PERMANENT_EXCLUSION = "permanent_exclusion"
    MANAGED_MOVE = "managed_move"
    OFF_SITE_DIRECTION = "off_site_direction"
    ALTERNATIVE_PROVISION = "alternative_provision"
    WITHDRAWN = "withdrawn"


class ReasonCode(StrEnum):
    """DfE exclusion reason codes (since 2020). "Other" is deliberately absent."""

    PP = "PP"
    PA = "PA"
    VP = "VP"
    VA = "VA"
    OW = "OW"
    BU = "BU"
    RA = "RA"
    LG = "LG"
    DS = "DS"
    SM = "SM"
    DA = "DA"
    DM = "DM"
    TH = "TH"
    DB = "DB"
    MT = "MT"
    PH = "PH"


REASON_LABELS = {
    "PP": "Physical assault against a pupil",
    "PA": "Physical assault against an adult",
    "VP": "Verbal abuse/threatening behaviour against a pupil",
    "VA": "Verbal abuse/threatening behaviour against an adult",
    "OW": "Use or threat of use of an offensive weapon or prohibited item",
    "BU": "Bullying",
    "RA": "Racist abuse",
    "LG": "Abuse against sexual orientation and gender identity",
    "DS": "Abuse relating to disability",
    "SM": "Sexual misconduct",
    "DA": "Drug and alcohol related",
    "DM": "Damage",
    "TH": "Theft",
    "DB": "Persistent or general disruptive behaviour",
    "MT": "Inappropriate use of social media or online technology",
    "PH": "Wilful and repeated transgression of public health protective measures",
}


class RiskFactor(StrEnum):
    CRIMINAL_EXPLOITATION = "criminal_exploitation"
    COUNTY_LINES = "county_lines"
    WEAPON_CARRYING = "weapon_carrying"
    GANG_ASSOCIATION = "gang_association"
    MISSING_EPISODES = "missing_episodes"
    SUBSTANCE_MISUSE = "substance_misuse"
    MENTAL_HEALTH = "mental_health"
    VICTIM_OF_VIOLENCE = "victim_of_violence"
    FAMILY_OFFENDING = "family_offending"
    ONLINE_HARM = "online_harm"


class Partner(StrEnum):
    YOUTH_JUSTICE = "youth_justice"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    EARLY_HELP = "early_help"
    CAMHS = "camhs"
    VRU_PROGRAMME = "vru_programme"
    MENTORING = "mentoring"
    SPORTS_PROGRAMME = "sports_programme"
    EDUCATION_PROGRAMME = "education_programme"
    SUBSTANCE_MISUSE = "substance_misuse"
    OTHER = "other"


class ReferralStatus(StrEnum):
    MADE = "made"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WAITING_LIST = "waiting_list"
    COMPLETED = "completed"


#: words whose plain reading needs capitals or punctuation
_WORDS = {
    "slo": "SLO",
    "camhs": "CAMHS",
    "vru_programme": "VRU programme",
    "sen_support": "SEN support",
    "ehc_plan": "EHC plan",
    "post16": "Post-16",
    "one_to_one": "1:1 session",
    "provision_day6": "Provision due (day 6)",
    "fsm": "Free school meals",
    # words the continuity report shows for its keys and breakdowns
    "childrens_social_care": "Children's social care",
    "youth_justice": "Youth justice service",
    "off_site_direction": "Off-site direction",
    "officer_unavailable": "Officer unavailable",
    "young_person": "Young person",
    "unspecified": "No reason recorded",
    "not_stated": "Not stated",
    "outcome22": "Outcome 22",
}


def coded(code: str) -> str:
    """A DfE reason or ethnicity code with its name: ``PA`` -> ``PA Physical assault against an adult``;
    any other value as :func:`label` reads it."""
    if code in REASON_LABELS:
        return f"{code} {REASON_LABELS[code]}"
    if code in ETHNICITY_LABELS:
        return f"{code} {ETHNICITY_LABELS[code]}"
    return label(code)


#: what a 1:1 session is called in a school's calendar, whatever the officer typed (and the form's
#: suggested title for one)
ONE_TO_ONE_TITLE = "Liaison officer: 1:1 session"


def year_label(year: int | None) -> str:
    """A year group as a school says it: 0 -> ``Reception``, 7 -> ``Year 7``, None -> ``year not recorded``."""
    if year is None:
        return "year not recorded"
    return "Reception" if year == 0 else f"Year {year}"


def label(value: str) -> str:
    """A person's reading of an enumeration word: ``plain_clothes_only`` -> ``Plain clothes only``."""
    if value in REASON_LABELS:
        return REASON_LABELS[value]
    if value in ETHNICITY_LABELS:
        return ETHNICITY_LABELS[value]
    if value in _WORDS:
        return _WORDS[value]
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]
