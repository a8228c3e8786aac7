"""The full-text search index of briefs (see briefs/search.py for how it is queried).

PostgreSQL: a table of weighted tsvectors (title A, topics A, dek B, body C) with a
named GIN index. SQLite: an FTS5 table. On both, triggers keep the index current
whenever a brief, its topic links or a topic's name change, whatever does the write.
No model stands for these tables: only briefs/search.py reads them.
"""

from django.db import migrations

POSTGRES_FORWARD = [
    """
    CREATE TABLE briefs_brief_search (
        brief_id bigint PRIMARY KEY,
        document tsvector NOT NULL
    )
    """,
    "CREATE INDEX briefs_brief_search_gin ON briefs_brief_search USING gin (document)",
    """
    CREATE FUNCTION briefs_search_refresh(wanted bigint) RETURNS void
    LANGUAGE sql AS $$
        DELETE FROM briefs_brief_search WHERE brief_id = wanted
            AND NOT EXISTS (SELECT 1 FROM briefs_brief WHERE id = wanted);
        INSERT INTO briefs_brief_search (brief_id, document)
        SELECT b.id,
               setweight(to_tsvector('english', b.title), 'A')
               || setweight(to_tsvector('english', coalesce((
                      SELECT string_agg(t.name, ' ')
                      FROM briefs_taggedbrief tb JOIN briefs_topic t ON t.id = tb.tag_id
                      WHERE tb.content_object_id = b.id), '')), 'A')
               || setweight(to_tsvector('english', b.dek), 'B')
               || setweight(to_tsvector('english', b.body), 'C')
        FROM briefs_brief b WHERE b.id = wanted
        ON CONFLICT (brief_id) DO UPDATE SET document = EXCLUDED.document;
    $$
    """,
    """
    CREATE FUNCTION briefs_brief_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM briefs_brief_search WHERE brief_id = OLD.id;
        ELSE
            PERFORM briefs_search_refresh(NEW.id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER briefs_brief_search_sync
    AFTER INSERT OR UPDATE OF title, dek, body OR DELETE ON briefs_brief
    FOR EACH ROW EXECUTE FUNCTION briefs_brief_search_sync()
    """,
    """
    CREATE FUNCTION briefs_brief_search_clear() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE briefs_brief_search;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER briefs_brief_search_clear AFTER TRUNCATE ON briefs_brief
    FOR EACH STATEMENT EXECUTE FUNCTION briefs_brief_search_clear()
    """,
    """
    CREATE FUNCTION briefs_taggedbrief_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM briefs_search_refresh(OLD.content_object_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            PERFORM briefs_search_refresh(NEW.content_object_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER briefs_taggedbrief_search_sync
    AFTER INSERT OR UPDATE OR DELETE ON briefs_taggedbrief
    FOR EACH ROW EXECUTE FUNCTION briefs_taggedbrief_search_sync()
    """,
    """
    CREATE FUNCTION briefs_topic_search_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM briefs_search_refresh(tb.content_object_id)
        FROM briefs_taggedbrief tb WHERE tb.tag_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER briefs_topic_search_sync AFTER UPDATE OF name ON briefs_topic
    FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
    EXECUTE FUNCTION briefs_topic_search_sync()
    """,
    "SELECT briefs_search_refresh(id) FROM briefs_brief",
]

POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS briefs_topic_search_sync ON briefs_topic",
    "DROP TRIGGER IF EXISTS briefs_taggedbrief_search_sync ON briefs_taggedbrief",
    "DROP TRIGGER IF EXISTS briefs_brief_search_clear ON briefs_brief",
    "DROP TRIGGER IF EXISTS briefs_brief_search_sync ON briefs_brief",
    "DROP FUNCTION IF EXISTS briefs_topic_search_sync()",
    "DROP FUNCTION IF EXISTS briefs_taggedbrief_search_sync()",
    "DROP FUNCTION IF EXISTS briefs_brief_search_clear()",
    "DROP FUNCTION IF EXISTS briefs_brief_search_sync()",
    "DROP FUNCTION IF EXISTS briefs_search_refresh(bigint)",
    "DROP TABLE IF EXISTS briefs_brief_search",
]

