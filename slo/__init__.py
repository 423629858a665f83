"""SLO Desk: a terminal desk for police schools liaison officers."""

__version__ = "0.1.0"
