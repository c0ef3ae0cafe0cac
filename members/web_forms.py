"""Forms of the member's own pages: profile, real-name verification, message channels. They
parse and label; the services in ``members.services`` decide."""

from django import forms
from django.conf import settings
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from members.models import User


class ProfileForm(forms.Form):
    display_name = forms.CharField(label=_("Your name"), max_length=50, required=False)
    neighbourhood = forms.CharField(
        label=_("Neighbourhood (居民区)"), max_length=100, required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Some activities are for certain ages."),
    )

    def __init__(self, *args, member: User, **kwargs):
        super().__init__(*args, **kwargs)
        if member.is_verified:
            # The verified ID fixes the birth date; the service refuses a change anyway.
            del self.fields["birth_date"]


class VerifyForm(forms.Form):
    real_name = forms.CharField(label=_("Real name, as on your ID card"), max_length=50)
    id_number = forms.CharField(
        label=_("Resident ID number (18 characters)"),
        max_length=18,
        min_length=15,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
        help_text=_("It is kept encrypted and never shown again in full."),
    )


class ChannelsForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Tell me by"),
        # "Email", not "email", in English (the model's labels are lower case for sentences).
        choices=[(value, capfirst(label)) for value, label in User.Channel.choices],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ProxyRequestForm(forms.Form):
    phone = forms.CharField(
        label=_("Your relative's mobile number"),
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
        help_text=_("We text them a code. They read it out to you, and you enter it here."),
    )
    display_name = forms.CharField(
        label=_("What you call them (optional)"),
        max_length=50,
        required=False,
        help_text=_("For example 妈妈 or 王阿姨."),
    )


class ProxyCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code your relative read out"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "class": "code-input"}
        ),
    )
