"""What the community's messages say. Their fields come with each message (its context: the
wish's text, the center, a reason), so rendering needs nothing of this app."""

from django.utils.translation import gettext_noop

from notifications.texts import TEXTS

COMMUNITY_TEXTS: dict[str, tuple[str, str]] = {
    "wish_published": (
        gettext_noop("Your wish is on the wall"),
        gettext_noop(
            "Your wish “%(text)s” is now on the wall of %(center)s for volunteers to see."
        ),
    ),
    "wish_declined": (
        gettext_noop("Your wish was not published"),
        gettext_noop("Your wish “%(text)s” was not published. Reason: %(reason)s"),
    ),
    "wish_claimed": (
        gettext_noop("A volunteer took on your wish"),
        gettext_noop(
            "A volunteer has taken on your wish “%(text)s”. Staff of %(center)s will help you get in touch."
        ),
    ),
    "wish_fulfilled": (
        gettext_noop("Your wish was fulfilled"),
        gettext_noop(
            "The volunteer says your wish “%(text)s” is fulfilled: %(note)s. Please confirm it, or tell the center if not."
        ),
    ),
    "wish_thanks": (
        gettext_noop("Thank you"),
        gettext_noop(
            "The wish “%(text)s” is confirmed as fulfilled. Thank you! You earned %(points)s points."
        ),
    ),
    "wish_reopened": (
        gettext_noop("Your wish is open again"),
        gettext_noop(
            "The volunteer could not fulfil your wish “%(text)s”. It is open again for another volunteer."
        ),
    ),
    "wish_claim_lapsed": (
        gettext_noop("Your claim has lapsed"),
        gettext_noop("Your claim on the wish “%(text)s” has lapsed, and the wish is open again."),
    ),
    "wish_withdrawn": (
        gettext_noop("A wish was withdrawn"),
        gettext_noop(
            "The wish “%(text)s” you took on was withdrawn by its wisher. Thank you all the same."
        ),
    ),
    "proposal_discussing": (
        gettext_noop("A proposal is under discussion"),
        gettext_noop("The proposal “%(title)s” at %(center)s is now under discussion. %(reply)s"),
    ),
    "proposal_adopted": (
        gettext_noop("A proposal was adopted"),
        gettext_noop("Good news: the proposal “%(title)s” at %(center)s was adopted. %(reply)s"),
    ),
    "proposal_not_adopted": (
        gettext_noop("A proposal was not adopted"),
        gettext_noop("The proposal “%(title)s” at %(center)s was not adopted. %(reply)s"),
    ),
    "proposal_hidden": (
        gettext_noop("Your proposal was taken off the wall"),
        gettext_noop("Your proposal “%(title)s” was taken off the wall. Reason: %(reason)s"),
    ),
}

TEXTS.update(COMMUNITY_TEXTS)
