"""Writes on stories: grouping briefs of one event, and the curator's decisions about them.

``brief_story_update`` runs when a brief is imported or edited: the brief is compared
with the published briefs of other sources within ``MAX_DAYS`` of it that the candidate
index picks (``StoryToken`` rows: briefs sharing at least two of its rare names and
numbers, ``briefs.stories.candidates``), and its ``Brief.story`` is stored, so no page ever
computes it. ``story_tokens_refresh`` keeps the index: every write path that changes a
brief's text or date calls it (``brief_import``, the batch import, ``brief_update``;
``make bench-data`` and migration 0014 write the rows themselves).
``stories_regroup`` does the same for the whole archive (``manage.py regroup_stories``).

A curator's decision is data the grouping reads, never overwrites: a story a curator
merged, put a brief into or took a brief out of is ``curator_fixed`` (its members stay
together and may only gain briefs that match every one of them but those a curator put
in by hand that match no other member), a brief marked
``story_excluded`` is never placed in a story, and two briefs a curator separated
(``StoryApart``) never meet again.
"""

import datetime as dt
import threading
from dataclasses import dataclass, field

from cachetools import LRUCache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from core.history import ADDITION, CHANGE, DELETION, history_record, history_save

from ..models import Brief, Story, StoryApart, StoryToken
from ..stories.candidates import (
    MAX_CANDIDATES,
    MIN_SHARED,
    RARE_MAX,
    WINDOW_DAYS,
    index_day,
    index_tokens,
    pick_candidates,
)
from ..stories.grouping import group_stories
from ..stories.similarity import MAX_DAYS, StoryCandidate, score_candidates

# Briefs published this far from a brief are read as its window: MAX_DAYS, plus the half
# day a date-only brief moves (the matcher reads it as midday).
WINDOW = dt.timedelta(days=MAX_DAYS, hours=12)
_CANDIDATE_FIELDS = (
    "pk", "title", "dek", "body", "published_at", "published_time_known", "story_id",
    "story_excluded", "source__name",
)
_TEXT_FIELDS = ("title", "dek", "body")
# The texts of the briefs an import compared last, by pk and ``modified_at`` (every save
# changes it): a window's neighbours recur from one import to the next, and reading their
# bodies again was a third of the grouping's time.
_texts = LRUCache(maxsize=4096)
_texts_lock = threading.Lock()


@dataclass
class RegroupReport:
    """What ``stories_regroup`` changed: story ids created, changed (members), deleted."""

    briefs: int = 0
    created: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    deleted: list = field(default_factory=list)
    unchanged: int = 0


def _candidate(row):
    """A ``StoryCandidate`` from a ``values()`` row of ``_CANDIDATE_FIELDS``."""
    return StoryCandidate(
        key=row["pk"],
        source=row["source__name"] or "",
        published_at=row["published_at"],
        title=row["title"],
        dek=row["dek"],
        body=row["body"],
        time_known=row["published_time_known"],
    )


def story_tokens_refresh(*, briefs, created=False, tokens=None):
    """Write the candidate index rows (``StoryToken``) of ``briefs`` from their texts.

    ``briefs`` are ``Brief`` objects with ``pk``, ``title``, ``dek``, ``body`` and
    ``published_at`` as saved; an undated brief gets no rows. Old rows are deleted first
    unless ``created`` (new briefs have none). ``tokens``, when given, holds each brief's
    ``index_tokens`` in order, read already (the batch import reads them in its parsing
    processes); else they are read here, ~0.35 ms a 750-word body. Two statements (one
    when ``created``): on PostgreSQL the rows go in with COPY, four times faster than a
    bulk INSERT for the ~30 rows a brief has; elsewhere ``bulk_create``.
    """
    briefs = list(briefs)
    if tokens is None:
        tokens = [index_tokens(brief.title, brief.dek, brief.body) for brief in briefs]
    if not created:
        StoryToken.objects.filter(brief__in=[brief.pk for brief in briefs]).delete()
    rows = [
        (brief.pk, token, index_day(brief.published_at))
        for brief, its_tokens in zip(briefs, tokens, strict=True)
        if brief.published_at is not None
        for token in its_tokens
    ]
    if connection.vendor != "postgresql":
        StoryToken.objects.bulk_create(
            [StoryToken(brief_id=pk, token=token, day=day) for pk, token, day in rows],
            batch_size=500,
        )
    elif rows:
        table = connection.ops.quote_name(StoryToken._meta.db_table)
        sql = f"COPY {table} (brief_id, token, day) FROM STDIN"
        with connection.cursor() as cursor, cursor.connection.cursor().copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


