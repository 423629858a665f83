"""Read models: what each desk screen shows, one module per screen (mirroring ``slo/tui/screens/``).

Every function takes ``(store, actor, ...)``, checks what the actor may see
(:mod:`.scope`), reads through ``store.db`` (this thread's connection: the desk
calls these from thread workers) and returns plain dataclasses. No Textual here,
and nothing here writes, except the ``view`` audit row of a personal record.

=================  ==========================================================
module             screen (``slo/tui/screens/...``)
=================  ==========================================================
``scope``          who may see what (shared by every module below)
``lines``          rows several screens list (engagements, abstractions)
``home``           which screen is home for a role; the home caseload read early
``caseload``       ``caseload.py`` (and its header: abstractions, what is due)
``school``         ``school.py``
``young_person``   ``young_person.py``
``week``           ``week.py``
``team``           ``team.py`` and ``officer.py``: abstractions with their review and history
``audit_log``      ``audit_log.py``
``palette``        the command palette's search (``providers.py``)
``picker``         ``picker.py`` (who is using the desk)
``term_dates``     ``term_dates.py``
``pickers``        the forms' pickers: officers, schools, young people, consultations
``forms``          what each form under ``screens/forms/`` loads before it is filled in
=================  ==========================================================

The team, officer and reports screens show the continuity report's figures, so
their read models live with the report (:mod:`slo.reports.overview`).
"""
