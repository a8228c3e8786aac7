"""The sign-up form: Django's own, plus a required email address.

It never says whether a username or address is already registered: both checks are
left to :func:`accounts.services.account_signup`, which answers by mail.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm

from config.limits import EMAIL_MAX_LENGTH


class SignUpForm(UserCreationForm):
    """Username, email and a password checked by the configured validators."""

    email = forms.EmailField(
        required=True,
        help_text="We send a link there to finish signing up.",
        max_length=EMAIL_MAX_LENGTH,
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_username(self):
        # Django's form refuses a taken username here, telling anyone it exists.
        return self.cleaned_data.get("username")

    def validate_unique(self):
        """Uniqueness is settled by the sign-up service, which answers by mail, not here."""


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form; sends nothing when the view says this address had enough mail."""

    mail_allowed = True

    def send_mail(self, *args, **kwargs):
        if self.mail_allowed:
            super().send_mail(*args, **kwargs)
