"""A micro-wish's photo: only a real JPEG, PNG or WebP within the limits, stored without its
metadata (GPS: the wisher's home) and shrunk; shown only to the wisher (and family acting for
them), the volunteer holding the claim and the center's staff, through a view that asks who
they are; removed by staff through a service, and deleted with the wisher's account."""

import io
import re
import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import ExifTags, Image
from rest_framework.test import APIClient

from centers.models import StaffAssignment
from community.errors import NoPhoto, TooManyOpenWishes
from community.models import Wish, WishEvent
from community.privacy import wishes_export
from community.services.wishes import (
    wish_claim,
    wish_create,
    wish_photo_remove,
    wish_publish,
    wish_withdraw,
)
from core.errors import Invalid, NotFound
from members.models import User
from members.services.privacy import member_delete
from members.services.proxies import proxy_link_at_desk
from notifications.models import Message
from notifications.texts import render
from tests.clients import web_client
from tests.community.conftest import volunteer_factory, wisher_factory
from tests.factories import CenterFactory, UserFactory, staff_at

pytestmark = pytest.mark.django_db

WISHES = "/api/v1/wishes/"
GPS_LATITUDE = (31.0, 14.0, 52.8)  # 上海, 凉城新村 or so: what must not survive


# --- Photos made in the test ---------------------------------------------------------------------


