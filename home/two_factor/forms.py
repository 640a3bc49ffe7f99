from django import forms
from django.utils.translation import gettext_lazy as _


class AppCodeForm(forms.Form):
    """The six digits the authenticator app shows now."""

    code = forms.CharField(
        label=_("Code from the app"),
        help_text=_("Six digits; the app shows a new code every 30 seconds."),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "spellcheck": "false"}
        ),
    )


class RecoveryCodeForm(forms.Form):
    """One of the recovery codes shown when the app was set up; each works once."""

    code = forms.CharField(
        label=_("Recovery code"),
        help_text=_("Each recovery code works once."),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "autofocus": True, "spellcheck": "false"}
        ),
    )
