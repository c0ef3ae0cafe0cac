"""Staff screens for bookings, blackouts and recurring bookings, scoped per center.

Staff never edit these rows: every move (approve, reject, cancel, check in, block, book weekly)
is a call to the service that owns it, so the admin obeys the same rules, locks and audit trail
as the API. Service errors come back as messages or form errors.
"""

from bookings.admin import blackouts, bookings, series  # noqa: F401  (registers the admins)