def _indexed_candidates(brief, tokens):
    """Pks of the published briefs of other sources ``pick_candidates`` keeps for
    ``brief`` (index ``tokens``), read from ``StoryToken`` in two queries: how many
    briefs of the window hold each token, then the briefs sharing the rare ones."""
    if not tokens:
        return []
    day = index_day(brief.published_at)
    window = StoryToken.objects.filter(
        day__range=(day - WINDOW_DAYS, day + WINDOW_DAYS)
    ).exclude(brief=brief.pk)
    held = dict(
        window.filter(token__in=tokens).values("token").annotate(n=Count("pk"))
        .values_list("token", "n")
    )
    rare = [token for token in tokens if held.get(token, 0) < RARE_MAX]
    if len(rare) < MIN_SHARED:
        return []
    return list(
        window.filter(token__in=rare)
        .filter(brief__in=Brief.objects.published().exclude(source=brief.source_id).values("pk"))
        .values("brief")
        .annotate(shared=Count("pk"))
        .filter(shared__gte=MIN_SHARED)
        .order_by("-shared", "brief")
        .values_list("brief", flat=True)[:MAX_CANDIDATES]
    )


def _window_rows(brief, candidates=None):
    """``_CANDIDATE_FIELDS`` rows (and ``story__curator_fixed``) of ``brief``, of its
    indexed candidates and of every member of their stories (and of its own) within
    ``WINDOW`` of it, published: a story is read whole, so a brief joins it only when it
    matches every member. ``candidates``: the candidates' pks when read already
    (``_batch_candidates``), else read here in two queries. One query without the texts,
    one more for texts not in ``_texts`` (or changed since)."""
    fields = [name for name in _CANDIDATE_FIELDS if name not in _TEXT_FIELDS]
    if candidates is None:
        candidates = _indexed_candidates(brief, index_tokens(brief.title, brief.dek, brief.body))
    keys = [brief.pk, *candidates]
    stories = Brief.objects.filter(pk__in=keys, story__isnull=False).values("story")
    rows = list(
        Brief.objects.published()
        .filter(
            published_at__gte=brief.published_at - WINDOW,
            published_at__lte=brief.published_at + WINDOW,
        )
        .filter(Q(pk__in=keys) | Q(story__in=stories))
        .values(*fields, "story__curator_fixed", "modified_at")
    )
    with _texts_lock:
        known = {row["pk"]: _texts.get((row["pk"], row["modified_at"])) for row in rows}
    missing = [pk for pk, texts in known.items() if texts is None]
    if missing:
        known.update(_texts_read(missing))
    for row in rows:
        row.update(zip(_TEXT_FIELDS, known[row["pk"]]))
    return rows


def _texts_read(brief_ids):
    """The (title, dek, body) of each of ``brief_ids`` by pk, read in one query a 500 and
    kept in ``_texts``."""
    brief_ids, texts_of = list(brief_ids), {}
    for start in range(0, len(brief_ids), 500):  # SQLite's limit on query parameters
        fetched = Brief.objects.filter(pk__in=brief_ids[start:start + 500]).values_list(
            "pk", "modified_at", *_TEXT_FIELDS
        )
        with _texts_lock:
            for pk, modified_at, *texts in fetched:
                _texts[(pk, modified_at)] = texts_of[pk] = tuple(texts)
    return texts_of


def _apart_pairs(brief_ids):
    """Curator-separated pairs touching any of ``brief_ids``, as (id, id) tuples."""
    rows = StoryApart.objects.filter(Q(brief__in=brief_ids) | Q(other__in=brief_ids))
    return list(rows.values_list("brief_id", "other_id"))


def _story_title(brief_ids):
    """A new story's title: the headline of its earliest brief."""
    first = Brief.objects.filter(pk__in=brief_ids).order_by("published_at", "pk").first()
    return first.title


