"""Query filters of the wishes and proposals lists."""

import django_filters

from community.models import Proposal, Wish
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


class ProposalFilter(django_filters.FilterSet):
    center = IdFilter(field_name="center_id")
    status = django_filters.ChoiceFilter(choices=Proposal.Status.choices)
    ordering = django_filters.OrderingFilter(
        fields=(("supports", "supports"), ("created", "created")),
        help_text="-supports (most supported first) or -created (newest first, the default)",
    )
    mine = StrictBooleanFilter(
        method="keep", help_text="true: the member's own proposals, drafts too (log in first)"
    )

    class Meta:
        model = Proposal
        fields = ["center", "status", "ordering", "mine"]

    def keep(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        # Equal counts (or equal times) in a stable order, newest first.
        if self.form.cleaned_data.get("ordering"):
            queryset = queryset.order_by(*queryset.query.order_by, "-created", "-id")
        return queryset
