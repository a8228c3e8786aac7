"""Size limits for everything a visitor can send, in one place.

The archive is on the public internet: every input that reaches a query, a
parser or the database has an upper bound, so an absurd request costs little
and fails with a clear message instead of a slow page or a 500. Views, forms,
the API and the admin import read these constants rather than repeating numbers.
"""

# A search's text, in characters: the site search (`/search/?q=`, `/search/feed/?q=`) refuses
# a longer query with a message; the notes' searches (My notes, the API) use its start.
SEARCH_QUERY_MAX_LENGTH = 200
# Words and phrases one search may combine; more are refused with a message (each is a
# condition of the full-text query).
SEARCH_QUERY_MAX_TERMS = 16
# A search counts and pages through at most this many briefs: the newest matches.
SEARCH_MAX_RESULTS = 10_000
# What finding a search's matches may take in PostgreSQL before it is given up with a
# message (statement_timeout). A quoted phrase of words most briefs hold reads every
# such brief's document for the words' positions: 1.3 s warm on 100k briefs, 13 s on a
# cold disk; ten times that archive would pass gunicorn's 30 s and lose the worker.
SEARCH_STATEMENT_SECONDS = 5
# A topic name, in characters (taggit's name column).
TOPIC_NAME_MAX_LENGTH = 100
# Topics combined in one selection: `&topic=` filters on a search, slugs in a topic URL.
MAX_TOPICS_IN_SELECTION = 8

# Topics one OPML file may be narrowed to (`/topics/opml/?topics=a,b,...`).
MAX_OPML_TOPICS = 500

# Any list whose size a visitor may choose (`?limit=` on feeds, `?per_page=` in the API).
MAX_PAGE_SIZE = 200
# Items in a brief feed when `?limit=` is left out: a reader's day or two of briefs.
FEED_DEFAULT_ITEMS = 50
# Notes in one API AnnotationPage when `?per_page=` is left out.
API_PAGE_SIZE = 50

# Fixed page sizes of the reading pages, so no page view renders an unbounded list.
# Briefs on a list page (home, topic, source, search, stories).
BRIEF_LIST_PAGE_SIZE = 20
# Topics on one page of the topic index (short rows, so many to a page).
TOPIC_INDEX_PAGE_SIZE = 300
# Sources on one page of the source index.
SOURCE_INDEX_PAGE_SIZE = 100
# Links in one page of a sitemap section (`/sitemap-briefs.xml?p=2`); the protocol allows
# 50,000, but a page of 50,000 briefs took seconds to build, and crawlers take many pages.
SITEMAP_PAGE_SIZE = 5_000
# Notes on one page of the notes lists: recent notes, a reader's public notes, My notes, a
# group's (a brief's notes pages hold BRIEF_PAGE_MAX_NOTES, as many as the brief page).
NOTES_PAGE_SIZE = 30
# "Narrow down" links under a topic page: the most frequent co-topics, this many.
NARROW_DOWN_TOPICS = 20
# "Narrow down" links offered with a search's results: fewer than on a topic page.
SEARCH_NARROW_DOWN_TOPICS = 12

# Annotations: a note beyond this length is refused with 413.
ANNOTATION_NOTE_MAX_LENGTH = 10_000
# One annotation API request body, in bytes: room for a maximal note in the widest UTF-8
# (4 bytes a character) plus its selectors; anything bigger is refused with 413.
ANNOTATION_REQUEST_MAX_BYTES = 4 * ANNOTATION_NOTE_MAX_LENGTH + 64_000
# Annotation writes (create, edit, delete) per user and minute, counted across every worker
# and server through the shared cache (the API answers 429 beyond it).
ANNOTATION_WRITES_PER_MINUTE = 60

# An e-mail address, in characters (RFC 5321's bound, Django's user e-mail column).
EMAIL_MAX_LENGTH = 254
# Accounts: sign-ups per client IP (the sign-up view answers 429 beyond it).
SIGNUP_RATE = "5/h"
# Password-reset requests per client IP (429 beyond it), and reset mails per e-mail address
# (beyond it the page answers as always but sends nothing, so no address is flooded and the
# answer never tells whether an account exists).
PASSWORD_RESET_RATE_PER_CLIENT = "10/h"
PASSWORD_RESET_MAILS_PER_ADDRESS = "3/h"

# A brief page draws at most this many notes (highlights, margin notes and the list under
# the text); the rest are on the brief's notes pages (/briefs/<slug>/notes/), this many to a page.
BRIEF_PAGE_MAX_NOTES = 40

# The briefs-per-month chart of topic pages draws at most this many months (the newest).
TIMELINE_MAX_MONTHS = 120

