"""The html report rendered as a reader sees it, in headless Chromium (Debian package ``chromium``), on a
force-sized demo database: a screenshot at 1280 px, print-to-PDF on A4 turned into page images with
pdftoppm (``poppler-utils``), no console errors, every word of every printed page inside the page
(pdftotext -bbox), the summary on page 1, and the evaluation dataset's suppressed sections free of
counts from 1 to 9 while larger counts still show.

The screenshots and page images are kept as test artefacts in ``artefacts/reports/`` at the top of
the repository (the path is printed); look at them to judge the layout."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from helpers.report_html import SMALL, small_counts

from slo.cli.main import main
from slo.reports.overview import academic_year

pytestmark = [
    pytest.mark.browser,
    # one force demo and one rendering for the module, in one test process: two processes rendering at once
    # would each count the other's page images
    pytest.mark.xdist_group("report_browser"),
]

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "artefacts" / "reports"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def pages(tmp_path_factory, request):
    """A force demo, its named and evaluation html reports for this academic year to today, rendered."""
    for tool in ("pdftoppm", "pdftotext"):
        assert shutil.which(tool), f"{tool} is missing: apt-get install poppler-utils (scripts/test.sh does)"
    assert Path(CHROMIUM).exists(), "chromium is missing: apt-get install chromium"
    work = tmp_path_factory.mktemp("browser")
    db = work / "force.db"
    assert main(["--db", str(db), "demo", "--scale", "force", "--seed", "7"]) == 0
    a, b = academic_year(date.today())
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    out = {}
    for name, extra in (("named", []), ("evaluation", ["--evaluation"])):
        html = work / f"{name}.html"
        args = ["--db", str(db), "--user", "A1", "report", "continuity", "--from", a.isoformat(), "--to",
                b.isoformat(), "--format", "html", "--out", str(html), *extra]
        assert main(args) == 0
        out[name] = render(html, work / name, name)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    line = f"report screenshots and page images: {ARTEFACTS}"
    print(line)
    if reporter is not None:
        reporter.write_line(line)
    return out


def chromium(*args: str, profile: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
         f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=180)


def render(html: Path, folder: Path, name: str) -> dict:
    folder.mkdir()
    shot = folder / f"{name}-1280.png"
    pdf = folder / f"{name}.pdf"
    logs = []
    proc = chromium(f"--screenshot={shot}", "--window-size=1280,2000", html.resolve().as_uri(),
                    profile=folder / "profile-shot")
    logs.append(proc.stderr)
    proc = chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", html.resolve().as_uri(),
                    profile=folder / "profile-pdf")
    logs.append(proc.stderr)
    assert shot.exists() and pdf.exists(), "\n".join(logs)[-3000:]
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-l", "4", str(pdf), str(folder / f"{name}-page")],
                   check=True, timeout=120)
    bbox = folder / f"{name}-bbox.html"
    subprocess.run(["pdftotext", "-bbox", str(pdf), str(bbox)], check=True, timeout=120)
    pages = sorted(folder.glob(f"{name}-page-*.png"))
    # the test counts its own images; the artefacts folder gets a copy to look at
    for old in ARTEFACTS.glob(f"{name}-page-*.png"):
        old.unlink()
    for image in (shot, *pages):
        shutil.copy2(image, ARTEFACTS / image.name)
    return {"html": html.read_text(encoding="utf-8"), "shot": shot, "pdf": pdf, "bbox": bbox,
            "pages": pages, "logs": "\n".join(logs)}


PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')


def words_by_page(bbox: Path) -> list[tuple[float, float, list[tuple[float, float, str]]]]:
    """(page width, page height, [(xMin, xMax, word)]) per printed page."""
    text = bbox.read_text(encoding="utf-8")
    return [(float(w), float(h), [(float(a), float(b), unescape(t)) for a, b, t in WORD.findall(body)])
            for w, h, body in PAGE.findall(text)]


@pytest.mark.parametrize("name", ["named", "evaluation"])
def test_renders_without_console_errors(pages, name):
    logs = pages[name]["logs"]
    bad = [line for line in logs.splitlines() if "CONSOLE" in line or "Uncaught" in line or "Refused to" in line]
    assert bad == [], bad
    assert pages[name]["shot"].stat().st_size > 50_000
    assert len(pages[name]["pages"]) == 4


@pytest.mark.parametrize("name", ["named", "evaluation"])
def test_printed_pages_are_a4_and_nothing_falls_off(pages, name):
    printed = words_by_page(pages[name]["bbox"])
    assert len(printed) >= 4
    for number, (width, height, words) in enumerate(printed, start=1):
        # A4 in points
        assert (round(width), round(height)) == (595, 842)
        outside = [w for w in words if w[1] > width - 20 or w[0] < 20]
        assert outside == [], (number, outside[:5])
    # page 1 is the summary, whole: it ends with the note on how to read the report
    first = " ".join(w[2] for w in printed[0][2])
    assert "Summary" in first and "What this covers" in first and "Ethnicity recording" in first
    assert "How to read this report" in first
    assert "Charts" not in first and "Tables" not in first


def test_evaluation_page_shows_big_counts_and_no_small_ones(pages):
    html = pages["evaluation"]["html"]
    sections, found = small_counts(html)
    assert found == [], found[:10]
    assert "by_outcome" in sections
    # a force's outcomes include counts of 10 or more: suppression hides only the small ones
    outcome_table = html[html.index("Consultations by outcome"):html.index("Consultations by DfE exclusion reason")]
    counts = [int(x.replace(",", "")) for x in re.findall(r"<td>([\d,]+)</td>", outcome_table)]
    assert counts and max(counts) >= 10
    assert not any(SMALL.fullmatch(str(c)) for c in counts)
