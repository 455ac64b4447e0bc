"""Forms for the discussion pages: they check shapes; the services check rules."""

import uuid

from django import forms

from .models import MAX_BODY


def _body_field(label: str, required: str, help_text: str = "") -> forms.CharField:
    """A body field refusing a text far past the limit before the service reads
    it; the service normalises the text and measures it exactly."""
    return forms.CharField(
        label=label,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": MAX_BODY}),
        strip=False,
        max_length=2 * MAX_BODY,
        help_text=help_text,
        error_messages={
            "required": required,
            "max_length": f"Keep it to {MAX_BODY:,} characters.",
        },
    )


class CommentForm(forms.Form):
    body = _body_field(
        "Your comment",
        "Write something before posting.",
        "Markdown: *italic*, **bold**, [links](https://…), > quotes.",
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # One per rendered form: a double submission posts once.
    token = forms.CharField(
        required=False, max_length=64, widget=forms.HiddenInput, initial=uuid.uuid4
    )


class GuestCommentForm(CommentForm):
    guest_name = forms.CharField(label="Your name", max_length=60)
    guest_email = forms.EmailField(
        label="Your e-mail",
        help_text="Never shown. We e-mail you a link to confirm it; until you "
        "do, your comments wait for a moderator.",
    )


class EditForm(forms.Form):
    body = _body_field(
        "Edit your comment", "Write something, or delete the comment instead."
    )


def comment_form_for(
    user, *args, parent_id: int | None = None, **kwargs
) -> CommentForm:
    """The posting form a reader gets: guests also give a name and an e-mail.

    A reply form gets field ids of its own, so its labels never point at the
    main form's fields on the same page.
    """
    form_class = CommentForm if user.is_authenticated else GuestCommentForm
    if parent_id is not None:
        kwargs.setdefault("auto_id", f"id_reply{parent_id}_%s")
    return form_class(*args, **kwargs)
