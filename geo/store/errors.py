"""Why the database cannot be used, and what the user can do about it.

Each class also inherits the builtin it is closest to (as geopy's exceptions do), so a
caller that only knows ``OSError`` or ``ValueError`` still catches it. ``str(exc)`` is the
whole message for the user: what is wrong, where, and what to do.
"""

from __future__ import annotations

from pathlib import Path


class StoreError(Exception):
    """Base class: the database at ``path`` cannot be used right now."""

    def __init__(self, path: Path | str, problem: str, advice: str):
        self.path = Path(path)
        self.problem = problem
        self.advice = advice
        super().__init__(f"{problem} ({self.path}). {advice}")


class StoreUnavailable(StoreError, OSError):
    """The file cannot be opened or written (read-only folder, disk full, locked too long)."""


class StoreCorrupt(StoreError, ValueError):
    """The file is not a database of ours, or SQLite reports it damaged."""


class StoreTooNew(StoreError, RuntimeError):
    """The file was written by a newer version of the app (schema version above ours)."""

    def __init__(self, path: Path | str, found: int, supported: int):
        self.found, self.supported = found, supported
        super().__init__(
            path, f"the database has schema version {found}, this app knows up to {supported}",
            "Update the app, or point NEWSMAP_HOME at another folder; the file is left as is.")
