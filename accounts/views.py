"""Sign up, log out and password reset; logging in and changing a password are Django's own.

Every page that sends the reader somewhere afterwards reads ``next`` through
:func:`safe_next`, so a link can bring a reader back to the brief they were on and never
off the site.
"""

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme

from config.limits import (
    PASSWORD_RESET_MAILS_PER_ADDRESS,
    PASSWORD_RESET_RATE_PER_CLIENT,
    SIGNUP_RATE,
)
from core.ratelimit import rate_limit_hit, ratelimit

from .forms import SignUpForm, ThrottledPasswordResetForm


def safe_next(request, default=None):
    """The ``next`` of the request when it points at this site, else ``default`` (a path)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default if default is not None else settings.LOGIN_REDIRECT_URL


@ratelimit(key="ip", rate=SIGNUP_RATE)
def signup(request):
    """Create an account and sign it in; then go back where the reader came from."""
    if request.user.is_authenticated:
        return redirect(safe_next(request))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(safe_next(request))
    return render(
        request, "registration/signup.html", {"form": form, "next": safe_next(request, "")}
    )


class LogoutView(auth_views.LogoutView):
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
        address = form.cleaned_data["email"].strip().lower()
        form.mail_allowed = not rate_limit_hit(
            scope="password-reset-address", who=address, rate=PASSWORD_RESET_MAILS_PER_ADDRESS
        )
        return super().form_valid(form)


password_reset = ratelimit(key="ip", rate=PASSWORD_RESET_RATE_PER_CLIENT, group="password-reset")(
    PasswordResetView.as_view()
)
