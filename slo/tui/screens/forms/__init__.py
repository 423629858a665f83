"""The desk's forms: modal screens that dismiss with the saved record's key (None if discarded).

See ``docs/forms.md``. One form a module (``engagement.EngagementForm``,
``consultation.ConsultationForm``, ``abstraction.AbstractionForm``, ``review.ReviewForm`` ...),
each with its ``.tcss`` beside it, on the machinery of :mod:`.base` (the form),
:mod:`.problems` (errors in a user's words), :mod:`.values` (reading the boxes),
:mod:`.pickers` (searches) and :mod:`.discard` (the discard question). A form reads with one
read model of :mod:`slo.services.queries.forms` and writes with one use case of
:mod:`slo.services`. This package imports nothing eagerly, so that opening one form does
not load them all.
"""
