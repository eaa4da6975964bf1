"""What the dashboard derives from a loaded result (the review pass, facets, the step index,
the review queue, counts), computed once per result, corrections version and code, not on
every rerun; the parts worth keeping are stored with the result in its run cache row
(``geo.pipeline.Result.derived``, written by ``pipeline.keep_derived``), so that a restart
over an unchanged corpus reads them with the result instead of computing them again.

Why a stored value is never stale: it lives in the row of the result it was derived from
(another corpus, code in ``geo/`` or user dates is another row, with nothing derived yet),
and its key names the corrections version and a digest of the caller's own code (the
dashboard script, which the run key does not cover): a correction saved, or an edited
script, makes other keys, and a value is only ever read under the key it was made for.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

MAX_LOCAL = 16  # per-result entries not stored (filtered views): cleared beyond this


def code_digest(path: str | Path) -> str:
    """A digest of the caller's source file (what its ``make`` functions are)."""
    try:
        return hashlib.sha1(Path(path).read_bytes()).hexdigest()[:12]
    except OSError:
        return "unknown"


class Memo:
    """Per-result memo for one corrections ``version`` and caller ``code`` digest.

    ``get(what, make, keep=True)`` values go to ``result.derived`` (stored with the row; a
    result without that attribute, e.g. a test's stand-in, keeps them locally), the others
    to a local dict on the result that lives and dies with it."""

    def __init__(self, result: Any, version: object, code: str):
        self.result = result
        self.prefix = f"{version}|{code}|"
        self.local = result.__dict__.setdefault("_nm_derived", {}) if result is not None \
            else {}
        kept = getattr(result, "derived", None)
        self.kept = kept if isinstance(kept, dict) else None
        self.carried: dict | None = None

    def carry(self, carried: dict | None, anchor: str, now) -> bool:
        """Take the kept values of ``carried`` (what was derived from the last run's result,
        whose events this result's are, object for object: ``pipeline.Result.carried``)
        for the later ``get(..., keep=True)``s, instead of computing them, when its
        ``anchor`` value (this version and code) holds ``now`` (the events the kept values
        are made from: the reviewed events), object for object. So the caller's kept
        values must be made from ``now`` alone (and the anchor computed, not carried)."""
        if not carried or self.kept is None or self.result is None:
            return False
        before = getattr(carried.get(self.prefix + anchor), "events", None)
        if before is None or len(before) != len(now) or any(
                a is not b for a, b in zip(before, now, strict=True)):
            return False
        self.carried = carried
        return True

    def get(self, what: str, make: Callable[[], Any], keep: bool = False) -> Any:
        if self.result is None:
            return make()
        key = self.prefix + what
        if key in self.local:
            return self.local[key]
        if keep and self.kept is not None and key in self.kept:
            value = self.kept[key]
        elif keep and self.carried is not None and key in self.carried:
            value = self.kept[key] = self.carried[key]
        else:
            value = make()
            if keep and self.kept is not None:
                for old in [k for k in self.kept if not k.startswith(self.prefix)]:
                    self.kept.pop(old, None)  # another version's: never read again
                self.kept[key] = value
        if len(self.local) > MAX_LOCAL:
            self.local.clear()
        self.local[key] = value
        return value
