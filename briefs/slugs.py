"""Slug helpers: pure functions that turn titles into URL-safe, unique slugs."""

from django.utils.text import slugify


def base_slug(text, *, max_length=200, fallback="brief", allow_unicode=True):
    """Return the slugified ``text`` cut at a word boundary to ``max_length``.

    Titles made only of punctuation or non-Latin script slugify to nothing in ASCII: then
    the Unicode slug is taken (unless ``allow_unicode`` is False, for models whose slug
    field and URLs take ASCII only), and ``fallback`` keeps the URL usable when even that
    is empty.
    """
    slug = slugify(text or "")
    if not slug and not allow_unicode:
        slug = fallback
    if not slug:
        slug = slugify(text or "", allow_unicode=True) or fallback
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug.strip("-") or fallback


def first_free_slug(base, taken, *, max_length=200):
    """Return ``base`` or the first ``base-N`` (N >= 2) not in the set ``taken``.

    The suffix always fits inside ``max_length`` by trimming the base.
    """
    if base not in taken:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
        number += 1


# Fixed paths under /stories/ (briefs/feed_urls.py: /stories/feed/ and its formats): a
# story slugged so would be unreachable, its URL answering with the feed.
STORY_ROUTE_WORDS = frozenset({"feed"})


def unique_slug(text, *, taken, max_length=200, fallback="brief", reserved=(), allow_unicode=True):
    """The slug for ``text``: ``base_slug`` of it, or ``base-N`` when that is in use.

    ``taken(base)`` returns the slugs in use that start with ``base`` (a query the
    caller owns: the model's own slugs, old slugs that still redirect); ``reserved``
    are words the model's URLs use for other pages (``STORY_ROUTE_WORDS``), never
    given out; ``allow_unicode`` as for ``base_slug``. The one way every model here picks
    a slug, so briefs, sources and topics never disagree.
    """
    base = base_slug(
        text, max_length=max_length - 10, fallback=fallback, allow_unicode=allow_unicode
    )
    return first_free_slug(base, set(taken(base)) | set(reserved), max_length=max_length)