def brief_story_update(*, brief, by=None):
    """Place ``brief`` in the story of the event it reports, or in none; returns its story.

    Reads the published briefs within ``WINDOW`` of it that the candidate index picks
    (``StoryToken``, kept by ``story_tokens_refresh``; three queries) with the other members
    of their stories, scores them (``score_candidates``) and groups them (``group_stories``)
    with every story met held whole. The brief joins a story whose members all match it, or
    starts one with a matching brief that has none; a story left with fewer than two briefs
    is deleted. A draft brief, or one a curator excluded, leaves its story; any other brief
    of a curator-fixed story stays there. Changes are recorded as done by ``by``.
    """
    with transaction.atomic():
        return _story_place(brief, by=by)


def _story_place(brief, *, by, candidates=None, apart=None):
    """``brief_story_update``'s work, in the caller's transaction. ``candidates`` (its
    indexed candidates' pks) and ``apart`` (the separated pairs touching it), when given,
    were read for a whole batch (``briefs_story_update_many``)."""
    brief = Brief.objects.select_for_update().get(pk=brief.pk)
    old_story_id = brief.story_id
    if brief.story_excluded or brief.status != Brief.Status.PUBLISHED:
        if old_story_id and not brief.story_excluded and _is_curators(old_story_id):
            # A withdrawn version stays in a curator's story: hidden while fewer than two
            # of its briefs are published (``visible()``), as the curator left it when
            # it is published again; a later regrouping never undoes a curator's story.
            Story.objects.filter(pk=old_story_id).update(updated_at=timezone.now())
            return brief.story
        if old_story_id:
            _leave_story(brief, by=by)
        return None
    rows = _window_rows(brief, candidates)
    own = next((row for row in rows if row["pk"] == brief.pk), None)
    if own is None:
        return None
    others = [row for row in rows if row["pk"] != brief.pk]
    matches = score_candidates(_candidate(own), [_candidate(row) for row in others])
    fixed = {row["story_id"] for row in rows if row["story__curator_fixed"]}
    # A brief of a fixed story stays pinned there unless its source (an edit changed it)
    # already has another version in that story: then it is placed like any other.
    source = own["source__name"].casefold() if own["source__name"] else None
    clash = source and any(
        (row["source__name"] or "").casefold() == source and row["story_id"] == own["story_id"]
        for row in others
    )
    members = {}
    for row in rows:
        if row["story_id"] and (row["pk"] != brief.pk or (row["story_id"] in fixed and not clash)):
            members.setdefault(row["story_id"], set()).add(row["pk"])
    row_of = {row["pk"]: row for row in rows}
    hand_put = set()
    for story_id in fixed & members.keys():
        hand_put |= _unsupported(members[story_id] - {brief.pk}, row_of)
    groups = group_stories(
        [_candidate(row) for row in rows],
        matches,
        pinned=list(members.values()),
        excluded=[row["pk"] for row in others if row["story_excluded"]],
        apart=_apart_pairs([brief.pk]) if apart is None else apart,
        hand_put=hand_put,
    )
    # The brief's own story holds it too (unless fixed, where it is among the members).
    _prune([story_id for story_id, keys in members.items()
            if len(keys) + (story_id == old_story_id and story_id not in fixed) < 2], by=by)
    group = next((g for g in groups if brief.pk in g), frozenset())
    story_of = {key: story_id for story_id, keys in members.items() for key in keys}
    target_id = next((story_of[key] for key in group if key in story_of), None)
    if target_id == old_story_id and (target_id or not group):
        if target_id:  # its text changed: the story's feed says so
            Story.objects.filter(pk=target_id).update(updated_at=timezone.now())
        return brief.story
    if old_story_id and old_story_id != target_id:
        _leave_story(brief, by=by)
    if not group:
        return None
    if target_id is None:
        first = min((row for row in rows if row["pk"] in group),
                    key=lambda row: (row["published_at"], row["pk"]))
        story = Story.objects.create(title=first["title"])
        Brief.objects.filter(pk__in=group).update(story=story)
        history_record(by=by, objects=[story], action=ADDITION,
                       message=f"Grouped {len(group)} briefs of one event.")
    else:
        story = Story.objects.get(pk=target_id)
        Brief.objects.filter(pk=brief.pk).update(story=story)
        Story.objects.filter(pk=story.pk).update(updated_at=timezone.now())
        history_record(by=by, objects=[story], action=CHANGE,
                       message=f"Added “{brief.title}”.")
    return story


