"""Account writes: sign-up and its confirmation by mail.

Sign-up answers the same whatever is already registered ("we sent you a link"): only
the owner of the address learns, by mail, whether it had an account, a clash of
usernames, or a link to finish signing up. No page or form tells an account exists.
"""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

SUBJECTS = {
    "activate": "Finish signing up to Brief Archive",
    "registered": "You already have a Brief Archive account",
    "username-taken": "Choose another username for Brief Archive",
}


def _mail(kind, email, context):
    body = render_to_string(f"registration/mail_{kind.replace('-', '_')}.txt", context)
    send_mail(SUBJECTS[kind], body, None, [email])


def account_signup(*, username, email, password, link_for, next_path=""):
    """Start a sign-up; always mails ``email`` and returns None or the new inactive user.

    ``link_for(path)`` makes an absolute URL; ``next_path`` (a safe local path) is where
    the activation link leads once followed. A new account stays inactive until its
    owner follows the emailed link (:func:`account_activate`); an address already
    registered is told so (with its username), and a taken username is reported to the
    address that asked, never on the page.
    """
    users = get_user_model()
    context = {"username": username, "login_url": link_for("/accounts/login/")}
    existing = users.objects.filter(email__iexact=email).first()
    if existing is not None:
        _mail("registered", existing.email, {**context, "username": existing.get_username()})
        return None
    try:
        with transaction.atomic():
            if users.objects.filter(username__iexact=username).exists():
                raise IntegrityError("username taken")
            user = users.objects.create_user(username, email, password, is_active=False)
    except IntegrityError:
        _mail("username-taken", email, {**context, "signup_url": link_for("/accounts/signup/")})
        return None
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    link = link_for(f"/accounts/activate/{uid}/{token}/")
    if next_path:
        link += "?" + urlencode({"next": next_path})
    _mail("activate", email, {**context, "activate_url": link})
    return user


def account_activate(*, uidb64, token):
    """The user a sign-up link names, now active; None for a wrong, used or old link."""
    users = get_user_model()
    try:
        user = users.objects.get(pk=int(urlsafe_base64_decode(uidb64).decode()))
    except (ValueError, TypeError, OverflowError, users.DoesNotExist):
        return None
    if user.is_active or not default_token_generator.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user


def reader_preferences_set(*, by, every_version):
    """Store ``by``'s choice of how lists show an event (every version, or once per story).

    ``by`` is a signed-in user; returns their ``ReaderPreferences`` row (made on first use).
    """
    from .models import ReaderPreferences

    with transaction.atomic():
        preferences, _ = ReaderPreferences.objects.select_for_update().get_or_create(user=by)
        preferences.every_version = bool(every_version)
        preferences.full_clean()
        preferences.save()
    return preferences

