"""Sign up, log in and out, password reset; changing a password is Django's own.

Every page that sends the reader somewhere afterwards reads ``next`` through
:func:`core.redirects.safe_next` (Django's log-in and log-out views through
``LocalNextMixin``), so a link can bring a reader back to the brief they were on and
never off the site.
"""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from config.limits import (
    PASSWORD_RESET_MAILS_PER_ADDRESS,
    PASSWORD_RESET_RATE_PER_CLIENT,
    SIGNUP_RATE,
)
from core.ratelimit import rate_limit_hit, ratelimit
from core.redirects import local_path, redirect_next, safe_next
from core.site import site_url

from .forms import SignUpForm, ThrottledPasswordResetForm
from .services import account_activate, account_signup


@ratelimit(key="ip", rate=SIGNUP_RATE)
def signup(request):
    """Start a sign-up; the answer is "check your mail" whatever is already registered."""
    if request.user.is_authenticated:
        return redirect_next(request, settings.LOGIN_REDIRECT_URL)
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            link_for=site_url,
            next_path=safe_next(request, ""),
        )
        sent = {"email": form.cleaned_data["email"]}
        return render(request, "registration/signup_sent.html", sent)
    return render(
        request, "registration/signup.html", {"form": form, "next": safe_next(request, "")}
    )


class LocalNextMixin:
    """For Django's auth views: their ``next`` counts only as a path on this site
    (``core.redirects.local_path``); Django's own check lets ``?next=logout`` through as a
    relative address."""

    def get_redirect_url(self):
        return local_path(super().get_redirect_url(), self.request) or ""


class LoginView(LocalNextMixin, auth_views.LoginView):
    """Django's log-in page; a signed-in reader goes straight on to ``next``."""

    redirect_authenticated_user = True


class LogoutView(LocalNextMixin, auth_views.LogoutView):
    """Log out by POST (as Django requires); a GET shows a page with the log-out button."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(
            request,
            "registration/logout_confirm.html",
            {"next": safe_next(request, ""), "heading": "Log out"},
        )


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link by e-mail: the same answer whether or not the address is known.

    Requests are limited per client (429 beyond the limit) and mails per address (beyond
    it nothing is sent, but the page answers as always): see config/limits.py.
    """

    form_class = ThrottledPasswordResetForm
    success_url = reverse_lazy("password_reset_done")
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        # Links in mail come from the one canonical address, never from the Host header.
        self.extra_email_context = {"site_url": site_url()}
        address = form.cleaned_data["email"].strip().lower()
        form.mail_allowed = not rate_limit_hit(
            scope="password-reset-address", who=address, rate=PASSWORD_RESET_MAILS_PER_ADDRESS
        )
        return super().form_valid(form)


password_reset = ratelimit(key="ip", rate=PASSWORD_RESET_RATE_PER_CLIENT, group="password-reset")(
    PasswordResetView.as_view()
)


def activate(request, uidb64, token):
    """The emailed link: activate the account and sign it in, or say the link does not work."""
    user = account_activate(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/activate_failed.html", status=404)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect_next(request, settings.LOGIN_REDIRECT_URL)
