"""Export the whole archive to a versioned JSON Lines file, and restore it into an empty database.

Line 1 is a header (format name, version, creation time, row counts per model);
every other line is one row: ``{"model": "briefs.brief", "pk": 7, "fields": {...}}``
in Django's serialisation shape. Rows come model by model, each model after the
ones it points to, so a restore inserts them in file order.

What is archived is found, not listed: every concrete model of the project's own
apps (those living in this repository, not third-party ones), with all their
concrete fields. A field or model another part of the project adds later is
archived with no change here. Users are archived as their public profile only
(username, names, join date, active flag); password hashes, e-mail addresses,
staff rights and group memberships only with ``include_credentials``; so are the fields a
model names in ``backup_credential_fields`` (secrets in links, such as a group's invite key:
restored without them, the model's default makes new ones).
"""

import datetime as dt
import json
from collections import Counter
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import URLValidator
from django.db import DatabaseError, connection, transaction
from django.db.models import URLField
from django.utils import timezone

FORMAT = "brief-archive"
VERSION = 1

PUBLIC_USER_FIELDS = ["username", "first_name", "last_name", "date_joined", "is_active"]
CREDENTIAL_USER_FIELDS = ["password", "email", "last_login", "is_staff", "is_superuser"]


class BackupEncoder(DjangoJSONEncoder):
    """Django's JSON encoder, but keeping microseconds (it rounds them to milliseconds)."""

    def default(self, o):
        if isinstance(o, (dt.datetime, dt.time)):
            return o.isoformat()
        return super().default(o)


class BackupError(Exception):
    """The file cannot be restored (or the database cannot take it); nothing was written."""


def backed_up_models():
    """The user model, then every concrete model of the project's apps, parents first."""
    root = Path(settings.BASE_DIR).resolve()
    venv = root / ".venv"
    user_model = get_user_model()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(root) or path.is_relative_to(venv):
            continue
        for model in config.get_models(include_auto_created=True):
            meta = model._meta
            derived = hasattr(model, "refill")  # rebuilt by a restore, never archived
            if meta.managed and not meta.proxy and not meta.swapped and model is not user_model \
                    and not derived:
                found.append(model)
    return [user_model, *_parents_first(found)]


def _parents_first(models):
    """Order models so each comes after the models its foreign keys point to."""
    remaining = sorted(models, key=lambda model: model._meta.label)
    ordered = []
    while remaining:
        for model in remaining:
            parents = {
                field.related_model._meta.concrete_model
                for field in model._meta.concrete_fields
                if field.is_relation and field.related_model is not None
            }
            if not (parents - {model}) & set(remaining):
                ordered.append(model)
                remaining.remove(model)
                break
        else:  # a cycle of foreign keys: keep the rest in name order
            ordered.extend(remaining)
            break
    return ordered


def _archived_fields(model, include_credentials):
    """Names of the columns archived for ``model``: all its own concrete fields, but for users."""
    if model is get_user_model():
        return PUBLIC_USER_FIELDS + (CREDENTIAL_USER_FIELDS if include_credentials else [])
    # Many-to-many links travel as rows of their through model, never as lists on a row.
    # Generated columns are computed by the database again on restore.
    secret = () if include_credentials else getattr(model, "backup_credential_fields", ())
    return [
        field.name
        for field in model._meta.local_concrete_fields
        if not field.primary_key and not field.generated and field.name not in secret
    ]


def backup_export(stream, *, include_credentials=False):
    """Write the archive to the text ``stream``; return the row counts per model label."""
    models = backed_up_models()
    user_model = models[0]
    with transaction.atomic():  # one consistent snapshot (REPEATABLE READ not needed for a dump)
        counts = {model._meta.label_lower: model._base_manager.count() for model in models}
        header = {
            "format": FORMAT,
            "version": VERSION,
            "created": timezone.now().isoformat(),
            "includes_credentials": include_credentials,
            "counts": counts,
        }
        stream.write(json.dumps(header) + "\n")
        for model in models:
            rows = model._base_manager.order_by("pk").iterator(chunk_size=2000)
            fields = _archived_fields(model, include_credentials)
            for row in serializers.serialize("python", rows, fields=fields):
                if model is user_model and include_credentials:
                    user = user_model._base_manager.get(pk=row["pk"])
                    row["groups"] = sorted(user.groups.values_list("name", flat=True))
                stream.write(json.dumps(row, cls=BackupEncoder, ensure_ascii=False) + "\n")
    return counts


def database_is_empty():
    """True when no archived model has a single row (a fresh, migrated database)."""
    return not any(model._base_manager.exists() for model in backed_up_models())


