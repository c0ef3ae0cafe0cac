"""Query filters of the wishes and proposals lists."""

import django_filters

from community.models import Wish
from core.filters import IdFilter, StrictBooleanFilter


class WishFilter(django_filters.FilterSet):
    center = IdFilter(field_name="center_id")
    status = django_filters.ChoiceFilter(choices=Wish.Status.choices)
    category = django_filters.ChoiceFilter(choices=Wish.Category.choices)
    # Read by the view, which picks the member's own wishes instead of the wall.
    mine = StrictBooleanFilter(
        method="keep", help_text="true: the member's own wishes in every state (log in first)"
    )
    claimed_by_me = StrictBooleanFilter(
        method="keep", help_text="true: the wishes the member claimed (log in first)"
    )

    class Meta:
        model = Wish
        fields = ["center", "status", "category", "mine", "claimed_by_me"]

    def keep(self, queryset, name, value):
        return queryset
