"""A family link is confirmed once, however many times the code is sent at once: threads with
connections of their own against PostgreSQL."""

from collections import Counter

import pytest
from rest_framework.test import APIClient

from members.models import ProxyLink, User
from members.services.proxies import proxy_request
from tests.community.test_concurrency import all_at_once
from tests.factories import VerifiedMemberFactory
from tests.members.test_accounts import OutboxSMSBackend, code_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_ten_confirmations_at_once_link_once_and_open_one_account(settings):
    settings.SMS_BACKEND = "tests.members.test_accounts.OutboxSMSBackend"
    OutboxSMSBackend.outbox.clear()
    son = VerifiedMemberFactory(phone="+8613800000001")
    link = proxy_request(proxy=son, phone="13912345678", relative_name="妈妈")
    code = code_in(OutboxSMSBackend.outbox[-1][1])

    def confirm():
        client = APIClient()
        client.force_login(son)
        response = client.post(
            f"/api/v1/me/proxies/{link.pk}/confirm/", {"code": code}, format="json"
        )
        return response.status_code, response.json()

    results = all_at_once([confirm for _ in range(10)])

    statuses = Counter(status for status, _ in results)
    assert statuses[200] == 1 and statuses[409] == 9, results
    assert User.objects.filter(phone="+8613912345678").count() == 1
    link.refresh_from_db()
    assert link.status == ProxyLink.Status.ACTIVE
    assert link.member.phone == "+8613912345678"
