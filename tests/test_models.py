"""Every single-record rule of the data dictionary (bundle.md), each with a valid and an invalid case.

The valid base records are the ones of ``SMALL_BUNDLE`` (conftest), so a
failure to accept one of them fails here too.
"""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest
from helpers.bundles import SMALL_BUNDLE
from pydantic import ValidationError

from slo.models import ENTITY_MODELS, Consultation, Engagement, School
from slo.models.text import clean_line, clean_multiline


def base(entity: str, index: int = 0) -> dict:
    return copy.deepcopy(SMALL_BUNDLE[entity][index])


def ok(entity: str, index: int = 0, **changes):
    data = base(entity, index)
    data.update(changes)
    return ENTITY_MODELS[entity].model_validate(data)


def refused(entity: str, index: int = 0, *, field: str | None = None, words: str = "", **changes) -> str:
    """Validate with ``changes`` and assert it is refused; return the error text."""
    data = base(entity, index)
    for name, value in changes.items():
        if value is DROP:
            data.pop(name)
        else:
            data[name] = value
    with pytest.raises(ValidationError) as info:
        ENTITY_MODELS[entity].model_validate(data)
    text = str(info.value)
    if field is not None:
        locs = {".".join(str(p) for p in e["loc"]) for e in info.value.errors()}
        assert any(loc == field or loc.startswith(field + ".") for loc in locs) or field in text, text
    assert words.lower() in text.lower(), text
    return text


DROP = object()


def test_every_record_of_the_small_bundle_is_valid_and_round_trips():
    for entity, model in ENTITY_MODELS.items():
        for item in SMALL_BUNDLE[entity]:
            record = model.model_validate(item)
            assert record.to_bundle() == item, entity


# --- enumerations -------------------------------------------------------------------------

ENUM_FIELDS = [
    ("officers", 0, "role", "inspector", "Inspector"),
    ("schools", 0, "phase", "post16", "post-16"),
    ("schools", 0, "uniform_policy", "no_visits", "no visits"),
    ("young_people", 0, "sex", "female", "f"),
    ("young_people", 0, "ethnicity", "B2", "b2"),
    ("young_people", 0, "sen", "ehc_plan", "EHCP"),
    ("young_people", 0, "fsm", "no", "false"),
    ("engagements", 0, "kind", "case_conference", "conference"),
    ("engagements", 0, "status", "planned", "done"),
    ("absences", 0, "kind", "rest_day", "holiday"),
    ("abstractions", 0, "portion", "half", "quarter"),
    ("abstractions", 0, "category", "mutual_aid", "aid"),
    ("abstractions", 0, "review_status", "accepted", "ok"),
    ("consultations", 0, "timing", "after_decision", "after"),
    ("consultations", 0, "proposed", "off_site_direction", "offsite"),
    ("referrals", 0, "partner", "camhs", "CAMHS"),
    ("referrals", 0, "status", "waiting_list", "waiting"),
]


@pytest.mark.parametrize("entity, index, field, good, bad", ENUM_FIELDS)
def test_enumerations_accept_the_spec_words_only(entity, index, field, good, bad):
    assert getattr(ok(entity, index, **{field: good}), field) == good
    refused(entity, index, field=field, **{field: bad})


def test_enumeration_lists():
    assert ok("officers", 0, working_days=["fri", "mon"]).working_days == ["mon", "fri"]
    refused("officers", 0, field="working_days", working_days=["monday"])
    refused("officers", 0, field="working_days", words="twice", working_days=["mon", "mon"])
    refused("consultations", field="risk_factors", risk_factors=["knife_crime"])
    refused("consultations", field="reasons", reasons=["OT"])  # "Other" is not offered


def test_defaults_for_absent_or_null_fields():
    data = base("officers")
    del data["working_days"]
    from slo.models import Officer

    assert Officer.model_validate(data).working_days == ["mon", "tue", "wed", "thu", "fri"]
    assert ok("officers", working_days=None).working_days == ["mon", "tue", "wed", "thu", "fri"]
    assert ok("schools", uniform_policy=None).uniform_policy == "uniform_welcome"
    yp = ok("young_people", sex=None, sen=None, fsm=None)
    assert (yp.sex, yp.sen, yp.fsm) == ("unknown", "unknown", "unknown")
    assert ok("abstractions", review_status=None).review_status == "pending"
    assert ok("consultations", outcome=None, outcome_on=None).outcome == "pending"


