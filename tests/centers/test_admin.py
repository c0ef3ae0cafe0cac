"""Staff screens: every staff member sees and changes only their own centers (and stations).

Two centers, A and B, each with a station, spaces and hours. Most tests log in as staff of A and
try to see or touch B's rows every way the admin offers: changelists, guessed URLs, forged POSTs,
foreign-key choices, inlines, bulk actions and autocomplete.
"""

from dataclasses import dataclass
from datetime import time
from typing import Any

import pytest
from django import forms
from django.contrib.auth.models import Permission
from django.test import Client

from centers import weekdays
from centers.forms import OpeningRuleForm, WeekdaysField
from centers.models import Center, OpeningRule, Space, StaffAssignment
from tests.clients import web_client
from tests.factories import (
    CenterFactory,
    OpeningRuleFactory,
    SpaceFactory,
    StaffAssignmentFactory,
    StationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

Role = StaffAssignment.Role


# --- Helpers -------------------------------------------------------------------------------------


@dataclass
class Place:
    center: Center
    station: Center
    space: Space
    station_space: Space

    @property
    def names(self) -> list[str]:
        return [self.center.name, self.station.name, self.space.name, self.station_space.name]


def build_place(label: str) -> Place:
    center = CenterFactory(name=f"{label}街道社区党群服务中心", address=f"{label}路1号")
    station = StationFactory(parent=center, name=f"{label}居民区党群服务站")
    space = SpaceFactory(center=center, name=f"{label}中心多功能室", capacity=40)
    station_space = SpaceFactory(center=station, name=f"{label}站共享客厅")
    OpeningRuleFactory(center=center, opens=time(8, 30), closes=time(17, 30))
    OpeningRuleFactory(center=station, opens=time(9), closes=time(17))
    OpeningRuleFactory(space=space, opens=time(9), closes=time(21))
    return Place(center, station, space, station_space)


@pytest.fixture
def a() -> Place:
    return build_place("甲")


@pytest.fixture
def b() -> Place:
    return build_place("乙")


def staff_of(center: Center, role: str) -> Client:
    assignment = StaffAssignmentFactory(center=center, role=role)
    return web_client(assignment.user)


@pytest.fixture
def superuser() -> Client:
    return web_client(UserFactory(is_staff=True, is_superuser=True))


def change_url(obj: Center | Space) -> str:
    return f"/admin/centers/{obj._meta.model_name}/{obj.pk}/change/"


def form_data(response) -> dict[str, Any]:
    """What the browser would POST back from an admin change form left as it is: the main form,
    every inline's management form and every inline row, from the forms the page rendered."""
    assert response.status_code == 200, response.status_code
    context = response.context
    rendered: list[forms.BaseForm] = [context["adminform"].form]
    for inline in context["inline_admin_formsets"]:
        rendered.append(inline.formset.management_form)
        rendered.extend(inline.formset.forms)
    data: dict[str, Any] = {}
    for form in rendered:
        for field in form:
            value = field.value()
            if isinstance(field.field.widget, forms.CheckboxInput):
                if value:
                    data[field.html_name] = "on"
            elif value is not None:
                data[field.html_name] = value
    return data


def inline_formset(response, model: type, fk_name: str):
    """The inline formset of ``model`` (through ``fk_name``) on an admin change page."""
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        if formset.model is model and formset.fk.name == fk_name:
            return formset
    raise AssertionError(f"no inline for {model.__name__}.{fk_name}")


def add_inline_row(data: dict[str, Any], formset, values: dict[str, Any]) -> None:
    """Append one new row to an inline formset in ``data`` (as "Add another" would)."""
    index = int(data[f"{formset.prefix}-TOTAL_FORMS"])
    data[f"{formset.prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in values.items():
        data[f"{formset.prefix}-{index}-{name}"] = value


def rules_of(place: Center | Space) -> set[tuple[int, time, time]]:
    return set(place.openingrule_set.values_list("weekdays", "opens", "closes"))


def denied_or_missing(response) -> bool:
    """The admin's two answers to a URL the user may not see: a redirect to the index (as for a
    deleted object) or an error page."""
    if response.status_code == 302:
        return response["Location"] == "/admin/"
    return response.status_code in (403, 404)


def html(response) -> str:
    return response.content.decode()


# --- Changelists ---------------------------------------------------------------------------------


def test_manager_changelists_show_only_their_centers_and_stations(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)

    centers = html(client.get("/admin/centers/center/"))
    spaces = html(client.get("/admin/centers/space/"))

    assert a.center.name in centers and a.station.name in centers
    assert a.space.name in spaces and a.station_space.name in spaces
    for name in b.names:
        assert name not in centers
        assert name not in spaces


def test_changelist_search_and_lookups_do_not_reach_other_centers(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    b_ids = {b.center.pk, b.station.pk, b.space.pk, b.station_space.pk}

    searches = [
        client.get("/admin/centers/space/", {"q": b.space.name}),
        client.get("/admin/centers/space/", {"q": b.center.name}),
        client.get("/admin/centers/center/", {"q": "乙"}),
        client.get("/admin/centers/space/", {"center__id__exact": b.center.pk}),
        client.get("/admin/centers/center/", {"parent__id__exact": b.center.pk}),
    ]

    for response in searches:
        # A refused lookup redirects with ?e=1; an accepted one must find nothing of B's.
        if response.status_code == 302:
            assert "e=1" in response["Location"]
            continue
        assert response.status_code == 200
        assert response.context["cl"].result_count == 0
        assert not {obj.pk for obj in response.context["cl"].result_list} & b_ids
        assert b.station.name not in html(response)
        assert b.station_space.name not in html(response)


def test_superuser_sees_every_center(a: Place, b: Place, superuser: Client) -> None:
    centers = html(superuser.get("/admin/centers/center/"))
    spaces = html(superuser.get("/admin/centers/space/"))

    for name in [a.center.name, a.station.name, b.center.name, b.station.name]:
        assert name in centers
    for name in [a.space.name, a.station_space.name, b.space.name, b.station_space.name]:
        assert name in spaces
    assert superuser.get(change_url(b.space)).status_code == 200
    assert superuser.get("/admin/centers/staffassignment/").status_code == 200
    assert superuser.get("/admin/members/user/").status_code == 200


# --- Guessed URLs --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.VIEWER])
@pytest.mark.parametrize("target", ["center", "station", "space", "station_space"])
@pytest.mark.parametrize("page", ["change", "delete", "history"])
def test_guessed_urls_of_another_center_show_nothing(
    a: Place, b: Place, role: str, target: str, page: str
) -> None:
    client = staff_of(a.center, role)
    obj = getattr(b, target)
    url = f"/admin/centers/{obj._meta.model_name}/{obj.pk}/{page}/"

    response = client.get(url)
    assert denied_or_missing(response), (response.status_code, response.get("Location"))

    final = client.get(url, follow=True)
    for name in b.names:
        assert name not in html(final)


def test_guessed_url_answers_as_for_a_missing_object(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    missing = client.get("/admin/centers/space/999999/change/", follow=True)
    guessed = client.get(change_url(b.space), follow=True)

    assert guessed.redirect_chain == [("/admin/", 302)]
    assert [m.level_tag for m in guessed.context["messages"]] == ["warning"]
    # Same answer as for an id that does not exist, so ids do not reveal other centers' rows.
    assert missing.redirect_chain == [("/admin/", 302)]
    assert [str(m).replace(str(b.space.pk), "N") for m in guessed.context["messages"]] == [
        str(m).replace("999999", "N") for m in missing.context["messages"]
    ]


def test_manager_cannot_change_another_centers_space_by_post(
    a: Place, b: Place, superuser: Client
) -> None:
    data = form_data(superuser.get(change_url(b.space)))
    data["name"] = "被篡改的场地"
    data["capacity"] = 1
    client = staff_of(a.center, Role.MANAGER)

    response = client.post(change_url(b.space), data)

    assert denied_or_missing(response)
    b.space.refresh_from_db()
    assert (b.space.name, b.space.capacity) == ("乙中心多功能室", 40)
    assert superuser.post(change_url(b.space), data).status_code == 302
    b.space.refresh_from_db()
    assert (b.space.name, b.space.capacity) == ("被篡改的场地", 1)


@pytest.mark.parametrize("target", ["center", "station"])
def test_manager_cannot_add_hours_to_another_center_by_post(
    a: Place, b: Place, superuser: Client, target: str
) -> None:
    place = getattr(b, target)
    page = superuser.get(change_url(place))
    data = form_data(page) | {"phone": "110"}
    add_inline_row(
        data,
        inline_formset(page, OpeningRule, "center"),
        {"weekdays": ["6"], "opens": "00:00", "closes": "00:00"},
    )
    before = rules_of(place)

    response = staff_of(a.center, Role.MANAGER).post(change_url(place), data)

    assert denied_or_missing(response)
    place.refresh_from_db()
    assert place.phone == ""
    assert rules_of(place) == before

    # The very same POST from someone allowed does write: the refusal above is the scoping.
    assert superuser.post(change_url(place), data).status_code == 302
    assert rules_of(place) == before | {(weekdays.to_mask([6]), time(0), time(0))}


def test_manager_cannot_delete_another_centers_space(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)

    response = client.post(f"/admin/centers/space/{b.space.pk}/delete/", {"post": "yes"})

    assert denied_or_missing(response)
    assert Space.objects.filter(pk=b.space.pk).exists()


def test_bulk_delete_action_skips_another_centers_spaces(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)

    client.post(
        "/admin/centers/space/",
        {"action": "delete_selected", "_selected_action": [b.space.pk], "post": "yes"},
    )
    assert Space.objects.filter(pk=b.space.pk).exists()

    # The same request on the manager's own space does delete it: the action itself works.
    client.post(
        "/admin/centers/space/",
        {"action": "delete_selected", "_selected_action": [a.space.pk], "post": "yes"},
    )
    assert not Space.objects.filter(pk=a.space.pk).exists()


def test_autocomplete_lists_only_own_centers(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    source = {"app_label": "centers", "model_name": "staffassignment", "field_name": "center"}

    everything = client.get("/admin/autocomplete/", source)
    searched = client.get("/admin/autocomplete/", source | {"term": "乙"})

    # The search runs in the center screen's own (scoped) list.
    assert everything.status_code == searched.status_code == 200
    assert {row["text"] for row in everything.json()["results"]} == {a.center.name, a.station.name}
    assert searched.json()["results"] == []


# --- Adding and changing spaces ------------------------------------------------------------------


def test_space_add_form_offers_only_own_centers(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)

    response = client.get("/admin/centers/space/add/")

    assert response.status_code == 200
    choices = response.context["adminform"].form.fields["center"].queryset
    assert set(choices) == {a.center, a.station}
    page = html(response)
    assert f'<option value="{a.center.pk}"' in page
    assert f'<option value="{b.center.pk}"' not in page
    for name in b.names:
        assert name not in page


def test_space_add_with_another_center_fails_and_creates_nothing(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    data = form_data(client.get("/admin/centers/space/add/"))
    data |= {"center": b.center.pk, "name": "偷建的场地"}
    before = Space.objects.count()

    response = client.post("/admin/centers/space/add/", data)

    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors
    assert Space.objects.count() == before
    assert not Space.objects.filter(name="偷建的场地").exists()


def test_manager_adds_a_space_to_their_station(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    data = form_data(client.get("/admin/centers/space/add/"))
    data |= {"center": a.station.pk, "name": "阅心书斋", "units": 10, "capacity": 10}

    response = client.post("/admin/centers/space/add/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    space = Space.objects.get(name="阅心书斋")
    assert (space.center, space.units) == (a.station, 10)


def test_manager_changes_own_space_and_its_hours(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    page = client.get(change_url(a.space))
    data = form_data(page)
    data |= {"capacity": 55, "equipment": "投影\n音响"}
    rules = inline_formset(page, OpeningRule, "space")
    add_inline_row(data, rules, {"weekdays": ["5", "6"], "opens": "10:00", "closes": "16:00"})

    response = client.post(change_url(a.space), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    a.space.refresh_from_db()
    assert (a.space.capacity, a.space.equipment_list) == (55, ["投影", "音响"])
    assert set(a.space.openingrule_set.values_list("weekdays", "opens", "closes")) == {
        (weekdays.ALL_DAYS, time(9), time(21)),
        (weekdays.to_mask([5, 6]), time(10), time(16)),
    }


def test_invalid_durations_are_a_form_error_not_a_crash(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    data = form_data(client.get(change_url(a.space)))
    data |= {"slot_minutes": 30, "min_minutes": 45, "max_minutes": 90}

    response = client.post(change_url(a.space), data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    a.space.refresh_from_db()
    assert a.space.min_minutes == 30


def test_manager_can_move_a_space_only_between_own_places(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    data = form_data(client.get(change_url(a.space)))

    response = client.post(change_url(a.space), data | {"center": b.center.pk})
    assert response.status_code == 200
    assert "center" in response.context["adminform"].form.errors

    response = client.post(change_url(a.space), data | {"center": a.station.pk})
    assert response.status_code == 302
    a.space.refresh_from_db()
    assert a.space.center == a.station


# --- The center's own page -----------------------------------------------------------------------


def test_manager_adds_weekly_hours_inline_on_their_center(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    page = client.get(change_url(a.center))
    data = form_data(page)
    rules = inline_formset(page, OpeningRule, "center")
    add_inline_row(data, rules, {"weekdays": ["5", "6"], "opens": "09:00", "closes": "12:00"})

    response = client.post(change_url(a.center), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(a.center.openingrule_set.values_list("weekdays", "opens", "closes")) == {
        (weekdays.ALL_DAYS, time(8, 30), time(17, 30)),
        (weekdays.to_mask([5, 6]), time(9), time(12)),
    }


def test_weekly_hours_inline_needs_a_weekday(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    page = client.get(change_url(a.center))
    data = form_data(page)
    add_inline_row(
        data, inline_formset(page, OpeningRule, "center"), {"opens": "09:00", "closes": "12:00"}
    )

    response = client.post(change_url(a.center), data)

    assert response.status_code == 200
    assert a.center.openingrule_set.count() == 1


def test_center_page_space_inline_cannot_reach_another_centers_space(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    page = client.get(change_url(a.center))
    data = form_data(page)
    spaces = inline_formset(page, Space, "center")
    row = next(i for i, form in enumerate(spaces.forms) if form.instance == a.space)
    data[f"{spaces.prefix}-{row}-id"] = b.space.pk
    data[f"{spaces.prefix}-{row}-name"] = "被篡改的场地"

    response = client.post(change_url(a.center), data)

    # Django drops a row whose id is outside the inline's rows (or refuses the form); either
    # way nothing is written to B's space, nor created in its name.
    assert response.status_code in (200, 302)
    b.space.refresh_from_db()
    assert (b.space.name, b.space.center) == ("乙中心多功能室", b.center)
    assert not Space.objects.filter(name="被篡改的场地").exists()
    assert set(Space.objects.values_list("name", flat=True)) == {*a.names[2:], *b.names[2:]}


def test_manager_keeps_details_but_not_the_hierarchy_of_their_center(a: Place, b: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    page = client.get(change_url(a.center))
    fields = page.context["adminform"].form.fields
    assert {"kind", "parent", "is_active", "time_zone"}.isdisjoint(fields)
    assert {"name", "address", "phone"} <= set(fields)

    data = form_data(page)
    data |= {"phone": "021-62880000", "kind": "station", "parent": b.center.pk}
    data |= {"time_zone": "Asia/Urumqi"}
    data.pop("is_active", None)  # an unticked box: "deactivate"

    response = client.post(change_url(a.center), data)

    assert response.status_code == 302
    a.center.refresh_from_db()
    assert a.center.phone == "021-62880000"
    assert (a.center.kind, a.center.parent, a.center.is_active) == ("center", None, True)
    assert a.center.time_zone == "Asia/Shanghai"


def test_manager_cannot_add_or_delete_centers(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)

    assert client.get("/admin/centers/center/add/").status_code == 403
    response = client.post(
        "/admin/centers/center/add/", {"name": "新中心", "district": "静安区", "address": "x"}
    )
    assert response.status_code == 403
    assert client.get(f"/admin/centers/center/{a.center.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/centers/center/{a.center.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert client.post(
        "/admin/centers/center/",
        {"action": "delete_selected", "_selected_action": [a.station.pk], "post": "yes"},
    ).status_code in (200, 302)
    assert Center.objects.filter(pk__in=[a.center.pk, a.station.pk]).count() == 2
    assert not Center.objects.filter(name="新中心").exists()


def test_superuser_changes_the_hierarchy(a: Place, b: Place, superuser: Client) -> None:
    page = superuser.get(change_url(a.station))
    data = form_data(page) | {"parent": b.center.pk}

    response = superuser.post(change_url(a.station), data)

    assert response.status_code == 302
    a.station.refresh_from_db()
    assert a.station.parent == b.center


# --- Roles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FRONT_DESK])
def test_viewer_and_front_desk_see_but_cannot_change(a: Place, role: str) -> None:
    client = staff_of(a.center, role)

    assert a.space.name in html(client.get("/admin/centers/space/"))
    for obj in (a.center, a.space, a.station_space):
        page = client.get(change_url(obj))
        assert page.status_code == 200
        assert obj.name in html(page)
        assert 'name="_save"' not in html(page)

    response = client.post(change_url(a.space), {"name": "改名", "center": a.center.pk})
    assert response.status_code == 403
    assert client.get("/admin/centers/space/add/").status_code == 403
    assert (
        client.post(f"/admin/centers/space/{a.space.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    a.space.refresh_from_db()
    assert a.space.name == "甲中心多功能室"


def test_viewer_posting_a_full_change_form_is_refused(a: Place, superuser: Client) -> None:
    data = form_data(superuser.get(change_url(a.space))) | {"capacity": 99}
    client = staff_of(a.center, Role.VIEWER)

    assert client.post(change_url(a.space), data).status_code == 403
    a.space.refresh_from_db()
    assert a.space.capacity == 40


def test_manager_change_form_has_a_save_button(a: Place) -> None:
    client = staff_of(a.center, Role.MANAGER)
    assert 'name="_save"' in html(client.get(change_url(a.space)))


def test_station_inherits_the_role_at_its_center(a: Place) -> None:
    manager = staff_of(a.center, Role.MANAGER)
    viewer = staff_of(a.center, Role.VIEWER)

    assert 'name="_save"' in html(manager.get(change_url(a.station_space)))
    assert 'name="_save"' not in html(viewer.get(change_url(a.station_space)))


def test_direct_station_role_wins_over_the_inherited_one(a: Place) -> None:
    assignment = StaffAssignmentFactory(center=a.center, role=Role.VIEWER)
    StaffAssignmentFactory(user=assignment.user, center=a.station, role=Role.MANAGER)
    client = web_client(assignment.user)

    assert 'name="_save"' in html(client.get(change_url(a.station_space)))
    assert 'name="_save"' not in html(client.get(change_url(a.space)))


def test_staff_of_a_station_sees_the_station_but_not_its_center(a: Place, b: Place) -> None:
    client = staff_of(a.station, Role.MANAGER)

    centers = client.get("/admin/centers/center/").context["cl"].result_list
    spaces = client.get("/admin/centers/space/").context["cl"].result_list

    # The station's row names its parent center; the center itself is not listed.
    assert list(centers) == [a.station]
    assert list(spaces) == [a.station_space]
    assert denied_or_missing(client.get(change_url(a.center)))
    assert denied_or_missing(client.get(change_url(a.space)))
    assert client.get(change_url(a.station)).status_code == 200
    add_form = client.get("/admin/centers/space/add/")
    assert set(add_form.context["adminform"].form.fields["center"].queryset) == {a.station}


def test_assignment_at_an_inactive_center_grants_nothing(a: Place) -> None:
    Center.objects.filter(pk=a.center.pk).update(is_active=False)
    client = staff_of(a.center, Role.MANAGER)

    assert client.get("/admin/centers/center/").status_code == 403
    assert denied_or_missing(client.get(change_url(a.station_space)))


# --- Superuser-only screens and people without access --------------------------------------------


SUPERUSER_ONLY_URLS = [
    "/admin/centers/staffassignment/",
    "/admin/centers/staffassignment/add/",
    "/admin/members/user/",
    "/admin/members/user/add/",
]


@pytest.mark.parametrize("role", [Role.MANAGER, Role.FRONT_DESK, Role.VIEWER])
def test_staff_assignments_and_members_are_superuser_only(a: Place, role: str) -> None:
    assignment = StaffAssignmentFactory(center=a.center, role=role)
    client = web_client(assignment.user)
    own = assignment.user.pk

    for url in [
        *SUPERUSER_ONLY_URLS,
        f"/admin/centers/staffassignment/{assignment.pk}/change/",
        f"/admin/members/user/{own}/change/",
        f"/admin/members/user/{own}/password/",
    ]:
        assert client.get(url).status_code == 403, url

    index = html(client.get("/admin/"))
    assert "/admin/centers/staffassignment/" not in index
    # Staff do see their centers' member matters (points, suspensions…), never the accounts.
    assert "/admin/members/user/" not in index


def test_staff_cannot_promote_themselves(a: Place, b: Place) -> None:
    assignment = StaffAssignmentFactory(center=a.center, role=Role.VIEWER)
    client = web_client(assignment.user)

    client.post(
        "/admin/centers/staffassignment/add/",
        {"user": assignment.user.pk, "center": b.center.pk, "role": Role.MANAGER},
    )
    client.post(
        f"/admin/centers/staffassignment/{assignment.pk}/change/",
        {"user": assignment.user.pk, "center": a.center.pk, "role": Role.MANAGER},
    )
    client.post(
        f"/admin/members/user/{assignment.user.pk}/change/",
        {"username": assignment.user.username, "is_superuser": "on", "is_staff": "on"},
    )

    assert list(StaffAssignment.objects.values_list("center", "role")) == [
        (a.center.pk, Role.VIEWER)
    ]
    assignment.user.refresh_from_db()
    assert not assignment.user.is_superuser


def test_django_model_permissions_do_not_open_superuser_only_screens(a: Place, b: Place) -> None:
    """Scoping goes by assignments; a stray Django permission (granted by a well-meaning
    superuser ticking "all" in the user screen) must not let staff assign staff."""
    assignment = StaffAssignmentFactory(center=a.center, role=Role.MANAGER)
    user = assignment.user
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["centers", "members"])
    )
    client = web_client(user)

    for url in [
        *SUPERUSER_ONLY_URLS,
        f"/admin/centers/staffassignment/{assignment.pk}/change/",
        f"/admin/centers/staffassignment/{assignment.pk}/delete/",
    ]:
        assert client.get(url).status_code == 403, url
    client.post(
        "/admin/centers/staffassignment/add/",
        {"user": user.pk, "center": b.center.pk, "role": Role.MANAGER},
    )
    assert not StaffAssignment.objects.filter(center=b.center).exists()
    # Nor do they widen the center screens.
    assert b.center.name not in html(client.get("/admin/centers/center/"))
    assert client.get("/admin/centers/center/add/").status_code == 403


def test_django_model_permissions_do_not_lift_a_viewer_to_manager(a: Place) -> None:
    assignment = StaffAssignmentFactory(center=a.center, role=Role.VIEWER)
    assignment.user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="centers")
    )
    client = web_client(assignment.user)

    assert 'name="_save"' not in html(client.get(change_url(a.space)))
    assert client.post(change_url(a.space), {"name": "改名"}).status_code == 403
    assert client.get("/admin/centers/space/add/").status_code == 403


def test_staff_without_assignment_sees_no_center_app(a: Place) -> None:
    client = web_client(UserFactory(is_staff=True))

    index = client.get("/admin/")
    assert index.status_code == 200
    assert "/admin/centers/" not in html(index)
    assert a.center.name not in html(index)
    assert client.get("/admin/centers/").status_code == 404
    assert client.get("/admin/centers/center/").status_code == 403
    assert client.get("/admin/centers/space/").status_code == 403
    assert denied_or_missing(client.get(change_url(a.center)))


def test_manager_index_lists_centers_and_spaces_only(a: Place) -> None:
    index = html(staff_of(a.center, Role.MANAGER).get("/admin/"))

    assert "/admin/centers/center/" in index
    assert "/admin/centers/space/" in index
    assert "/admin/centers/staffassignment/" not in index


@pytest.mark.parametrize(
    "url", ["/admin/", "/admin/centers/center/", "/admin/centers/space/", "/admin/members/user/"]
)
def test_non_staff_cannot_reach_the_admin(a: Place, url: str) -> None:
    # Even an assignment does not open the admin to an account that is not staff.
    assignment = StaffAssignmentFactory(user=UserFactory(is_staff=False), center=a.center)
    resident = web_client(assignment.user)

    response = resident.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert a.center.name not in html(resident.get(url, follow=True))


def test_anonymous_is_sent_to_login(a: Place) -> None:
    response = Client().get(change_url(a.center))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


# --- The weekday checkboxes (centers.forms) ------------------------------------------------------


def test_weekday_checkboxes_become_a_bitmask() -> None:
    form = OpeningRuleForm(
        data={"weekdays": ["0", "1", "2", "3"], "opens": "08:30", "closes": "17:30"}
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["weekdays"] == 0b0001111
    rule = form.save(commit=False)
    rule.center = CenterFactory()
    rule.save()
    rule.refresh_from_db()
    assert weekdays.from_mask(rule.weekdays) == [0, 1, 2, 3]


def test_weekday_bitmask_is_shown_as_ticked_boxes() -> None:
    rule = OpeningRuleFactory(center=CenterFactory(), weekdays=weekdays.to_mask([4, 5, 6]))
    form = OpeningRuleForm(instance=rule)

    assert form["weekdays"].value() == ["4", "5", "6"]
    rendered = str(form["weekdays"])
    assert rendered.count("checked") == 3
    assert 'value="4" id="id_weekdays_4" checked' in rendered
    assert 'value="0" id="id_weekdays_0" checked' not in rendered


def test_weekdays_round_trip_for_every_mask() -> None:
    field = WeekdaysField()
    for mask in range(1, weekdays.ALL_DAYS + 1):
        assert field.clean(field.prepare_value(mask)) == mask


@pytest.mark.parametrize("days", [[], None], ids=["no-box", "missing"])
def test_weekdays_need_at_least_one_day(days) -> None:
    data = {"opens": "08:30", "closes": "17:30"}
    if days is not None:
        data["weekdays"] = days
    form = OpeningRuleForm(data=data)

    assert not form.is_valid()
    assert "weekdays" in form.errors


def test_weekdays_reject_an_unknown_day() -> None:
    form = OpeningRuleForm(data={"weekdays": ["7"], "opens": "08:30", "closes": "17:30"})
    assert not form.is_valid()
    assert "weekdays" in form.errors


def test_weekdays_change_is_detected_against_the_stored_mask() -> None:
    rule = OpeningRuleFactory(center=CenterFactory(), weekdays=weekdays.to_mask([0, 1]))

    same = OpeningRuleForm(
        instance=rule, data={"weekdays": ["0", "1"], "opens": "08:30", "closes": "17:30"}
    )
    other = OpeningRuleForm(
        instance=rule, data={"weekdays": ["0", "2"], "opens": "08:30", "closes": "17:30"}
    )

    assert "weekdays" not in same.changed_data
    assert "weekdays" in other.changed_data
