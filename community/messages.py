"""What the community's messages say. Their fields come with each message (its context: the
wish's text, the center, a reason), so a wish itself fills in nothing."""

from enum import StrEnum

from django.utils.translation import gettext_noop

from community.models import Proposal, Wish
from notifications import registry
from notifications.registry import Text


class CommunityMessage(StrEnum):
    PUBLISHED = "wish_published"
    DECLINED = "wish_declined"
    CLAIMED = "wish_claimed"
    FULFILLED = "wish_fulfilled"
    THANKS = "wish_thanks"
    REOPENED = "wish_reopened"
    CLAIM_LAPSED = "wish_claim_lapsed"
    WITHDRAWN = "wish_withdrawn"
    CLOSED_BY_STAFF = "wish_closed_by_staff"
    PHOTO_REMOVED = "wish_photo_removed"


registry.register_kinds(
    CommunityMessage,
    {
        CommunityMessage.PUBLISHED: Text(
            gettext_noop("Your wish is on the wall"),
            gettext_noop(
                "Your wish “%(text)s” is now on the wall of %(center)s for volunteers to see."
            ),
        ),
        CommunityMessage.DECLINED: Text(
            gettext_noop("Your wish was not published"),
            gettext_noop("Your wish “%(text)s” was not published. Reason: %(reason)s"),
        ),
        CommunityMessage.CLAIMED: Text(
            gettext_noop("A volunteer took on your wish"),
            gettext_noop(
                "A volunteer has taken on your wish “%(text)s”. Staff of %(center)s will help you get in touch."
            ),
        ),
        CommunityMessage.FULFILLED: Text(
            gettext_noop("Your wish was fulfilled"),
            gettext_noop(
                "The volunteer says your wish “%(text)s” is fulfilled: %(note)s. Please confirm it, or tell the center if not."
            ),
        ),
        CommunityMessage.THANKS: Text(
            gettext_noop("Thank you"),
            gettext_noop(
                "The wish “%(text)s” is confirmed as fulfilled. Thank you! You earned %(points)s points."
            ),
        ),
        CommunityMessage.REOPENED: Text(
            gettext_noop("Your wish is open again"),
            gettext_noop(
                "The volunteer could not fulfil your wish “%(text)s”. It is open again for another volunteer."
            ),
        ),
        CommunityMessage.CLAIM_LAPSED: Text(
            gettext_noop("Your claim has lapsed"),
            gettext_noop(
                "Your claim on the wish “%(text)s” has lapsed, and the wish is open again."
            ),
        ),
        CommunityMessage.WITHDRAWN: Text(
            gettext_noop("A wish was withdrawn"),
            gettext_noop(
                "The wish “%(text)s” you took on was withdrawn by its wisher. Thank you all the same."
            ),
        ),
        CommunityMessage.CLOSED_BY_STAFF: Text(
            gettext_noop("Your wish is closed"),
            gettext_noop(
                "Staff of %(center)s confirmed for you that your wish “%(text)s” was fulfilled. If it was not, please tell the center."
            ),
        ),
        CommunityMessage.PHOTO_REMOVED: Text(
            gettext_noop("The photo of your wish was removed"),
            gettext_noop(
                "Staff of %(center)s removed the photo of your wish “%(text)s”. Reason: %(reason)s"
            ),
        ),
    },
)
registry.register_about(Wish, fields=lambda wish: {})


class ProposalMessage(StrEnum):
    DISCUSSING = "proposal_discussing"
    ADOPTED = "proposal_adopted"
    NOT_ADOPTED = "proposal_not_adopted"
    HIDDEN = "proposal_hidden"
    HIDDEN_SUPPORTED = "proposal_hidden_supported"


registry.register_kinds(
    ProposalMessage,
    {
        ProposalMessage.DISCUSSING: Text(
            gettext_noop("A proposal is under discussion"),
            gettext_noop(
                "The proposal “%(title)s” at %(center)s is now under discussion. %(reply)s"
            ),
        ),
        ProposalMessage.ADOPTED: Text(
            gettext_noop("A proposal was adopted"),
            gettext_noop(
                "Good news: the proposal “%(title)s” at %(center)s was adopted. %(reply)s"
            ),
        ),
        ProposalMessage.NOT_ADOPTED: Text(
            gettext_noop("A proposal was not adopted"),
            gettext_noop("The proposal “%(title)s” at %(center)s was not adopted. %(reply)s"),
        ),
        ProposalMessage.HIDDEN: Text(
            gettext_noop("Your proposal was taken off the wall"),
            gettext_noop("Your proposal “%(title)s” was taken off the wall. Reason: %(reason)s"),
        ),
        ProposalMessage.HIDDEN_SUPPORTED: Text(
            gettext_noop("A proposal you supported was taken off the wall"),
            gettext_noop(
                "Staff of %(center)s took the proposal “%(title)s” that you supported off the wall."
            ),
        ),
    },
)
# What the supporters hear when staff answer, by the answer.
ANSWERED = {
    Proposal.Status.DISCUSSING: ProposalMessage.DISCUSSING,
    Proposal.Status.ADOPTED: ProposalMessage.ADOPTED,
    Proposal.Status.NOT_ADOPTED: ProposalMessage.NOT_ADOPTED,
}
registry.register_about(Proposal, fields=lambda proposal: {})
