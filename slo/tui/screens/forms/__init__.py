"""The desk's forms: modal screens that dismiss with the saved record's key (None if discarded).

See ``docs/forms.md``. Import the forms from their modules
(``slo.tui.screens.forms.engagement.EngagementForm`` ...); this package imports nothing
eagerly so that opening one form does not load them all.
"""
