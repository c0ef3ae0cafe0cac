"""Forms of the staff screens for members."""

from typing import Any

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from centers.models import Center
from members.models import EligibilityRule, Team, TeamMembership, User
from members.phones import normalize_mainland_mobile


class MemberField(forms.Field):
    """A member named by phone number or username: staff type what the resident tells them,
    rather than pick from a list of every member of every center."""

    widget = forms.TextInput
    default_error_messages = {
        "unknown": _("No active member has this phone number or username."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", _("The member's phone number or username."))
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int):  # a bound instance's foreign key
            value = User.objects.filter(pk=value).first()
        if isinstance(value, User):
            return value.username
        return value

    def to_python(self, value: Any) -> User | None:
        text = (value or "").strip()
        if not text:
            return None
        members = User.objects.filter(is_active=True)
        member = members.filter(username=text).first()
        if member is None:
            try:
                member = members.filter(phone=normalize_mainland_mobile(text)).first()
            except ValidationError:
                member = None
        if member is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown")
        return member

    def has_changed(self, initial: Any, data: Any) -> bool:
        try:
            member = self.to_python(data)
        except ValidationError:
            return True
        initial_pk = initial.pk if isinstance(initial, User) else initial
        return (member.pk if member else None) != (initial_pk or None)


class PhoneFormMixin:
    """Staff type a phone number as the resident says it; it is stored in E.164, the one form
    every lookup by phone (login, SMS codes, the front desk) searches for."""

    cleaned_data: dict[str, Any]

    def clean_phone(self) -> str | None:
        value = (self.cleaned_data.get("phone") or "").strip()
        return normalize_mainland_mobile(value) if value else None


class MemberChangeForm(PhoneFormMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class MemberCreationForm(PhoneFormMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "phone"]


class PointsAdjustmentForm(forms.Form):
    """A staff correction of a member's points (members.services.points.points_adjust)."""

    member = MemberField(label=_("member"))
    delta = forms.IntegerField(
        label=_("points"),
        min_value=-100_000,
        max_value=100_000,
        help_text=_("Positive to add, negative to take away."),
    )
    reason = forms.CharField(label=_("reason"), max_length=200)
    center = forms.ModelChoiceField(label=_("center"), queryset=Center.objects.none())

    def __init__(self, *args: Any, centers: QuerySet[Center], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = centers


class SuspensionLiftForm(forms.Form):
    reason = forms.CharField(
        label=_("why lifted"),
        max_length=200,
        help_text=_("Kept with the suspension, e.g. the member was in hospital."),
    )


class TeamForm(forms.ModelForm):
    leader = MemberField(label=_("leader"))

    class Meta:
        model = Team
        fields = ["center", "name", "kind", "leader", "description", "is_active"]


class TeamMembershipForm(forms.ModelForm):
    member = MemberField(label=_("member"))

    class Meta:
        model = TeamMembership
        fields = ["member"]


class EligibilityRuleForm(forms.ModelForm):
    class Meta:
        model = EligibilityRule
        fields = ["center", "name", "min_age", "max_age", "verified_only", "neighbourhoods", "team"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        team, center = data.get("team"), data.get("center")
        if team is not None and center is not None and team.center_id != center.pk:
            self.add_error("team", _("Choose a team of the rule's center."))
        return data


def shared_or_of(center_ids: set[int]) -> Q:
    """Rules every center may use, and the rules of ``center_ids``."""
    return Q(center__isnull=True) | Q(center_id__in=center_ids)
