"""Size limits for everything a visitor can send, in one place.

The archive is on the public internet: every input that reaches a query, a
parser or the database has an upper bound, so an absurd request costs little
and fails with a clear message instead of a slow page or a 500. Views, forms,
the API and the admin import read these constants rather than repeating numbers.
"""

# Search (`/search/?q=`, `/search/feed/?q=`): longer queries are cut to this length.
SEARCH_QUERY_MAX_LENGTH = 200
# Topics combined in one selection: `&topic=` filters on a search, slugs in a topic URL.
SEARCH_MAX_TOPIC_FILTERS = 8

# Topics one OPML file may be narrowed to (`/topics/opml/?topics=a,b,...`).
MAX_OPML_TOPICS = 500

# Any list whose size a visitor may choose (`?limit=` on feeds, `?per_page=` in the API).
MAX_PAGE_SIZE = 200

# Annotations: a note beyond this length is refused with 413.
ANNOTATION_NOTE_MAX_LENGTH = 10_000
# Annotation writes (create, edit, delete) per user and minute, counted across every worker
# and server through the shared cache (the API answers 429 beyond it).
ANNOTATION_WRITES_PER_MINUTE = 60

# Accounts: sign-ups per client IP (the sign-up view answers 429 beyond it).
SIGNUP_RATE = "5/h"

# Importing: one file and one batch (admin upload and the import command).
IMPORT_MAX_FILE_BYTES = 2 * 1024 * 1024
IMPORT_MAX_FILES = 100

# Reading pages on a large archive (issue 14): work one page view may do, whatever the size.
# "Narrow down" co-topic counts are taken over at most this many newest briefs of a selection.
NARROW_DOWN_SAMPLE = 500
# Related briefs: candidates come from the brief's rarest topics, at most this many.
RELATED_RARE_TOPICS = 3
RELATED_CANDIDATES = 500
# Whole-page cache: one worker rebuilds a stale page while others serve the old copy;
# the rebuild lock expires after this many seconds should that worker die.
PAGE_REBUILD_LOCK_SECONDS = 10
