"""Reading-group pages: my groups, one group (members only), joining by invite, leaving.

A group's page, notes and feed answer 404 to anyone who is not a member right now, exactly
as for a group that does not exist, so an outsider learns nothing, not even the name.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from config.limits import NOTE_TAG_MAX_LENGTH

from .groups import (
    group_create,
    group_invite_renew,
    group_join,
    group_leave,
    group_make_owner,
    group_remove_member,
    membership_feed_renew,
)
from .models import Annotation, Group, Membership
from .views import notes_page, tell_outcome


def _membership_or_404(request, slug):
    membership = (
        Membership.objects.select_related("group")
        .filter(group__slug=slug, user=request.user)
        .first()
    )
    if membership is None:
        raise Http404("No such group.")
    return membership


@never_cache
@login_required
def group_index(request):
    """The reader's groups, and a form to start one."""
    error = ""
    if request.method == "POST":
        try:
            group = group_create(
                by=request.user,
                name=request.POST.get("name", ""),
                description=request.POST.get("description", ""),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, f"Group “{group.name}” created. Invite others with its link.")
            return redirect(group)
    memberships = Membership.objects.filter(user=request.user).select_related("group")
    return render(
        request,
        "annotations/group_index.html",
        {"memberships": memberships, "error": error, "heading": "My groups"},
    )


@never_cache
@login_required
def group_detail(request, slug):
    """One group, for its members: notes, members, invite and feed links."""
    membership = _membership_or_404(request, slug)
    group = membership.group
    queryset = (
        Annotation.objects.in_groups_of(request.user)
        .filter(group=group)
        .select_related("brief", "user")
        .prefetch_tags()
    )
    tag = request.GET.get("tag", "").strip()[:NOTE_TAG_MAX_LENGTH]
    if tag:
        queryset = queryset.filter(tagged_items__tag__name__ifold=tag)
    feed_url = request.build_absolute_uri(
        reverse("annotations:group-feed", kwargs={"slug": group.slug, "key": membership.feed_key})
    )
    invite_url = request.build_absolute_uri(
        reverse("annotations:group-join", kwargs={"key": group.invite_key})
    )
    return render(
        request,
        "annotations/group_detail.html",
        {
            "group": group,
            "membership": membership,
            "members": group.memberships.select_related("user").order_by("joined_at"),
            "page": notes_page(request, queryset),
            "tag": tag,
            "feed_url": feed_url,
            "invite_url": invite_url if membership.is_owner else "",
            "flagged": _flagged(request, group) if membership.is_owner else [],
        },
    )


def _flagged(request, group):
    """For the owner: the group's notes readers flagged, most flags first, with the reasons."""
    return list(
        Annotation.objects.in_groups_of(request.user)
        .filter(group=group, flags__isnull=False)
        .annotate(flag_count=Count("flags"), last_flagged_at=Max("flags__created_at"))
        .select_related("brief", "user")
        .prefetch_related("flags")
        .order_by("-flag_count", "-last_flagged_at", "-pk")
    )


@never_cache
@login_required
def group_join_view(request, key):
    """Join a group from its invite link (GET asks, POST joins)."""
    group = Group.objects.filter(invite_key=key).first()
    if group is None:
        raise Http404("This invite link is wrong or was renewed.")
    if Membership.objects.filter(group=group, user=request.user).exists():
        return redirect(group)
    if request.method == "POST":
        group_join(invite_key=key, by=request.user)
        messages.success(request, f"You joined “{group.name}”.")
        return redirect(group)
    return render(request, "annotations/group_join.html", {"group": group})


def _member_action(then=None):
    """A POST by a signed-in member of the group ``slug`` (404 for anyone else):
    ``view(request, membership, **rest)`` does it and returns what to tell them
    (``tell_outcome``); then to the URL ``then`` names, or the group's page."""

    def decorate(view):
        @require_POST
        @login_required
        @wraps(view)
        def run(request, slug, **rest):
            membership = _membership_or_404(request, slug)
            tell_outcome(request, lambda: view(request, membership, **rest))
            return redirect(then or membership.group)

        return run

    return decorate


@_member_action(then="annotations:groups")
def group_leave_view(request, membership):
    """Leave a group (its owner makes another member an owner first)."""
    group_leave(group=membership.group, by=request.user)
    return f"You left “{membership.group.name}”."


@_member_action()
def group_remove_view(request, membership, user_id):
    """The owner removes a member."""
    member = get_object_or_404(get_user_model(), pk=user_id)
    group_remove_member(group=membership.group, user=member, by=request.user)
    return f"{member.get_username()} is no longer in the group."


@_member_action()
def group_make_owner_view(request, membership, user_id):
    """The owner makes a member an owner too (then either may leave)."""
    member = get_object_or_404(get_user_model(), pk=user_id)
    group_make_owner(group=membership.group, user=member, by=request.user)
    return f"{member.get_username()} is now an owner of the group."


@_member_action()
def group_invite_renew_view(request, membership):
    """The owner renews the invite link; the old one stops working."""
    group_invite_renew(group=membership.group, by=request.user)
    return "A new invite link is ready; the old one no longer works."


@_member_action()
def group_feed_renew_view(request, membership):
    """A member renews their secret feed link; the old one stops working."""
    membership_feed_renew(membership=membership, by=request.user)
    return "A new feed link is ready; the old one no longer works."
