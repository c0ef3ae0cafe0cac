from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A resident, a team member or a staff member: everyone who logs in.

    Custom from the first migration so that profile, verification and points can grow here
    without the pain of swapping the user model later.
    """

    class Meta(AbstractUser.Meta):
        verbose_name = _("member")
        verbose_name_plural = _("members")
        swappable = "AUTH_USER_MODEL"
