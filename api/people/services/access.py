"""The access log of personal data (個人情報の閲覧記録)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from api.people.models import Person, PersonAccessLog


def person_access_record(*, person: Person, user: AbstractBaseUser, via: str) -> None:
    """Record that ``user`` opened ``person``'s record through ``via`` (api, admin), unless
    the log is switched off (``MEIBO_ACCESS_LOG``). A single INSERT, committed on its own:
    a read is logged although the read itself writes nothing."""
    if settings.MEIBO_ACCESS_LOG:
        PersonAccessLog.objects.create(person=person, user=user, via=via)
