"""Forms of the community pages: posting a wish or a proposal, fulfilling a wish. They parse
and label; the services in ``community.services`` decide (and say what is wrong)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from community.models import Proposal, Wish


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