def jpeg_with_gps(size: tuple[int, int] = (2400, 1200), orientation: int = 1) -> bytes:
    """A phone's photo: EXIF with the GPS position, the camera, the orientation, a comment."""
    image = Image.new("RGB", size, (200, 80, 40))
    image.paste((30, 120, 200), (0, 0, size[0] // 2, size[1] // 4))  # a top-left mark
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (121.0, 27.0, 3.6)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, comment=b"home of Wang", quality=90)
    return out.getvalue()


def image_bytes(fmt: str, size=(40, 30), mode="RGB", color=(10, 200, 10)) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width`` x ``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post(member: User, center, photo=None, **kwargs) -> Wish:
    return wish_create(
        member=member, center=center, category="repair", text="门锁坏了", photo=photo, **kwargs
    )


def stored_files(media_root: Path) -> list[Path]:
    return [path for path in media_root.rglob("*") if path.is_file()]


def refusal(error: Invalid) -> str:
    assert error.code == "invalid" and list(error.fields) == ["photo"]
    return str(error.fields["photo"][0])


# --- The service: what is accepted, and what is kept ---------------------------------------------


class TestPhotoChecks:
    def test_exif_and_gps_are_gone_and_the_photo_is_upright_and_shrunk(self, center, media_root):
        original = jpeg_with_gps(orientation=6)  # taken with the phone on its side
        with Image.open(io.BytesIO(original)) as sent:
            gps = sent.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert gps[ExifTags.GPS.GPSLatitude] == GPS_LATITUDE  # the test photo has it

        wish = post(wisher_factory(), center, upload(original))

        (path,) = stored_files(media_root)
        assert wish.photo.name.startswith("wishes/") and path.name == Path(wish.photo.name).name
        assert re.fullmatch(r"[0-9a-f]{32}\.jpg", path.name)  # says nothing of the wish
        data = path.read_bytes()
        for trace in (b"Exif", b"PhoneMaker", b"home of Wang", b"GPS"):
            assert trace not in data
        with Image.open(path) as kept:
            assert kept.format == "JPEG"
            assert not kept.getexif() and not {"exif", "comment", "icc_profile"} & set(kept.info)
            # 2400 x 1200 on its side: upright 1200 x 2400, at most 1600 a side.
            assert kept.size == (800, 1600)

    @pytest.mark.parametrize(
        ("content", "fmt", "mode"),
        [
            (image_bytes("PNG", mode="RGBA", color=(0, 0, 0, 0)), "PNG", "RGBA"),
            (image_bytes("WEBP"), "WEBP", "RGB"),
            (image_bytes("PNG", mode="P", color=3), "PNG", "P"),
        ],
    )
    def test_png_and_webp_are_kept_as_jpeg(self, center, media_root, content, fmt, mode):
        wish = post(wisher_factory(), center, upload(content, f"x.{fmt.lower()}"))

        with Image.open(wish.photo.path) as kept:
            assert (kept.format, kept.mode, kept.size) == ("JPEG", "RGB", (40, 30))
            if mode == "RGBA":  # transparency becomes white, not black
                assert kept.getpixel((5, 5)) >= (250, 250, 250)

    @pytest.mark.parametrize(
        ("content", "name"),
        [
            (b"%PDF-1.4 this is a letter from the hospital", "photo.jpg"),
            (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "photo.png"),
            (image_bytes("GIF"), "photo.gif"),
            (image_bytes("BMP"), "photo.jpg"),
            (image_bytes("TIFF"), "photo.webp"),
            (jpeg_with_gps()[:3000], "truncated.jpg"),
            (b"", "empty.jpg"),
        ],
        ids=["pdf", "svg", "gif", "bmp", "tiff", "truncated", "empty"],
    )
    def test_anything_else_is_refused_whatever_its_name(self, center, media_root, content, name):
        wisher = wisher_factory()

        with pytest.raises(Invalid) as refused:
            post(wisher, center, upload(content, name))

        assert refusal(refused.value)
        assert not Wish.objects.exists() and not stored_files(media_root)

    def test_too_large_a_file(self, center, settings):
        settings.WISH_PHOTO_MAX_BYTES = 1024 * 1024
        noise = Image.effect_noise((1200, 1200), 100).convert("RGB")
        out = io.BytesIO()
        noise.save(out, "JPEG", quality=100)
        assert len(out.getvalue()) > settings.WISH_PHOTO_MAX_BYTES  # a real photo, too large

        with pytest.raises(Invalid) as refused:
            post(wisher_factory(), center, upload(out.getvalue()))

        assert "1 MB" in refusal(refused.value)

    def test_too_many_pixels_and_decompression_bombs(self, center, settings, media_root):
        bomb = png_claiming(100_000, 100_000)
        assert len(bomb) < 1000
        with pytest.raises(Invalid) as refused:
            post(wisher_factory(), center, upload(bomb, "bomb.png"))
        assert "50" in refusal(refused.value)

        settings.WISH_PHOTO_MAX_PIXELS = 100 * 100
        with pytest.raises(Invalid):
            post(wisher_factory(), center, upload(image_bytes("PNG", size=(101, 100))))
        assert post(wisher_factory(), center, upload(image_bytes("PNG", size=(100, 100)))).photo
        assert len(stored_files(media_root)) == 1

    def test_a_wish_refused_for_another_reason_leaves_no_file(self, center, media_root):
        wisher = wisher_factory()
        for _n in range(3):
            post(wisher, center, upload(image_bytes("JPEG")))

        with pytest.raises(TooManyOpenWishes):
            post(wisher, center, upload(image_bytes("JPEG")))

        assert len(stored_files(media_root)) == 3 == Wish.objects.exclude(photo="").count()

    def test_a_wish_without_a_photo_as_before(self, center, media_root):
        wish = post(wisher_factory(), center)
        assert not wish.photo and not stored_files(media_root)


class TestStaffRemoveAPhoto:
    def test_staff_remove_it_with_a_reason_and_the_file_goes_on_commit(
        self, center, desk, media_root, django_capture_on_commit_callbacks
    ):
        wish = post(wisher_factory(), center, upload(jpeg_with_gps()))
        with pytest.raises(Invalid):
            wish_photo_remove(wish=wish, by=desk, reason=" ")

        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            wish = wish_photo_remove(wish=wish, by=desk, reason="照片里有门牌号")
        assert not wish.photo
        assert len(stored_files(media_root)) == 1  # until the removal commits
        for callback in callbacks:
            callback()
        assert not stored_files(media_root)

        event = WishEvent.objects.get(wish=wish, action="photo_removed")
        assert (event.actor, event.note, event.to_status) == (desk, "照片里有门牌号", "submitted")
        told = Message.objects.get(kind=f"wish_photo_removed@{event.pk}")
        assert told.recipient == wish.wisher
        assert "照片里有门牌号" in render(told.kind, wish, told.context, "zh-hans").body
        with pytest.raises(NoPhoto):
            wish_photo_remove(wish=wish, by=desk, reason="again")

    def test_nobody_else_removes_it(self, center, media_root):
        wisher = wisher_factory()
        wish = post(wisher, center, upload(jpeg_with_gps()))
        for somebody in (wisher, staff_at(CenterFactory()), UserFactory()):
            with pytest.raises(NotFound):
                wish_photo_remove(wish=wish, by=somebody, reason="不合适")
        assert Wish.objects.get().photo and stored_files(media_root)


# --- Who sees it ---------------------------------------------------------------------------------


@pytest.fixture
def photographed(center, desk):
    """A published wish with a photo, claimed by a volunteer; the wisher's son acts for her."""
    wisher = wisher_factory()
    wish = post(wisher, center, upload(jpeg_with_gps()))
    wish_publish(wish=wish, by=desk)
    volunteer = volunteer_factory()
    wish = wish_claim(wish=wish, member=volunteer)
    son = volunteer_factory(display_name="王小明")
    proxy_link_at_desk(proxy=son, member=wisher, by=desk, center=center)
    return {"wish": wish, "wisher": wisher, "volunteer": volunteer, "son": son}


def client_for(member: User) -> APIClient:
    client = APIClient()
    client.force_login(member)
    return client


def photo_path(wish: Wish) -> str:
    return f"{WISHES}{wish.pk}/photo/"


class TestWhoSeesThePhoto:
    def test_the_wisher_family_volunteer_and_the_centers_staff(self, photographed, center, desk):
        wish = photographed["wish"]
        viewer = staff_at(center, StaffAssignment.Role.VIEWER)
        allowed = [photographed[who] for who in ("wisher", "son", "volunteer")] + [desk, viewer]

        for member in allowed:
            response = client_for(member).get(photo_path(wish))

            assert response.status_code == 200, member
            assert response["Content-Type"] == "image/jpeg"
            assert response["Cache-Control"].startswith("private")
            assert response["X-Content-Type-Options"] == "nosniff"
            body = b"".join(response.streaming_content)
            assert body == Path(wish.photo.path).read_bytes() and b"Exif" not in body

    def test_the_son_also_with_the_on_behalf_header(self, photographed):
        client = client_for(photographed["son"])
        client.credentials(HTTP_X_ON_BEHALF_OF=str(photographed["wisher"].pk))

        assert client.get(photo_path(photographed["wish"])).status_code == 200
        item = client.get(f"{WISHES}{photographed['wish'].pk}/").json()
        assert item["photo_url"].endswith(photo_path(photographed["wish"]))

    def test_anyone_else_gets_a_404_in_the_error_shape(self, photographed, api):
        wish = photographed["wish"]
        strangers = [
            client_for(UserFactory()),
            client_for(staff_at(CenterFactory())),
            client_for(volunteer_factory()),
            api,  # not logged in
        ]
        for client in strangers:
            response = client.get(photo_path(wish), HTTP_ACCEPT="image/avif,image/*,*/*")

            assert response.status_code == 404
            assert response.json()["code"] == "not_found"

    def test_the_volunteer_who_gave_it_back_no_longer_sees_it(self, photographed):
        wish, volunteer = photographed["wish"], photographed["volunteer"]
        wish_withdraw(wish=wish, member=volunteer)

        assert client_for(volunteer).get(photo_path(wish)).status_code == 404

    def test_a_wish_without_a_photo_and_a_lost_file_are_404s(self, photographed, center):
        wisher = photographed["wisher"]
        plain = post(wisher_factory(), center)
        assert client_for(plain.wisher).get(photo_path(plain)).status_code == 404

        Path(photographed["wish"].photo.path).unlink()
        assert client_for(wisher).get(photo_path(photographed["wish"])).status_code == 404

    def test_the_wall_says_there_is_a_photo_but_gives_no_url(self, photographed, api):
        wish = photographed["wish"]
        for client in (api, client_for(UserFactory())):
            (item,) = client.get(WISHES).json()["results"]
            assert (item["has_photo"], item["photo_url"]) == (True, None)
            detail = client.get(f"{WISHES}{wish.pk}/").json()
            assert (detail["has_photo"], detail["photo_url"]) == (True, None)
        for who in ("wisher", "volunteer"):
            detail = client_for(photographed[who]).get(f"{WISHES}{wish.pk}/").json()
            assert detail["photo_url"] == f"http://testserver{photo_path(wish)}"


# --- The API: posting with a photo ---------------------------------------------------------------


class TestPostWithAPhoto:
    def test_multipart_with_a_photo(self, center, media_root):
        wisher = wisher_factory()
        body = {
            "center": str(center.pk),
            "category": "repair",
            "text": "水龙头漏水",
            "details": "三楼",
            "photo": upload(jpeg_with_gps(), "IMG_0001.jpg"),
        }

        response = client_for(wisher).post(WISHES, body, format="multipart")

        assert response.status_code == 201, response.content
        item = response.json()
        assert item["has_photo"] is True
        assert item["photo_url"] == f"http://testserver{WISHES}{item['id']}/photo/"
        assert item["private"]["details"] == "三楼"
        assert b"GPS" not in stored_files(media_root)[0].read_bytes()
        photo = client_for(wisher).get(item["photo_url"])
        assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"

    def test_multipart_without_a_photo_and_json_as_the_contract_says(self, center, media_root):
        client = client_for(wisher_factory())
        form = {"center": str(center.pk), "category": "company", "text": "想有人陪我聊聊天"}
        json_body = {"center": center.pk, "category": "errand", "text": "帮忙取个快递"}

        by_form = client.post(WISHES, form, format="multipart")
        by_json = client.post(WISHES, json_body, format="json")

        for response in (by_form, by_json):
            assert response.status_code == 201, response.content
            assert (response.json()["has_photo"], response.json()["photo_url"]) == (False, None)
        assert not stored_files(media_root)

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"photo": upload(b"GIF89a not really", "cat.jpg")}, "photo"),
            ({"photo": "not a file"}, "photo"),
            ({"center": "abc"}, "center"),
            ({"center": "99999999"}, "center"),
            ({"nickname": "x"}, "nickname"),
            ({"text": "a\x00b"}, "text"),
        ],
        ids=[
            "fake-image",
            "text-for-a-file",
            "center-not-a-number",
            "no-such-center",
            "unknown",
            "nul",
        ],
    )
    def test_bad_forms_are_400_invalid(self, center, body, field, media_root):
        form = {"center": str(center.pk), "category": "repair", "text": "修门"} | body

        response = client_for(wisher_factory()).post(WISHES, form, format="multipart")

        assert response.status_code == 400, response.content
        error = response.json()
        assert error["code"] == "invalid" and field in error["fields"] and error["detail"]
        assert not Wish.objects.exists() and not stored_files(media_root)

    def test_json_has_no_photo_field(self, center):
        body = {"center": center.pk, "category": "repair", "text": "修门", "photo": "x.jpg"}

        response = client_for(wisher_factory()).post(WISHES, body, format="json")

        assert response.status_code == 400 and "photo" in response.json()["fields"]

    def test_a_form_too_large_is_a_413_before_it_is_read(self, center, settings):
        settings.UPLOAD_MAX_REQUEST_BYTES = 50_000
        form = {
            "center": str(center.pk),
            "category": "repair",
            "text": "修门",
            "photo": upload(b"\xff" * 60_000),
        }

        response = client_for(wisher_factory()).post(WISHES, form, format="multipart")

        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"
        assert not Wish.objects.exists()

    def test_other_endpoints_still_take_json_only(self, photographed):
        client = client_for(photographed["volunteer"])
        form = {"note": "修好了"}

        response = client.post(f"{WISHES}{photographed['wish'].pk}/fulfil/", form, "multipart")

        assert response.status_code == 415

    def test_idempotency_key_with_a_photo(self, center, media_root):
        client = client_for(wisher_factory())
        photo = jpeg_with_gps()

        def send(content: bytes):
            form = {
                "center": str(center.pk),
                "category": "repair",
                "text": "修门",
                "photo": upload(content),
            }
            return client.post(WISHES, form, format="multipart", HTTP_IDEMPOTENCY_KEY="k-1")

        first, again = send(photo), send(photo)
        other = send(image_bytes("JPEG"))

        assert (first.status_code, again.status_code) == (201, 201)
        assert again["Idempotent-Replayed"] == "true" and again.json() == first.json()
        assert other.status_code == 422
        assert Wish.objects.count() == 1 and len(stored_files(media_root)) == 1


