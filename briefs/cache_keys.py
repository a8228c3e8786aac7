"""Names of the cache version keys the archive's triggers bump (briefs migration 0013).

A page or cached read declares the keys it depends on with ``core.cache.depends_on``;
the database bumps them on every write, whatever the write path:

- ``brief(pk)``: the brief's row, its topic links, its public notes;
- ``topic(pk)``: any brief carrying the topic changes, a link to it comes or goes, it is
  renamed or merged;
- ``source(pk)``, ``month(year, number)``: any brief from that source or of that month changes;
- ``BRIEFS``: any brief or topic link changes (home, search, indexes, the main feed);
- ``NOTES``: any public note changes (note lists, notes feeds, the API list);
- ``TOPICS``, ``SOURCES``: any topic or source row changes (names shown everywhere);
- ``story(pk)``: the story's row, any brief joining, leaving or in it changes, a public
  note on one of its briefs changes (its page shows them); ``STORIES``: any story row.

A new model joins with its own key and one ``version_triggers`` call in its migration
(core/migration_sql.py).
"""

BRIEFS, NOTES, TOPICS, SOURCES = "briefs", "notes", "topics", "sources"
STORIES = "stories"
# What every brief card and chip shows beyond the brief itself: topic and source names.
NAMES = (TOPICS, SOURCES)


def brief(pk):
    return f"brief:{pk}"


def topic(pk):
    return f"topic:{pk}"


def source(pk):
    return f"source:{pk}"


def story(pk):
    return f"story:{pk}"


def month(year, number):
    """The key of a UTC month: ``month(2025, 3)`` is ``"month:2025-03"``."""
    return f"month:{int(year):04d}-{int(number):02d}"
