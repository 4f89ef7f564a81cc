"""stats/: companies by stage and rank, records by method and result per employee per month,
follow-ups due."""

import datetime

from django.utils import timezone

from tests.contacts.conftest import api_for
from tests.factories.people import CompanyFactory

STATS = "/api/v1/stats/"


def test_companies_are_counted_by_stage_and_rank(world):
    CompanyFactory(stage="active", rank="A")
    CompanyFactory(stage="active", rank="S")
    CompanyFactory(stage="negotiating", rank="A")

    companies = api_for(world.author).get(STATS).json()["companies"]

    assert companies["total"] == 4  # with 北斗精機, a prospect without rank
    assert (companies["active"], companies["prospects"]) == (2, 2)
    by_stage = {row["stage"]: (row["label"], row["count"]) for row in companies["by_stage"]}
    assert by_stage["active"] == ("取引中", 2)
    assert {row["rank"]: row["count"] for row in companies["by_rank"]} == {
        "S": 1,
        "A": 2,
        "B": 0,
        "C": 0,
        None: 1,
    }


def test_records_are_counted_by_method_and_result_per_employee_per_month(world, create_record):
    this_month = timezone.localtime().replace(day=1, hour=10, minute=0, second=0, microsecond=0)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=5)
    create_record(started_at=this_month.isoformat(), method="visit", result="order")
    create_record(started_at=this_month.isoformat(), method="phone", result="absent")
    create_record(started_at=last_month.isoformat(), method="visit", result="continue")
    other = world.viewers["named"]
    create_record(author=other, started_at=this_month.isoformat(), method="visit", result=None)
    create_record(state="draft")  # not a contact yet

    records = api_for(world.author).get(STATS).json()["contact_records"]

    assert records["total"] == 4
    assert records["by_method"] == {"visit": 3, "phone": 1}
    assert records["by_result"] == {"order": 1, "absent": 1, "continue": 1, "none": 1}
    rows = {(r["employee_name"], r["month"]): r for r in records["by_employee_month"]}
    mine = rows[("記録 太郎", f"{this_month:%Y-%m}")]
    assert (mine["total"], mine["methods"], mine["results"]) == (
        2,
        {"visit": 1, "phone": 1},
        {"order": 1, "absent": 1},
    )
    assert rows[("記録 太郎", f"{last_month:%Y-%m}")]["total"] == 1
    assert rows[("指名 五郎", f"{this_month:%Y-%m}")]["results"] == {"none": 1}
    months = {r["month"]: r["total"] for r in records["by_month"]}
    assert months == {f"{this_month:%Y-%m}": 3, f"{last_month:%Y-%m}": 1}


def test_the_period_and_employee_can_be_chosen(world, create_record):
    no_appointment = {"next_appointment_at": None, "next_appointment_note": None}
    create_record(started_at="2024-04-10T10:00:00+09:00", **no_appointment)
    create_record(started_at="2024-06-10T10:00:00+09:00", **no_appointment)
    client = api_for(world.author)

    april = client.get(STATS, {"from": "2024-04", "to": "2024-04"}).json()["contact_records"]
    nobody = client.get(STATS, {"from": "2024-01", "to": "2024-12", "employee": 999999}).json()

    assert (april["from"], april["to"], april["total"]) == ("2024-04", "2024-04", 1)
    assert nobody["contact_records"]["total"] == 0


def test_a_bad_month_is_a_400_naming_the_parameter(world):
    response = api_for(world.author).get(STATS, {"from": "4月"})

    assert response.status_code == 400
    assert "from" in response.json()


def test_follow_ups_due_are_counted(world, create_record):
    now = timezone.now()
    create_record(
        started_at=(now - datetime.timedelta(days=10)).isoformat(),
        next_appointment_at=(now - datetime.timedelta(days=1)).isoformat(),
    )
    create_record(next_appointment_at=(now + datetime.timedelta(days=3)).isoformat())
    create_record(next_appointment_at=(now + datetime.timedelta(days=30)).isoformat())

    follow_ups = api_for(world.author).get(STATS).json()["follow_ups"]

    assert follow_ups == {"open": 3, "overdue": 1, "due_7_days": 1}
