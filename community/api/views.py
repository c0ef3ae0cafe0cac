"""The micro-wishes and proposals API (API.md, "Community"): parse, call one service or
selector, render. Another member's wish is a 404, as is one the member has no part in."""

from typing import Any

from django.core.files.storage import default_storage
from django.db.models import QuerySet
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated, ValidationError
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from community import selectors
from community.api.filters import ProposalFilter, WishFilter
from community.api.serializers import (
    EmptySerializer,
    ProposalCreateSerializer,
    ProposalDetailSerializer,
    ProposalEditSerializer,
    ProposalSerializer,
    WishClaimSerializer,
    WishCreateSerializer,
    WishFulfilSerializer,
    WishPhotoCreateSerializer,
    WishSerializer,
)
from community.models import Proposal, Wish
from community.services.proposals import (
    proposal_create,
    proposal_edit,
    proposal_submit,
    proposal_support,
    proposal_unsupport,
)
from community.services.wishes import (
    wish_claim,
    wish_confirm,
    wish_create,
    wish_fulfil,
    wish_withdraw,
)
from core import idempotency
from core.acting import actor_of
from core.errors import NotFound
from core.parsers import JSONParser, MultiPartParser
from core.serializers import ErrorSerializer
from members.errors import NotEligible
from members.selectors import member_teams

ID_REGEX = "[0-9]{1,18}"
# DRF's wording, so that its translations apply (as core.filters.StrictBooleanField).
INVALID_BOOLEAN = _("Must be a valid boolean.")
ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="invalid_transition")}
IDEMPOTENCY_ERRORS = {
    409: OpenApiResponse(ErrorSerializer, description="request_in_progress"),
    422: OpenApiResponse(ErrorSerializer, description="idempotency_key_reused"),
}


class FirstRenderer(BaseContentNegotiation):
    """An image's view answers whatever the client accepts (``<img>`` asks for images): the
    photo is a file, and its errors are JSON like every other."""

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0] if parsers else None

    def select_renderer(self, request: Request, renderers: list, format_suffix: Any = None):
        return renderers[0], renderers[0].media_type


def _flag(request: Request, name: str) -> bool:
    """A boolean query parameter the filter set validates too (``?mine=maybe`` is a 400)."""
    value = request.query_params.get(name, "").strip().lower()
    if value in ("", "false", "0"):
        return False
    if value in ("true", "1"):
        return True
    raise ValidationError({name: [INVALID_BOOLEAN]})


