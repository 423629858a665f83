"""The report a person reads (md and html): the one-page summary in plain sentences (every figure in it
worked out by hand from the bundle in tests/helpers/report_v2_bundle.py), codes with their names and keys
in words, rates with the counts they come from and the subset they cover, months before the data starts
left out, html streamed to its file piece for piece the same as the rendered text, and suppression
checked where a reader looks: no count from 1 to 9 in any table or chart of a section metrics.md
suppresses."""

from __future__ import annotations

from datetime import date
from html import unescape

import pytest
from helpers.report_html import small_counts
from helpers.report_v2_bundle import AS_OF, FROM, TO, load_v2

from slo.reports import build_report, render, write_report
from slo.reports.readable import SUPPRESSED_SECTIONS, summary
from slo.services.actors import SYSTEM, load_actor


@pytest.fixture
def v2store(store):
    return load_v2(store)


def report(store, **kw):
    kw.setdefault("as_of", AS_OF)
    return build_report(store, load_actor(store.db, "AD"), FROM, TO, **kw)


def paragraphs(r):
    return {p.heading: p.text for p in summary(r)}


def test_summary_in_plain_sentences(v2store):
    p = paragraphs(report(v2store))
    assert p["What this covers"].startswith(
        "This report covers the whole force from 2 March 2026 to 18 March 2026: 4 schools liaison officers, "
        "3 schools and 2 young people with 1:1 sessions. The period asked for runs to 29 March 2026; the days "
        "after 18 March 2026 have not happened yet, so they count nothing.")
    # 6 of 36 days; by category mutual aid 2 and public order 2 (equal: key order), call handling 1.5
    assert p["Taken off schools work"] == (
        "Officers were taken off schools work for other police duties (abstracted) on 6 of the 36 days they were "
        "available: an abstraction rate of 16.7%. Most of it was for mutual aid (2 days), public order (2 days) "
        "and call handling (1.5 days). 4 abstractions are still awaiting a sergeant's review.")
    # 3 of 39 = 7.7%
    assert p["Absence, counted apart"].startswith("Separately, 3 of 39 working days (7.7%, the unavailability rate)")
    # 7 engagements: E1 E3 E9 delivered, E2 E5 E10 cancelled, E6 planned; 3 of 6 delivered; 2 of 6 by abstraction;
    # Y1 (2 broken) and Y3 (1 broken)
    assert p["Sessions and young people let down"] == (
        "7 engagements (visits, lessons, assemblies, 1:1 sessions and meetings) started in the period: "
        "3 delivered, 3 cancelled and 1 still planned. Of those delivered or cancelled, 50.0% were delivered, "
        "and 2 (33.3%) were cancelled because the officer was taken off schools work. 2 young people had 1:1 "
        "sessions; 2 of them had police cancel at least one (the officer taken off schools work or unavailable): "
        "3 sessions in all.")
    # K1 K4 before, K3 after; pex avoided 2 of 2; outcomes no exclusion, pending, suspension 1 each; RF1
    assert p["Consultations before exclusion"] == (
        "Schools consulted police 3 times about excluding a pupil: 2 (66.7%) before the head teacher decided, "
        "and 1 after. Counting only the 2 consultations before the decision that proposed a permanent exclusion "
        "and have an outcome: 2 (100.0%) did not end in permanent exclusion. What followed all consultations: "
        "no exclusion 1, pending 1 and suspension 1. 1 referral to partners was made; 1 ended in outcome 22 "
        "(diversion or intervention, no further action).")
    # changes: 200001 and 200002; without an officer some days: 200002 (10), 200003 (17); tenure 7 and 7;
    # delivered 3 + 1, by the school's own officer 2 + 1
    assert p["Continuity for schools"] == (
        "Of 3 schools, 2 changed officer during the period and 2 spent some days with no officer. On 18 March "
        "2026, 2 had an officer, who had held the school without a break for a median of 7 days. 3 of 4 "
        "delivered engagements (75.0%) were by the school's own officer.")
    assert p["Continuity for young people"] == (
        "2 young people had delivered 1:1 sessions; 2 saw only one officer. Of 2 delivered sessions, 2 (100.0%) "
        "were with the officer each young person saw most.")
    # Y1 W1 recorded; Y3 declined; Y4 no reason
    assert p["Ethnicity recording"] == (
        "The self-defined ethnicity of 1 of the 3 young people consulted about was recorded (33.3%). For the "
        "rest: declined 1 and no reason recorded 1.")


