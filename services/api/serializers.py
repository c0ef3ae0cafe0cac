"""What the programs API reads and writes. Times render in the center's zone."""

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.filters import MAX_ID
from core.serializers import StrictCharField, StrictIntegerField, StrictSerializer
from members.services.eligibility import eligibility_describe
from services import rules
from services.models import HomeVisitRequest, Program, Registration, Session, VolunteerRole

# party_size is a PositiveSmallIntegerField.
MAX_PARTY_SIZE = 32767


class NextSessionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    seats_left = serializers.IntegerField()


class ProgramSerializer(serializers.ModelSerializer):
    eligibility = serializers.SerializerMethodField(
        help_text="Who may register, in words; empty when everyone may"
    )
    next_session = serializers.SerializerMethodField(
        help_text="The next scheduled session that has not started, or null"
    )

    class Meta:
        model = Program
        fields = [
            "id",
            "center",
            "title",
            "category",
            "description",
            "kind",
            "eligibility",
            "points_cost",
            "next_session",
            "mode",
            "partner",
            "max_party_size",
            "verification_required",
            "points_reward",
            "free_for_elderly",
        ]
        read_only_fields = fields

    def get_eligibility(self, program: Program) -> str:
        return eligibility_describe(program.eligibility)

    @extend_schema_field(NextSessionSerializer(allow_null=True))
    def get_next_session(self, program: Program) -> dict[str, Any] | None:
        session = next(iter(program.next_sessions), None)
        if session is None:
            return None
        with timezone.override(program.center.tz):
            return NextSessionSerializer(session).data


class VolunteerRoleSerializer(serializers.ModelSerializer):
    seats_left = serializers.IntegerField(read_only=True)

    class Meta:
        model = VolunteerRole
        fields = ["id", "name", "seats", "seats_left"]
        read_only_fields = fields


class SessionSerializer(serializers.ModelSerializer):
    center = serializers.IntegerField(source="program.center_id", read_only=True)
    roles = VolunteerRoleSerializer(
        many=True,
        read_only=True,
        help_text="Volunteer roles with their seats (sessions of volunteer programs; else empty)",
    )
    seats_left = serializers.IntegerField(read_only=True)
    waitlist_length = serializers.IntegerField(read_only=True, help_text="Members on the waitlist")
    registration_open = serializers.SerializerMethodField(
        help_text="Now within the registration window, and the session scheduled and not started"
    )

    class Meta:
        model = Session
        fields = [
            "id",
            "program",
            "start",
            "end",
            "space",
            "capacity",
            "seats_left",
            "waitlist_length",
            "registration_open",
            "center",
            "status",
            "registration_opens",
            "registration_closes",
            "note",
            "roles",
        ]
        read_only_fields = fields

    def get_registration_open(self, session: Session) -> bool:
        return rules.registration_open(session, self.context.get("now") or timezone.now())

    def to_representation(self, session: Session) -> dict[str, Any]:
        with timezone.override(session.program.center.tz):
            return super().to_representation(session)


class RegistrationSerializer(serializers.ModelSerializer):
    position = serializers.SerializerMethodField(
        help_text="Place in the waitlist's order while waitlisted (it does not move up when "
        "others leave); null otherwise"
    )
    program = serializers.IntegerField(source="session.program_id", read_only=True)
    program_title = serializers.CharField(source="session.program.title", read_only=True)
    center = serializers.IntegerField(source="session.program.center_id", read_only=True)
    start = serializers.DateTimeField(source="session.start", read_only=True)
    end = serializers.DateTimeField(source="session.end", read_only=True)
    role_name = serializers.CharField(
        source="role.name", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = Registration
        fields = [
            "id",
            "session",
            "status",
            "position",
            "check_in_code",
            "party_size",
            "offer_expires_at",
            "created",
            "program",
            "program_title",
            "center",
            "start",
            "end",
            "role",
            "role_name",
        ]
        read_only_fields = fields

    def get_position(self, registration: Registration) -> int | None:
        if registration.status != Registration.Status.WAITLISTED:
            return None
        return registration.position

    def to_representation(self, registration: Registration) -> dict[str, Any]:
        with timezone.override(registration.session.program.center.tz):
            return super().to_representation(registration)


class RegistrationCreateSerializer(StrictSerializer):
    party_size = StrictIntegerField(
        min_value=1,
        max_value=MAX_PARTY_SIZE,
        default=1,
        help_text="1 = the member alone; up to the program's max_party_size",
    )
    role = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        allow_null=True,
        default=None,
        help_text="The volunteer role signed up for: required in a volunteer session",
    )


class RegistrationCancelSerializer(StrictSerializer):
    reason = StrictCharField(max_length=200, allow_blank=True, default="")


class EmptySerializer(StrictSerializer):
    """A body with no fields (any field is a 400 ``invalid``)."""


class HomeVisitSerializer(serializers.ModelSerializer):
    program_title = serializers.CharField(source="program.title", read_only=True)

    class Meta:
        model = HomeVisitRequest
        fields = [
            "id",
            "program",
            "program_title",
            "address",
            "preferred_time",
            "notes",
            "status",
            "scheduled_at",
            "created",
        ]
        read_only_fields = fields

    def to_representation(self, visit: HomeVisitRequest) -> dict[str, Any]:
        with timezone.override(visit.program.center.tz):
            return super().to_representation(visit)


class HomeVisitCreateSerializer(StrictSerializer):
    address = StrictCharField(max_length=200)
    preferred_time = StrictCharField(
        max_length=100, allow_blank=True, default="", help_text="In words, e.g. 周三上午"
    )
    notes = StrictCharField(max_length=2000, allow_blank=True, default="")
