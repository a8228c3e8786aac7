"""The sign-up form: Django's own, plus a required email address."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm, UserCreationForm


class SignUpForm(UserCreationForm):
    """Username, email and a password checked by the configured validators."""

    email = forms.EmailField(
        required=True, help_text="Used only to reset your password.", max_length=254
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this email address already exists.")
        return email


class ThrottledPasswordResetForm(PasswordResetForm):
    """Django's reset form; sends nothing when the view says this address had enough mail."""

    mail_allowed = True

    def send_mail(self, *args, **kwargs):
        if self.mail_allowed:
            super().send_mail(*args, **kwargs)
