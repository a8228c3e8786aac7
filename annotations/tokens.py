"""Personal API tokens: create (shown once), check a ``Bearer`` header, revoke.

A token is ``ba_`` plus 43 URL-safe characters; only its SHA-256 is stored, so a copy of
the database (or a backup) holds no usable token. Looking one up is one indexed query.
"""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from config.limits import API_TOKEN_NAME_MAX_LENGTH, API_TOKENS_MAX
from core.history import ADDITION, DELETION, history_record
from core.text import one_line_name

from .models import ApiToken

PREFIX = "ba_"
LAST_USED_PRECISION = 60  # seconds: last-used time is written at most once a minute
# Characters of a token kept in the clear to recognise it: "ba_" and 7 random ones.
SHOWN_PREFIX_LENGTH = 10


def _digest(token):
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


@transaction.atomic
def api_token_create(*, by, name, read_only=False):
    """A new token for ``by``: returns ``(ApiToken, token_text)``; the text is never stored.

    Raises ValidationError when the name is blank or longer than API_TOKEN_NAME_MAX_LENGTH
    characters (after invisible and control characters are dropped and runs of whitespace
    become one space), or the reader holds API_TOKENS_MAX tokens already. Recorded in the
    token's admin history, as its revocation is (a token acts for its owner).
    """
    name = one_line_name(
        name, max_length=API_TOKEN_NAME_MAX_LENGTH,
        blank="Give the token a name, to recognise it later.", too_long="A token's name",
    )
    if by.api_tokens.count() >= API_TOKENS_MAX:
        raise ValidationError(
            f"You have {API_TOKENS_MAX} tokens already; revoke one first.", code="too_many"
        )
    text = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=by, name=name, read_only=read_only, key_hash=_digest(text),
        prefix=text[:SHOWN_PREFIX_LENGTH],
    )
    kind = "read-only" if read_only else "read-write"
    history_record(by=by, objects=[token], action=ADDITION, message=f"Created ({kind}).")
    return token, text


@transaction.atomic
def api_token_revoke(*, token, by):
    """Delete one of one's own tokens: requests with it fail from now on."""
    if token.user_id != by.pk:
        raise PermissionDenied("Only its owner may revoke a token.")
    history_record(by=by, objects=[token], action=DELETION, message="Revoked.")
    token.delete()


def api_token_authenticate(header):
    """The ApiToken named by an ``Authorization`` header value, or None (any malformed value).

    Records the time of use (at most once a minute). Tokens of inactive users do not work.
    """
    scheme, _, text = (header or "").partition(" ")
    text = text.strip()
    if scheme.lower() != "bearer" or not text.startswith(PREFIX) or len(text) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=_digest(text)).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    last = token.last_used_at
    if last is None or (now - last).total_seconds() > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