# --- Pages, admin, the member's data -------------------------------------------------------------


class TestPages:
    def test_post_a_wish_with_a_photo_on_the_web(self, center, media_root):
        wisher = wisher_factory()
        client = web_client(wisher)
        page = client.get(f"/centers/{center.pk}/wishes/new/")
        html = page.content.decode()
        assert 'enctype="multipart/form-data"' in html and 'accept="image/*"' in html
        assert "选择照片/拍照" in html

        response = client.post(
            f"/centers/{center.pk}/wishes/new/",
            {"category": "repair", "text": "灯坏了", "photo": upload(jpeg_with_gps())},
        )

        wish = Wish.objects.get()
        assert response.status_code == 302 and wish.photo
        mine = client.get(f"/wishes/{wish.pk}/").content.decode()
        assert f'src="{photo_path(wish)}"' in mine

    def test_a_bad_photo_is_a_message_on_the_form(self, center, media_root):
        client = web_client(wisher_factory())

        response = client.post(
            f"/centers/{center.pk}/wishes/new/",
            {"category": "repair", "text": "灯坏了", "photo": upload(b"not an image")},
        )

        assert response.status_code == 200
        assert "JPEG" in response.content.decode()
        assert not Wish.objects.exists() and not stored_files(media_root)

    def test_others_read_that_there_is_a_photo_without_it(self, photographed, center):
        wish = photographed["wish"]
        wish_withdraw(wish=wish, member=photographed["volunteer"])  # open on the wall again

        for client in (web_client(UserFactory()), web_client(volunteer_factory())):
            page = client.get(f"/wishes/{wish.pk}/").content.decode()
            assert "附照片" in page and "/photo/" not in page
        wall = web_client(UserFactory()).get(f"/centers/{center.pk}/wishes/").content.decode()
        assert "附照片" in wall and "/photo/" not in wall
        assert (
            f'src="{photo_path(wish)}"'
            in web_client(photographed["son"]).get(f"/wishes/{wish.pk}/").content.decode()
        )


