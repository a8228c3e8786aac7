"""Mail about notes: telling an author that someone replied to their note."""

from django.core.mail import send_mail
from django.urls import reverse

from .models import Annotation, NoteSettings


def wants_reply_mail(user):
    """Whether ``user`` gets reply mails: on unless they turned it off on their account page."""
    choice = NoteSettings.objects.filter(user=user).values_list("reply_mail", flat=True).first()
    return choice is None or choice


def reply_notify(*, reply, site_url=""):
    """E-mail the parent note's author about ``reply``; returns whether a mail was sent.

    Nobody is told of their own reply, nor without an address, nor after opting out, nor
    about a reply they can no longer see (they left the group): a mail never shows a note
    to someone the pages would not show it to.
    """
    parent = reply.parent
    author = parent.user
    if author.pk == reply.user_id or not author.email or not wants_reply_mail(author):
        return False
    if not Annotation.objects.visible_to(author).filter(pk=reply.pk).exists():
        return False
    base = site_url.rstrip("/")
    link = base + reply.brief.get_absolute_url() + f"#note-{parent.pk}"
    settings_link = base + reverse("annotations:account")
    body = (
        f"{reply.user.get_username()} replied to your note on “{reply.brief.title}”:\n\n"
        f"{reply.note}\n\n"
        f"Read the thread: {link}\n\n"
        f"You get this mail because replies to your notes are on; turn them off at "
        f"{settings_link}\n"
    )
    send_mail(
        subject=f"New reply to your note on “{reply.brief.title}”",
        message=body,
        from_email=None,
        recipient_list=[author.email],
    )
    return True
