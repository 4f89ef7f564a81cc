import datetime
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.conftest import client_for
from tests.factories.masters import BranchFactory, EmployeeFactory, SectionFactory
from tests.factories.people import CompanyFactory, PersonFactory

RECORDS = "/api/v1/contact-records/"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    # Each world has seven users; PBKDF2 would spend seconds hashing their test passwords.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    """An author in branch B1 / section S1, and one viewer for each way of being in scope;
    the outsider is in none (other branch, other section, no group, not named)."""
    b1, b2 = BranchFactory(name="東京支店"), BranchFactory(name="大阪支店")
    s1, s2 = SectionFactory(name="営業一課"), SectionFactory(name="営業二課")
    g1 = Group.objects.create(name="重要顧客チーム")
    author = EmployeeFactory(name="記録 太郎", branch=b1, department=s1)
    group_member = EmployeeFactory(name="グループ 花子", branch=b2, department=s2)
    group_member.user.groups.add(g1)
    company = CompanyFactory(name="株式会社北斗精機")
    return SimpleNamespace(
        b1=b1,
        b2=b2,
        s1=s1,
        s2=s2,
        g1=g1,
        author=author,
        company=company,
        person=PersonFactory(family_name="佐藤", given_name="健一", company=company),
        viewers={
            "author": author,
            "outsider": EmployeeFactory(name="部外 次郎", branch=b2, department=s2),
            "branch_mate": EmployeeFactory(name="同支店 三郎", branch=b1, department=s2),
            "section_mate": EmployeeFactory(name="同部署 四郎", branch=b2, department=s1),
            "named": EmployeeFactory(name="指名 五郎", branch=b2, department=s2),
            "group_member": group_member,
        },
    )


def api_for(employee):
    return client_for(employee.user)


def record_payload(world, **overrides):
    """A final visit to 北斗精機 with 佐藤さん, next appointment in a week."""
    started = (
        datetime.datetime.fromisoformat(overrides["started_at"])
        if "started_at" in overrides
        else timezone.now() - datetime.timedelta(hours=3)
    )
    payload = {
        "started_at": started.isoformat(),
        "ended_at": (started + datetime.timedelta(hours=1)).isoformat(),
        "company": world.company.pk,
        "people": [world.person.pk],
        "method": "visit",
        "result": "continue",
        "summary": "proposal",
        "summary_text": "新工場の設備提案",
        "content": "佐藤様より新工場計画の説明を受けた。\n来月、概算見積を提出する。",
        "next_appointment_at": (started + datetime.timedelta(days=7)).isoformat(),
        "next_appointment_note": "見積提出",
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def create_record(world):
    def create(author=None, **overrides):
        response = api_for(author or world.author).post(
            RECORDS, record_payload(world, **overrides), format="json"
        )
        assert response.status_code == 201, response.json()
        return response.json()

    return create
