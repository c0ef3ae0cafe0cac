"""Forms of the community pages: posting a wish or a proposal, fulfilling a wish. They parse
and label; the services in ``community.services`` decide (and say what is wrong)."""

from typing import Any

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from community.models import Proposal, Wish


class PhotoInput(forms.FileInput):
    """A large button that opens the phone's camera or its photos: the native file input stays
    in the page for keyboards and screen readers (visually hidden), and its label is the button.
    No ``capture`` attribute: with it, a phone opens only the camera, and a photo already taken
    could not be chosen."""

    def render(self, name: str, value: Any, attrs: dict | None = None, renderer: Any = None):
        attrs = {**(attrs or {}), "accept": "image/*", "class": "visually-hidden photo-input"}
        return format_html(
            '{}<label class="button button-big photo-pick" for="{}">{}</label>'
            '<span class="photo-chosen" aria-live="polite"></span>',
            super().render(name, None, attrs, renderer),
            attrs.get("id", ""),
            _("Choose a photo or take one"),
        )


class WishForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of help?"), choices=Wish.Category.choices, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("Your wish"),
        max_length=Wish._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A sentence or two; everyone can read it on the wall. At most 300 characters."),
    )
    details = forms.CharField(
        label=_("Private details (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Your address, when to call: only staff and the volunteer who helps you see this."
        ),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=PhotoInput,
        help_text=_(
            "A JPEG, PNG or WebP photo up to 15 MB, e.g. of what needs repairing. Only staff and "
            "the volunteer who helps you see it, never the wall. Where it was taken is removed."
        ),
    )


class FulfilForm(forms.Form):
    note = forms.CharField(
        label=_("What was done"),
        max_length=Wish._meta.get_field("fulfil_note").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The wisher reads this and confirms."),
    )


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=Proposal._meta.get_field("title").max_length
    )
    text = forms.CharField(
        label=_("Your proposal"),
        max_length=Proposal._meta.get_field("text").max_length,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What should change, and why. Everyone can read it on the wall."),
    )
