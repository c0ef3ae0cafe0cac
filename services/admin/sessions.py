"""Sessions for staff: the list, a session's page with its registrations, creating one through
``session_create`` (bookings in the space's way are listed first and cancelled only once staff
tick the box), and the actions: cancel with a reason, draw the lottery. The other pages (weekly
series, appointment slots, new time or seats, roster, check-in desk) are in ``session_pages``."""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bookings.admin.bookings import WhenFilter
from centers.admin_scope import CenterScopedAdmin, CenterScopedInline
from centers.permissions import Action, staff_can
from core.admin_kit import ReadOnlyInline, ServiceAddMixin, ask_reason, redirect_back
from core.errors import LinliError
from core.localtime import span
from services import errors
from services.admin.common import (
    ProgramListFilter,
    chosen_program,
    conflict_message,
    member_label,
    scheduling_programs,
    scheduling_spaces,
    scheduling_staff,
)
from services.admin.forms import SessionForm
from services.admin.session_pages import SessionPagesMixin
from services.admin.volunteer_roles import VolunteerRoleInline
from services.models import LotteryDraw, Program, Registration, Session
from services.services.lottery import session_draw_lottery
from services.services.sessions import session_cancel, session_create

Status = Registration.Status


class RegistrationInline(ReadOnlyInline, CenterScopedInline, admin.TabularInline):
    """Who registered, as the services left it: seats, the waitlist and check-in codes."""

    model = Registration
    parent_center_field = "program__center_id"
    fields = ["member_name", "party_size", "status", "position", "check_in_code", "registered"]
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).select_related("member").order_by("created", "id")

    @admin.display(description=gettext_lazy("member"))
    def member_name(self, registration: Registration) -> str:
        return member_label(registration.member)

    @admin.display(description=gettext_lazy("registered"))
    def registered(self, registration: Registration) -> str:
        return f"{timezone.localtime(registration.created):%Y-%m-%d %H:%M}"


