"""Password rules whose messages residents can read."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, with our own wording: Django 5.2 reworded the "too short" error and its
    Chinese catalog has no translation for the new text, so signup showed it in English."""

    def get_error_message(self) -> str:
        return ngettext(
            "The password is too short: use at least %(min_length)d character.",
            "The password is too short: use at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}
