import logging
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Invalid
from core.locks import lock
from members import crypto, errors, idcard
from members.models import User

logger = logging.getLogger(__name__)


def member_verify_identity(
    *, member: User, real_name: str, id_number: str, today: date | None = None
) -> User:
    """Real-name verification: check the ID number (GB 11643 check digit), keep it encrypted,
    derive the birth date. The number appears nowhere in clear: not in errors, not in logs."""
    today = today or timezone.localdate()
    real_name = " ".join(real_name.split())
    if not 2 <= len(real_name) <= 50:
        raise Invalid(
            _("Please enter your real name as on your ID card."),
            fields={"real_name": [_("Please enter your real name as on your ID card.")]},
        )
    try:
        number = idcard.parse(id_number, today=today)
    except idcard.InvalidIdNumber:
        raise errors.InvalidIdNumber(
            fields={"id_number": [str(errors.InvalidIdNumber.message)]}
        ) from None
    digest = crypto.digest(number.value)

    with transaction.atomic():
        locked = lock(member)
        if locked.is_verified:
            raise errors.AlreadyVerified()
        if User.objects.filter(id_number_digest=digest).exclude(pk=member.pk).exists():
            raise errors.IdNumberInUse()
        locked.real_name_encrypted = crypto.encrypt(real_name)
        locked.id_number_encrypted = crypto.encrypt(number.value)
        locked.id_number_digest = digest
        locked.birth_date = number.birth_date
        locked.verified_at = timezone.now()
        try:
            with transaction.atomic():
                locked.save(
                    update_fields=[
                        "real_name_encrypted",
                        "id_number_encrypted",
                        "id_number_digest",
                        "birth_date",
                        "verified_at",
                    ]
                )
        except IntegrityError:
            # Lost a race with another account verifying the same number.
            raise errors.IdNumberInUse() from None
    # Who, not which number: even the mask is left out of the log, which outlives the account.
    logger.info("member %s verified their identity", member.pk)
    return locked


def identity_keys_rotate() -> int:
    """Re-encrypt every identity field with the newest key and recompute digests with the
    current HMAC key. Returns how many members were rewritten."""
    count = 0
    ids = User.objects.exclude(id_number_encrypted="").values_list("pk", flat=True)
    for pk in ids.iterator():
        with transaction.atomic():
            user = lock(User(pk=pk))
            number = crypto.decrypt(user.id_number_encrypted)
            user.id_number_encrypted = crypto.rotate(user.id_number_encrypted)
            user.real_name_encrypted = crypto.rotate(user.real_name_encrypted)
            user.id_number_digest = crypto.digest(number)
            user.save(
                update_fields=["id_number_encrypted", "real_name_encrypted", "id_number_digest"]
            )
        count += 1
    return count