def _unsupported(keys, row_of):
    """Those of ``keys`` (members of a curator-fixed story, their rows in ``row_of``)
    that match none of the others: briefs a curator put in by hand, which a newcomer to
    the story need not match (``group_stories``' ``hand_put``). Scores each pair once: a
    story has a handful of members, and only fixed ones are read."""
    keys = sorted(keys)
    supported = set()
    for index, key in enumerate(keys[:-1]):
        others = [_candidate(row_of[other]) for other in keys[index + 1:]]
        for match in score_candidates(_candidate(row_of[key]), others):
            if match.same_event:
                supported |= {match.key, match.other}
    return set(keys) - supported


def briefs_story_update_many(*, brief_ids, by=None):
    """Place each brief of ``brief_ids`` in its story (``brief_story_update``), in order of
    publication; returns how many were worked out in full.

    The candidate index is read once for the lot (``_batch_candidates``: two queries), as
    are the texts of the briefs and candidates it picks and the pairs a curator separated
    (one query each); each brief is then placed in its own transaction, reading its window
    and its stories' current members afresh (earlier briefs of the batch may have changed
    them). A brief in no story without a candidate would be left alone: it is skipped.
    """
    briefs = list(Brief.objects.filter(pk__in=brief_ids).order_by("published_at", "pk"))
    candidates = _batch_candidates(briefs)
    worked = [brief for brief in briefs if brief.story_id is not None or candidates.get(brief.pk)]
    if not worked:
        return 0
    ids = {brief.pk for brief in worked}
    _texts_read(ids.union(*(candidates.get(pk, ()) for pk in ids)))
    apart = _apart_pairs(list(ids))
    for brief in worked:
        with transaction.atomic():
            _story_place(
                brief,
                by=by,
                candidates=candidates.get(brief.pk, []),
                apart=[pair for pair in apart if brief.pk in pair],
            )
    return len(worked)


def _batch_candidates(briefs):
    """The indexed candidates of each of ``briefs`` (``Brief`` objects), as
    ``_indexed_candidates`` picks them (same rare tokens, same order and limit), by pk; a
    brief without one is left out. Two queries for the lot: the briefs' index rows, then
    every row of the window holding one of their tokens."""
    fields = ("brief", "token", "day", "brief__source", "brief__status")
    own = list(StoryToken.objects.filter(brief__in=[brief.pk for brief in briefs])
               .values_list(*fields))
    if not own:
        return {}
    days = [day for _, _, day, _, _ in own]
    holders = {}
    tokens = sorted({token for _, token, _, _, _ in own})
    for start in range(0, len(tokens), 500):  # SQLite's limit on query parameters
        rows = StoryToken.objects.filter(
            token__in=tokens[start:start + 500],
            day__range=(min(days) - WINDOW_DAYS, max(days) + WINDOW_DAYS),
        ).values_list(*fields)
        for other, token, day, source, status in rows:
            holders.setdefault(token, []).append((other, day, source, status))
    shared = {}
    for brief_id, token, day, source_id, _ in own:
        near = [(other, other_source, status) for other, other_day, other_source, status
                in holders[token] if other != brief_id and abs(other_day - day) <= WINDOW_DAYS]
        if len(near) >= RARE_MAX:
            continue
        counts = shared.setdefault(brief_id, {})
        for other, other_source, status in near:
            if other_source != source_id and status == Brief.Status.PUBLISHED:
                counts[other] = counts.get(other, 0) + 1
    picked = {}
    for brief_id, counts in shared.items():
        kept = sorted((-n, other) for other, n in counts.items() if n >= MIN_SHARED)
        if kept:
            picked[brief_id] = [other for _, other in kept[:MAX_CANDIDATES]]
    return picked


def _prune(story_ids, *, by):
    """Delete those of ``story_ids`` left with fewer than two briefs (a brief saved from a
    stale copy can have dropped its ``story``)."""
    if not story_ids:
        return
    lonely = Story.objects.filter(pk__in=story_ids).annotate(size=Count("briefs")).filter(size__lt=2)
    lonely = list(lonely)
    history_record(by=by, objects=lonely, action=DELETION, message="Fewer than two briefs left.")
    Story.objects.filter(pk__in=[story.pk for story in lonely]).delete()


