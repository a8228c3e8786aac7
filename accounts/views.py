"""Sign up; logging in and out and changing a password are Django's own views."""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from config.limits import SIGNUP_RATE
from core.ratelimit import ratelimit
from core.site import site_url

from .forms import SignUpForm
from .services import account_activate, account_signup


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


@ratelimit(key="ip", rate=SIGNUP_RATE)
def signup(request):
    """Start a sign-up; the answer is "check your mail" whatever is already registered."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request))
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        account_signup(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            link_for=site_url,
        )
        sent = {"email": form.cleaned_data["email"]}
        return render(request, "registration/signup_sent.html", sent)
    return render(
        request, "registration/signup.html", {"form": form, "next": _safe_next(request)}
    )


def activate(request, uidb64, token):
    """The emailed link: activate the account and sign it in, or say the link does not work."""
    user = account_activate(uidb64=uidb64, token=token)
    if user is None:
        return render(request, "registration/activate_failed.html", status=404)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect(settings.LOGIN_REDIRECT_URL)
