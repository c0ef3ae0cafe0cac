"""Staff screens for service programs, scoped per center: programs (edited by managers), their
sessions (created, changed, cancelled and drawn only through the services), volunteer roles,
registrations on a session's page and its printable roster, the check-in desk, and home-visit
requests.

Role rules come from ``centers.permissions``: viewers only look, the front desk checks members
in, managers do the rest; each service checks again.
"""

from services.admin import (  # noqa: F401  (registers the admins)
    home_visits,
    programs,
    sessions,
    volunteer_roles,
)
