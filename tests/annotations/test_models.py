"""Annotation integrity is enforced by the database itself."""

import pytest
from django.db import IntegrityError, transaction

from annotations.models import Annotation
from tests.factories import make_brief

pytestmark = pytest.mark.django_db


def _annotate(brief, user, **fields):
    values = {"exact": "First", "start": 0, "end": 5, **fields}
    return Annotation.objects.create(brief=brief, user=user, **values)


def test_valid_range_is_stored_private_by_default(user):
    annotation = _annotate(make_brief(), user)
    assert annotation.visibility == Annotation.Visibility.PRIVATE
    assert annotation.get_absolute_url().endswith(f"#annotation-{annotation.pk}")


@pytest.mark.parametrize(("start", "end"), [(5, 5), (6, 2)])
def test_empty_or_reversed_range_is_refused_by_database(user, start, end):
    brief = make_brief()
    with pytest.raises(IntegrityError), transaction.atomic():
        _annotate(brief, user, start=start, end=end)
    assert not Annotation.objects.exists()


def test_unknown_visibility_is_refused_by_database(user):
    brief = make_brief()
    with pytest.raises(IntegrityError), transaction.atomic():
        _annotate(brief, user, visibility="friends")


def test_deleting_a_brief_deletes_its_annotations(user):
    brief = make_brief()
    _annotate(brief, user)
    brief.delete()
    assert not Annotation.objects.exists()