def _is_curators(story_id):
    """Whether story ``story_id`` is one a curator fixed (merged, put briefs in, moved one
    out)."""
    return Story.objects.filter(pk=story_id, curator_fixed=True).exists()


def _leave_story(brief, *, by):
    """Take ``brief`` out of its story; a story left with one brief is deleted."""
    story = Story.objects.get(pk=brief.story_id)
    Brief.objects.filter(pk=brief.pk).update(story=None)
    brief.story_id = None
    if story.briefs.count() < 2:
        history_record(by=by, objects=[story], action=DELETION,
                       message="Fewer than two briefs left.")
        story.delete()
    else:
        Story.objects.filter(pk=story.pk).update(updated_at=timezone.now())
        _retitle(story.pk, left=[brief.title])
        history_record(by=by, objects=[story], action=CHANGE, message=f"“{brief.title}” left.")


def _retitle(story_id, *, left):
    """Give story ``story_id`` its earliest brief's headline if its title is one of the
    headlines ``left`` (of briefs that left it); a title a curator wrote stays."""
    first = (
        Brief.objects.filter(story_id=story_id).order_by("published_at", "pk")
        .values_list("title", flat=True).first()
    )
    if first is not None:
        Story.objects.filter(pk=story_id, title__in=left).exclude(title=first).update(title=first)


# --- curator decisions ----------------------------------------------------------------


@transaction.atomic
def stories_merge(*, keep, merge, by=None):
    """Move every brief of the stories ``merge`` into ``keep`` and delete those stories.

    ``keep`` becomes curator-fixed (re-grouping never splits it); pairs a curator had kept
    apart are released for its members. Returns ``keep``. Raises ``ValidationError``
    (nothing changed) when two of the stories hold briefs of one source: a story holds one
    version per source, so the curator moves one of them out first.
    """
    merge = [story for story in merge if story.pk != keep.pk]
    if not merge:
        raise ValidationError("Choose at least two stories to merge.")
    _refuse_source_clashes([keep, *merge])
    moving = list(Brief.objects.filter(story__in=merge).values_list("pk", flat=True))
    Brief.objects.filter(pk__in=moving).update(story=keep)
    members = list(keep.briefs.values_list("pk", flat=True))
    StoryApart.objects.filter(brief__in=members, other__in=members).delete()
    names = ", ".join(f"“{story.title}”" for story in merge)
    Story.objects.filter(pk__in=[story.pk for story in merge]).delete()
    keep.curator_fixed = True
    keep.updated_at = timezone.now()
    keep.save(update_fields=["curator_fixed", "updated_at"])
    history_record(by=by, objects=[keep], action=CHANGE, message=f"Merged {names} into it.")
    return keep


def _refuse_source_clashes(stories):
    """Raise ``ValidationError`` when two of ``stories`` hold briefs of one source: the
    message names the source, its briefs and their stories, and says to move one out."""
    briefs = (
        Brief.objects.filter(story__in=stories, source__isnull=False)
        .select_related("source", "story").order_by("published_at", "pk")
    )
    by_source = {}
    for brief in briefs:
        by_source.setdefault(brief.source, []).append(brief)
    clashes = [
        f"{source} has " + " and ".join(f"“{b.title}” (in “{b.story}”)" for b in versions)
        for source, versions in by_source.items() if len(versions) > 1
    ]
    if clashes:
        raise ValidationError(
            "These stories cannot be merged: a story holds one brief per source, and "
            + "; ".join(clashes) + ". Move one of each source’s briefs out of its story "
            "first, then merge."
        )


def _one_per_source(keys, source_of):
    """``keys`` (published_at order) without a later brief of a source met already: a
    curator-fixed story whose brief changed source keeps the earlier version."""
    seen, kept = set(), []
    for key in keys:
        source = source_of.get(key, "")
        if source and source in seen:
            continue
        seen.add(source)
        kept.append(key)
    return kept


