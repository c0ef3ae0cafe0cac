"""What the outbox needs from centers: a center as what a message is about (the staff digest),
and which centers' messages a staff member may see and resend."""

from centers.models import Center
from centers.permissions import centers_where
from notifications import registry

# The digest's text is filled from its context (how many bookings wait, the center's name).
registry.register_about(Center, fields=lambda center: {}, center="id")
registry.staff_scope(centers_where)
