from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularSwaggerSplitView

from core.prefs import set_elder_mode
from core.views import SchemaView, api_not_found, favicon

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER
# Staff log in through allauth's login page, with its limits on failed attempts; the admin's own
# form would let anyone guess passwords without limit. Must be set before admin.site.urls.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("prefs/elder/", set_elder_mode, name="elder_mode"),
    path("favicon.ico", favicon),
    path("accounts/", include("allauth.urls")),
    path("_allauth/", include("allauth.headless.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/v1/", include("bookings.api_urls")),
    path("api/v1/", include("services.api_urls")),
    path("api/v1/", include("notifications.api_urls")),
    path("api/v1/", include("community.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script, so the
    # Content-Security-Policy needs no exception for the docs.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    # Anything else under /api/ is a JSON 404 whatever the method, also with DEBUG on (no HTML
    # debug page, no CSRF page).
    re_path(r"^api/", api_not_found),
    path("", include("bookings.urls")),
    path("", include("services.urls")),
    path("", include("community.urls")),
    path("me/", include("members.urls")),
    path("", include("centers.urls")),
]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
