"""Admin panel forms; the rules live in services, these only shape the input."""

from __future__ import annotations

from django import forms


class ProductForm(forms.Form):
    slug = forms.SlugField(max_length=50, help_text="Lowercase letters, digits and dashes; used in every URL.")
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    channels = forms.CharField(
        max_length=200, initial="stable, beta, nightly", help_text="Most stable first, comma-separated."
    )

    def clean_channels(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["channels"].split(",") if c.strip()]


class ReleaseForm(forms.Form):
    version = forms.CharField(max_length=64, help_text="Semantic version, e.g. 1.4.0 or 2.0.0-beta.1")
    channel = forms.ChoiceField(choices=())
    notes = forms.CharField(
        required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}), help_text="Markdown"
    )
    critical = forms.BooleanField(required=False)
    minimum_version = forms.CharField(
        max_length=64, required=False, help_text="Clients older than this must first update to an earlier release."
    )
    rollout = forms.IntegerField(min_value=0, max_value=100, initial=100, help_text="Percent of clients offered it")

    def __init__(self, *args, channels: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [(c, c) for c in channels]


class ReleaseEditForm(forms.Form):
    notes = forms.CharField(required=False, max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))
    critical = forms.BooleanField(required=False)
    minimum_version = forms.CharField(max_length=64, required=False)
    rollout = forms.IntegerField(min_value=0, max_value=100, label="Rollout (%)")
    expected_version = forms.IntegerField(widget=forms.HiddenInput)
