"""What the resident pages share when a service refuses."""

from django.contrib import messages
from django.http import Http404, HttpRequest

from core.errors import LinliError


def refuse(request: HttpRequest, error: LinliError) -> None:
    """Show a service's refusal as the page's error message; a ``not_found`` is the page's
    404, as in the API: another member's object is not there for this one."""
    if error.status == 404:
        raise Http404 from error
    messages.error(request, str(error.detail))