@transaction.atomic
def story_save(*, story, by=None):
    """Save a curator's new or edited ``story``'s own fields (title, slug, ``curator_fixed``).

    Validated with ``full_clean`` (a blank slug is made from the title on save); its briefs
    are not touched (moving briefs is ``brief_story_put`` / ``brief_story_move_out``). The
    history (by ``by``) says "Added." or which fields changed. A changed slug leaves no
    redirect: the old story URL answers 404. Returns the story.
    """
    return history_save(obj=story, by=by, exclude=None if story.slug else ["slug"])


@transaction.atomic
def brief_story_move_out(*, brief, by=None):
    """Take ``brief`` out of its story for good: it never joins those briefs again.

    The story keeps its other briefs as a curator-fixed story (deleted if one is left).
    The brief may still join another story later. Returns the old story, or None.
    """
    if brief.story_id is None:
        return None
    story = Story.objects.get(pk=brief.story_id)
    others = list(story.briefs.exclude(pk=brief.pk).values_list("pk", flat=True))
    StoryApart.objects.bulk_create(
        [StoryApart(brief_id=min(brief.pk, o), other_id=max(brief.pk, o)) for o in others],
        ignore_conflicts=True,
    )
    Story.objects.filter(pk=story.pk).update(curator_fixed=True)
    _leave_story(brief, by=by)
    history_record(by=by, objects=[brief], action=CHANGE, message=f"Moved out of “{story}”.")
    return story


@transaction.atomic
def brief_story_exclude(*, brief, by=None):
    """Mark ``brief`` "not part of any story" and take it out of its story."""
    Brief.objects.filter(pk=brief.pk).update(story_excluded=True)
    brief.story_excluded = True
    if brief.story_id:
        _leave_story(brief, by=by)
    history_record(by=by, objects=[brief], action=CHANGE, message="Not part of any story.")


@transaction.atomic
def brief_story_put(*, brief, story, by=None):
    """Put ``brief`` into ``story`` for good, as a curator decides; returns ``story``.

    The brief leaves its old story (deleted if one brief is left there), pairs a curator
    had kept apart between it and the story's briefs are released, and the story becomes
    curator-fixed: re-grouping and later imports keep the brief there. Raises
    ``ValidationError`` (nothing changed) for a brief already in the story, a draft, a
    brief marked "not part of any story", or one whose source already has a brief in the
    story (a story holds one version per source); each message says what to do instead.
    """
    # Lock the two rows only (PostgreSQL locks no outer-joined source); read the source after.
    brief = Brief.objects.select_for_update().get(pk=brief.pk)
    story = Story.objects.select_for_update().get(pk=story.pk)
    if brief.story_id == story.pk:
        raise ValidationError(f"“{brief.title}” is already in the story “{story}”.")
    if brief.story_excluded:
        raise ValidationError(
            f"“{brief.title}” is marked not part of any story: untick “Story excluded” on "
            "its page first, then put it into the story."
        )
    if brief.status != Brief.Status.PUBLISHED:
        raise ValidationError(
            f"“{brief.title}” is a draft: publish it first, then put it into the story."
        )
    same_source = story.briefs.filter(source_id=brief.source_id).exclude(pk=brief.pk).first()
    if brief.source_id is not None and same_source is not None:
        raise ValidationError(
            f"The story “{story}” already has {brief.source}’s version, “{same_source.title}”: "
            "a story holds one brief per source. Move that brief out of the story first if "
            "this one should take its place."
        )
    members = list(story.briefs.values_list("pk", flat=True))
    StoryApart.objects.filter(
        Q(brief=brief, other__in=members) | Q(other=brief, brief__in=members)
    ).delete()
    if brief.story_id:
        _leave_story(brief, by=by)
    Brief.objects.filter(pk=brief.pk).update(story=story)
    story.curator_fixed = True
    story.updated_at = timezone.now()
    story.save(update_fields=["curator_fixed", "updated_at"])
    history_record(by=by, objects=[story], action=CHANGE, message=f"Put “{brief.title}” into it.")
    history_record(by=by, objects=[brief], action=CHANGE, message=f"Put into “{story}”.")
    return story


# --- the whole archive ----------------------------------------------------------------


