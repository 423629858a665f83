"""The SQLite database: connections, migrations, row conversion and queries (no Textual)."""

from .db import DatabaseBusy, NetworkFilesystem, Store, StoreError, connect, open_store

__all__ = ["DatabaseBusy", "NetworkFilesystem", "Store", "StoreError", "connect", "open_store"]
