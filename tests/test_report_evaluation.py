"""The evaluation dataset: pseudonyms, the secret, suppression (worked by hand), audit and permissions."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from helpers.report_bundle import AS_OF, FROM, TO

from slo.reports import build_report as _build
from slo.reports.build import ReportError
from slo.reports.evaluation import SECRET_KEY, suppress_breakdown, suppress_school
from slo.services.actors import load_actor
from slo.services.errors import PermissionDenied


def build_report(*args, **kw):
    kw.setdefault("as_of", AS_OF)
    return _build(*args, **kw)


def _secret(store) -> bytes:
    return bytes.fromhex(store.db.execute("SELECT value FROM meta WHERE key = ?", [SECRET_KEY]).fetchone()[0])


def _hmac(secret: bytes, key: str) -> str:
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def _audit_rows(store, operation):
    return store.db.execute(
        "SELECT actor, entity, key, detail, hash, prev_hash FROM audit WHERE operation = ? ORDER BY id", [operation]
    ).fetchall()


def test_pseudonyms_are_hmac_of_keys_and_stable(rstore):
    admin = load_actor(rstore.db, "A1")
    assert rstore.db.execute("SELECT count(*) FROM meta WHERE key = ?", [SECRET_KEY]).fetchone()[0] == 0
    r1 = build_report(rstore, admin, FROM, TO, evaluation=True)
    secret = _secret(rstore)
    assert len(secret) == 32
    assert [o["pseudonym"] for o in r1["officers"]] == sorted(
        _hmac(secret, c) for c in ["P1", "P2", "P3"])
    assert {y["pseudonym"] for y in r1["young_people"]} == {_hmac(secret, "YP1"), _hmac(secret, "YP2")}
    assert {t["pseudonym"] for t in r1["teams"]} == {_hmac(secret, "T-A"), _hmac(secret, "T-B")}
    # version 2: no officer beside a school (the head teachers' calendars name each school's officer)
    assert [x["assigned_officer_at_end"] for x in r1["schools"]] == [None, None, None]
    assert _hmac(secret, "P1") not in json.dumps(r1["schools"])
    # the same child has the same pseudonym in the next report; the secret is not regenerated
    r2 = build_report(rstore, admin, FROM, TO, evaluation=True)
    assert [y["pseudonym"] for y in r2["young_people"]] == [y["pseudonym"] for y in r1["young_people"]]
    assert _secret(rstore) == secret
    text = json.dumps(r1)
    assert secret.hex() not in text
    for leak in ["YP1", "YP2", "YP3", "YP4", "Name of", "Given", "Family", "2012-01-01", "private note",
                 "advice text", "free text reason", "Alpha School", "Deputy head", '"P1"', '"S1"', "T-A",
                 "collar_number"]:
        assert leak not in text, leak


def test_suppression_by_hand(rstore):
    c = build_report(rstore, load_actor(rstore.db, "A1"), FROM, TO, evaluation=True)["consultations"]
    # unsuppressed totals: 5 consultations, 4 before, 1 after
    assert (c["total"], c["before_decision"], c["after_decision"]) == (5, 4, 1)
    # by_proposed: pex 3, suspension 2 -> both "c"; zeros stay 0
    assert c["by_proposed"]["permanent_exclusion"] == "c" and c["by_proposed"]["suspension"] == "c"
    assert c["by_proposed"]["managed_move"] == 0
    # by_reason: PA 3, OW 1, DA 1, DB 2, VA 1 -> five "c"
    assert sum(v == "c" for v in c["by_reason"].values()) == 5 and c["by_reason"]["TH"] == 0
    # ethnicity_missing: declined 1, unspecified 1 -> two "c"
    assert c["ethnicity_missing"] == {"not_asked": 0, "declined": "c", "not_known": 0, "unspecified": "c"}
    g = c["by_ethnic_group"]
    # total: white 2, black 1, not_stated 2 -> "c" "c" "c"
    assert [g[x]["total"] for x in ("white", "mixed", "asian", "black", "other", "not_stated")] == \
        ["c", 0, 0, "c", 0, "c"]
    # after_decision: only not_stated 1 -> a lone "c" with no other non-zero count: zeros stay 0
    assert [g[x]["after_decision"] for x in ("white", "mixed", "asian", "black", "other", "not_stated")] == \
        [0, 0, 0, 0, 0, "c"]
    # permanent_exclusion: only black 1 -> "c", the zeros stay
    assert g["black"]["permanent_exclusion"] == "c" and g["white"]["permanent_exclusion"] == 0
    # rates on suppressed counts: pex avoided 1/2, ethnicity recorded 2/4 -> "c"
    assert c["pex_avoided_rate"] == "c" and c["ethnicity_recorded_rate"] == "c"
    # the named report keeps the numbers
    named = build_report(rstore, load_actor(rstore.db, "A1"), FROM, TO)["consultations"]
    assert named["pex_avoided_rate"] == 0.5


def test_secondary_suppression_rule():
    # one small count -> the next-smallest non-zero count goes too
    assert suppress_breakdown({"a": 3, "b": 40, "c": 12, "d": 0}) == {"a": "c", "b": 40, "c": "c", "d": 0}
    # two small counts: nothing more
    assert suppress_breakdown({"a": 3, "b": 4, "c": 12}) == {"a": "c", "b": "c", "c": 12}
    # nothing small: unchanged
    assert suppress_breakdown({"a": 10, "b": 0}) == {"a": 10, "b": 0}
    # a lone small count and only zeros beside it: zeros stay 0
    assert suppress_breakdown({"a": 0, "b": 4, "c": 0}) == {"a": 0, "b": "c", "c": 0}
    # equally small others: the first in the breakdown's own order (not alphabetical)
    assert suppress_breakdown({"z": 12, "a": 12, "m": 2, "b": 30}) == {"z": "c", "a": 12, "m": "c", "b": 30}
    # 10 is not small; 9 is
    assert suppress_breakdown({"a": 10, "b": 9, "c": 11}) == {"a": "c", "b": "c", "c": 11}


def _school(total, before, after, rate):
    return {"urn": "100001", "consultations": {"total": total, "before_decision": before,
                                               "after_decision": after}, "before_decision_rate": rate}


def test_school_consultations_suppressed_as_a_pair():
    # 3 = 2 + 1: all three small
    s = suppress_school(_school(3, 2, 1, 2 / 3))
    assert s["consultations"] == {"total": "c", "before_decision": "c", "after_decision": "c"}
    assert s["before_decision_rate"] == "c"
    # 25 = 20 + 5: after small; before is the pair's other non-zero count -> "c" (secondary); total stays
    s = suppress_school(_school(25, 20, 5, 0.8))
    assert s["consultations"] == {"total": 25, "before_decision": "c", "after_decision": "c"}
    assert s["before_decision_rate"] == "c"
    # 12 = 12 + 0: nothing small, the zero stays, the rate stays
    s = suppress_school(_school(12, 12, 0, 1.0))
    assert s["consultations"] == {"total": 12, "before_decision": 12, "after_decision": 0}
    assert s["before_decision_rate"] == 1.0
    # 7 = 7 + 0: total and before small; after 0 stays 0
    s = suppress_school(_school(7, 7, 0, 1.0))
    assert s["consultations"] == {"total": "c", "before_decision": "c", "after_decision": 0}
    assert s["before_decision_rate"] == "c"
    # 0 consultations: zeros and a null rate stay
    s = suppress_school(_school(0, 0, 0, None))
    assert s["consultations"] == {"total": 0, "before_decision": 0, "after_decision": 0}
    assert s["before_decision_rate"] is None
    # 30 = 15 + 15: nothing hidden
    assert suppress_school(_school(30, 15, 15, 0.5))["before_decision_rate"] == 0.5


def test_schools_suppressed_in_the_dataset(rstore):
    r = build_report(rstore, load_actor(rstore.db, "A1"), FROM, TO, evaluation=True)
    s = {x["urn"]: x for x in r["schools"]}
    # 100001: 3 = 2 before + 1 after; 100002: 1 = 1 + 0; 100003: 1 = 1 + 0
    assert s["100001"]["consultations"] == {"total": "c", "before_decision": "c", "after_decision": "c"}
    assert s["100002"]["consultations"] == {"total": "c", "before_decision": "c", "after_decision": 0}
    assert s["100003"]["consultations"] == {"total": "c", "before_decision": "c", "after_decision": 0}
    assert {x["before_decision_rate"] for x in r["schools"]} == {"c"}
    # the named report keeps them
    named = {x["urn"]: x for x in build_report(rstore, load_actor(rstore.db, "A1"), FROM, TO)["schools"]}
    assert named["100001"]["consultations"]["total"] == 3


def test_disclosure_and_export_audited(rstore):
    admin = load_actor(rstore.db, "A1")
    head = rstore.db.execute("SELECT hash FROM audit ORDER BY id DESC LIMIT 1").fetchone()[0]
    r = build_report(rstore, admin, FROM, TO, evaluation=True, recipient="University of Somewhere")
    rows = _audit_rows(rstore, "disclosure")
    assert len(rows) == 1
    actor, entity, key, detail, row_hash, prev = rows[0]
    detail = json.loads(detail)
    assert actor == "A1" and entity == "report"
    assert detail["recipient"] == "University of Somewhere"
    assert detail["audit_head"] == head == prev
    assert detail["from"] == "2026-01-05" and detail["to"] == "2026-01-18"
    assert r["audit_record"] == row_hash
    build_report(rstore, admin, FROM, TO)
    assert len(_audit_rows(rstore, "export")) == 1


def test_permissions(rstore):
    evaluator = load_actor(rstore.db, "EV")
    with pytest.raises(PermissionDenied):
        build_report(rstore, evaluator, FROM, TO)
    r = build_report(rstore, evaluator, FROM, TO, evaluation=True)
    assert r["scope"] == {"level": "force", "key": None}
    slo = load_actor(rstore.db, "P1")
    with pytest.raises(PermissionDenied):
        build_report(rstore, slo, FROM, TO, evaluation=True)
    with pytest.raises(PermissionDenied):
        build_report(rstore, slo, FROM, TO, scope="force")
    with pytest.raises(PermissionDenied):
        build_report(rstore, load_actor(rstore.db, "S1"), FROM, TO, scope="team:T-B")
    # version 2: the evaluation dataset is force-wide only, so a sergeant (one team) may not produce it
    with pytest.raises(PermissionDenied, match="whole force"):
        build_report(rstore, load_actor(rstore.db, "S1"), FROM, TO, evaluation=True)
    refused = rstore.db.execute("SELECT count(*) FROM audit WHERE operation = 'refused'").fetchone()[0]
    assert refused == 5


@pytest.mark.parametrize("scope", ["team", "officer", "team:T-A", "officer:P1", "officer:NOPE", "team:NOPE"])
def test_evaluation_is_force_wide_only(rstore, scope):
    for who in ("EV", "A1"):
        with pytest.raises(ReportError) as info:
            build_report(rstore, load_actor(rstore.db, who), FROM, TO, evaluation=True, scope=scope)
        assert str(info.value) == f"the evaluation dataset is always for the whole force: leave out --scope {scope}"
    # nothing was produced: no disclosure, no secret
    assert rstore.db.execute("SELECT count(*) FROM audit WHERE operation = 'disclosure'").fetchone()[0] == 0
    # asking for the force explicitly is the same as asking for nothing
    r = build_report(rstore, load_actor(rstore.db, "EV"), FROM, TO, evaluation=True, scope="force")
    assert r["scope"] == {"level": "force", "key": None}