def _all_matches(rows, progress=None):
    """Every accepted pair among ``rows`` (published_at order), each scored once, as the
    import of the later brief would score it: against the earlier briefs of its window
    of other sources that the candidate index picks (``pick_candidates``)."""
    matches, window, start, tokens_of = [], [], 0, {}
    for row in rows:
        while start < len(window) and window[start].published_at < row["published_at"] - WINDOW:
            tokens_of.pop(window[start].key, None)
            start += 1
        window = window[start:]
        start = 0
        new = _candidate(row)
        tokens_of[new.key] = index_tokens(new.title, new.dek, new.body)
        others = {
            other.key: tokens_of[other.key]
            for other in window if other.source.casefold() != new.source.casefold()
        }
        picked = set(pick_candidates(tokens_of[new.key], others))
        compared = [other for other in window if other.key in picked]
        matches.extend(m for m in score_candidates(new, compared) if m.same_event)
        window.append(new)
        if progress:
            progress(1)
    return matches


@transaction.atomic
def stories_regroup(*, by=None, progress=None):
    """Group the whole archive again from its texts; returns a ``RegroupReport``.

    Curator decisions hold: fixed stories come back whole, excluded briefs stay out,
    separated pairs stay apart. A story whose members are kept (or the one keeping most
    of them) keeps its row and slug. ``progress(n)`` is called as briefs are scored.
    """
    rows = list(Brief.objects.published().order_by("published_at", "pk").values(*_CANDIDATE_FIELDS))
    matches = _all_matches(rows, progress)
    current = {}
    for brief_id, story_id in Brief.objects.filter(story__isnull=False).values_list("pk", "story_id"):
        current.setdefault(story_id, set()).add(brief_id)
    fixed_ids = set(Story.objects.filter(curator_fixed=True).values_list("pk", flat=True))
    # Withdrawn versions a curator's story keeps (``_story_place``): not regrouped, not
    # taken out, and their story stays while it holds them.
    withdrawn = dict(
        Brief.objects.filter(story__in=fixed_ids).exclude(status=Brief.Status.PUBLISHED)
        .values_list("pk", "story_id")
    )
    source_of = {row["pk"]: (row["source__name"] or "").casefold() for row in rows}
    position = {key: index for index, key in enumerate(source_of)}
    pinned = {
        sid: set(_one_per_source(sorted(members & source_of.keys(), key=position.get), source_of))
        for sid, members in current.items() if sid in fixed_ids
    }
    matched = {frozenset((match.key, match.other)) for match in matches}
    groups = group_stories(
        [_candidate(row) for row in rows],
        matches,
        pinned=[members for members in pinned.values() if members],
        excluded=[row["pk"] for row in rows if row["story_excluded"]],
        apart=list(StoryApart.objects.values_list("brief_id", "other_id")),
        hand_put={
            key for members in pinned.values() for key in members
            if not any(frozenset((key, other)) in matched for other in members - {key})
        },
    )
    report = RegroupReport(briefs=len(rows))
    claimed = set()
    for group in groups:
        story_id = _best_story(group, current, claimed)
        if story_id is None:
            story = Story.objects.create(title=_story_title(group))
            Brief.objects.filter(pk__in=group).update(story=story)
            report.created.append(story.pk)
            continue
        claimed.add(story_id)
        if current[story_id] - withdrawn.keys() == set(group):
            report.unchanged += 1
            continue
        leaving = Brief.objects.filter(story_id=story_id).exclude(pk__in=[*group, *withdrawn])
        left = list(leaving.values_list("title", flat=True))
        leaving.update(story=None)
        Brief.objects.filter(pk__in=group).update(story_id=story_id)
        Story.objects.filter(pk=story_id).update(updated_at=timezone.now())
        _retitle(story_id, left=left)
        report.changed.append(story_id)
    gone = Story.objects.exclude(pk__in=claimed | set(report.created) | set(withdrawn.values()))
    report.deleted = list(gone.values_list("pk", flat=True))
    history_record(by=by, objects=gone, action=DELETION, message="No longer grouped.")
    gone.delete()
    touched = Story.objects.filter(pk__in=report.created + report.changed)
    history_record(by=by, objects=touched, action=CHANGE, message="Regrouped from the texts.")
    return report


def _best_story(group, current, claimed):
    """The unclaimed existing story sharing most briefs with ``group`` (ties: lowest id)."""
    shared = [
        (len(members & group), -story_id, story_id)
        for story_id, members in current.items()
        if story_id not in claimed and members & group
    ]
    return max(shared)[2] if shared else None
