"""Use cases with the acting user: permissions, audit, validation against the database (no Textual)."""
