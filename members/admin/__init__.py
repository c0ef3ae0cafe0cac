"""Staff screens for members: accounts (superusers only), and, scoped to each staff member's
centers, the points ledger, suspensions, volunteer hours, teams and eligibility rules.

Writes go through the services (points_adjust, suspension_lift, volunteer_record_review), so the
admin obeys the same rules as the API. The ID number appears only masked.
"""

from members.admin import accounts, points, rules, suspensions, teams, volunteering  # noqa: F401