class PublicWallMixin:
    """Anyone reads the wall; everything else needs a login. Query filters narrow the list
    only: a detail or an action finds any object its queryset allows."""

    public_actions = ("list", "retrieve")

    def get_permissions(self) -> list[Any]:
        if self.action in self.public_actions:
            return [AllowAny()]
        return [IsAuthenticated()]

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        if self.action != "list":
            return queryset
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(
        responses={200: WishSerializer(many=True), 400: ErrorSerializer, 401: ErrorSerializer},
        description=(
            "The wall: wishes staff have published (`published`, `claimed`, `fulfilled`, "
            "`closed`), newest first; `?status=published` for the open ones. Anyone may read "
            "it. `?mine=true`: the member's own wishes in every state; `?claimed_by_me=true`: "
            "the wishes the member claimed (both need a login: 401). The wall shows the "
            "wisher's first name and neighbourhood only; `private` appears only for the wisher "
            "and the volunteer holding the claim."
        ),
    ),
    retrieve=extend_schema(responses={200: WishSerializer, 404: ErrorSerializer}),
)
class WishViewSet(
    PublicWallMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Micro-wishes (微心愿)."""

    serializer_class = WishSerializer
    filterset_class = WishFilter
    lookup_value_regex = ID_REGEX
    # The photo answers whoever may see it, and anyone else (logged in or not) with a 404.
    public_actions = ("list", "retrieve", "photo")

    def get_parsers(self) -> list[Any]:
        # Posting a wish also takes a form with a photo. The parsers are chosen before DRF sets
        # ``self.action``; the router's map gives it.
        action = getattr(self, "action", None) or self.action_map.get(self.request.method.lower())
        if action == "create":
            return [JSONParser(), MultiPartParser()]
        return super().get_parsers()

    def get_queryset(self) -> QuerySet[Wish]:
        if getattr(self, "swagger_fake_view", False):
            return Wish.objects.none()
        user = self.request.user
        if self.action == "photo":
            return selectors.photographed_wishes()
        if self.action == "list":
            mine, claimed = _flag(self.request, "mine"), _flag(self.request, "claimed_by_me")
            if (mine or claimed) and not user.is_authenticated:
                raise NotAuthenticated()
            if mine:
                return selectors.member_wishes(user)
            if claimed:
                return selectors.member_claims(user)
            return selectors.public_wishes()
        if self.action == "claim":
            return selectors.public_wishes()
        if self.action == "fulfil":
            return selectors.member_claims(user)
        if self.action == "confirm":
            return selectors.member_wishes(user)
        if self.action == "withdraw":
            return selectors.member_wishes(user) | selectors.member_claims(user)
        return selectors.visible_wishes(user)

    def _done(self, wish: Wish, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(wish).data, status=code)

    @extend_schema(
        request={
            "application/json": WishCreateSerializer,
            "multipart/form-data": WishPhotoCreateSerializer,
        },
        responses={201: WishSerializer, **ERRORS, **IDEMPOTENCY_ERRORS},
        parameters=[idempotency.PARAMETER],
        description=(
            "Post a wish (`submitted`): staff review it before it goes on the wall. As JSON, "
            "or as `multipart/form-data` with the same fields and an optional `photo` (JPEG, "
            "PNG or WebP up to 15 MB; the whole form at most 16 MB, else 413). The photo is kept "
            "without its metadata and is never public (`photo_url`). Errors: 400 `invalid` (a "
            "photo that is not one, too large or of too many pixels: `fields.photo`), "
            "`quota_exceeded` (three open wishes at most)."
        ),
    )
    @idempotency.idempotent
    def create(self, request: Request) -> Response:
        """Post a micro-wish."""
        multipart = request.content_type.startswith("multipart/")
        body = (WishPhotoCreateSerializer if multipart else WishCreateSerializer)(data=request.data)
        body.is_valid(raise_exception=True)
        wish = wish_create(member=request.user, by=actor_of(request), **body.validated_data)
        return self._done(wish, status.HTTP_201_CREATED)

    @extend_schema(
        request=None,
        responses={
            (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The photo"),
            404: ErrorSerializer,
        },
        description=(
            "The wish's photo (a JPEG), for the wisher and family acting for them, the "
            "volunteer holding the claim and staff of the wish's center; for anyone else, "
            "logged in or not, 404 `not_found`, as for a wish without a photo. `photo_url` of "
            "a wish points here. `Cache-Control: private`."
        ),
    )
    @action(detail=True, methods=["get"], content_negotiation_class=FirstRenderer)
    def photo(self, request: Request, pk: str) -> FileResponse:
        """A wish's photo."""
        wish = self.get_object()
        if not selectors.wish_photo_visible(wish, request.user):
            raise NotFound()
        try:
            photo = default_storage.open(wish.photo.name, "rb")
        except FileNotFoundError:
            raise NotFound() from None
        response = FileResponse(photo, content_type="image/jpeg")
        # Only the browser that asked keeps it, not a proxy on the way: it may show a home.
        response["Cache-Control"] = "private, max-age=600"
        response["Vary"] = "Cookie, X-Session-Token, X-On-Behalf-Of"
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Disposition"] = f'inline; filename="wish-{wish.pk}.jpg"'
        return response

    @extend_schema(
        request=WishClaimSerializer,
        responses={200: WishSerializer, **ERRORS, 409: ErrorSerializer},
        description=(
            "Take on an open wish, alone or for one of the member's teams. One claimant at a "
            "time; the claim lapses after a week unless fulfilled. Errors: 409 "
            "`already_claimed`, `invalid_transition`; 400 `own_wish`, "
            "`verification_required`, `not_eligible` (not in the team), `quota_exceeded`."
        ),
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        """Claim a wish."""
        wish = self.get_object()
        body = WishClaimSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        team = None
        if body.validated_data["team"] is not None:
            team = member_teams(request.user).filter(pk=body.validated_data["team"]).first()
            if team is None:
                raise NotEligible()
        wish = wish_claim(wish=wish, member=request.user, team=team, by=actor_of(request))
        return self._done(wish)

    @extend_schema(
        request=WishFulfilSerializer,
        responses={200: WishSerializer, **ERRORS, **CONFLICT},
        description="The volunteer holding the claim says it is done, and how (`fulfilled`).",
    )
    @action(detail=True, methods=["post"])
    def fulfil(self, request: Request, pk: str) -> Response:
        """Mark a claimed wish fulfilled."""
        wish = self.get_object()
        body = WishFulfilSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        wish = wish_fulfil(
            wish=wish, member=request.user, note=body.validated_data["note"], by=actor_of(request)
        )
        return self._done(wish)

    @extend_schema(
        request=None,
        responses={200: WishSerializer, **ERRORS, **CONFLICT},
        description=(
            "The wisher confirms a fulfilled wish (`closed`); the volunteer earns its points."
        ),
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        """Confirm a fulfilled wish."""
        wish = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        return self._done(wish_confirm(wish=wish, by=actor_of(request)))

    @extend_schema(
        request=None,
        responses={200: WishSerializer, **ERRORS, **CONFLICT},
        description=(
            "The volunteer gives a claimed wish back (`published` again), or the wisher takes "
            "their wish off the wall before it is fulfilled (`closed`)."
        ),
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, pk: str) -> Response:
        """Withdraw a claim, or a wish."""
        wish = get_object_or_404(self.get_queryset().distinct(), pk=pk)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        return self._done(wish_withdraw(wish=wish, member=request.user, by=actor_of(request)))


PROPOSAL_ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 404: ErrorSerializer}


@extend_schema_view(
    list=extend_schema(
        responses={200: ProposalSerializer(many=True), 400: ErrorSerializer, 401: ErrorSerializer},
        description=(
            "The wall: proposals in `received`, `discussing`, `adopted` or `not_adopted`, "
            "newest first (`?ordering=-supports`: most supported first). Anyone may read it. "
            "`?mine=true`: the member's own proposals in every state, drafts and hidden ones "
            "too (needs a login: 401)."
        ),
    ),
    retrieve=extend_schema(
        responses={200: ProposalDetailSerializer, 404: ErrorSerializer},
        description="A proposal with its history: each status, oldest first, with the reply.",
    ),
)
class ProposalViewSet(
    PublicWallMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """The proposal wall (提案墙)."""

    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    lookup_value_regex = ID_REGEX

    def get_serializer_class(self) -> type:
        return ProposalSerializer if self.action == "list" else ProposalDetailSerializer

    def get_queryset(self) -> QuerySet[Proposal]:
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        user = self.request.user
        if self.action == "list":
            if _flag(self.request, "mine"):
                if not user.is_authenticated:
                    raise NotAuthenticated()
                return selectors.member_proposals(user)
            return selectors.public_proposals(user)
        if self.action in ("partial_update", "submit"):
            return selectors.member_proposals(user)
        if self.action == "support":
            return selectors.public_proposals(user)
        return selectors.visible_proposals(user)

    def _render(self, proposal: Proposal, code: int = status.HTTP_200_OK) -> Response:
        # Read again through the selector: ``supported_by_me`` is an annotation.
        proposal = selectors.visible_proposals(self.request.user).get(pk=proposal.pk)
        return Response(
            ProposalDetailSerializer(proposal, context=self.get_serializer_context()).data,
            status=code,
        )

    @extend_schema(
        request=ProposalCreateSerializer,
        responses={201: ProposalDetailSerializer, **PROPOSAL_ERRORS, **IDEMPOTENCY_ERRORS},
        parameters=[idempotency.PARAMETER],
        description=(
            'Post a proposal: on the wall at once (`received`), or with `"draft": true` a '
            "draft only its author sees until `submit`. Errors: 400 `invalid`, "
            "`quota_exceeded` (three a day)."
        ),
    )
    @idempotency.idempotent
    def create(self, request: Request) -> Response:
        """Post a proposal."""
        body = ProposalCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposal = proposal_create(member=request.user, by=actor_of(request), **body.validated_data)
        return self._render(proposal, status.HTTP_201_CREATED)

    @extend_schema(
        request=ProposalEditSerializer,
        responses={200: ProposalDetailSerializer, **PROPOSAL_ERRORS, **CONFLICT},
        description="Change a draft (the author's own): 409 `invalid_transition` once submitted.",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        """Change a draft."""
        proposal = self.get_object()
        body = ProposalEditSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        proposal = proposal_edit(
            proposal=proposal, member=request.user, by=actor_of(request), **body.validated_data
        )
        return self._render(proposal)

    @extend_schema(
        request=None,
        responses={200: ProposalDetailSerializer, **PROPOSAL_ERRORS, **CONFLICT},
        description="Put a draft on the wall (`received`).",
    )
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, pk: str) -> Response:
        """Submit a draft."""
        proposal = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        proposal = proposal_submit(proposal=proposal, member=request.user, by=actor_of(request))
        return self._render(proposal)

    @extend_schema(
        methods=["POST"],
        request=None,
        responses={
            200: ProposalDetailSerializer,
            **PROPOSAL_ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="proposal_closed"),
        },
        description=(
            "Support the proposal; supporting twice counts once. 409 `proposal_closed` once "
            "staff decided on it."
        ),
    )
    @extend_schema(
        methods=["DELETE"],
        request=None,
        responses={
            200: ProposalDetailSerializer,
            **PROPOSAL_ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="proposal_closed"),
        },
        description="Withdraw the member's support (nothing changes without one).",
    )
    @action(detail=True, methods=["post", "delete"])
    def support(self, request: Request, pk: str) -> Response:
        """Support a proposal, or withdraw the support."""
        proposal = self.get_object()
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        change = proposal_support if request.method == "POST" else proposal_unsupport
        proposal = change(proposal=proposal, member=request.user, by=actor_of(request))
        return self._render(proposal)
