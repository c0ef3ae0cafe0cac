"""What the wishes and proposals API reads and writes. The wall shows a wisher's first name and
neighbourhood only; the private part of a wish goes to its wisher and its volunteer alone."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from centers.selectors import active_centers
from community.models import Proposal, ProposalEvent, Wish
from community.selectors import proposal_history, wish_acquainted, wish_photo_visible
from core.filters import MAX_ID
from core.serializers import (
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictSerializer,
)

NO_SUCH_CENTER = _("There is no such center.")


class WisherSerializer(serializers.Serializer):
    first_name = serializers.CharField(help_text="As the member gave it; may be empty")
    neighbourhood = serializers.CharField(help_text="居民区; may be empty")


def _viewer(context: dict) -> Any:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


class WishPrivateSerializer(serializers.ModelSerializer):
    """Only for the wisher and the volunteer holding the claim."""

    class Meta:
        model = Wish
        fields = [
            "details",
            "decline_reason",
            "fulfil_note",
            "claimed_at",
            "claim_expires_at",
            "fulfilled_at",
            "closed_at",
        ]
        read_only_fields = fields


class WishSerializer(serializers.ModelSerializer):
    wisher = serializers.SerializerMethodField()
    claimed_by_me = serializers.SerializerMethodField()
    center_name = serializers.CharField(source="center.name", read_only=True)
    has_photo = serializers.SerializerMethodField(
        help_text="Whether the wish has a photo (the wall says 附照片; the photo is not public)"
    )
    photo_url = serializers.SerializerMethodField(
        help_text=(
            "Where the caller gets the photo (GET with the same credentials): only for the "
            "wisher and family acting for them, the volunteer holding the claim and staff of "
            "the center; null without a photo or for anyone else"
        )
    )
    # Not read-only, so that the schema does not list it as always present (the serializer only
    # ever renders answers).
    private = WishPrivateSerializer(
        source="*",
        required=False,
        help_text="Only in answers to the wisher and to the volunteer holding the claim",
    )

    class Meta:
        model = Wish
        fields = [
            "id",
            "center",
            "category",
            "text",
            "status",
            "wisher",
            "claimed_by_me",
            "created",
            "center_name",
            "has_photo",
            "photo_url",
            "private",
        ]
        read_only_fields = fields[:-1]

    def get_has_photo(self, wish: Wish) -> bool:
        return bool(wish.photo)

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, wish: Wish) -> str | None:
        if not wish_photo_visible(wish, _viewer(self.context)):
            return None
        path = reverse("wish-photo", args=[wish.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    @extend_schema_field(WisherSerializer)
    def get_wisher(self, wish: Wish) -> dict[str, str]:
        return {"first_name": wish.wisher.first_name, "neighbourhood": wish.wisher.neighbourhood}

    def get_claimed_by_me(self, wish: Wish) -> bool:
        viewer = _viewer(self.context)
        return viewer is not None and wish.claimed_by_id == viewer.pk

    def to_representation(self, wish: Wish) -> dict[str, Any]:
        with timezone.override(wish.center.tz):
            data = super().to_representation(wish)
        if not wish_acquainted(wish, _viewer(self.context)):
            del data["private"]
        return data


class CenterField(StrictIntegerField):
    """An active center's id, read as the center."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def run_validation(self, data: Any = serializers.empty) -> Any:
        center = active_centers().filter(pk=super().run_validation(data)).first()
        if center is None:
            raise serializers.ValidationError(NO_SUCH_CENTER)
        return center

    def to_representation(self, value: Any) -> int:
        return value.pk


class WishCreateSerializer(StrictSerializer):
    center = CenterField()
    category = serializers.ChoiceField(choices=Wish.Category.choices)
    text = StrictCharField(max_length=300, help_text="A short text: what would help")
    details = StrictCharField(
        max_length=2000,
        allow_blank=True,
        default="",
        help_text="Private: an address, when to call. Staff and the volunteer only.",
    )


class FormCenterField(CenterField):
    """The center's id in a form (multipart), where every field is text: its digits."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if isinstance(data, str) and data.isascii() and data.isdigit() and len(data) <= 18:
            data = int(data)
        return super().run_validation(data)


class WishPhotoCreateSerializer(WishCreateSerializer):
    # The same wish as multipart/form-data, with a photo. (A comment: the schema would show a
    # docstring as the description of the request body.)

    center = FormCenterField()
    photo = serializers.FileField(
        required=False,
        allow_empty_file=True,  # the service says what is wrong with it, in the one shape
        help_text="Optional: a JPEG, PNG or WebP photo up to 15 MB (at most 50 megapixels). "
        "Kept without its metadata (EXIF, GPS), at most 1600 pixels a side; never public.",
    )


class WishClaimSerializer(StrictSerializer):
    team = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        default=None,
        help_text="Claim for this team (one the member belongs to)",
    )


class WishFulfilSerializer(StrictSerializer):
    note = StrictCharField(max_length=500, help_text="What was done")


class EmptySerializer(StrictSerializer):
    """A body with no fields (any field is a 400 ``invalid``)."""


class ProposalSerializer(serializers.ModelSerializer):
    supported_by_me = serializers.BooleanField(read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "center",
            "title",
            "text",
            "status",
            "supports",
            "supported_by_me",
            "reply",
            "created",
            "center_name",
            "replied_at",
        ]
        read_only_fields = fields

    def to_representation(self, proposal: Proposal) -> dict[str, Any]:
        with timezone.override(proposal.center.tz):
            return super().to_representation(proposal)


class ProposalEventSerializer(serializers.ModelSerializer):
    status = serializers.CharField(source="to_status", help_text="The status it moved to")

    class Meta:
        model = ProposalEvent
        fields = ["status", "reply", "at"]
        read_only_fields = fields


class ProposalDetailSerializer(ProposalSerializer):
    history = serializers.SerializerMethodField(help_text="Oldest first, with public replies")
    # Not read-only, so that the schema does not list it as always present.
    hidden_reason = serializers.CharField(
        required=False, help_text="Only for the author: why staff hid the proposal"
    )

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "history", "hidden_reason"]
        read_only_fields = fields[:-1]

    @extend_schema_field(ProposalEventSerializer(many=True))
    def get_history(self, proposal: Proposal) -> list[dict[str, Any]]:
        return ProposalEventSerializer(proposal_history(proposal), many=True).data

    def to_representation(self, proposal: Proposal) -> dict[str, Any]:
        data = super().to_representation(proposal)
        viewer = _viewer(self.context)
        if viewer is None or proposal.author_id != viewer.pk:
            del data["hidden_reason"]
        return data


class ProposalCreateSerializer(StrictSerializer):
    center = CenterField()
    title = StrictCharField(max_length=100)
    text = StrictCharField(max_length=2000)
    draft = StrictBooleanField(
        default=False, help_text="true: a draft only the author sees, until submitted"
    )


class ProposalEditSerializer(StrictSerializer):
    title = StrictCharField(max_length=100)
    text = StrictCharField(max_length=2000)
