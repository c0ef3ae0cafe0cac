"""What the program screens share: the choices a staff member may schedule with, how staff
call a member, a session conflict in words."""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from centers.admin_scope import IdListFilter, center_ids
from centers.models import Space
from centers.permissions import Action
from centers.selectors import center_staff
from members.models import User
from services import errors
from services.models import Program


def visible_programs(request: HttpRequest) -> QuerySet[Program]:
    """The programs of every center the staff member works at, in any role."""
    programs = Program.objects.select_related("center").order_by("center_id", "title")
    if request.user.is_superuser:
        return programs
    return programs.filter(center_id__in=center_ids(request))


class ProgramListFilter(IdListFilter):
    """The programs of the staff member's own centers (Django's related filter would list every
    center's)."""

    title = gettext_lazy("program")
    parameter_name = "program"
    field = "program_id"

    def programs(self, request: HttpRequest) -> QuerySet[Program]:
        return visible_programs(request).exclude(category=Program.Category.HOME_VISIT)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [(str(p.pk), f"{p.title} · {p.center}") for p in self.programs(request)]


def scheduling_programs(request: HttpRequest) -> QuerySet[Program]:
    """Active programs with sessions (home visits are requests, not sessions) at the centers
    where the staff member manages sessions."""
    programs = (
        Program.objects.filter(is_active=True)
        .exclude(category=Program.Category.HOME_VISIT)
        .select_related("center")
        .order_by("center_id", "title")
    )
    if request.user.is_superuser:
        return programs
    return programs.filter(center_id__in=center_ids(request, Action.MANAGE_SESSIONS))


def scheduling_spaces(request: HttpRequest, program: Program | None) -> QuerySet[Space]:
    """Spaces a session may hold: the program's center's once the program is known, else those
    of every center where the staff member manages sessions."""
    spaces = Space.objects.filter(is_active=True).select_related("center").order_by("name")
    if program is not None:
        return spaces.filter(center_id=program.center_id)
    if request.user.is_superuser:
        return spaces
    return spaces.filter(center_id__in=center_ids(request, Action.MANAGE_SESSIONS))


def scheduling_staff(request: HttpRequest, program: Program | None) -> QuerySet[User]:
    if program is not None:
        return center_staff([program.center_id])
    if request.user.is_superuser:
        return center_staff()
    return center_staff(center_ids(request, Action.MANAGE_SESSIONS))


def chosen_program(request: HttpRequest, programs: QuerySet[Program]) -> Program | None:
    """The program the form is for, when the page was opened from it (``?program=``) or the
    form is posted with one: it narrows the space and staff choices to its center."""
    value = request.POST.get("program") or request.GET.get("program") or ""
    return programs.filter(pk=int(value)).first() if value.isdigit() else None


def member_label(member: User) -> str:
    """How staff call a member on their screens and rosters: the chosen display name, else the
    name on the account, else the username."""
    return member.display_name or member.get_full_name() or member.username


def conflict_message(conflict: errors.SessionConflict) -> str:
    if not conflict.bookings:
        return _("A blackout or another session already holds this space at this time.")
    return _("Bookings already use this space at this time: %(bookings)s") % {
        "bookings": "; ".join(f"{b} · {b.member}" for b in conflict.bookings)
    }
