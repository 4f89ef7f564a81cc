"""api.bootstrap.instance_bootstrap: what the first start creates, and that later starts don't."""

import pytest
from django.contrib.auth import get_user_model

from api.bootstrap import instance_bootstrap
from api.core.errors import ServiceError
from api.jobs.models import Job
from api.masters.models import Employee
from tests.factories.masters import EmployeeFactory, UserFactory

DEMO = {"people": 20, "sales": 200, "seed": 3}


def test_the_first_start_creates_a_superuser_with_an_employee_record(db):
    boot = instance_bootstrap(admin_username="shacho", admin_password="Meibo-test-2468", demo=None)

    assert boot.first_start and boot.admin_created
    admin = get_user_model().objects.get(username="shacho")
    assert admin.is_superuser and admin.is_staff
    assert admin.check_password("Meibo-test-2468")
    assert Employee.objects.get(user=admin).code == "shacho"
    assert boot.generated_password is None


def test_without_a_password_one_is_generated_and_returned_once(db):
    boot = instance_bootstrap(admin_username="admin", admin_password=None, demo=None)

    assert boot.generated_password and len(boot.generated_password) >= 12
    assert get_user_model().objects.get(username="admin").check_password(boot.generated_password)


def test_the_first_start_queues_the_demo_data_as_a_seed_job(db):
    boot = instance_bootstrap(admin_username="admin", admin_password=None, demo=DEMO)

    job = Job.objects.get(kind="seed")
    assert boot.demo_job == job
    assert job.params == DEMO
    assert job.state == Job.State.QUEUED
    assert job.created_by == boot.admin


def test_a_later_start_changes_nothing(db):
    first = instance_bootstrap(admin_username="admin", admin_password="Meibo-test-2468", demo=DEMO)

    # when Meibo starts again, with another password in the environment
    again = instance_bootstrap(admin_username="admin", admin_password="Other-pass-1357", demo=DEMO)

    assert not again.first_start and not again.admin_created
    assert again.admin == first.admin
    assert again.generated_password is None and again.demo_job is None
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password("Meibo-test-2468")
    assert Job.objects.filter(kind="seed").count() == 1
    assert Employee.objects.filter(user=admin).count() == 1


def test_a_database_that_already_has_users_is_not_a_first_start(db):
    UserFactory(username="someone")

    boot = instance_bootstrap(admin_username="admin", admin_password=None, demo=DEMO)

    assert boot.admin_created and not boot.first_start
    assert boot.demo_job is None
    assert not Job.objects.filter(kind="seed").exists()


def test_no_demo_on_the_first_start_means_none_later_either(db):
    instance_bootstrap(admin_username="admin", admin_password=None, demo=None)
    instance_bootstrap(admin_username="admin", admin_password=None, demo=DEMO)

    assert not Job.objects.filter(kind="seed").exists()


def test_a_weak_admin_password_is_refused_and_nothing_is_written(db):
    with pytest.raises(ServiceError) as exc:
        instance_bootstrap(admin_username="admin", admin_password="password", demo=DEMO)

    assert exc.value.field == "MEIBO_ADMIN_PASSWORD"
    assert not get_user_model().objects.exists()
    assert not Job.objects.exists()


def test_an_admin_name_that_is_another_employees_code_is_refused(db):
    EmployeeFactory(code="admin")

    with pytest.raises(ServiceError) as exc:
        instance_bootstrap(admin_username="admin", admin_password=None, demo=None)

    assert exc.value.field == "MEIBO_ADMIN_USER"
    assert not get_user_model().objects.filter(username="admin").exists()
