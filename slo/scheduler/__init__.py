"""Scheduled jobs: calendars, digests and reports that arrive on their own (no Textual).

``slo.scheduler.state`` (job status for the desk) is light; ``slo.scheduler.runner``
holds the APScheduler daemon and the catch-up logic.
"""
