"""Page forms for referrals: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import User
from ryadom.core.forms import PageForm
from ryadom.referrals.models import Need, Outcome, PartnerKind, PartnerService
from ryadom.referrals.selectors import partners_for_referral
from ryadom.referrals.services import NOTE_MAX
from ryadom.veterans.models import Veteran
from ryadom.veterans.selectors import veteran_list


class ReferralForm(PageForm):
    # A number typed in (lists of veterans run to thousands); hidden when the coordinator
    # comes from the veteran's page.
    veteran = forms.ModelChoiceField(
        label=_("Veteran's number"),
        help_text=_("As on the veteran's page (/veterans/<number>/)."),
        queryset=Veteran.objects.none(),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    partner = forms.ModelChoiceField(
        label=_("Partner service"), queryset=PartnerService.objects.none()
    )
    need = forms.ChoiceField(label=_("What the veteran needs"), choices=Need.choices)
    note = forms.CharField(
        label=_("Note for the partner"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what the partner needs to know to help. The partner will see it."),
    )
    share_phone = forms.BooleanField(
        label=_("The veteran agrees that the partner sees their phone number"), required=False
    )

    def __init__(self, *args: Any, actor: User, veteran: Veteran | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["veteran"]
        field.queryset = veteran_list(actor=actor)
        if veteran is not None:
            field.initial = veteran.pk
            field.widget = forms.HiddenInput()
        partner_field: Any = self.fields["partner"]
        partner_field.queryset = partners_for_referral(
            actor=actor, home_region_id=veteran.home_region_id if veteran else None
        )


class MoveForm(PageForm):
    """One answer on a referral: the partner's (through the link) or the coordinator's."""

    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("", "—"), *Outcome.choices], required=False
    )
    note = forms.CharField(
        label=_("Note (the reason, when declining)"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PartnerFilterForm(forms.Form):
    region = forms.CharField(required=False, max_length=2)
    kind = forms.ChoiceField(
        required=False, choices=[("", _("All kinds")), *PartnerKind.choices], label=_("Kind")
    )
