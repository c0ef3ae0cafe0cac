from django.urls import path

from community.views import proposals, wishes

app_name = "community"

urlpatterns = [
    path("centers/<int:center_id>/wishes/", wishes.center_wishes, name="center_wishes"),
    path("centers/<int:center_id>/wishes/new/", wishes.wish_new, name="wish_new"),
    path("wishes/<int:wish_id>/", wishes.wish_detail, name="wish"),
    path("wishes/<int:wish_id>/claim/", wishes.wish_claim_view, name="wish_claim"),
    path("wishes/<int:wish_id>/fulfil/", wishes.wish_fulfil_view, name="wish_fulfil"),
    path("wishes/<int:wish_id>/confirm/", wishes.wish_confirm_view, name="wish_confirm"),
    path("wishes/<int:wish_id>/withdraw/", wishes.wish_withdraw_view, name="wish_withdraw"),
    path("me/wishes/", wishes.my_wishes, name="my_wishes"),
    path("centers/<int:center_id>/proposals/", proposals.center_proposals, name="center_proposals"),
    path("centers/<int:center_id>/proposals/new/", proposals.proposal_new, name="proposal_new"),
    path("proposals/<int:proposal_id>/", proposals.proposal_detail, name="proposal"),
    path(
        "proposals/<int:proposal_id>/support/",
        proposals.proposal_support_view,
        name="proposal_support",
    ),
    path("me/proposals/", proposals.my_proposals, name="my_proposals"),
]
