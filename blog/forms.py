"""The authors' editor form; rules live in the services, the form only shapes input."""

from __future__ import annotations

from datetime import UTC

from django import forms

ACTIONS = ("save", "publish", "schedule", "unpublish", "submit")


class PostForm(forms.Form):
    title = forms.CharField(max_length=200)
    slug = forms.CharField(
        max_length=80, required=False, help_text="The address of the post. Left empty, it comes from the title."
    )
    body_markdown = forms.CharField(
        label="Body (Markdown)", required=False, widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"})
    )
    custom_excerpt = forms.CharField(
        label="Excerpt",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown in lists, feeds and link previews. Left empty, the first words of the body are used.",
    )
    tags = forms.CharField(max_length=500, required=False, help_text="Comma-separated, at most 10.")
    feature_image_id = forms.CharField(required=False, widget=forms.HiddenInput)
    feature_image_alt = forms.CharField(label="Feature image description (alt text)", max_length=300, required=False)
    publish_at = forms.DateTimeField(
        label="Publish at (UTC)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], required=False, widget=forms.HiddenInput)

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        return value.replace(tzinfo=UTC) if value and value.tzinfo is None else value

    def content(self) -> dict:
        """The fields the post services take."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "body_markdown": data["body_markdown"],
            "slug": data["slug"],
            "custom_excerpt": data["custom_excerpt"],
            "tags": data["tags"],
            "feature_image_id": data["feature_image_id"] or None,
            "feature_image_alt": data["feature_image_alt"],
        }


class DeleteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StaffRoleForm(forms.Form):
    """Change one user's blog role: a listed member by id, or anyone with an account by email."""

    user_id = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    email = forms.EmailField(required=False, help_text="Anyone with an account on the site.")
    role = forms.ChoiceField(
        choices=[
            ("contributor", "Contributor"),
            ("author", "Author"),
            ("editor", "Editor"),
            ("administrator", "Administrator"),
            ("none", "No role"),
        ]
    )

    def clean(self):
        data = super().clean()
        if not data.get("user_id") and not data.get("email"):
            self.add_error("email", "Give the email of the user.")
        return data

    def target(self) -> dict:
        """The arguments of staff_role_set for this form."""
        data = self.cleaned_data
        who = {"sub": data["user_id"]} if data["user_id"] else {"email": data["email"]}
        return {**who, "role": data["role"]}
