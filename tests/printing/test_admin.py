"""The admin pages of printing: label sheets, templates and runs open for an admin."""

import pytest
from django.test import Client

from mailing.printing.models import LabelFormat

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", ["labelformat", "documenttemplate", "printrun"])
def test_the_admin_lists_open(admin_user, model):
    client = Client()
    client.force_login(admin_user)

    assert client.get(f"/admin/printing/{model}/").status_code == 200


def test_a_shipped_label_sheet_is_read_only_in_the_admin(admin_user):
    client = Client()
    client.force_login(admin_user)
    shipped = LabelFormat.objects.get(code="a4-24")

    page = client.get(f"/admin/printing/labelformat/{shipped.pk}/change/")

    assert page.status_code == 200
    assert b'name="rows"' not in page.content  # shown, not editable
