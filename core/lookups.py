"""Case-insensitive text lookups that fold every script's case, on SQLite too.

Django's ``iexact`` and ``icontains`` compare ``UPPER()`` on PostgreSQL, which folds any
letter, but on SQLite they are ``LIKE``, which folds ASCII only: a note tagged "Öko-Tag"
was not found by ``?tag=öko-tag`` on the embedded database. ``ifold`` and
``ifoldcontains`` are ``iexact`` and ``icontains`` on PostgreSQL; on SQLite they are
Django's ``REGEXP`` (Python's ``re`` with ``(?i)``, which folds Unicode) on the escaped
value. Registered on CharField and TextField by ``CoreConfig.ready``.
"""

import re

from django.db.models import CharField, Lookup, TextField
from django.db.models.lookups import IContains, IExact, IRegex


class _Folding(Lookup):
    prepare_rhs = False
    postgres_lookup = IExact

    def as_sql(self, compiler, connection):
        return self.postgres_lookup(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection):
        return IRegex(self.lhs, self.pattern(str(self.rhs))).as_sql(compiler, connection)


class FoldedExact(_Folding):
    """``field__ifold=value``: equal in any case, whatever the script."""

    lookup_name = "ifold"

    @staticmethod
    def pattern(value):
        return "^" + re.escape(value) + r"\Z"


class FoldedContains(_Folding):
    """``field__ifoldcontains=value``: holds ``value`` in any case, whatever the script."""

    lookup_name = "ifoldcontains"
    postgres_lookup = IContains

    @staticmethod
    def pattern(value):
        return re.escape(value)


def register():
    for field in (CharField, TextField):
        field.register_lookup(FoldedExact)
        field.register_lookup(FoldedContains)
