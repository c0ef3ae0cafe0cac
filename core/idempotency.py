"""``Idempotency-Key`` for POSTs that create something (API.md, "General").

A phone on a flaky network often sends a POST again because it never saw the answer. With the
same key and the same body it gets the first answer again instead of a second booking.

1. Claim the key in a short transaction of its own: a unique row (member, endpoint, key) in
   state ``in_progress``. A second request with the key finds the row and, depending on it, is
   told 422 (other body), 409 (first still running) or gets the stored answer (replay).
2. Run the view and store its answer in ONE transaction: a booking never exists without the
   answer that names it, and a claim lost meanwhile (taken over after a timeout) rolls the work
   back.
3. A 4xx answer is stored too (after the rollback), so a retry gets the same answer; a 5xx
   deletes the claim so that the client may simply try again.
"""

import functools
import hashlib
import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder
from rest_framework.views import APIView

from core.errors import LinliError
from core.models import IdempotencyKey

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# How long a key answers with its first response (API.md: 24 h).
REPLAY_WINDOW = timedelta(hours=24)
# A claim still in progress after this long belongs to a request that died (a killed worker):
# the next request with the key takes it over. Far longer than any booking takes.
ABANDONED_AFTER = timedelta(seconds=60)
REPLAYED_HEADER = "Idempotent-Replayed"

PARAMETER = OpenApiParameter(
    HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "1–255 characters, e.g. a UUID. The same key with the same body within 24 hours "
        "returns the first response (header Idempotent-Replayed: true) and creates nothing; "
        "with another body it is a 422 idempotency_key_reused; while the first request is still "
        "running, a 409 request_in_progress."
    ),
)


class IdempotencyKeyReused(LinliError):
    code = "idempotency_key_reused"
    status = 422
    message = _("This Idempotency-Key was already used for a different request.")


class RequestInProgress(LinliError):
    code = "request_in_progress"
    status = 409
    message = _("The first request with this Idempotency-Key is still running. Try again shortly.")


def _file_digest(upload: UploadedFile) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return f"sha256:{digest.hexdigest()}"


def _canonical(data: Any) -> Any:
    """A form with a file (multipart) as plain JSON-able data: each field's values, each file
    by its content's digest."""
    if isinstance(data, MultiValueDict):  # a QueryDict too
        return {key: [_canonical(value) for value in values] for key, values in data.lists()}
    if isinstance(data, UploadedFile):
        return _file_digest(data)
    return data


def request_hash(data: Any) -> str:
    """SHA-256 of the body as canonical JSON: the same data hashes alike however it was sent
    (key order, spacing; a file by its content)."""
    canonical = json.dumps(
        _canonical(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=JSONEncoder
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _key(request: Request) -> str | None:
    key = request.headers.get(HEADER)
    if key is not None and not 1 <= len(key) <= MAX_KEY_LENGTH:
        raise ValidationError(
            {HEADER: [_("Give a key of 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH}]}
        )
    return key


def _claim(
    *, member: Any, endpoint: str, key: str, digest: str, now: datetime
) -> IdempotencyKey | Response:
    """The claimed row (ours to run), or the stored response to replay. Raises
    IdempotencyKeyReused or RequestInProgress."""
    lookup = {"member": member, "endpoint": endpoint, "key": key}
    for _attempt in range(3):
        with transaction.atomic():
            try:
                with transaction.atomic():
                    return IdempotencyKey.objects.create(**lookup, request_hash=digest)
            except IntegrityError:
                pass
            row = IdempotencyKey.objects.select_for_update().filter(**lookup).first()
            if row is None:
                continue  # its request failed and let go of it meanwhile: claim it afresh
            expired = row.created <= now - REPLAY_WINDOW
            abandoned = (
                row.state == IdempotencyKey.State.IN_PROGRESS
                and row.created <= now - ABANDONED_AFTER
            )
            if expired or (abandoned and row.request_hash == digest):
                row.request_hash = digest
                row.state = IdempotencyKey.State.IN_PROGRESS
                row.response_status = row.response_body = None
                row.created = now
                # update(), not save(): ``created`` is auto_now_add, and save() keeps it.
                IdempotencyKey.objects.filter(pk=row.pk).update(
                    request_hash=digest,
                    state=row.state,
                    response_status=None,
                    response_body=None,
                    created=now,
                )
                return row
            if row.request_hash != digest:
                raise IdempotencyKeyReused()
            if row.state == IdempotencyKey.State.IN_PROGRESS:
                raise RequestInProgress()
            return Response(
                row.response_body,
                status=row.response_status,
                headers={REPLAYED_HEADER: "true"},
            )
    raise RequestInProgress()


def _ours(claim: IdempotencyKey) -> QuerySet[IdempotencyKey]:
    """The claim, as long as nobody took it over (``created`` changes when one does)."""
    return IdempotencyKey.objects.filter(
        pk=claim.pk, created=claim.created, state=IdempotencyKey.State.IN_PROGRESS
    )


def _store(claim: IdempotencyKey, response: Response) -> None:
    body = json.loads(json.dumps(response.data, cls=JSONEncoder))
    stored = _ours(claim).update(
        state=IdempotencyKey.State.DONE, response_status=response.status_code, response_body=body
    )
    if not stored:
        raise RequestInProgress()


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    """Wrap a creating ``post``/``create`` method of a DRF view (after authentication, so
    ``request.user`` is known). Without the header, the method runs as it is."""

    @functools.wraps(method)
    def wrapper(view: APIView, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = _key(request)
        if key is None or not request.user.is_authenticated:
            return method(view, request, *args, **kwargs)
        outcome = _claim(
            member=request.user,
            endpoint=f"{request.method} {request.path}"[:200],
            key=key,
            digest=request_hash(request.data),
            now=timezone.now(),
        )
        if isinstance(outcome, Response):
            return outcome
        claim = outcome
        try:
            with transaction.atomic():
                response = method(view, request, *args, **kwargs)
                if response.status_code < 500:
                    _store(claim, response)
            return response
        except Exception as exc:
            # The view's own error handling: the body the client gets, which a retry gets too.
            response = view.handle_exception(exc)
            if 400 <= response.status_code < 500 and not isinstance(exc, RequestInProgress):
                try:
                    with transaction.atomic():
                        _store(claim, response)
                except DatabaseError:
                    # An answer the database cannot hold: let go of the key rather than leave
                    # it "in progress"; a retry runs again and gets the same answer.
                    logger.warning("Could not store the answer for an Idempotency-Key")
                    _ours(claim).delete()
            else:
                _ours(claim).delete()
            return response

    return wrapper


def idempotency_keys_purge(now: datetime | None = None) -> int:
    """Delete keys past their replay window (for a periodic job); returns how many."""
    now = now or timezone.now()
    deleted, _by_model = IdempotencyKey.objects.filter(created__lte=now - REPLAY_WINDOW).delete()
    return deleted
