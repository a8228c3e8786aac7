"""The curation admin: briefs, topics (merge, rename, duplicates), suggestions, import.

Every write goes through a service in ``briefs.services``, which also writes the admin log.
Changelists annotate their counts in the one listing query.
"""

from .briefs import BriefAdmin, SourceAdmin
from .runs import ImportRunAdmin
from .topics import TopicAdmin, TopicSlugRedirectAdmin, TopicSuggestionAdmin

__all__ = [
    "BriefAdmin",
    "ImportRunAdmin",
    "SourceAdmin",
    "TopicAdmin",
    "TopicSlugRedirectAdmin",
    "TopicSuggestionAdmin",
]
