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
