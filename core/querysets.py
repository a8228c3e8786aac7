"""QuerySet machinery the apps share."""

from django.db import models
from django.db.models.query import ModelIterable


class FillingQuerySet(models.QuerySet):
    """A QuerySet that fills the model instances it fetches with functions of its own.

    A lighter ``prefetch_related``: ``fill_after_fetch(function)`` calls
    ``function(instances, using=alias)`` once the rows are fetched (one query of plain
    values, say), where Django's prefetch would build a model instance per related row and
    a queryset per instance (issue 14). Kept through chaining, slicing and ``get()``;
    ``values()`` and ``iterator()`` skip it.
    """

    _fillers = ()

    def fill_after_fetch(self, function):
        """This queryset, with ``function`` called on its instances once they are fetched."""
        clone = self._chain()
        if function not in clone._fillers:
            clone._fillers = (*clone._fillers, function)
        return clone

    def _clone(self):
        clone = super()._clone()
        clone._fillers = self._fillers
        return clone

    def _fetch_all(self):
        fetching = self._result_cache is None
        super()._fetch_all()
        if fetching and self._fillers and self._iterable_class is ModelIterable:
            for function in self._fillers:
                function(self._result_cache, using=self.db)
