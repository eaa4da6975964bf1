"""The analyst's corrections on top of the extractor's events (ACLED's coder review).

``corrections``  the Correction data class and the key that finds an event again across
                 extractor versions (article text hash + evidence sentence + family)
``apply``        (events, corrections) -> reviewed events + corrections that match nothing
``queue``        unreviewed events, most uncertain first
``log``          corrections in the user's database (:mod:`geo.store`), one row per action
``actions``      build a Correction from what the user typed (dates, places via the geocoder)
"""

from geo.review.apply import Reviewed, apply
from geo.review.corrections import (
                                    KINDS,
                                    REMOVE_REASONS,
                                    REVIEW_STATUSES,
                                    Correction,
                                    EventKey,
                                    article_hashes,
                                    event_key,
                                    text_hash,
)

__all__ = ["KINDS", "REMOVE_REASONS", "REVIEW_STATUSES", "Correction", "EventKey", "Reviewed",
           "apply", "article_hashes", "event_key", "text_hash"]