# Importing: one file and one batch (admin upload and the import command).
IMPORT_MAX_FILE_BYTES = 2 * 1024 * 1024
IMPORT_MAX_FILES = 100
# Topics one imported brief may carry: a page's tag cloud of 80 keywords is not a topic
# list; the rest are dropped with a warning. The longest real list seen (a ClashReport
# seed) has 22. Saved pages keep fewer (IMPORT_MAX_TOPICS_PER_PAGE).
IMPORT_MAX_TOPICS_PER_BRIEF = 25
# Topics kept from a saved page's categories and tags, which are noisier than a text
# file's topic line (the rest are dropped with a warning).
IMPORT_MAX_TOPICS_PER_PAGE = 8
# A brief's title, in characters (the title column of briefs, stories and revisions): a
# text file's first line beyond it is no headline, a saved page's longer title is cut.
BRIEF_TITLE_MAX_LENGTH = 500
# A brief's author line and a source's name, in characters (their columns); a saved
# page's longer ones are cut with a warning.
BRIEF_AUTHOR_MAX_LENGTH = 200
SOURCE_NAME_MAX_LENGTH = 200
# Saved pages (.html, .htm) uploaded to the admin import: real saved news pages carry
# inline scripts and styles and often weigh 1-4 MB; the fetcher's cap is the same.
IMPORT_MAX_PAGE_BYTES = 5 * 1024 * 1024
# One admin upload in all (every file of a batch together): Django refuses more.
IMPORT_MAX_UPLOAD_BYTES = 64 * 1024 * 1024
# URLs one admin import may fetch (one a line in the URL box).
IMPORT_MAX_URLS = 20
# One of those URLs, in characters (an import item's url column); longer ones are refused.
IMPORT_URL_MAX_LENGTH = 2000
# How long an admin import preview is kept for its curator before it expires (seconds).
IMPORT_PREVIEW_TTL_SECONDS = 24 * 60 * 60
# Briefs written per transaction by the batch import (import_briefs on many text files).
IMPORT_BATCH_CHUNK = 200
# An import item's name (a file name or a URL), in characters (its column); longer are cut.
IMPORT_ITEM_NAME_MAX_LENGTH = 500
# A revision's reason (the curator's "why" for an edit), in characters (its column).
REVISION_REASON_MAX_LENGTH = 200

# Tags on notes: at most this many on one note, each at most this many characters.
NOTE_TAGS_MAX = 20
NOTE_TAG_MAX_LENGTH = 50
# Words of a note search's text (`/api/search/?text=`) that each must match; the rest are
# ignored, so a long text costs a bounded number of LIKE conditions.
NOTE_SEARCH_MAX_WORDS = 20
# Tag suggestions one autocomplete answer (and the tag list of "My notes") offers.
NOTE_TAG_SUGGESTIONS = 50
# A flag's optional reason, in characters.
FLAG_REASON_MAX_LENGTH = 500
# API tokens one reader may hold at once.
API_TOKENS_MAX = 20
# An API token's name, in characters (the token's name column); longer names are refused.
API_TOKEN_NAME_MAX_LENGTH = 100
# A reading group's name, in characters (the group's name and slug columns).
GROUP_NAME_MAX_LENGTH = 100
# A reading group's optional description, in characters; longer ones are refused.
GROUP_DESCRIPTION_MAX_LENGTH = 2000

# Rows on one page of the admin's brief and topic lists (topics are short rows).
ADMIN_BRIEFS_PER_PAGE = 100
ADMIN_TOPICS_PER_PAGE = 200
# Topics one admin merge may fold together (the merge action refuses more with a message).
TOPIC_MERGE_MAX_TOPICS = 20

# Reading pages on a large archive (issue 14): work one page view may do, whatever the size.
# "Narrow down" co-topic counts are taken over at most this many newest briefs of a selection.
NARROW_DOWN_SAMPLE = 500
# Related briefs: candidates come from the brief's rarest topics, at most this many.
RELATED_RARE_TOPICS = 3
RELATED_CANDIDATES = 500
# Whole-page cache: one worker rebuilds a stale page while others serve the old copy;
# the rebuild lock expires after this many seconds should that worker die.
PAGE_REBUILD_LOCK_SECONDS = 10
# Stale pages rebuilt at once across all workers (core/pagecache.py): beyond it a stale
# copy is served and a later request rebuilds it. A page with no copy always renders.
# One per core of the 2-core box. In the 60 s soak with writes (bench/soak.py --writes,
# 2026-12-01), rebuilds timed in the middleware: with no bound up to 5 ran at once, taking
# 0.13 s median, 0.31 s p90, 1.8 s at worst; with 2 slots 0.11 / 0.24 / 0.49 s, and no
# worker served a copy stale for more than 9 s; with 1 slot 0.10 / 0.20 / 0.28 s, but
# copies stayed stale for up to 27 s (rebuilds queued), for no better p95.
PAGE_REBUILDS_AT_ONCE = 2
# ...unless this worker has served that copy stale this long: then it is rebuilt without
# a slot. Three times the worst seen with 2 slots, so it acts only when rebuilds cannot
# keep up or a killed worker's slot has not expired yet; the other bound is PAGE_TIMEOUT.
PAGE_STALE_AT_MOST_SECONDS = 30
# A page with no copy yet is rendered by the one request holding its lock; others asking
# for it meanwhile wait up to this many seconds for that copy (polling the shared cache)
# instead of rendering the same page again, then render it themselves. Below the lock's
# life, so a killed renderer costs a waiter this long at most.
PAGE_FIRST_RENDER_WAIT_SECONDS = 5
# How long a signed-out reader's choice of every version in lists is kept (a cookie).
VERSIONS_COOKIE_SECONDS = 365 * 24 * 60 * 60
