"""Factories for the suite: one per row type, each making a valid row with the fewest arguments."""

import datetime as dt
import itertools

from django.contrib.auth import get_user_model

from briefs.models import Brief, Source, Topic

_counter = itertools.count(1)


def make_source(name=None, **fields):
    """Create a Source with a unique name unless one is given."""
    return Source.objects.create(name=name or f"Source {next(_counter)}", **fields)


def make_topic(name=None, **fields):
    """Create a Topic with a unique name unless one is given."""
    return Topic.objects.create(name=name or f"Topic {next(_counter)}", **fields)


def make_brief(title=None, *, topics=(), body=None, published_at=None, **fields):
    """Create a published Brief; ``topics`` may be Topic objects or names."""
    number = next(_counter)
    brief = Brief.objects.create(
        title=title or f"Brief number {number}",
        body=body if body is not None else f"First paragraph of brief {number}.\n\nSecond one.",
        published_at=published_at
        or dt.datetime(2025, 7, 1, tzinfo=dt.timezone.utc) + dt.timedelta(hours=number),
        **fields,
    )
    if topics:
        from briefs.services.topics import topics_for_names

        # Names resolve as imports resolve them (Unicode case, old names of merged topics).
        names = [topic for topic in topics if isinstance(topic, str)]
        found = topics_for_names(names) if names else []
        brief.topics.add(*[topic for topic in topics if not isinstance(topic, str)], *found)
    return brief


def make_annotation(
    brief,
    user,
    exact="First",
    *,
    occurrence=0,
    note="",
    visibility="private",
    group=None,
    tags=(),
    **stored,
):
    """Annotate the ``occurrence``-th copy of ``exact`` in the brief's body, as a reader would.

    Goes through ``annotation_create`` (so the row is what the site itself stores); fields in
    ``stored`` (``hidden=True``, ``anchor_status="orphaned"``, ...) are then written to the row
    directly, for states only curators or later edits produce. ``group`` goes with
    ``visibility="group"`` (``user`` must be a member); ``tags`` are tag names.
    """
    from annotations.models import Annotation
    from annotations.services import annotation_create

    start = -1
    for _ in range(occurrence + 1):
        start = brief.body.index(exact, start + 1)
    annotation = annotation_create(
        brief=brief,
        by=user,
        exact=exact,
        start=start,
        end=start + len(exact),
        note=note,
        visibility=visibility,
        group=group,
        tags=tags,
    )
    if stored:
        Annotation.objects.filter(pk=annotation.pk).update(**stored)
        annotation.refresh_from_db()
    return annotation


def make_user(username=None, password="correct-horse-battery", **fields):
    """Create an ordinary (non-staff) user."""
    return get_user_model().objects.create_user(
        username=username or f"reader{next(_counter)}", password=password, **fields
    )


def make_curator(username=None):
    """A staff user in the "Curators" group (created by the briefs data migration)."""
    from django.contrib.auth.models import Group

    curator = make_user(username=username, is_staff=True)
    curator.groups.add(Group.objects.get(name="Curators"))
    return curator


def make_story(*, briefs, title=None, curator_fixed=True):
    """A story holding ``briefs`` (published, one per source), as a curator puts them.

    The row is saved by ``story_save`` and each brief put in by ``brief_story_put``, so
    the service's checks apply; ``curator_fixed=False`` then marks it as the grouping
    would leave it.
    """
    from briefs.models import Story
    from briefs.services.stories import brief_story_put, story_save

    story = story_save(story=Story(title=title or briefs[0].title))
    for brief in briefs:
        brief_story_put(brief=brief, story=story)
    if not curator_fixed:
        Story.objects.filter(pk=story.pk).update(curator_fixed=False)
    story.refresh_from_db()
    for brief in briefs:
        brief.refresh_from_db()
    return story


def make_topic_suggestion(brief=None, topic=None, **fields):
    """A pending topic suggestion (as the importer leaves one) for a new brief and topic."""
    from briefs.models import TopicSuggestion

    return TopicSuggestion.objects.create(
        brief=brief or make_brief(), topic=topic or make_topic(), **fields
    )


def make_topic_slug_redirect(old_slug, topic=None, **fields):
    """An old slug of ``topic`` (a new topic unless given) whose URLs redirect to it, as a
    rename or merge leaves one (stored directly: renames choose their slugs themselves)."""
    from briefs.models import TopicSlugRedirect

    return TopicSlugRedirect.objects.create(
        old_slug=old_slug, topic=topic or make_topic(), **fields
    )


def make_brief_revision(brief=None, *, body="An edited body.", by=None, reason="Edited"):
    """Edit ``brief``'s body through ``brief_update``; returns the revision it kept (the
    body before the edit)."""
    from briefs.services.briefs import brief_update

    brief = brief or make_brief()
    brief.body = body
    brief_update(brief=brief, by=by, reason=reason, changed_fields=["body"])
    return brief.revisions.first()


def make_group(owner=None, *, name=None, members=()):
    """A reading group made by ``owner`` (a new user unless given) through ``group_create``;
    each of ``members`` joins by the invite link (``group_join``)."""
    from annotations.groups import group_create, group_join

    group = group_create(by=owner or make_user(), name=name or f"Group {next(_counter)}")
    for member in members:
        group_join(invite_key=group.invite_key, by=member)
    return group


def make_membership(group=None, user=None):
    """``user`` (a new reader unless given) joins ``group`` (a new one unless given)."""
    from annotations.groups import group_join

    group = group or make_group()
    return group_join(invite_key=group.invite_key, by=user or make_user())


def make_flag(annotation, by=None, reason=""):
    """``by`` (a new reader unless given) flags the public or group ``annotation``."""
    from annotations.services import annotation_flag

    return annotation_flag(annotation=annotation, by=by or make_user(), reason=reason)


def make_api_token(user=None, name="script", read_only=False):
    """A personal API token of ``user`` (a new reader unless given): ``(ApiToken, text)``."""
    from annotations.tokens import api_token_create

    return api_token_create(by=user or make_user(), name=name, read_only=read_only)