class TestAdmin:
    def test_staff_see_it_and_remove_it_with_a_reason(
        self, photographed, desk, media_root, django_capture_on_commit_callbacks
    ):
        wish = photographed["wish"]
        client = web_client(desk)
        page = client.get(f"/admin/community/wish/{wish.pk}/change/").content.decode()
        assert f'src="{photo_path(wish)}"' in page and "remove_photo" in page

        ask = client.post(
            "/admin/community/wish/",
            {"action": "remove_photo", "_selected_action": [wish.pk], "index": 0},
        )
        assert ask.status_code == 200 and Wish.objects.get().photo
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                "/admin/community/wish/",
                {
                    "action": "remove_photo",
                    "_selected_action": [wish.pk],
                    "index": 0,
                    "confirm": "yes",
                    "reason": "照片里有老人的正脸",
                },
            )

        assert not Wish.objects.get().photo and not stored_files(media_root)
        assert WishEvent.objects.filter(action="photo_removed").exists()
        assert client_for(photographed["wisher"]).get(photo_path(wish)).status_code == 404

    def test_staff_post_for_a_resident_with_a_photo(self, center, desk, media_root):
        resident = wisher_factory(phone="+8613912345678")
        client = web_client(desk)
        add = "/admin/community/wish/add/"
        assert 'enctype="multipart/form-data"' in client.get(add).content.decode()
        form = {"center": center.pk, "who": "13912345678", "category": "repair", "text": "修门"}

        refused = client.post(add, form | {"photo": upload(b"not a photo", "door.jpg")})
        assert refused.status_code == 200
        assert refused.context["adminform"].form.errors["photo"]
        assert not Wish.objects.exists() and not stored_files(media_root)

        posted = client.post(add, form | {"photo": upload(jpeg_with_gps(), "door.jpg")})

        assert posted.status_code == 302
        wish = Wish.objects.get(wisher=resident)
        assert wish.photo and b"GPS" not in Path(wish.photo.path).read_bytes()


