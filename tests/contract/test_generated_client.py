"""A client generated with openapi-python-client from the schema the live test server serves,
used unchanged for a member's whole day: centers → availability → a booking with an
Idempotency-Key (sent twice) → the list → the .ics → cancel → register → the waitlist → cancel
→ a micro-wish with a photo (a multipart form) and the photo back → /me/ → points → delete the
account. No hand-written HTTP: every call is the generated code's.

The client raises on any status the schema does not document. A failure prints every exchange
as a curl command, to reproduce it.
"""

import importlib
import io
import shlex
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from PIL import Image

GENERATOR_CONFIG = "project_name_override: linli-client\npackage_name_override: linli_client\n"
# The generator's default post-hooks run ruff on the new code; nothing here needs them.
GENERATOR_CONFIG += "post_hooks: []\n"
# A wish's photo is served (and described) as image/jpeg, which the generator knows only as
# bytes by this name: its documented option for content types it does not recognize.
GENERATOR_CONFIG += "content_type_overrides:\n  image/jpeg: application/octet-stream\n"


def generate(schema_url: str, folder: Path):
    config = folder / "generator.yaml"
    config.write_text(GENERATOR_CONFIG, encoding="utf-8")
    package = folder / "linli_client"
    # Fetched here rather than by the generator, whose five-second timeout a busy CI machine
    # can miss; the document is the one the server serves either way.
    schema = folder / "openapi.json"
    served = httpx.get(schema_url, params={"format": "json"}, timeout=120)
    served.raise_for_status()
    schema.write_bytes(served.content)
    command = [
        str(Path(sys.executable).with_name("openapi-python-client")),
        *("generate", "--path", str(schema), "--config", str(config)),
        *("--output-path", str(package), "--meta", "none"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout + result.stderr, result.stdout + result.stderr
    sys.path.insert(0, str(folder))
    try:
        return importlib.import_module("linli_client")
    finally:
        sys.path.remove(str(folder))


class Transcript:
    """Every exchange of the generated client, as curl commands with the answers."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def request(self, request: httpx.Request) -> None:
        parts = ["curl", "-X", request.method]
        for name, value in request.headers.items():
            if name.lower() in ("x-session-token", "content-type", "idempotency-key"):
                parts += ["-H", f"{name}: {value}"]
        try:
            content = request.content
        except httpx.RequestNotRead:  # a form with a file, streamed
            content = b"(a multipart form with a file)"
        if content:
            parts += ["-d", content.decode(errors="replace")[:2000]]
        self.lines.append(shlex.join([*parts, str(request.url)]))

    def response(self, response: httpx.Response) -> None:
        response.read()
        self.lines.append(f"  -> {response.status_code} {response.text[:300]}")

    def __str__(self) -> str:
        return "\n".join(self.lines)


def test_a_member_day_through_the_generated_client(live_server, member_token, tmp_path) -> None:
    lc = generate(f"{live_server.url}/api/schema/", tmp_path)
    transcript = Transcript()
    client = lc.AuthenticatedClient(
        base_url=live_server.url,
        token=member_token,
        prefix="",
        auth_header_name="X-Session-Token",
        raise_on_unexpected_status=True,
        httpx_args={
            "event_hooks": {"request": [transcript.request], "response": [transcript.response]}
        },
    )
    try:
        member_day(client)
    except Exception as exc:
        raise AssertionError(f"{exc!r}\n\nThe exchanges, to reproduce:\n{transcript}") from exc


def member_day(client) -> None:
    from linli_client.api.bookings import (
        bookings_cancel_create,
        bookings_create,
        bookings_ics_retrieve,
        bookings_list,
    )
    from linli_client.api.centers import centers_list
    from linli_client.api.me import me_destroy, me_points_list, me_retrieve
    from linli_client.api.registrations import (
        registrations_cancel_create,
        sessions_registrations_create,
    )
    from linli_client.api.sessions import sessions_list
    from linli_client.api.spaces import spaces_availability_retrieve, spaces_list
    from linli_client.api.wishes import wishes_create, wishes_photo_retrieve
    from linli_client.models import (
        BookingCreateRequest,
        CancelRequest,
        DeleteAccountRequest,
        Error,
        RegistrationCancelRequest,
        RegistrationCreateRequest,
        WishCategoryEnum,
        WishPhotoCreateRequest,
    )
    from linli_client.types import File

    # Centers, and a space with free time.
    centers = centers_list.sync(client=client, page_size=100)
    assert centers.count >= 1
    booking = None
    for center in centers.results:
        for space in spaces_list.sync(client=client, center=center.id, bookable=True).results:
            if space.requires_approval:
                continue
            days = spaces_availability_retrieve.sync(space.id, client=client, days=7).days
            free = [stretch for day in days for stretch in day.free]
            if not free:
                continue
            start = free[-1].start
            body = BookingCreateRequest(
                space=space.id,
                start=start,
                end=start + timedelta(minutes=space.min_minutes),
                purpose="读书会",
                attendees=1,
            )
            key = str(uuid.uuid4())
            created = bookings_create.sync_detailed(client=client, body=body, idempotency_key=key)
            if created.status_code != 201:
                continue  # a rule of this space (eligibility, quota): try the next
            again = bookings_create.sync_detailed(client=client, body=body, idempotency_key=key)
            assert again.status_code == 201
            assert again.headers["Idempotent-Replayed"] == "true"
            assert again.parsed.id == created.parsed.id
            booking = created.parsed
            break
        if booking:
            break
    assert booking is not None, "no space could be booked"
    assert booking.status.value == "confirmed"

    # The list, the calendar file, cancelling.
    mine = bookings_list.sync(client=client, page_size=100)
    assert booking.id in [b.id for b in mine.results]
    ics = bookings_ics_retrieve.sync(booking.id, client=client)
    assert isinstance(ics, str) and "BEGIN:VEVENT" in ics and "TZID=Asia/Shanghai" in ics
    cancelled = bookings_cancel_create.sync(booking.id, client=client, body=CancelRequest())
    assert cancelled.status.value == "cancelled"

    # A seat in a session with room, and a place on a waitlist.
    outcomes: dict[str, int] = {}
    for has_seats in (True, False):
        for session in sessions_list.sync(
            client=client, has_seats=has_seats, page_size=100
        ).results:
            answer = sessions_registrations_create.sync_detailed(
                session.id, client=client, body=RegistrationCreateRequest()
            )
            if answer.status_code == 201:
                outcomes.setdefault(answer.parsed.status.value, answer.parsed.id)
            if ("confirmed" if has_seats else "waitlisted") in outcomes:
                break
    assert {"confirmed", "waitlisted"} <= set(outcomes), outcomes
    left = registrations_cancel_create.sync(
        outcomes["waitlisted"], client=client, body=RegistrationCancelRequest()
    )
    assert left.status.value == "cancelled"

    # A micro-wish with a photo (a form with a file), and the photo back: the wisher's to see.
    jpeg = io.BytesIO()
    Image.new("RGB", (2000, 1500), (90, 140, 200)).save(jpeg, "JPEG")
    jpeg.seek(0)
    photo = File(payload=jpeg, file_name="IMG_0001.jpg", mime_type="image/jpeg")
    body = WishPhotoCreateRequest(
        center=centers.results[0].id,
        category=WishCategoryEnum.REPAIR,
        text="楼道灯坏了",
        photo=photo,
    )
    wish = wishes_create.sync(client=client, body=body)
    assert wish.has_photo and wish.photo_url.endswith(f"/api/v1/wishes/{wish.id}/photo/")
    kept = wishes_photo_retrieve.sync(wish.id, client=client)
    assert isinstance(kept, File)
    assert Image.open(io.BytesIO(kept.payload.read())).size == (1600, 1200)

    # The member, their points, and leaving.
    me = me_retrieve.sync(client=client)
    assert me.is_verified and len(me.id_number_masked) == 18
    assert me.id_number_masked[1:-1] == "*" * 16
    points = me_points_list.sync(client=client)
    assert points.balance == me.points_balance
    deleted = me_destroy.sync_detailed(client=client, body=DeleteAccountRequest(confirm=True))
    assert deleted.status_code == 204
    gone = me_retrieve.sync(client=client)
    assert isinstance(gone, Error) and gone.code == "session_expired"


@pytest.fixture(autouse=True)
def _forget_the_generated_package():
    yield
    for name in [n for n in sys.modules if n == "linli_client" or n.startswith("linli_client.")]:
        del sys.modules[name]


def test_transcript_renders_a_curl_command() -> None:
    transcript = Transcript()
    request = httpx.Request(
        "POST", "http://x/api/v1/bookings/", json={"space": 1}, headers={"X-Session-Token": "t"}
    )

    transcript.request(request)

    assert transcript.lines[0].startswith("curl -X POST")
    assert """-d '{"space":1}'""" in transcript.lines[0]