@admin.register(Session)
class SessionAdmin(SessionPagesMixin, ServiceAddMixin, CenterScopedAdmin):
    center_field = "program__center_id"
    edit_action = Action.MANAGE_SESSIONS
    change_form_template = "admin/services/session/change_form.html"
    change_list_template = "admin/services/session/change_list.html"
    # The blackout's add page lists bookings in the way the same way.
    add_form_template = "admin/bookings/blackout/add_form.html"
    # Few, short columns: the whole row fits a 1024px tablet next to the filters.
    list_display = ["when", "program", "place", "seats", "waitlisted", "status"]
    list_display_links = ["when"]
    list_filter = [WhenFilter, ProgramListFilter, "status"]
    list_select_related = ["program__center", "space"]
    date_hierarchy = "start"
    search_fields = ["program__title", "note"]
    ordering = ["-start", "-id"]
    actions = ["cancel_sessions", "draw_lottery"]
    inlines = [RegistrationInline]
    readonly_fields = ["seats_taken", "waitlisted", "lottery_seed", "lottery_drawn_at"]
    add_form_class = SessionForm
    add_fieldsets = [
        (None, {"fields": ["program", "start", "end", "capacity", "space", "staff", "note"]}),
        (
            gettext_lazy("Registration"),
            {"fields": ["registration_opens", "registration_closes"]},
        ),
    ]

    def get_inlines(self, request: HttpRequest, obj: Session | None) -> list:
        if obj is not None and obj.program.kind == Program.Kind.VOLUNTEER:
            return [VolunteerRoleInline, *self.inlines]
        return self.inlines

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        waiting = Count("registrations", filter=Q(registrations__status=Status.WAITLISTED))
        return super().get_queryset(request).annotate(waitlist_length=waiting)

    # Sessions change only through services (the add pages, the edit page and the actions).
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_manage_sessions_permission(self, request: HttpRequest) -> bool:
        return self._role_ok(request, None, Action.MANAGE_SESSIONS)

    def get_fieldsets(self, request: HttpRequest, obj: Session | None = None) -> list:
        fieldsets = [
            (None, {"fields": ["program", "start", "end", "space", "staff", "note", "status"]}),
            (
                gettext_lazy("Seats"),
                {
                    "fields": [
                        "capacity",
                        "seats_taken",
                        "waitlisted",
                        "registration_opens",
                        "registration_closes",
                    ]
                },
            ),
        ]
        if obj is not None and obj.program.mode == Program.Mode.LOTTERY:
            fieldsets.append(
                (gettext_lazy("Lottery"), {"fields": ["lottery_seed", "lottery_drawn_at"]})
            )
        return fieldsets

    @admin.display(description=gettext_lazy("time"), ordering="start")
    def when(self, session: Session) -> str:
        return span(session.start, session.end, session.program.center.tz)

    @admin.display(description=gettext_lazy("place"))
    def place(self, session: Session) -> Any:
        return session.space.name if session.space_id else session.program.center

    @admin.display(description=gettext_lazy("seats taken"), ordering="seats_taken")
    def seats(self, session: Session) -> str:
        return f"{session.seats_taken}/{session.capacity}"

    @admin.display(description=gettext_lazy("waitlisted"), ordering="waitlist_length")
    def waitlisted(self, session: Session) -> int:
        return session.waitlist_length

    # --- Creating one session ----------------------------------------------------------------

    def get_add_form_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        programs = scheduling_programs(request)
        program = chosen_program(request, programs)
        return {
            "programs": programs,
            "spaces": scheduling_spaces(request, program),
            "staff": scheduling_staff(request, program),
        }

    def get_add_fieldsets(self, request: HttpRequest, extra: dict[str, Any]) -> list:
        if not extra.get("conflicts"):
            return self.add_fieldsets
        return [
            *self.add_fieldsets,
            (
                gettext_lazy("Bookings in the way"),
                {"fields": ["cancel_conflicting", "cancel_reason"]},
            ),
        ]

    def perform_add(self, request: HttpRequest, form: SessionForm) -> HttpResponse | dict:
        data = form.cleaned_data
        names = ["program", "start", "end", "capacity", "space", "staff", "note"]
        values = {name: data[name] for name in names} | {
            "registration_opens": data["registration_opens"],
            "registration_closes": data["registration_closes"],
            "by": request.user,
        }
        cancelled = 0
        try:
            session = session_create(**values)
        except errors.SessionConflict as conflict:
            if not conflict.bookings:
                form.add_error("space", conflict_message(conflict))
                return {}
            shown = {str(b.pk) for b in conflict.bookings}
            seen = set(request.POST.getlist("seen_conflict"))
            if not data["cancel_conflicting"] or seen != shown:
                # Cancel only the bookings staff were shown: if others appeared (or the time
                # changed) since, show the list again.
                form.add_error(
                    None,
                    _("The bookings in the way have changed; check the list again.")
                    if data["cancel_conflicting"]
                    else conflict.detail,
                )
                return {"conflicts": conflict.bookings}
            session = session_create(
                **values, cancel_conflicting=True, cancel_reason=data["cancel_reason"]
            )
            cancelled = len(shown)
        self.log_addition(request, session, [{"added": {}}])
        self.message_user(
            request, _("Session created: %(session)s") % {"session": session}, messages.SUCCESS
        )
        if cancelled:
            self.message_user(
                request,
                ngettext(
                    "%(n)d booking was cancelled; its member is told.",
                    "%(n)d bookings were cancelled; their members are told.",
                    cancelled,
                )
                % {"n": cancelled},
                messages.WARNING,
            )
        return HttpResponseRedirect(reverse("admin:services_session_change", args=[session.pk]))

    # --- Actions: each calls the service, session by session ---------------------------------

    def _each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Session],
        perform: Callable[[Session], str | None],
        done: Callable[[int], str],
    ) -> HttpResponse | None:
        count = 0
        for session in queryset.select_related("program__center"):
            # The service checks again; asking first gives staff a message in words.
            if not staff_can(request.user, Action.MANAGE_SESSIONS, session.program.center_id):
                self.message_user(
                    request,
                    _("%(session)s: your role at this center does not allow this.")
                    % {"session": session},
                    messages.ERROR,
                )
                continue
            try:
                said = perform(session)
            except LinliError as error:
                self.message_user(request, f"{session}: {error.detail}", messages.ERROR)
            else:
                count += 1
                if said:
                    self.message_user(request, said, messages.INFO)
        if count:
            self.message_user(request, done(count), messages.SUCCESS)
        return redirect_back(request)

    @admin.action(
        description=gettext_lazy("Cancel with a reason…"), permissions=["manage_sessions"]
    )
    def cancel_sessions(
        self, request: HttpRequest, queryset: QuerySet[Session]
    ) -> HttpResponse | None:
        reason, page = ask_reason(
            self,
            request,
            queryset.select_related("program__center"),
            action="cancel_sessions",
            title=_("Cancel sessions"),
            button=_("Cancel the sessions"),
        )
        if page is not None:
            return page

        def cancel(session: Session) -> None:
            session_cancel(session=session, by=request.user, reason=reason)

        return self._each(
            request,
            queryset,
            cancel,
            lambda n: (
                ngettext(
                    "%(n)d session cancelled; its members are told and refunded.",
                    "%(n)d sessions cancelled; their members are told and refunded.",
                    n,
                )
                % {"n": n}
            ),
        )

    @admin.action(description=gettext_lazy("Draw the lottery"), permissions=["manage_sessions"])
    def draw_lottery(
        self, request: HttpRequest, queryset: QuerySet[Session]
    ) -> HttpResponse | None:
        def draw(session: Session) -> str:
            result: LotteryDraw = session_draw_lottery(session=session, by=request.user)
            won = session.registrations.filter(pk__in=result.drawn_ids, status=Status.CONFIRMED)
            return _(
                "%(session)s: drawn with seed %(seed)s; %(won)d of %(entries)d entries got a "
                "seat, the others are on the waitlist in drawn order."
            ) % {
                "session": session,
                "seed": result.seed,
                "won": won.count(),
                "entries": len(result.entrant_ids),
            }

        return self._each(
            request,
            queryset,
            draw,
            lambda n: ngettext("%(n)d lottery drawn.", "%(n)d lotteries drawn.", n) % {"n": n},
        )

    # --- The session's page ------------------------------------------------------------------

    def object_links(self, request: HttpRequest, session: Session) -> list[tuple[str, Any]]:
        links = [(reverse("admin:services_session_roster", args=[session.pk]), _("Print roster"))]
        if self._may_manage(request, session) and session.end > timezone.now():
            edit = reverse("admin:services_session_edit", args=[session.pk])
            links.insert(0, (edit, _("Change time or seats")))
        return links

    def object_actions(self, request: HttpRequest, session: Session) -> list[tuple[str, Any]]:
        """The actions that make sense for this session now, as buttons on its page."""
        if not self._may_manage(request, session):
            return []
        now = timezone.now()
        found = []
        if (
            session.program.mode == Program.Mode.LOTTERY
            and session.lottery_drawn_at is None
            and session.registration_closes <= now
        ):
            found.append("draw_lottery")
        if session.end > now:
            found.append("cancel_sessions")
        return [(name, getattr(self, name).short_description) for name in found]

    def _may_manage(self, request: HttpRequest, session: Session) -> bool:
        return session.status == Session.Status.SCHEDULED and staff_can(
            request.user, Action.MANAGE_SESSIONS, session.program.center_id
        )

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        session = self.get_object(request, object_id)
        extra = {}
        if session is not None:
            extra = {
                "object_actions": self.object_actions(request, session),
                "object_links": self.object_links(request, session),
            }
        return super().change_view(request, object_id, form_url, extra | (extra_context or {}))

    def changelist_view(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        extra = {
            "can_check_in": self.has_check_in_permission(request),
            "can_schedule": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra | (extra_context or {}))
