"""What the web pages share: the posted data of a form, a service's refusal."""

from django.contrib import messages
from django.http import Http404, HttpRequest, QueryDict

from core.errors import LinliError


def refuse(request: HttpRequest, error: LinliError) -> None:
    """Show a service's refusal as the page's error message; a ``not_found`` is the page's
    404, as in the API: another member's object is not there for this one."""
    if error.status == 404:
        raise Http404 from error
    messages.error(request, str(error.detail))


def posted(request: HttpRequest) -> QueryDict | None:
    """The data a form is bound to: the POST, even an empty one (``request.POST or None``
    would show an empty submission as a fresh blank form, with no error saying what is
    missing), and nothing on a GET."""
    return request.POST if request.method == "POST" else None
