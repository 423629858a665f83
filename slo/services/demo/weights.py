"""Plausible distributions for the demo data, derived once from DfE statistics.

Source (Open Government Licence v3.0), Department for Education, "Permanent and
fixed-period exclusions in England", academic year 2016/17, national level,
all school types ("Total" rows):

* ``exclusions_by_reason_201617.csv``: exclusions by reason (permanent and
  fixed-period, the latter now called suspensions);
* ``exclusion_natcharacteristics_201617.csv``: pupils with one or more
  fixed-period exclusions (``one_plus_fixed``) by sex, national curriculum
  year, ethnicity, SEN provision and free-school-meal eligibility.

The CSV files are kept in ``tests/data/dfe`` (not installed with the package),
so the derived figures are embedded below as ``WEIGHTS``.
:func:`derive` recomputes them from the CSVs (the tests check that the table
still matches its source).

Reason codes: the 2016/17 categories predate the 2020 codes. The mapping is
one to one where the meaning is the same (physical assault against a pupil ->
PP, against an adult -> PA, verbal abuse against a pupil -> VP, against an adult
-> VA, bullying -> BU, racist abuse -> RA, sexual misconduct -> SM, drug and
alcohol -> DA, damage -> DM, theft -> TH, persistent disruptive behaviour ->
DB). The old "other" category is being phased out; its count is shared among the
codes that did not exist in 2016/17, in the proportions of ``OTHER_SPLIT``
(offensive weapon OW, online/social media MT, sexual orientation and gender
identity LG, disability DS, public-health measures PH). Those proportions are
our judgement, not DfE figures.

Ethnicity: DfE minor groups map onto the police self-defined (18+1) codes:
White British W1, Irish W2, Traveller of Irish heritage and Gypsy/Roma W3, any
other White W9, White and Black Caribbean M1, White and Black African M2,
White and Asian M3, any other Mixed M9, Indian A1, Pakistani A2, Bangladeshi
A3, Chinese A4, any other Asian A9, Black Caribbean B1, Black African B2, any
other Black B9, any other ethnic group O9 (a quarter of it given to O2 Arab,
which DfE does not publish separately), unclassified NS.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TypedDict


class Weights(TypedDict):
    """The embedded table: counts per code (reasons, sex, ethnicity, SEN, FSM) or per year group."""

    reasons_permanent: dict[str, int]
    reasons_suspension: dict[str, int]
    sex: dict[str, int]
    year_group: dict[int, int]
    ethnicity: dict[str, int]
    sen: dict[str, int]
    fsm: dict[str, int]


#: DfE 2016/17 reason column (without the perm_/fixed_ prefix) -> current code
REASON_MAP = {
    "physical_pupils": "PP",
    "physical_adult": "PA",
    "verbal_pupil": "VP",
    "verbal_adult": "VA",
    "bullying": "BU",
    "racist_abuse": "RA",
    "sexual_misconduct": "SM",
    "drug_alcohol": "DA",
    "damage": "DM",
    "theft": "TH",
    "persistent_disruptive": "DB",
}

#: how the old "other" reason is shared among codes introduced since (our judgement)
OTHER_SPLIT = {"OW": 0.45, "MT": 0.35, "LG": 0.08, "DS": 0.08, "PH": 0.04}

#: DfE minor ethnic group (characteristic_1 without "Ethnicity_Minor_") -> police codes and shares
ETHNICITY_MAP = {
    "White_British": {"W1": 1.0},
    "Irish": {"W2": 1.0},
    "Traveller_of_Irish_heritage": {"W3": 1.0},
    "Gypsy_Roma": {"W3": 1.0},
    "Any_other_white_background": {"W9": 1.0},
    "White_and_Black_Caribbean": {"M1": 1.0},
    "White_and_Black_African": {"M2": 1.0},
    "White_and_Asian": {"M3": 1.0},
    "Any_other_Mixed_background": {"M9": 1.0},
    "Indian": {"A1": 1.0},
    "Pakistani": {"A2": 1.0},
    "Bangladeshi": {"A3": 1.0},
    "Chinese": {"A4": 1.0},
    "Any_other_Asian_background": {"A9": 1.0},
    "Black_Caribbean": {"B1": 1.0},
    "Black_African": {"B2": 1.0},
    "Any_other_black_background": {"B9": 1.0},
    "Any_Other_Ethnic_Group": {"O9": 0.75, "O2": 0.25},
}

# --- the embedded table (regenerate with: python -m slo.services.demo.weights SHARED_DATA_DIR) ---
# Source: DfE exclusions 2016/17, national, all school types; see the module docstring.
WEIGHTS: Weights = {
    "reasons_permanent": {
        "BU": 25, "DA": 565, "DB": 2755, "DM": 95, "DS": 108, "LG": 108, "MT": 474, "OW": 610, "PA": 745, "PH": 54,
        "PP": 1025, "RA": 25, "SM": 105, "TH": 40, "VA": 655, "VP": 330,
    },
    "reasons_suspension": {
        "BU": 4250, "DA": 9075, "DB": 108640, "DM": 7685, "DS": 6016, "LG": 6016, "MT": 26318, "OW": 33838,
        "PA": 26695, "PH": 3008, "PP": 64355, "RA": 4565, "SM": 2235, "TH": 4320, "VA": 59675, "VP": 15170,
    },
    "sex": {
        "female": 49665, "male": 133810,
    },
    "year_group": {
        0: 1435, 1: 2705, 2: 3345, 3: 4130, 4: 5080, 5: 6265, 6: 7350, 7: 19985, 8: 29455, 9: 35455, 10: 37595,
        11: 26690, 12: 2335,
    },
    "ethnicity": {
        "A1": 1495, "A2": 6120, "A3": 1850, "A4": 125, "A9": 1375, "B1": 5425, "B2": 8385, "B9": 2075, "M1": 5620,
        "M2": 1725, "M3": 1770, "M9": 3920, "NS": 3205, "O2": 695, "O9": 2085, "W1": 127445, "W2": 610, "W3": 2240,
        "W9": 7315,
    },
    "sen": {
        "ehc_plan": 14555, "none": 112185, "sen_support": 56735,
    },
    "fsm": {
        "no": 124510, "yes": 58930,
    },
}
# --- end of the embedded table ---


def _number(text: str) -> int:
    """A DfE count; suppressed (``x``) and not applicable (``.``) count as 0."""
    try:
        return int(text)
    except ValueError:
        return 0


def derive(reason_csv: str | Path, characteristics_csv: str | Path) -> Weights:
    """Recompute :data:`WEIGHTS` from the two DfE CSV files (2016/17, national, all schools)."""
    with open(reason_csv, newline="", encoding="utf-8") as f:
        row = next(
            r
            for r in csv.DictReader(f)
            if r["time_period"] == "201617"
            and r["geographic_level"].lower() == "national"
            and r["school_type"] == "Total"
        )
    reasons: dict[str, dict[str, int]] = {}
    for kind, prefix in (("reasons_permanent", "perm_"), ("reasons_suspension", "fixed_")):
        weights = {code: _number(row[prefix + col]) for col, code in REASON_MAP.items()}
        other = _number(row[prefix + "other"])
        for code, share in OTHER_SPLIT.items():
            weights[code] = round(other * share)
        reasons[kind] = dict(sorted(weights.items()))

    sex: dict[str, int] = {}
    years: dict[int, int] = {}
    ethnicity: dict[str, int] = {}
    sen: dict[str, int] = {}
    fsm: dict[str, int] = {}
    with open(characteristics_csv, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if not (r["year"] == "201617" and r["level"] == "NATIONAL" and r["school_type"] == "Total"):
                continue
            if r["characteristic_2"] != "Total":
                continue
            desc, c1, n = r["characteristic_desc"], r["characteristic_1"], _number(r["one_plus_fixed"])
            if desc == "Gender":
                sex[c1.removeprefix("Gender_")] = n
            elif desc == "NC_year":
                name = c1.removeprefix("NC_Year_")
                if name == "Reception":
                    years[0] = n
                elif name == "12_and_above":
                    years[12] = n
                elif name.isdigit():
                    years[int(name)] = n
            elif desc == "Ethnicity" and c1.startswith("Ethnicity_Minor_"):
                for code, share in ETHNICITY_MAP[c1.removeprefix("Ethnicity_Minor_")].items():
                    ethnicity[code] = ethnicity.get(code, 0) + round(n * share)
            elif desc == "Ethnicity" and c1 == "Ethnicity_Unclassified":
                ethnicity["NS"] = n
            elif desc == "SEN_provision":
                sen[
                    {
                        "SEN_Provision_No_SEN": "none",
                        "SEN_provision_SEN_with_statement_EHC": "ehc_plan",
                        "SEN_provision_SEN_without_statement": "sen_support",
                    }[c1]
                ] = n
            elif desc == "FSM_Eligible" and c1 in ("FSM_Eligible", "FSM_NotEligible"):
                fsm["yes" if c1 == "FSM_Eligible" else "no"] = n
    return Weights(
        reasons_permanent=reasons["reasons_permanent"],
        reasons_suspension=reasons["reasons_suspension"],
        sex=dict(sorted(sex.items())),
        year_group=dict(sorted(years.items())),
        ethnicity=dict(sorted(ethnicity.items())),
        sen=dict(sorted(sen.items())),
        fsm=dict(sorted(fsm.items())),
    )


if __name__ == "__main__":  # pragma: no cover - a developer's tool
    import sys

    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "tests/data/dfe")
    table = derive(folder / "exclusions_by_reason_201617.csv", folder / "exclusion_natcharacteristics_201617.csv")
    for name, weights in table.items():
        print(f"    {name!r}: {weights!r},")  # (wrap the lines at 120 characters when pasting)
