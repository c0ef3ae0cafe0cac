"""A micro-wish's photo: checked by its content, stripped and shrunk before it is stored.

A phone's photo carries EXIF: the GPS position where it was taken (for a wish, the home of an
elderly person living alone), the time, the phone. Nothing of the upload is kept: Pillow decodes
the pixels (JPEG, PNG or WebP only, whatever the file is called) into a fresh image, turned
upright as EXIF said, at most ``WISH_PHOTO_MAX_SIDE`` pixels a side, saved as a JPEG with no
metadata at all (EXIF, XMP, ICC, comments) under a random name that says nothing of the wish.

Pixels are counted from the header before anything is decoded: a 100 KB PNG can claim
100,000 x 100,000 pixels (a decompression bomb) and would take tens of gigabytes to decode.
"""

import io
import logging
import uuid
import warnings
from datetime import datetime, timedelta
from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from community.models import Wish
from core.errors import Invalid
from notifications.registry import daily_job

logger = logging.getLogger(__name__)

# Pillow's own names for the formats a phone or a browser sends (a JPEG with a depth map or a
# second picture in it is an "MPO").
FORMATS = ("JPEG", "PNG", "WEBP")
ACCEPTED = frozenset({*FORMATS, "MPO"})
JPEG_QUALITY = 85
FOLDER = Wish._meta.get_field("photo").upload_to.rstrip("/")
# A file younger than this may belong to a wish whose transaction has not committed yet.
ORPHAN_AFTER = timedelta(days=1)


def _refuse(message: str) -> Invalid:
    return Invalid(message, fields={"photo": [message]})


def _check_size(upload: IO[bytes]) -> None:
    size = getattr(upload, "size", None)
    if size is None:
        size = upload.seek(0, io.SEEK_END)
    upload.seek(0)
    if size == 0:
        raise _refuse(_("The photo is empty."))
    if size > settings.WISH_PHOTO_MAX_BYTES:
        raise _refuse(
            _("The photo is too large (at most %(size)d MB).")
            % {"size": settings.WISH_PHOTO_MAX_BYTES // (1024 * 1024)}
        )


def _too_many_pixels() -> Invalid:
    return _refuse(
        _("The photo has too many pixels (at most %(mp)d megapixels).")
        % {"mp": settings.WISH_PHOTO_MAX_PIXELS // 1_000_000}
    )


def _decode(upload: IO[bytes]) -> Image.Image:
    """The upload's first frame as an RGB image, upright, at most the stored size."""
    side = settings.WISH_PHOTO_MAX_SIDE
    with warnings.catch_warnings():
        # Pillow warns (and past twice its limit, refuses) on huge images: either is ours.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        image = Image.open(upload, formats=FORMATS)
        if image.format not in ACCEPTED:
            raise _refuse(_("Send a photo as JPEG, PNG or WebP."))
        if image.width * image.height > settings.WISH_PHOTO_MAX_PIXELS:
            raise _too_many_pixels()
        # A JPEG decodes straight at 1/2, 1/4 or 1/8 of its size: a 48-megapixel photo
        # never fills memory at full size.
        image.draft("RGB", (side, side))
        upright = ImageOps.exif_transpose(image)
    upright.thumbnail((side, side), Image.Resampling.LANCZOS)
    if upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info:
        rgba = upright.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    # A fresh image holds the pixels and nothing else of the upload (no info, no comment).
    clean = Image.new("RGB", upright.size)
    clean.paste(upright.convert("RGB"))
    return clean


def photo_prepare(upload: IO[bytes]) -> ContentFile:
    """The photo to store for ``upload`` (a file-like object: an UploadedFile, a BytesIO), or
    ``Invalid`` on the ``photo`` field saying what is wrong with it."""
    _check_size(upload)
    try:
        image = _decode(upload)
    except Invalid:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
    except Exception as error:
        # Any file whatever is a clear 400, never a 500. Pillow says "cannot identify image
        # file", "image file is truncated", "broken data stream", ...
        logger.info("refused a wish photo: %s", error.__class__.__name__)
        raise _refuse(
            _("This file is not a photo we can read: send a JPEG, PNG or WebP.")
        ) from None
    finally:
        upload.seek(0)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def photo_attach(wish: Wish, photo: ContentFile) -> str:
    """Store ``photo`` as the (unsaved) ``wish``'s photo; returns its name. If the wish is then
    not saved, :func:`photo_forget` the name, or the file stays behind."""
    wish.photo.save(photo.name, photo, save=False)
    return wish.photo.name


def photo_forget(name: str) -> None:
    """Delete a stored file that no row names (its wish was never saved)."""
    if name:
        default_storage.delete(name)


def photo_discard(name: str) -> None:
    """Delete the file of a photo a wish lets go of, once that transaction commits (at once
    outside one): a rolled-back removal keeps its file."""
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


@daily_job
def wish_photos_sweep(now: datetime | None = None) -> int:
    """Daily: delete photo files that no wish names. A wish's own transaction cleans up after
    itself; this catches what a transaction around it rolled back after the file was written
    (a request's Idempotency-Key bookkeeping failing, a killed worker), so that no picture of
    someone's home stays on disk without a row. Safe to run twice at once."""
    now = now or timezone.now()
    try:
        _folders, files = default_storage.listdir(FOLDER)
    except FileNotFoundError:
        return 0
    named = set(Wish.objects.exclude(photo="").values_list("photo", flat=True))
    deleted = 0
    for file_name in files:
        name = f"{FOLDER}/{file_name}"
        if name in named or default_storage.get_modified_time(name) > now - ORPHAN_AFTER:
            continue
        default_storage.delete(name)
        deleted += 1
    if deleted:
        logger.warning("deleted %d wish photo files that no wish named", deleted)
    return deleted
