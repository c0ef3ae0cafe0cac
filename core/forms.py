"""What the resident pages' forms share."""

from django import forms

from core.errors import LinliError


def add_service_errors(form: forms.Form, error: LinliError) -> None:
    """Show a service's refusal on the form: each field's messages next to the field, the rest
    at the top, so a page says what the API would say."""
    fields = error.fields or {}
    for field, problems in fields.items():
        form.add_error(field if field in form.fields else None, [str(p) for p in problems])
    if not fields:
        form.add_error(None, str(error.detail))
