"""The first start of an installation: its admin, the admin's Employee record, demo data."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from api.core.errors import ServiceError
from api.jobs.models import Job
from api.jobs.services import job_create
from api.masters.models import Employee


@dataclass(frozen=True)
class Bootstrap:
    first_start: bool
    admin: AbstractUser
    admin_created: bool
    # Set only when the password was generated now; it is shown once and never stored in clear.
    generated_password: str | None
    demo_job: Job | None


def instance_bootstrap(
    *, admin_username: str, admin_password: str | None, demo: dict[str, int] | None
) -> Bootstrap:
    """Make the database ready for its first user; every later start changes nothing.

    1. The first start is the one that finds no user at all in the database.
    2. The admin (superuser) is created when no user of that name exists, with
       ``admin_password`` or a generated one. An existing admin's password is never touched,
       so restarting with another ``MEIBO_ADMIN_PASSWORD`` does not silently reset it.
    3. A new admin gets an Employee record, so that customers and sales can be assigned to them.
    4. On the first start, the demo data is requested as a ``seed`` job with the parameters
       ``demo`` (unless it is None); a worker runs it once this transaction commits.

    One transaction: a start interrupted half-way leaves nothing behind and is repeated whole,
    so the demo data can neither be skipped nor loaded twice.
    """
    user_model = get_user_model()
    generated = None
    if admin_password is None:
        generated = admin_password = secrets.token_urlsafe(12)
    with transaction.atomic(durable=True):
        first_start = not user_model.objects.exists()
        admin = user_model.objects.filter(username=admin_username).first()
        created = admin is None
        if admin is None:
            admin = _admin_create(username=admin_username, password=admin_password)
        demo_job = None
        if first_start and demo is not None:
            demo_job = job_create(kind="seed", params=demo, created_by=admin)
    return Bootstrap(
        first_start=first_start,
        admin=admin,
        admin_created=created,
        generated_password=generated if created else None,
        demo_job=demo_job,
    )


def _admin_create(*, username: str, password: str) -> AbstractUser:
    user_model = get_user_model()
    admin = user_model(username=username, is_staff=True, is_superuser=True)
    try:
        validate_password(password, user=admin)
    except ValidationError as exc:
        raise ServiceError(
            f"MEIBO_ADMIN_PASSWORD is not accepted: {' '.join(exc.messages)}",
            field="MEIBO_ADMIN_PASSWORD",
        ) from exc
    if Employee.objects.filter(code=username).exists():
        raise ServiceError(
            f"employee code '{username}' belongs to someone else; choose another MEIBO_ADMIN_USER",
            field="MEIBO_ADMIN_USER",
        )
    admin.set_password(password)
    admin.save()
    Employee.objects.create(user=admin, code=username, name=username)
    return admin
