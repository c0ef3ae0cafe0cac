"""API authentication: the app token of allauth's headless client, then the browser session."""

from allauth.headless.contrib.rest_framework.authentication import XSessionTokenAuthentication
from drf_spectacular.contrib.django_allauth import XSessionTokenAuthenticationScheme
from rest_framework.request import Request


class SessionTokenAuthentication(XSessionTokenAuthentication):
    """``X-Session-Token: <token>``. Names itself in ``WWW-Authenticate`` so that a request
    without valid credentials is a 401 ``not_authenticated`` (DRF answers 403 when the first
    authentication class offers no challenge)."""

    def authenticate_header(self, request: Request) -> str:
        return 'X-Session-Token realm="api"'


class SessionTokenScheme(XSessionTokenAuthenticationScheme):
    """The same security scheme in the OpenAPI schema as allauth's own class."""

    target_class = SessionTokenAuthentication