def test_summary_of_the_evaluation_dataset_hides_small_numbers(v2store):
    p = paragraphs(report(v2store, evaluation=True))
    # pex avoided 2 of 2 and ethnicity 1 of 3 rest on counts under 10; outcomes all 1: "c"
    assert "did not end in permanent exclusion" not in p["Consultations before exclusion"]
    assert "Fewer than 10 consultations before the decision proposed a permanent exclusion" in \
        p["Consultations before exclusion"]
    assert "What followed all consultations" not in p["Consultations before exclusion"]
    assert "Outcomes with fewer than 10 consultations are shown as c." in p["Consultations before exclusion"]
    assert p["Ethnicity recording"].startswith("The share of young people consulted about whose ethnicity was "
                                               "recorded rests on fewer than 10")
    assert "declined c and no reason recorded c" in p["Ethnicity recording"]


def test_words_not_keys(v2store):
    md = render(report(v2store), "md")
    html = render(report(v2store), "html")
    for text in (md.replace("\\", ""), unescape(html)):
        # codes with their names, categories and keys in words
        assert "PA Physical assault against an adult" in text
        assert "VA Verbal abuse/threatening behaviour against an adult" in text
        assert "Call handling" in text and "Children's social care" in text and "Youth justice service" in text
        assert "No reason recorded" in text and "Not stated" in text
        for key in ("call_handling", "childrens_social_care", "not_stated", "abstraction_rate", "PP 3"):
            # keys appear only in the formulas and notes at the end, never in the summary or tables
            assert key not in text.split("Definitions (version 2)")[0], key
        # the subset a rate covers is named where it stands
        assert "only consultations before the decision that proposed a permanent exclusion" in text
        # the definitions in a plain sentence with the formula beside it
        assert "The share of the days available that were taken off schools work." in text
        assert "abstracted_days / rostered_days" in text
    # every rate with its numerator and denominator: team T1 5.5 of 19 days, Q1 3.5 of 11
    assert "28.9%<span class=\"of\">(5.5 of 19)</span>" in html
    assert "| 31.8% (3.5 of 11) |" in md


def test_months_before_the_data_starts_are_not_shown(v2store):
    r = build_report(v2store, load_actor(v2store.db, "AD"), date(2026, 1, 1), TO, as_of=AS_OF)
    # January and February hold no engagement
    assert [m["month"] for m in r["months"]][:2] == ["2026-01", "2026-02"]
    md = render(r, "md")
    assert "No engagement was recorded before March 2026, so the months before it are not shown." in md
    assert "| January 2026 |" not in md and "| March 2026 | 4 | 3 | 1 |" in md


def test_html_streams_the_same_bytes(loaded_store, tmp_path):
    r = build_report(loaded_store, SYSTEM, date(2025, 9, 1), date(2026, 8, 31), as_of=date(2026, 8, 31))
    for fmt in ("html", "md"):
        out = write_report(r, fmt, tmp_path / f"r.{fmt}")
        assert out.read_text(encoding="utf-8") == render(r, fmt)


# ---------------------------------------------------------------- suppression where a reader looks

def check_suppressed_page(r, named):
    page = render(r, "html")
    sections, found = small_counts(page)
    # every suppressed section is marked in the page (tables and the schools' consultations chart)
    assert sections == set(SUPPRESSED_SECTIONS)
    assert found == [], found[:10]
    # the check can fail: the named report shows those counts
    _named_sections, named_found = small_counts(render(named, "html"))
    assert named_found, "the named report should show small counts in these sections"
    # and the evaluation dataset still shows c where they were
    assert '<td class="c" title="a count from 1 to 9, suppressed">c</td>' in page


def test_rendered_evaluation_shows_no_small_count_in_suppressed_sections(v2store):
    check_suppressed_page(report(v2store, evaluation=True), report(v2store))


def test_rendered_evaluation_of_the_small_bundle(loaded_store):
    def year(**kw):
        return build_report(loaded_store, SYSTEM, date(2025, 9, 1), date(2026, 8, 31), as_of=date(2026, 8, 31),
                            **kw)

    check_suppressed_page(year(evaluation=True), year())
