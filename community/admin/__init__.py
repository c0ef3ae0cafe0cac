"""Staff screens for the community, scoped per center: micro-wishes (review, post for a
resident, confirm for a wisher) and the proposal wall (answer, hide). Family links confirmed
at the front desk are the members app's (``members/admin/proxies.py``)."""

from community.admin import proposals, wishes  # noqa: F401  (registers the admins)
