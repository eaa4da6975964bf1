"""The user's database: one SQLite file in the user data folder (:func:`geo.paths.database_path`).

``errors``  what can go wrong, each with what to do (a precise hierarchy, like geopy's)
``db``      open, migrate (``PRAGMA user_version``), one transaction per write
``backup``  check / export / import (``python -m geo db ...``)
"""

from geo.store.db import SCHEMA_VERSION, Database, open_database
from geo.store.errors import StoreCorrupt, StoreError, StoreTooNew, StoreUnavailable

__all__ = ["SCHEMA_VERSION", "Database", "StoreCorrupt", "StoreError", "StoreTooNew",
           "StoreUnavailable", "open_database"]
