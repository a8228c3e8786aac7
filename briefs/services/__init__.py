"""Every write of the briefs app with side effects, one module per concern.

- ``importing``: ``brief_import`` (text in, a created/updated/unchanged brief out);
- ``briefs``: a brief's status, topic links and edits (``briefs_add_topics``,
  ``brief_set_topics``, ``briefs_set_status``, ``brief_update``);
- ``topics``: ``topic_create``, ``topic_rename``, ``topic_merge``, topics by name, and
  topic suggestions (``brief_suggest_topics``, accept, dismiss);
- ``sources``: ``source_for_name``;
- ``import_runs``: the admin's imports as runs (preview, corrections, background import);
- ``batch``: ``briefs_import_batch``, many plain texts imported with bulk writes.

Each function is keyword-only and atomic, takes ``by=`` (the acting user, or None for a
script) and records the admin history itself; the admin, commands and API call these and
never write rows or history entries of their own.
"""
