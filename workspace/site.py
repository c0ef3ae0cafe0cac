"""The admin site with the staff workspace's own pages. Each page goes through ``admin_view``
(staff login, CSRF, no caching) and scopes itself by center like the model admins do."""

from django.contrib import admin
from django.urls import path


class LinliAdminSite(admin.AdminSite):
    # The sidebar would take a third of a 1024px tablet from every list; the index page and
    # the header's workspace links lead everywhere instead.
    enable_nav_sidebar = False

    def each_context(self, request):
        context = super().each_context(request)
        # The front desk's link only for those who may check people in (viewers and district
        # staff would find the page "not found").
        user = request.user
        if user.is_active and user.is_staff:
            from centers.permissions import Action, centers_where

            context["can_use_front_desk"] = centers_where(user, Action.CHECK_IN) != set()
        return context

    def get_urls(self) -> list:
        from workspace.views import day_board, exports, front_desk, reports, schedule

        view = self.admin_view
        pages = [
            path("day/", view(day_board.day_board), name="day_board"),
            path("front-desk/", view(front_desk.front_desk), name="front_desk"),
            path("schedule/closure/", view(schedule.closure), name="closure"),
            path("schedule/copy-week/", view(schedule.copy_week), name="copy_week"),
            path("reports/", view(reports.report), name="reports"),
            path(
                "export/<str:app_label>/<str:model_name>/",
                view(exports.export_list),
                name="export_list",
            ),
        ]
        return pages + super().get_urls()