def backup_restore(stream):
    """Restore the archive from the text ``stream`` into an empty database, in one transaction.

    Primary keys are kept (links between rows, permalinks like ``#annotation-12``
    stay valid) and database sequences are moved past them afterwards. Any problem
    raises BackupError and rolls everything back.
    """
    header = _read_header(stream)
    credentials = header.get("includes_credentials") is True
    known = {model._meta.label_lower: model for model in backed_up_models()}
    unknown = set(header["counts"]) - known.keys()
    if unknown:
        raise BackupError(
            f"The archive holds tables this version does not have: {', '.join(sorted(unknown))}."
        )
    try:
        with transaction.atomic():
            if not database_is_empty():
                raise BackupError(
                    "The database already holds briefs, topics, users or annotations. "
                    "restore only restores into an empty database: create a new one "
                    "and run `manage.py migrate` first."
                )
            seen = Counter()
            for number, line in enumerate(stream, start=2):
                if not line.strip():
                    continue
                row = _parse_line(line, number)
                if row["model"] not in known:
                    raise BackupError(f"Line {number}: unknown table {row['model']!r}.")
                _check_promises(row, known[row["model"]], number, credentials=credentials)
                _restore_row(row, number)
                seen[row["model"]] += 1
            expected = {label: count for label, count in header["counts"].items() if count}
            if dict(seen) != expected:
                raise BackupError(
                    "The archive is incomplete: its header announces "
                    f"{sum(expected.values())} rows but {sum(seen.values())} were found "
                    "(was the file cut short?)."
                )
            _reset_sequences(list(known.values()))
            refill_derived()
    except DatabaseError as error:
        raise BackupError(f"The database refused the archive: {error}") from error
    return dict(seen)


def refill_derived():
    """Rebuild the derived tables (topic counts, public note counts, the story candidate
    index): backups leave them out, and a restore's writes may reach their triggers in any
    order."""
    for model in apps.get_models():
        if hasattr(model, "refill"):
            model.refill()


def _read_header(stream):
    first = stream.readline()
    if not first.strip():
        raise BackupError("The file is empty: not a Brief Archive export.")
    try:
        header = json.loads(first)
    except ValueError:
        raise BackupError("Line 1 is not JSON: not a Brief Archive export.") from None
    except RecursionError:
        raise BackupError("Line 1 is nested too deeply: not a Brief Archive export.") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(f"Line 1 is not a {FORMAT} header: not a Brief Archive export.")
    if header.get("version") != VERSION:
        raise BackupError(
            f"The archive is format version {header.get('version')!r}; "
            f"this version of Brief Archive reads version {VERSION}."
        )
    if not isinstance(header.get("counts"), dict):
        raise BackupError("The header has no row counts: the file is damaged.")
    return header


def _parse_line(line, number):
    try:
        row = json.loads(line)
    except ValueError:
        raise BackupError(f"Line {number} is not valid JSON (the file is damaged).") from None
    except RecursionError:
        raise BackupError(f"Line {number} is nested too deeply (the file is damaged).") from None
    if (
        not isinstance(row, dict)
        or not {"model", "pk", "fields"} <= row.keys()
        or not isinstance(row["model"], str)
        or not isinstance(row["fields"], dict)
        or isinstance(row["pk"], (dict, list))
    ):
        raise BackupError(f"Line {number} is not an archived row (the file is damaged).")
    return row


WEB_ADDRESS = URLValidator(schemes=["http", "https"])
# Characters of a refused value repeated in the error.
VALUE_SHOWN = 60


def _check_promises(row, model, number, *, credentials):
    """Refuse a row holding more than the header promises, or a link that is not a web page.

    A file whose header says it carries no credentials restores public profiles only:
    a user row with a password hash, an e-mail, staff or superuser rights or groups is
    refused rather than trusted. Every URL field must be an http(s) address, so a
    ``javascript:`` homepage never becomes a link on the site.
    """
    if model is get_user_model():
        allowed = set(PUBLIC_USER_FIELDS) | (set(CREDENTIAL_USER_FIELDS) if credentials else set())
        extra = sorted(set(row["fields"]) - allowed)
        if row.get("groups") and not credentials:
            extra.append("groups")
        if extra:
            raise BackupError(
                f"Line {number}: a user row carries {', '.join(extra)}, but the header says "
                "the file holds no credentials."
            )
    for field in model._meta.concrete_fields:
        value = row["fields"].get(field.name)
        if isinstance(field, URLField) and value not in (None, ""):
            try:
                WEB_ADDRESS(value)
            except ValidationError:
                raise BackupError(
                    f"Line {number}: {model._meta.label_lower}.{field.name} is not an http(s) "
                    f"address ({str(value)[:VALUE_SHOWN]!r})."
                ) from None


def _restore_row(row, number):
    groups = row.pop("groups", None)
    user_model = get_user_model()
    if row["model"] == user_model._meta.label_lower:
        # Accounts exported without credentials get a password nobody knows: they sign in
        # again after a password reset, and no hash ever left the old server.
        row["fields"].setdefault("password", make_password(None))
    try:
        (restored,) = serializers.deserialize("python", [row])
        restored.save(force_insert=True)
    except DatabaseError:
        raise
    except Exception as error:
        raise BackupError(f"Line {number}: {error}") from error
    if groups:
        restored.object.groups.set(Group.objects.filter(name__in=groups))


def _reset_sequences(models):
    """Move PostgreSQL sequences past the restored primary keys (no-op elsewhere)."""
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
