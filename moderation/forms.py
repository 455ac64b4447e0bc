from django import forms

from .models import Flag


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
