"""Staff screens for members: accounts (superusers only), and, scoped to each staff member's
centers, the points ledger, suspensions, volunteer hours, teams and eligibility rules.

Writes go through the services (points_adjust, suspension_lift, volunteer_record_review), so the
admin obeys the same rules as the API. The ID number appears only masked.
"""

from members.admin import (  # noqa: F401
    accounts,
    points,
    proxies,
    rules,
    suspensions,
    teams,
    volunteering,
)
