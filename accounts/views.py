"""Sign up; logging in and out and changing a password are Django's own views."""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from config.limits import SIGNUP_RATE
from core.ratelimit import ratelimit

from .forms import SignUpForm


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@ratelimit(key="ip", rate=SIGNUP_RATE)
def signup(request):
    """Create an account and sign it in; then go back where the reader came from."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(_safe_next(request))
    return render(
        request, "registration/signup.html", {"form": form, "next": _safe_next(request)}
    )
