"""Writes on reading groups: create, join by invite, leave, remove a member, renew secrets.

Like ``services.py``, one keyword-only function per action, shared by views and tests; each
checks who acts and raises PermissionDenied when they may not.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from briefs.slugs import unique_slug
from core.text import strip_unfit_characters

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
    """A new group named ``name`` with ``by`` as its owner; its slug is made unique.

    Name and description lose invisible and control characters
    (``core.text.strip_unfit_characters``); runs of spaces in the name shrink to one.
    """
    name = " ".join(strip_unfit_characters(name or "").split())
    if not name:
        raise ValidationError("A group needs a name.", code="name")
    group = Group(name=name, description=strip_unfit_characters(description or "").strip())
    group.slug = unique_slug(
        name,
        taken=lambda base: Group.objects.filter(slug__startswith=base).values_list(
            "slug", flat=True
        ),
        max_length=100,
        fallback="group",
    )
    group.full_clean()
    group.save()
    Membership.objects.create(group=group, user=by, role=Membership.Role.OWNER)
    return group


@transaction.atomic
def group_join(*, invite_key, user):
    """Join the group whose current invite key is ``invite_key``; returns the Membership.

    Joining twice is harmless (the existing membership comes back). Group.DoesNotExist for
    a key that is wrong or was renewed.
    """
    group = Group.objects.get(invite_key=invite_key)
    existing = _membership(group, user)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Membership.objects.create(group=group, user=user)
    except IntegrityError:  # joined in a concurrent request
        return _membership(group, user)


@transaction.atomic
def group_leave(*, group, user):
    """``user`` leaves ``group``; from the next request on they see none of its notes.

    The last owner cannot leave a group that still has other members (hand it over first).
    When the last member leaves, the invite link is replaced by one nobody knows: an old
    link must not let a stranger into the notes of a group nobody looks after.
    """
    membership = _membership(group, user)
    if membership is None:
        return
    if membership.is_owner:
        owners = group.memberships.filter(role=Membership.Role.OWNER).count()
        if owners == 1 and group.memberships.count() > 1:
            raise PermissionDenied("Make another member an owner before you leave.")
    membership.delete()
    if not group.memberships.exists():
        group.invite_key = new_secret()
        group.save(update_fields=["invite_key"])


@transaction.atomic
def group_remove_member(*, group, user, by):
    """The owner ``by`` removes ``user`` from ``group``; an owner cannot remove themself."""
    _require_owner(group, by)
    if user.pk == by.pk:
        raise PermissionDenied("Leave the group instead.")
    Membership.objects.filter(group=group, user=user).delete()


@transaction.atomic
def group_invite_renew(*, group, by):
    """A new invite link for ``group``: the old one stops working at once."""
    _require_owner(group, by)
    group.invite_key = new_secret()
    group.save(update_fields=["invite_key"])
    return group


@transaction.atomic
def membership_feed_renew(*, membership, by):
    """A new secret feed URL for one's own membership (the old one stops working)."""
    if membership.user_id != by.pk:
        raise PermissionDenied("Only the member may renew their feed link.")
    membership.feed_key = new_secret()
    membership.save(update_fields=["feed_key"])
    return membership
