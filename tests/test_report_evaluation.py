"""The evaluation dataset: pseudonyms, the secret, suppression (worked by hand), audit and permissions."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from test_report_figures import BUNDLE, FROM, TO, rstore  # noqa: F401  (fixture)

from slo.reports import build_report
from slo.reports.evaluation import SECRET_KEY, suppress_breakdown
from slo.services.actors import load_actor
from slo.services.errors import PermissionDenied


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
        _hmac(secret, c) for c in ["A1", "P1", "P2", "P3", "S1", "S2"])
    assert {y["pseudonym"] for y in r1["young_people"]} == {_hmac(secret, "YP1"), _hmac(secret, "YP2")}
    assert {t["pseudonym"] for t in r1["teams"]} == {_hmac(secret, "T-A"), _hmac(secret, "T-B")}
    s = {x["urn"]: x for x in r1["schools"]}
    assert s["100001"]["assigned_officer_at_end"] == _hmac(secret, "P1")
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
    # after_decision: only not_stated 1 -> a lone "c" with no other non-zero count: the first zero (white) too
    assert [g[x]["after_decision"] for x in ("white", "mixed", "asian", "black", "other", "not_stated")] == \
        ["c", 0, 0, 0, 0, "c"]
    # permanent_exclusion: only black 1 -> white hidden too
    assert g["black"]["permanent_exclusion"] == "c" and g["white"]["permanent_exclusion"] == "c"
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
    assert r["scope"]["level"] == "force"
    slo = load_actor(rstore.db, "P1")
    with pytest.raises(PermissionDenied):
        build_report(rstore, slo, FROM, TO, evaluation=True)
    with pytest.raises(PermissionDenied):
        build_report(rstore, slo, FROM, TO, scope="force")
    with pytest.raises(PermissionDenied):
        build_report(rstore, load_actor(rstore.db, "S1"), FROM, TO, scope="team:T-B")
    refused = rstore.db.execute("SELECT count(*) FROM audit WHERE operation = 'refused'").fetchone()[0]
    assert refused == 4
