"""The continuity report (``docs/spec/metrics.md``, definitions version 2) and the evaluation dataset.

```python
build_report(store, actor, date_from, date_to, *, evaluation=False, scope=None, recipient=None,
             as_of=None) -> dict                   # counted to as_of (default today) at the latest
render(report, fmt) -> str | bytes          # json | md | html (csv: bytes of a .zip)
write_report(report, fmt, out) -> Path      # csv: a folder of files, or a .zip when out ends in .zip
officer_figures(db, collars, date_from, date_to, *, as_of) -> list[dict]   # metrics.md officers[] entries
```
Nothing here imports Textual.
"""

from __future__ import annotations

from .build import build_report, default_scope
from .definitions import DEFINITIONS, DEFINITIONS_VERSION, NOTES
from .figures import officer_figures, officer_impact, sum_entries, weekly_abstraction_rates
from .render import FORMATS, render, write_report

__all__ = [
    "build_report", "render", "write_report", "officer_figures", "officer_impact", "sum_entries",
    "weekly_abstraction_rates", "default_scope", "DEFINITIONS", "DEFINITIONS_VERSION", "NOTES", "FORMATS",
]
