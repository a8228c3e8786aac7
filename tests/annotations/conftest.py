"""A small annotation factory for the annotation tests (the cache is cleared by tests/conftest.py)."""

from annotations.services import annotation_create


def annotate(brief, user, exact, *, note="", visibility="private", occurrence=0):
    """Annotate the ``occurrence``-th copy of ``exact`` in ``brief``'s body."""
    start = -1
    for _ in range(occurrence + 1):
        start = brief.body.index(exact, start + 1)
    return annotation_create(
        brief=brief,
        user=user,
        exact=exact,
        start=start,
        end=start + len(exact),
        note=note,
        visibility=visibility,
    )
