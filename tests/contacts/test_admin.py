"""The admin shows staff exactly the records the API shows them."""

from django.contrib.auth.models import Permission

from tests.factories.masters import UserFactory

CHANGELIST = "/admin/contacts/contactrecord/"


def _staff_client(client, user):
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_contactrecord"))
    client.force_login(user)
    return client


def test_non_superuser_staff_see_only_records_in_their_scope(world, create_record, client):
    record = create_record(
        visibility="employees",
        scope_ids=[world.viewers["named"].pk],
        content="管理画面でも秘匿される内容",
    )
    outsider = _staff_client(client, world.viewers["outsider"].user)

    assert "管理画面でも秘匿" not in outsider.get(CHANGELIST).content.decode()
    assert outsider.get(f"{CHANGELIST}{record['id']}/change/").status_code in (302, 404)


def test_named_staff_and_superusers_see_the_record(world, create_record, client):
    record = create_record(
        visibility="employees",
        scope_ids=[world.viewers["named"].pk],
    )
    named = _staff_client(client, world.viewers["named"].user)
    assert named.get(f"{CHANGELIST}{record['id']}/change/").status_code == 200

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(CHANGELIST, {"q": "新工場"})
    assert page.status_code == 200
    assert f"/{record['id']}/change/" in page.content.decode()


def test_deleting_in_the_admin_keeps_the_companys_dates(world, create_record, client):
    record = create_record()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(f"{CHANGELIST}{record['id']}/delete/", {"post": "yes"})

    assert response.status_code == 302
    world.company.refresh_from_db()
    assert (world.company.last_contact_at, world.company.next_follow_up_at) == (None, None)
