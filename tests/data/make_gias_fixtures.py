"""Write the GIAS fixtures under tests/data/ (run once; the files are committed).

Rows are copied from the real samples in tests/data/gias (state-funded extract,
33 columns) plus made-up rows for the awkward cases: accents and curly quotes
that exist only in Windows-1252, job titles in the title column, "Not
applicable" names, closed establishments, a bad URN, an empty name, a duplicate
URN, a quoted field spanning two lines, and every phase rule.

* ``gias_cp1252.csv``   - as GIAS serves it: Windows-1252, CRLF, every field quoted
* ``gias_utf8_bom.csv`` - the same rows saved as UTF-8 with a byte-order mark
* ``gias_wide.csv``     - the same rows in a 130-column "all data" layout, columns shuffled

    python tests/data/make_gias_fixtures.py
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent

HEADER = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName",
    "TypeOfEstablishment (name)", "EstablishmentStatus (name)", "ReasonEstablishmentOpened (name)",
    "OpenDate", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge", "Boarders (name)",
    "OfficialSixthForm (name)", "Gender (name)", "ReligiousCharacter (name)", "AdmissionsPolicy (name)",
    "UKPRN", "Street", "Locality", "Address3", "Town", "County (name)", "Postcode", "SchoolWebsite",
    "TelephoneNum", "HeadTitle (name)", "HeadFirstName", "HeadLastName", "HeadPreferredJobTitle",
    "GOR (name)", "ParliamentaryConstituency (code)", "ParliamentaryConstituency (name)",
]

# Extra columns of the all-establishments extract (edubasealldata), to reach 130.
EXTRA = [
    "TypeOfEstablishment (code)", "EstablishmentTypeGroup (code)", "EstablishmentTypeGroup (name)",
    "EstablishmentStatus (code)", "ReasonEstablishmentOpened (code)", "ReasonEstablishmentClosed (code)",
    "ReasonEstablishmentClosed (name)", "CloseDate", "PhaseOfEducation (code)", "Boarders (code)",
    "NurseryProvision (name)", "OfficialSixthForm (code)", "Gender (code)", "ReligiousCharacter (code)",
    "ReligiousEthos (name)", "Diocese (code)", "Diocese (name)", "AdmissionsPolicy (code)",
    "SchoolCapacity", "SpecialClasses (code)", "SpecialClasses (name)", "CensusDate", "NumberOfPupils",
    "NumberOfBoys", "NumberOfGirls", "PercentageFSM", "TrustSchoolFlag (code)", "TrustSchoolFlag (name)",
    "Trusts (code)", "Trusts (name)", "SchoolSponsorFlag (name)", "SchoolSponsors (name)",
    "FederationFlag (name)", "Federations (code)", "Federations (name)", "FEHEIdentifier",
    "FurtherEducationType (name)", "OfstedLastInsp", "LastChangedDate", "BSOInspectorateName (name)",
    "InspectorateReport", "DateOfLastInspectionVisit", "NextInspectionVisit", "TeenMoth (name)",
    "TeenMothPlaces", "CCF (name)", "SENPRU (name)", "EBD (name)", "PlacesPRU", "FTProv (name)",
    "EdByOther (name)", "Section41Approved (name)",
] + [f"SEN{i} (name)" for i in range(1, 14)] + [
    "TypeOfResourcedProvision (name)", "ResourcedProvisionOnRoll", "ResourcedProvisionCapacity",
    "SenUnitOnRoll", "SenUnitCapacity", "GOR (code)", "DistrictAdministrative (code)",
    "DistrictAdministrative (name)", "AdministrativeWard (code)", "AdministrativeWard (name)",
    "UrbanRural (code)", "UrbanRural (name)", "GSSLACode (name)", "Easting", "Northing",
    "MSOA (name)", "LSOA (name)", "InspectorateName (name)", "SENStat", "SENNoStat",
    "BoardingEstablishment (name)", "PropsName", "PreviousLA (code)", "PreviousLA (name)",
    "PreviousEstablishmentNumber", "OfstedRating (name)", "RSCRegion (name)", "Country (name)",
    "UPRN", "SiteName", "QABName (code)", "QABName (name)", "EstablishmentAccredited (code)",
    "EstablishmentAccredited (name)", "QABReport", "CHNumber", "MSOA (code)", "LSOA (code)", "FSM",
]

assert len(HEADER) + len(EXTRA) >= 130, len(HEADER) + len(EXTRA)


def row(urn, name, type_, status, phase, title, first, last, *, la="Camden", postcode="NW1 1AA",
        street="1 High Street"):
    values = dict.fromkeys(HEADER, "")
    values.update({
        "URN": urn, "LA (code)": "202", "LA (name)": la, "EstablishmentNumber": "2000",
        "EstablishmentName": name, "TypeOfEstablishment (name)": type_,
        "EstablishmentStatus (name)": status, "ReasonEstablishmentOpened (name)": "Not applicable",
        "OpenDate": "01-09-1999", "PhaseOfEducation (name)": phase, "StatutoryLowAge": "4",
        "StatutoryHighAge": "11", "Street": street, "Town": "London", "Postcode": postcode,
        "TelephoneNum": "02071234567", "HeadTitle (name)": title, "HeadFirstName": first,
        "HeadLastName": last, "HeadPreferredJobTitle": "Headteacher", "GOR (name)": "London",
    })
    return values


ROWS = [
    # copied from tests/data/gias/edubaseallstatefunded_sample.csv
    row("100000", "The Aldgate School", "Voluntary aided school", "Open", "Primary", "Miss", "Alexandra",
        "Allan", la="City of London", postcode="EC3A 5DE"),
    row("100006", "Heath School", "Pupil referral unit", "Open", "Not applicable", "Mr", "Alex", "Wilson",
        postcode="NW3 2NY"),
    row("100013", "Edith Neville Primary School", "Community school", "Open", "Primary", "", "Ruby",
        "Nasser", postcode="NW1 1HQ"),
    # made-up rows for the awkward cases
    row("100100", "École Saint-Benoît", "Community school", "Open", "Middle deemed secondary",
        "Headteacher", "Zoë", "O’Brien", postcode="NW5 1AA"),
    row("100101", "Oak Special School", "Community special school", "Open", "Not applicable",
        "Executive Head", "R", "Patel"),
    row("100102", "Riverside Sixth Form", "Free schools 16 to 19", "Open", "16 plus", "Dr.", "Ann",
        "Lee", street="Unit 4,\r\nRiverside Works"),
    row("100103", "Hill All-through School", "Academy converter", "Open, but proposed to close",
        "All-through", "Not applicable", "Not applicable", "Not applicable"),
    row("100104", "Old Lane School", "Community school", "Closed", "Primary", "Mrs", "Jo", "Old"),
    row("100001", "Southfield Primary School", "Community school", "Closed", "Primary", "Ms", "Kay",
        "South"),
    row("12345", "Short URN School", "Community school", "Open", "Primary", "Mr", "A", "Short"),
    row("100105", "", "Community school", "Open", "Primary", "Mr", "No", "Name"),
    row("100106", "Brook Alternative Provision Academy", "Academy alternative provision converter",
        "Open", "Not applicable", "Principal", "Sam", "Brook"),
    row("100107", "Vale Middle School", "Foundation school", "Open", "Middle deemed primary", "Mr",
        "Ian", "Vale"),
    row("100108", "Little Acorns Nursery School", "Local authority nursery school", "Open", "Nursery",
        "Ms", "Pat", "Acorn", la="Not applicable"),
    row("100107", "Vale Middle School (again)", "Foundation school", "Open", "Middle deemed primary",
        "Mr", "Ian", "Vale"),
]


def render(header, rows, line_end="\r\n"):
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator=line_end)
    writer.writerow(header)
    for r in rows:
        writer.writerow([r.get(h, "") for h in header])
    return out.getvalue()


def main() -> None:
    text = render(HEADER, ROWS)
    (HERE / "gias_cp1252.csv").write_bytes(text.encode("cp1252"))
    (HERE / "gias_utf8_bom.csv").write_bytes(text.encode("utf-8-sig"))
    wide = HEADER + EXTRA[: 130 - len(HEADER)]
    random.Random(130).shuffle(wide)
    filled = []
    for r in ROWS:
        r = dict(r)
        for i, h in enumerate(EXTRA):
            r[h] = "01-01-2020" if "Date" in h else ("Not applicable" if "(name)" in h else str(i))
        filled.append(r)
    (HERE / "gias_wide.csv").write_bytes(render(wide, filled).encode("cp1252"))


if __name__ == "__main__":
    main()
