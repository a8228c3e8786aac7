"""Writes on reading groups: create, join by invite, leave, remove a member, renew secrets.

Like ``services.py``, one keyword-only function per action, shared by views and tests; each
checks who acts (``by``) and raises PermissionDenied when they may not. Who joined, left or
was removed is recorded in the group's admin history (``core.history``): a group's
membership decides who reads its notes.
"""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from briefs.slugs import base_slug
from config.limits import GROUP_DESCRIPTION_MAX_LENGTH, GROUP_NAME_MAX_LENGTH
from core.history import ADDITION, CHANGE, history_record
from core.text import one_line_name, strip_unfit_characters

from .models import Group, Membership, new_secret


def _membership(group, user):
    return Membership.objects.filter(group=group, user=user).first()


def _require_owner(group, by):
    membership = _membership(group, by)
    if membership is None or not membership.is_owner:
        raise PermissionDenied("Only the group's owner may do that.")
    return membership


@transaction.atomic
def group_create(*, by, name, description=""):
    """A new group named ``name`` with ``by`` as its owner.

    Its slug is the name's with a random suffix (``reading-circle-3f9a1c2e``): made unique
    by counting (``reading-circle-2``) it told anyone creating a group of that name that
    another, private one existed.

    Raises ValidationError when the name is blank or longer than GROUP_NAME_MAX_LENGTH
    characters, or the description longer than GROUP_DESCRIPTION_MAX_LENGTH. Name and
    description lose invisible and control characters first
    (``core.text.strip_unfit_characters``); runs of spaces in the name shrink to one.
    """
    name = one_line_name(
        name, max_length=GROUP_NAME_MAX_LENGTH, blank="A group needs a name.",
        too_long="A group's name",
    )
    description = strip_unfit_characters(description or "").strip()
    if len(description) > GROUP_DESCRIPTION_MAX_LENGTH:
        raise ValidationError(
            f"A group's description has at most {GROUP_DESCRIPTION_MAX_LENGTH:,} characters "
            f"(this one has {len(description):,}).",
            code="description",
        )
    group = Group(name=name, description=description)
    base = base_slug(
        name,
        max_length=GROUP_NAME_MAX_LENGTH - 9,
        fallback="group",
        allow_unicode=False,  # an ASCII SlugField and <slug:> URLs
    )
    group.slug = f"{base}-{secrets.token_hex(4)}"
    while Group.objects.filter(slug=group.slug).exists():  # one in four billion
        group.slug = f"{base}-{secrets.token_hex(4)}"
    group.full_clean()
    group.save()
    Membership.objects.create(group=group, user=by, role=Membership.Role.OWNER)
    history_record(by=by, objects=[group], action=ADDITION, message=f"Created by {by}.")
    return group


@transaction.atomic
def group_join(*, invite_key, by):
    """``by`` joins the group whose current invite key is ``invite_key``; returns the
    Membership.

    Joining twice is harmless (the existing membership comes back). Group.DoesNotExist for
    a key that is wrong or was renewed.
    """
    group = Group.objects.get(invite_key=invite_key)
    existing = _membership(group, by)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            membership = Membership.objects.create(group=group, user=by)
    except IntegrityError:  # joined in a concurrent request
        return _membership(group, by)
    history_record(by=by, objects=[group], action=CHANGE, message=f"{by} joined.")
    return membership


@transaction.atomic
def group_leave(*, group, by):
    """``by`` leaves ``group``; from the next request on they see none of its notes.

    The last owner cannot leave a group that still has other members (hand it over first).
    When the last member leaves, the invite link is replaced by one nobody knows: an old
    link must not let a stranger into the notes of a group nobody looks after.
    """
    membership = _membership(group, by)
    if membership is None:
        return
    if membership.is_owner:
        owners = group.memberships.filter(role=Membership.Role.OWNER).count()
        if owners == 1 and group.memberships.count() > 1:
            raise PermissionDenied("Make another member an owner before you leave.")
    membership.delete()
    message = f"{by} left."
    if not group.memberships.exists():
        group.invite_key = new_secret()
        group.save(update_fields=["invite_key"])
        message += " No members are left: the invite link was replaced."
    history_record(by=by, objects=[group], action=CHANGE, message=message)


@transaction.atomic
def group_remove_member(*, group, user, by):
    """The owner ``by`` removes the member ``user`` from ``group``. Owners are not removed,
    not even by another owner (who could otherwise take the group from the one who made
    them an owner): an owner leaves by themself."""
    _require_owner(group, by)
    if user.pk == by.pk:
        raise PermissionDenied("Leave the group instead.")
    target = _membership(group, user)
    if target is not None and target.is_owner:
        raise PermissionDenied("An owner cannot be removed; owners leave by themselves.")
    if Membership.objects.filter(group=group, user=user).delete()[0]:
        history_record(by=by, objects=[group], action=CHANGE, message=f"{user} removed.")


@transaction.atomic
def group_make_owner(*, group, user, by):
    """The owner ``by`` makes the member ``user`` an owner of ``group`` too: what lets the
    last owner hand the group over and leave. PermissionDenied for a non-owner; a user
    who is not a member is refused (ValidationError)."""
    _require_owner(group, by)
    membership = _membership(group, user)
    if membership is None:
        raise ValidationError("Only a member of the group can become its owner.")
    if not membership.is_owner:
        membership.role = Membership.Role.OWNER
        membership.save(update_fields=["role"])
        history_record(by=by, objects=[group], action=CHANGE, message=f"{user} made an owner.")
    return membership


@transaction.atomic
def group_invite_renew(*, group, by):
    """A new invite link for ``group``: the old one stops working at once."""
    _require_owner(group, by)
    group.invite_key = new_secret()
    group.save(update_fields=["invite_key"])
    history_record(by=by, objects=[group], action=CHANGE, message="Invite link renewed.")
    return group


@transaction.atomic
def membership_feed_renew(*, membership, by):
    """A new secret feed URL for one's own membership (the old one stops working)."""
    if membership.user_id != by.pk:
        raise PermissionDenied("Only the member may renew their feed link.")
    membership.feed_key = new_secret()
    membership.save(update_fields=["feed_key"])
    return membership
