"""The curation admin: briefs, topics (merge, rename, duplicates), suggestions, import.

Every write goes through a service in ``briefs.services``, which also writes the admin log.
Changelists annotate their counts in the one listing query.
"""

from django.contrib import admin
from taggit.models import Tag

from .briefs import BriefAdmin, SourceAdmin
from .runs import ImportRunAdmin
from .stories import StoryAdmin
from .topics import TopicAdmin, TopicSlugRedirectAdmin, TopicSuggestionAdmin

# The app list is one click away (Home); beside a changelist at 1280 px its column squeezed
# brief titles to a word per line.
admin.site.enable_nav_sidebar = False

# Topics are the archive's tags; taggit's own Tag model is never used and stays empty.
if admin.site.is_registered(Tag):
    admin.site.unregister(Tag)

__all__ = [
    "BriefAdmin",
    "ImportRunAdmin",
    "SourceAdmin",
    "StoryAdmin",
    "TopicAdmin",
    "TopicSlugRedirectAdmin",
    "TopicSuggestionAdmin",
]