# --- formats -------------------------------------------------------------------------------


@pytest.mark.parametrize("urn", ["100000", "999999"])
def test_urn_valid(urn):
    assert ok("schools", urn=urn).urn == urn


@pytest.mark.parametrize("urn", ["10000", "1000000", "10000a", " 100000", 100000, None, "１０００００"])
def test_urn_invalid(urn):
    refused("schools", field="urn", urn=urn)


@pytest.mark.parametrize("collar", ["A1", "PC1000", "abcdefghijkl"])
def test_collar_valid(collar):
    assert ok("officers", collar_number=collar).collar_number == collar


@pytest.mark.parametrize("collar", ["", "PC 1000", "PC-1000", "abcdefghijklm", "PC1000\x1b", 1000, "PC١٠"])
def test_collar_invalid(collar):
    refused("officers", field="collar_number", collar_number=collar)


@pytest.mark.parametrize("value", ["2026-01-05", "2024-02-29"])
def test_dates_valid(value):
    assert ok("absences", date_from=value, date_to="2026-12-31").date_from == date.fromisoformat(value)


@pytest.mark.parametrize(
    "value, words",
    [
        ("05-01-2026", "YYYY-MM-DD"),
        ("2026-1-5", "YYYY-MM-DD"),
        ("20260105", "YYYY-MM-DD"),
        ("2026-02-30", "not a real date"),
        ("2025-02-29", "not a real date"),
        ("2026-01-05T09:00", "YYYY-MM-DD"),
        (20260105, "YYYY-MM-DD"),
        ("", "YYYY-MM-DD"),
    ],
)
def test_dates_invalid(value, words):
    refused("absences", field="date_from", words=words, date_from=value)


@pytest.mark.parametrize("value, parsed", [("2026-01-05T09:00", datetime(2026, 1, 5, 9)),
                                           ("2026-01-05T09:00:30", datetime(2026, 1, 5, 9, 0, 30))])
def test_datetimes_valid(value, parsed):
    e = ok("engagements", starts_at=value, ends_at="2026-01-05T23:00")
    assert e.starts_at == parsed
    assert e.to_bundle()["starts_at"] == value


@pytest.mark.parametrize(
    "value, words",
    [
        ("2026-01-05T09:00+00:00", "no offset"),
        ("2026-01-05T09:00Z", "no offset"),
        ("2026-01-05T09:00:00+01:00", "no offset"),
        ("2026-01-05 09:00", "YYYY-MM-DDTHH:MM"),
        ("2026-01-05", "YYYY-MM-DDTHH:MM"),
        ("2026-01-05T25:00", "not a real date-time"),
        ("2026-01-05T09:00:00.5", "YYYY-MM-DDTHH:MM"),
    ],
)
def test_datetimes_invalid(value, words):
    refused("engagements", field="starts_at", words=words, starts_at=value)


def test_datetime_with_tzinfo_object_refused():
    from zoneinfo import ZoneInfo

    refused("engagements", field="starts_at", words="offset",
            starts_at=datetime(2026, 1, 5, 9, tzinfo=ZoneInfo("Europe/London")))


def test_spans_end_on_or_after_start():
    assert ok("absences", date_from="2026-02-16", date_to="2026-02-16").date_to == date(2026, 2, 16)
    refused("absences", words="date_to must be on or after date_from", date_to="2026-02-15")
    refused("assignments", words="end_date must be on or after start_date", end_date="2025-08-31")
    refused("officers", words="end_date", end_date="2019-12-31")
    refused("abstractions", words="date_to", date_to="2026-01-05")
    refused("engagements", words="ends_at must be after starts_at", ends_at="2026-01-05T09:00")


def test_unknown_fields_are_refused():
    for entity in ENTITY_MODELS:
        text = refused(entity, field="colour", colour="red")
        assert "extra" in text.lower() or "not permitted" in text.lower()


@pytest.mark.parametrize("entity, field", [("schools", "name"), ("engagements", "title"), ("officers", "role"),
                                           ("consultations", "reasons"), ("referrals", "made_on")])
def test_required_fields(entity, field):
    refused(entity, field=field, words="required", **{field: DROP})


# --- required-when rules -------------------------------------------------------------------


