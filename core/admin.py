"""What every admin of the project shares (autodiscovered, registers nothing itself)."""

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist

from .text import whole_number


class SiteModelAdmin(admin.ModelAdmin):
    """The project's ModelAdmin: an add form's ``?field=`` initial values are checked.

    Django's admin prefills an add form from the query string; an id that is no whole
    number (``?topics=²``, ``?source=x``) reached the related field's query and was a 500
    on PostgreSQL. Such values are dropped: the form opens empty for that field.
    """

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation:
                continue
            values = value if isinstance(value, list) else [value]
            if any(whole_number(str(item)) is None for item in values):
                del initial[name]
        return initial
