"""Forms of signing up with a one-time code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.core.forms import PageForm


class AddressForm(PageForm):
    address = forms.CharField(
        label=_("Your e-mail or mobile phone"),
        max_length=254,
        help_text=_("We send a code there to make sure it is yours."),
        widget=forms.TextInput(attrs={"inputmode": "email"}),
    )


class CodeForm(PageForm):
    code = forms.CharField(
        label=_("The code from the message"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )
