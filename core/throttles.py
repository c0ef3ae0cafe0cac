"""Rate limits for endpoints that cost something outside our own database."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView


class ScopedIPRateThrottle(ScopedRateThrottle):
    """The view's ``throttle_scope``, counted per client address whether or not a member is
    logged in (a login endpoint has no member yet). Set ``NUM_PROXIES`` behind a reverse proxy,
    or every client shares the proxy's address.

    The rate is read per request from the settings, not frozen at import as DRF does, so that a
    changed setting applies at once."""

    def get_rate(self) -> str | None:
        try:
            return api_settings.DEFAULT_THROTTLE_RATES[self.scope]
        except KeyError:
            raise ImproperlyConfigured(f"No rate for throttle scope {self.scope!r}") from None

    def get_cache_key(self, request: Request, view: APIView) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