def test_cancel_reason_required_when_cancelled_only():
    assert ok("engagements", 1).cancel_reason == "abstraction"
    refused("engagements", 1, words="cancel_reason is required when status is cancelled", cancel_reason=None)
    assert ok("engagements", 0, status="planned").cancel_reason is None
    refused("engagements", 0, words="cancel_reason must be empty", cancel_reason="school")
    refused("engagements", 1, field="cancel_reason", cancel_reason="bored")


def test_outcome_on_required_unless_pending():
    assert ok("consultations", outcome="pending", outcome_on=None).outcome_on is None
    assert ok("consultations", outcome="withdrawn", outcome_on="2026-01-09").outcome == "withdrawn"
    refused("consultations", words="outcome_on is required unless outcome is pending", outcome_on=None)


def test_review_note_required_when_challenged():
    a = ok("abstractions", review_status="challenged", review_note="Not a public order need",
           reviewed_by="S100", reviewed_at="2026-01-07T10:00")
    assert a.review_note == "Not a public order need"
    refused("abstractions", words="review_note is required when review_status is challenged",
            review_status="challenged", review_note=None)
    refused("abstractions", words="review_note is required", review_status="challenged", review_note=" \x1b ")
    assert ok("abstractions", review_status="accepted", review_note=None).review_note is None


def test_reviewed_by_not_the_abstracted_officer():
    assert ok("abstractions", reviewed_by="S100").reviewed_by == "S100"
    refused("abstractions", words="reviewed_by must not be the abstracted officer", reviewed_by="PC1000")


def test_ethnicity_missing_reason_only_when_empty_or_ns():
    missing = ok("young_people", ethnicity=None, ethnicity_missing_reason="declined")
    assert missing.ethnicity_missing_reason == "declined"
    assert ok("young_people", ethnicity="NS", ethnicity_missing_reason="not_asked").ethnicity == "NS"
    assert ok("young_people", ethnicity="W1", ethnicity_missing_reason=None).ethnicity == "W1"
    refused("young_people", words="ethnicity_missing_reason may be given only", ethnicity="W1",
            ethnicity_missing_reason="not_known")
    refused("young_people", field="ethnicity_missing_reason", ethnicity=None, ethnicity_missing_reason="forgot")


@pytest.mark.parametrize("reasons", [["PA"], ["PA", "OW"], ["PA", "OW", "DA"]])
def test_reasons_one_to_three(reasons):
    assert ok("consultations", reasons=reasons).reasons == reasons


@pytest.mark.parametrize("reasons, words", [([], "at least 1"), (["PA", "OW", "DA", "TH"], "at most 3"),
                                            (["PA", "PA"], "same code twice"), ("PA", "list"), (None, "list")])
def test_reasons_invalid(reasons, words):
    refused("consultations", field="reasons", words=words, reasons=reasons)


def test_risk_factors_unique():
    refused("consultations", words="same code twice", risk_factors=["county_lines", "county_lines"])


@pytest.mark.parametrize("days, out", [(0.5, 0.5), (1, 1), (1.5, 1.5), (45, 45), (None, None)])
def test_suspension_days_half_steps(days, out):
    c = ok("consultations", suspension_days=days)
    assert c.suspension_days == out
    assert c.to_bundle()["suspension_days"] == out
    if out is not None and float(out).is_integer():
        assert isinstance(c.to_bundle()["suspension_days"], int)


@pytest.mark.parametrize("days, words", [(0, "more than 0"), (-1, "more than 0"), (1.25, "half-day"),
                                         (0.1, "half-day"), ("2", "number"), (True, "number"),
                                         (float("inf"), "finite"), (float("nan"), "finite"),
                                         (1e308, "at most 366"), (366.5, "at most 366")])
def test_suspension_days_invalid(days, words):
    refused("consultations", field="suspension_days", words=words, suspension_days=days)


@pytest.mark.parametrize("year", [0, 7, 14, None])
def test_year_group_valid(year):
    assert ok("young_people", year_group=year).year_group == year


@pytest.mark.parametrize("year", [-1, 15, "9", 9.0, True])
def test_year_group_invalid_strict_int(year):
    refused("young_people", field="year_group", year_group=year)


@pytest.mark.parametrize("value", [True, False, None])
def test_outcome22_valid(value):
    assert ok("referrals", outcome22=value).outcome22 is value


@pytest.mark.parametrize("value", [1, 0, "true", "yes"])
def test_outcome22_strict_bool(value):
    refused("referrals", field="outcome22", outcome22=value)