class TestTheWishersData:
    def test_the_export_lists_the_photo(self, photographed, center):
        wisher = photographed["wisher"]
        post(wisher, center)

        listed = {item["id"]: item["photo"] for item in wishes_export(wisher)}

        assert listed[photographed["wish"].pk] == photo_path(photographed["wish"])
        assert None in listed.values()

    def test_deleting_the_account_deletes_the_photo(
        self, photographed, media_root, django_capture_on_commit_callbacks
    ):
        other = post(wisher_factory(), photographed["wish"].center, upload(image_bytes("PNG")))
        assert len(stored_files(media_root)) == 2

        with django_capture_on_commit_callbacks(execute=True):
            member_delete(member=photographed["wisher"])

        assert not Wish.objects.get(pk=photographed["wish"].pk).photo
        assert stored_files(media_root) == [Path(other.photo.path)]
        assert (
            client_for(photographed["volunteer"]).get(photo_path(photographed["wish"])).status_code
            == 404
        )


def test_the_schema_describes_the_form_the_photo_and_its_url(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    paths, components = schema["paths"], schema["components"]["schemas"]

    content = paths["/api/v1/wishes/"]["post"]["requestBody"]["content"]
    assert content["application/json"]["schema"]["$ref"].endswith("/WishCreateRequest")
    form = components[content["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert form["properties"]["photo"] == form["properties"]["photo"] | {
        "type": "string",
        "format": "binary",
    }
    assert (
        "photo" not in form["required"]
        and "photo" not in components["WishCreateRequest"]["properties"]
    )
    photo = paths["/api/v1/wishes/{id}/photo/"]["get"]
    assert list(photo["responses"]["200"]["content"]) == ["image/jpeg"]
    assert photo["responses"]["404"]["content"]["application/json"]
    assert "security" not in photo  # anyone may ask; who may see it is the view's question
    url = components["Wish"]["properties"]["photo_url"]
    assert (url["format"], url["nullable"]) == ("uri", True)


def test_photo_urls_cost_the_same_queries_for_1_and_20_wishes(center, desk):
    son = volunteer_factory()
    viewers = {"stranger": UserFactory(), "staff": desk, "son": son}
    counts: dict[str, list[int]] = {name: [] for name in viewers}
    for count in (1, 20):
        place = CenterFactory()
        staff = staff_at(place, StaffAssignment.Role.FRONT_DESK)
        for _n in range(count):
            wisher = wisher_factory()
            wish_publish(wish=post(wisher, place, upload(image_bytes("JPEG"))), by=staff)
            proxy_link_at_desk(proxy=son, member=wisher, by=staff, center=place)
        for name, member in viewers.items():
            client = client_for(member)
            with CaptureQueriesContext(connection) as queries:
                results = client.get(WISHES, {"center": place.pk}).json()["results"]
            assert len(results) == count
            assert all(bool(item["photo_url"]) == (name == "son") for item in results)
            counts[name].append(len(queries))
    for name, (one, twenty) in counts.items():
        assert one == twenty, (name, one, twenty)


def test_the_daily_sweep_deletes_only_files_no_wish_names(center, media_root):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from community.services.photos import wish_photos_sweep

    assert wish_photos_sweep() == 0  # no folder yet
    kept = post(wisher_factory(), center, upload(image_bytes("JPEG")))
    orphan = default_storage.save("wishes/left-behind.jpg", ContentFile(image_bytes("JPEG")))

    assert wish_photos_sweep() == 0  # too young: its wish may not have committed yet
    day_after = timezone.now() + timedelta(days=1, minutes=1)
    assert wish_photos_sweep(now=day_after) == 1
    assert wish_photos_sweep(now=day_after) == 0

    assert not default_storage.exists(orphan)
    assert stored_files(media_root) == [Path(kept.photo.path)]


def test_a_phone_jpeg_with_a_second_picture_in_it_is_a_photo(center):
    """Phones save a depth map or a second shot in the JPEG (Pillow calls it MPO)."""
    out = io.BytesIO()
    first, second = Image.new("RGB", (64, 48), "red"), Image.new("RGB", (64, 48), "blue")
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"

    wish = post(wisher_factory(), center, upload(out.getvalue()))

    with Image.open(wish.photo.path) as kept:
        assert (kept.format, kept.size, getattr(kept, "n_frames", 1)) == ("JPEG", (64, 48), 1)
