from django import forms

from .bans import BAN_CHOICES
from .models import Action, Flag


class FlagForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with it?",
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Anything a moderator should know (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AppealForm(forms.Form):
    note = forms.CharField(
        label="Why should the decision change? (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 2000}),
    )


class DecideForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a.value, a.label) for a in (Action.APPROVE, Action.REJECT, Action.SPAM)
        ]
    )
    reason = forms.CharField(
        label="Reason the author reads (optional)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
    )
    # The newest audit entry when the page was drawn: a decision someone made
    # since refuses this one (services.moderator_decide).
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class GuestBanForm(forms.Form):
    reason = forms.CharField(
        label="Why (optional)",
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
    )
    reject = forms.BooleanField(
        label="Reject this comment too", required=False, initial=True
    )
    seen = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class BanForm(GuestBanForm):
    reason = forms.CharField(
        label="Why (the reader is told)",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2, "class": "vLargeTextField"}),
    )
    days = forms.ChoiceField(
        label="For",
        choices=BAN_CHOICES,
        initial="7",
    )
    shadow = forms.BooleanField(
        label="Shadow-ban: only they see their comments", required=False
    )
    field_order = ("reason", "days", "shadow", "reject")