# --- text cleaning -------------------------------------------------------------------------


def test_control_characters_stripped_from_lines():
    school = ok("schools", name="North\x1b]0;owned\x07gate\x00 Academy", head_teacher="Ms\tA\r\nHead")
    assert school.name == "North]0;ownedgate Academy"
    assert "\x1b" not in school.name and "\x07" not in school.name
    assert school.head_teacher == "Ms A Head"  # newline and tab become spaces in one-line fields
    assert ok("engagements", title="Visit\u202e\u2066 now\x9b").title == "Visit now"


def test_newlines_kept_only_in_multiline_fields():
    e = ok("engagements", 1, notes="Line one\r\nLine two\rLine\x1b[2J three\ttab")
    assert e.notes == "Line one\nLine two\nLine[2J three tab"
    assert ok("engagements", 1, title="A\nB").title == "A B"
    a = ok("abstractions", reason="Public\norder", requested_by="Duty\ninspector")
    assert a.reason == "Public\norder" and a.requested_by == "Duty inspector"
    assert ok("consultations", advice="one\n\ntwo\n").advice == "one\n\ntwo"


def test_text_that_cleans_to_nothing_is_refused_where_required():
    refused("schools", field="name", name="\x1b\x00 \t")
    refused("teams", field="ref", ref="\u202e")
    refused("schools", field="name", name=42)


def test_cleaning_is_idempotent_and_nfc():
    # a control between a letter and its combining accent must not leave a decomposed pair
    once = clean_line("Zoe\x00\u0308 Smith")
    assert once == "Zo\u00eb Smith" and clean_line(once) == once
    twice = clean_multiline("e\x1b\u0301\n  next ")
    assert twice == "\u00e9\n  next" and clean_multiline(twice) == twice


def test_line_and_ref_lengths():
    assert ok("teams", ref="R" * 64).ref == "R" * 64
    refused("teams", field="ref", ref="R" * 65)
    refused("schools", field="name", name="n" * 501)


def test_model_keys():
    assert School.model_validate(base("schools")).key() == "100000"
    assert ok("assignments").key() == "100000/2025-09-01"
    assert ok("absences").key() == "PC1000/2026-02-16"
    assert isinstance(ok("consultations"), Consultation)
    assert isinstance(ok("engagements"), Engagement)


# --- each entity's facts, declared once beside its model (slo.models.facts) -----------------

import typing  # noqa: E402

from slo.models.facts import EntityFacts, Owner  # noqa: E402


def _annotation_kinds(model) -> dict[str, set[type]]:
    """field -> the outer types of its annotation (``list``, ``bool``, ``str`` ...), optional unwrapped."""
    out = {}
    for name, info in model.model_fields.items():
        kinds, todo = set(), [info.annotation]
        while todo:
            t = todo.pop()
            origin = typing.get_origin(t)
            if origin is typing.Annotated:
                todo.append(typing.get_args(t)[0])
            elif origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
                todo.extend(a for a in typing.get_args(t) if a is not type(None))
            else:
                kinds.add(origin or t)
        out[name] = kinds
    return out


@pytest.mark.parametrize("entity", list(ENTITY_MODELS))
def test_every_entity_declares_its_owner(entity):
    """Deny by default: a model without an owner is refused to everyone, so every entity must name one."""
    facts = ENTITY_MODELS[entity].facts
    assert isinstance(facts, EntityFacts) and facts.entity == entity
    assert isinstance(facts.owner, Owner), f"{entity} declares no owner"
    fields = ENTITY_MODELS[entity].model_fields
    for name in (facts.owner.officer, facts.owner.young_person):
        assert name is None or name in fields, (entity, name)


@pytest.mark.parametrize("entity", list(ENTITY_MODELS))
def test_every_declared_fact_names_real_fields_and_matches_the_types(entity):
    model = ENTITY_MODELS[entity]
    facts = model.facts
    kinds = _annotation_kinds(model)
    assert set(facts.key) <= set(kinds)
    # JSON columns are exactly the list fields; 0/1 columns exactly the true/false fields
    assert set(facts.json_fields) == {f for f, k in kinds.items() if list in k}
    assert set(facts.bool_fields) == {f for f, k in kinds.items() if bool in k}
    for name in (*facts.personal_text, *facts.calendar_fields):
        assert name in kinds, (entity, name)
    for name in facts.personal_text:
        assert kinds[name] == {str}, (entity, name)
    for ref in facts.references:
        assert ref.field in kinds and ref.entity in ENTITY_MODELS, (entity, ref)
        assert len(ENTITY_MODELS[ref.entity].facts.key) == 1, "a reference names a one-column key"
        assert ref.role is None or ref.entity == "officers"
        assert not ref.while_named or ref.role, "only a role can be kept while named"
        assert ref.named_as or ref.role is None, "a role rule says what the officer is to the record"
    if facts.overlap:
        assert {facts.overlap.owner, facts.overlap.start, facts.overlap.end} <= set(kinds)
    assert len({r.field for r in facts.references}) == len(facts.references)


