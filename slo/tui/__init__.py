"""The desk: a Textual terminal app (``slo`` with no subcommand).

Import :mod:`slo.tui.app` lazily: Textual costs a few hundred milliseconds to import
and headless commands never need it.
"""
