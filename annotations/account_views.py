"""The reader's note settings page: reply mails on or off, and personal API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .mail import wants_reply_mail
from .models import ApiToken
from .services import note_settings_save
from .tokens import api_token_create, api_token_revoke


@never_cache
@login_required
def account(request):
    """Settings for notes: POST ``reply_mail`` to save it, or ``token_name`` for a new token.

    A new token's text is in this one response only (never stored, never redirected with).
    """
    new_token, error = "", ""
    if request.method == "POST" and "token_name" in request.POST:
        try:
            _, new_token = api_token_create(
                by=request.user,
                name=request.POST.get("token_name", ""),
                read_only=bool(request.POST.get("read_only")),
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    elif request.method == "POST":
        note_settings_save(by=request.user, reply_mail=bool(request.POST.get("reply_mail")))
        messages.success(request, "Your note settings are saved.")
        return redirect("annotations:account")
    return render(
        request,
        "annotations/account.html",
        {
            "reply_mail": wants_reply_mail(request.user),
            "tokens": ApiToken.objects.filter(user=request.user),
            "new_token": new_token,
            "error": error,
        },
    )


@require_POST
@login_required
def token_revoke(request, pk):
    """Revoke one of the reader's tokens."""
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token, by=request.user)
    messages.success(request, f"The token “{token.name}” is revoked.")
    return redirect("annotations:account")
