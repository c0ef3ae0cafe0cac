from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    """The staff workspace: day board, front desk, schedule tools, reports and exports, all
    pages of the admin site (its login, its look, the same scoping by center)."""

    default = True
    name = "workspace"
    verbose_name = _("Staff workspace")

    def ready(self) -> None:
        # Tells the centers admin what dated hours would strand (centers.closures).
        from workspace.services import closures  # noqa: F401


class LinliAdminConfig(admin_apps.AdminConfig):
    """Django's admin with our site, which adds the workspace pages to its URLs."""

    default = False
    default_site = "workspace.site.LinliAdminSite"
