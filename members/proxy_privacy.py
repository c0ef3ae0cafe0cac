"""Family links in a member's data export, and what deleting the account does to them: every
link the member is part of ends (nobody acts for, or as, a deleted account)."""

from typing import Any

from django.db.models import Q
from django.utils import timezone

from members.models import ProxyLink, User
from members.services.privacy import anonymizer, export_section


@export_section("family_links")
def family_links_export(member: User) -> list[dict[str, Any]]:
    links = ProxyLink.objects.filter(Q(proxy=member) | Q(member=member)).order_by("created")
    return [
        {
            "id": link.pk,
            "direction": "i_act_for" if link.proxy_id == member.pk else "acts_for_me",
            "other_member": link.member_id if link.proxy_id == member.pk else link.proxy_id,
            "status": link.status,
            "via": link.via,
            "created": link.created.isoformat(),
            "confirmed_at": link.confirmed_at.isoformat() if link.confirmed_at else None,
            "ended_at": link.ended_at.isoformat() if link.ended_at else None,
        }
        for link in links
    ]


@anonymizer
def family_links_end(member: User) -> None:
    """Runs inside member_delete's transaction."""
    ProxyLink.objects.filter(
        Q(proxy=member) | Q(member=member),
        status__in=[ProxyLink.Status.PENDING, ProxyLink.Status.ACTIVE],
    ).update(status=ProxyLink.Status.ENDED, ended_at=timezone.now(), code_digest="")
    ProxyLink.objects.filter(proxy=member).update(phone="", relative_name="")
