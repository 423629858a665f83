"""The forms' pickers offer only what the user may see, and treat % and _ as letters."""

from __future__ import annotations

from slo.services.actors import load_actor
from slo.services.bundle import import_bundle
from slo.tui.screens.forms.pickers import school_search, young_person_search


def _south_pupil(store):
    import_bundle(
        store,
        {
            "format": "slo-bundle/1",
            "young_people": [
                {"ref": "YP-S1", "given_name": "Morgan", "family_name": "Southby", "school": "100001"},
                {"ref": "YP-N2", "given_name": "Morgan", "family_name": "Northby", "school": "100000"},
            ],
        },
        load_actor(store.db, "A1"),
    )


def test_slo_is_offered_only_young_people_of_their_team(loaded_store):
    _south_pupil(loaded_store)
    north = young_person_search(loaded_store, actor=load_actor(loaded_store.db, "PC1000"))
    assert sorted(c.value for c in north("Morgan")) == ["YP-0001", "YP-N2"]  # Alex Morgan + Morgan Northby
    south = young_person_search(loaded_store, actor=load_actor(loaded_store.db, "PC1001"))
    assert [c.value for c in south("Morgan")] == ["YP-S1"]
    admin = young_person_search(loaded_store, actor=load_actor(loaded_store.db, "A1"))
    assert len(admin("Morgan")) == 3
    assert young_person_search(loaded_store)("Morgan") == []  # no actor, nothing offered


def test_wildcards_are_letters(loaded_store):
    admin = load_actor(loaded_store.db, "A1")
    assert young_person_search(loaded_store, actor=admin)("%") == []
    assert young_person_search(loaded_store, actor=admin)("_lex") == []
    assert [c.value for c in young_person_search(loaded_store, actor=admin)("Ale")] == ["YP-0001"]
    schools = school_search(loaded_store, lambda: "PC1000")
    assert schools("%") == []
    assert [c.value for c in schools("Northg")] == ["100000"]
