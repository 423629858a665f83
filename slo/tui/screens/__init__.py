"""The desk's screens, one per module, each with its ``.tcss`` beside it.

Screens take only their own arguments and use ``self.app.store`` / ``self.app.actor``.
Every screen defines ``HELP`` (what it is for) and ``BINDINGS`` (from :mod:`slo.tui.bindings`).
"""