# The topic names of one brief, space-separated ("{id}" is the brief id expression).
_SQLITE_TOPICS = """coalesce((
    SELECT group_concat(t.name, ' ')
    FROM briefs_taggedbrief tb JOIN briefs_topic t ON t.id = tb.tag_id
    WHERE tb.content_object_id = {id}), '')"""

SQLITE_FORWARD = [
    """
    CREATE VIRTUAL TABLE briefs_brief_fts USING fts5(
        title, topics, dek, body, tokenize = 'porter unicode61 remove_diacritics 2'
    )
    """,
    f"""
    CREATE TRIGGER briefs_brief_fts_insert AFTER INSERT ON briefs_brief BEGIN
        INSERT INTO briefs_brief_fts (rowid, title, topics, dek, body)
        VALUES (new.id, new.title, {_SQLITE_TOPICS.format(id="new.id")}, new.dek, new.body);
    END
    """,
    """
    CREATE TRIGGER briefs_brief_fts_update AFTER UPDATE OF title, dek, body ON briefs_brief
    BEGIN
        UPDATE briefs_brief_fts SET title = new.title, dek = new.dek, body = new.body
        WHERE rowid = new.id;
    END
    """,
    """
    CREATE TRIGGER briefs_brief_fts_delete AFTER DELETE ON briefs_brief BEGIN
        DELETE FROM briefs_brief_fts WHERE rowid = old.id;
    END
    """,
    f"""
    CREATE TRIGGER briefs_taggedbrief_fts_insert AFTER INSERT ON briefs_taggedbrief BEGIN
        UPDATE briefs_brief_fts SET topics = {_SQLITE_TOPICS.format(id="new.content_object_id")}
        WHERE rowid = new.content_object_id;
    END
    """,
    f"""
    CREATE TRIGGER briefs_taggedbrief_fts_delete AFTER DELETE ON briefs_taggedbrief BEGIN
        UPDATE briefs_brief_fts SET topics = {_SQLITE_TOPICS.format(id="old.content_object_id")}
        WHERE rowid = old.content_object_id;
    END
    """,
    f"""
    CREATE TRIGGER briefs_taggedbrief_fts_update AFTER UPDATE ON briefs_taggedbrief BEGIN
        UPDATE briefs_brief_fts SET topics = {_SQLITE_TOPICS.format(id="old.content_object_id")}
        WHERE rowid = old.content_object_id;
        UPDATE briefs_brief_fts SET topics = {_SQLITE_TOPICS.format(id="new.content_object_id")}
        WHERE rowid = new.content_object_id;
    END
    """,
    f"""
    CREATE TRIGGER briefs_topic_fts_update AFTER UPDATE OF name ON briefs_topic BEGIN
        UPDATE briefs_brief_fts SET topics = {_SQLITE_TOPICS.format(id="briefs_brief_fts.rowid")}
        WHERE rowid IN (SELECT content_object_id FROM briefs_taggedbrief WHERE tag_id = new.id);
    END
    """,
    f"""
    INSERT INTO briefs_brief_fts (rowid, title, topics, dek, body)
    SELECT b.id, b.title, {_SQLITE_TOPICS.format(id="b.id")}, b.dek, b.body FROM briefs_brief b
    """,
]

SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS briefs_topic_fts_update",
    "DROP TRIGGER IF EXISTS briefs_taggedbrief_fts_update",
    "DROP TRIGGER IF EXISTS briefs_taggedbrief_fts_delete",
    "DROP TRIGGER IF EXISTS briefs_taggedbrief_fts_insert",
    "DROP TRIGGER IF EXISTS briefs_brief_fts_delete",
    "DROP TRIGGER IF EXISTS briefs_brief_fts_update",
    "DROP TRIGGER IF EXISTS briefs_brief_fts_insert",
    "DROP TABLE IF EXISTS briefs_brief_fts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        statements = statements_by_vendor.get(vendor)
        if statements is None:
            raise NotImplementedError(f"Brief search supports PostgreSQL and SQLite, not {vendor}.")
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("briefs", "0002_revisions_and_topic_redirects"),
    ]

    operations = [
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
