"""Every response carries the Content-Security-Policy (django-csp): pages, the API, the admin,
the API docs, errors answered by middleware, and a template that needs an inline block gets a
nonce the policy names."""

import pytest
from csp.context_processors import nonce as csp_nonce
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.template import RequestContext, Template
from django.test import Client, RequestFactory

pytestmark = pytest.mark.django_db

REQUIRED = ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'")


def policy(response) -> str:
    header = response["Content-Security-Policy"]
    for directive in REQUIRED:
        assert directive in header, header
    assert "unsafe-inline" not in header and "unsafe-eval" not in header
    return header


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/", 200),
        ("get", "/api/v1/centers/", 200),
        ("get", "/api/v1/me/", 401),
        ("get", "/api/schema/", 200),
        ("get", "/api/docs/", 200),
        ("get", "/api/docs/?script=", 200),
        ("get", "/accounts/login/", 200),
        ("get", "/admin/login/", 302),
        ("get", "/no-such-page/", 404),
        ("post", "/api/v1/bookings", 404),
    ],
)
def test_every_response_carries_the_policy(method: str, path: str, status: int) -> None:
    response = getattr(Client(), method)(path)

    assert response.status_code == status
    policy(response)


def test_an_answer_of_the_request_guard_carries_it_too() -> None:
    response = Client().post("/api/v1/bookings/", "x" * 3_000_000, "application/json")

    assert response.status_code == 413
    policy(response)


def test_the_api_docs_need_no_inline_script() -> None:
    page = Client().get("/api/docs/").content.decode()

    assert "<script>" not in page.replace(" ", "")
    assert "?script" in page  # the start-up script is a file of its own


def test_a_template_can_use_the_nonce_that_the_policy_names() -> None:
    def view(request):
        body = Template('<style nonce="{{ CSP_NONCE }}">p{}</style>').render(
            RequestContext(request, {}, processors=[csp_nonce])
        )
        return HttpResponse(body)

    response = CSPMiddleware(view)(RequestFactory().get("/"))

    nonce = response.content.decode().split('nonce="')[1].split('"')[0]
    assert len(nonce) >= 16
    assert f"'nonce-{nonce}'" in policy(response)