def test_no_model_shares_a_section():
    sections = [m.facts.entity for m in ENTITY_MODELS.values()]
    assert len(sections) == len(set(sections)) == 10


def test_an_owner_must_say_whose():
    with pytest.raises(ValueError):
        Owner()
    with pytest.raises(ValueError):
        Owner(officer="officer", young_person="young_person")


# --- refusals name the value given (slo.models.refusals), in the bundle's and the forms' words ---------

from helpers.bad_values import TYPED_FIELDS, bad_value  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from slo.models.refusals import describe, given_words, shown  # noqa: E402


def _errors_for(entity: str, field: str, value) -> list[dict]:
    data = base(entity)
    data[field] = value
    with pytest.raises(ValidationError) as info:
        ENTITY_MODELS[entity].model_validate(data)
    return [e for e in info.value.errors() if e["loc"] and e["loc"][0] == field]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(TYPED_FIELDS), data=st.data())
def test_every_refusal_of_a_typed_field_quotes_the_value(target, data):
    """describe (bundle, CLI, services) and the forms' wording (friendly) both say what was given."""
    from slo.tui.screens.forms.problems import friendly

    entity, field, kind, detail = target
    value = data.draw(bad_value(kind, detail), label="value")
    (error, *_) = _errors_for(entity, field, value)
    given_value = error["input"]
    path, message = describe(error)
    assert path == ".".join(str(p) for p in error["loc"])
    assert shown(given_value) in message, (value, message)
    words = friendly(dict(error))
    if isinstance(given_value, str) and not clean_line(given_value):
        assert given_words(error) == ""  # nothing but blanks: "required" says it all
    else:
        assert words.endswith(f" (given {shown(given_value)})"), words


SHOWN = [
    ("XX", "'XX'"),
    ("a\x1b[2Jb\n c", "'a[2Jb c'"),                    # cleaned as stored text is
    ("x" * 100, "'" + "x" * 39 + "…'"),                 # shortened
    (None, "null"), (True, "true"), (1.5, "1.5"), (7, "7"),
    (10**30, "1000000000… (31 digits)"),
    (10**6000, "a number of about 6000 digits"),        # str() of it would raise
    (["mon", {"a": 1}], '["mon", {"a": 1}]'),
    (date(2026, 1, 5), "'2026-01-05'"),
]


@pytest.mark.parametrize("value, expected", SHOWN, ids=[f"shown{i}" for i in range(len(SHOWN))])
def test_shown_values(value, expected):
    assert shown(value) == expected


def test_a_rule_of_the_whole_record_names_the_values_of_its_fields():
    data = dict(base("engagements"), ends_at="2026-01-05T08:00")
    with pytest.raises(ValidationError) as info:
        ENTITY_MODELS["engagements"].model_validate(data)
    assert describe(info.value.errors()[0]) == (
        None, "ends_at must be after starts_at (ends_at '2026-01-05T08:00', starts_at '2026-01-05T09:00')")


def test_a_value_with_backslashes_is_quoted_as_given():
    """The value is pasted as text, never as a regular expression's replacement (``\\0`` was once a NUL)."""
    (error,) = _errors_for("officers", "role", "\\0 \\g<0> \\1")
    assert describe(error) == (
        "role", "'\\0 \\g<0> \\1' should be 'slo', 'sergeant', 'inspector', 'admin' or 'evaluator'")


@pytest.mark.parametrize(("year", "said"), [(0, "Reception"), (1, "Year 1"), (7, "Year 7"), (14, "Year 14"),
                                           (None, "year not recorded")])
def test_a_year_group_reads_as_a_school_says_it(year, said):
    """The picker showed "Year 0" for a reception child."""
    from slo.models.enums import year_label

    assert year_label(year) == said
