"""Saved searches and chosen list columns, per user."""

from tests.contacts.conftest import RECORDS, api_for

SAVED = f"{RECORDS}saved-searches/"
COLUMNS = f"{RECORDS}columns/"


def test_a_saved_search_is_applied_by_id(world, create_record):
    phone = create_record(method="phone", content="電話で新工場の件を確認")
    create_record(method="visit")
    client = api_for(world.author)

    saved = client.post(
        SAVED,
        {"name": "電話の新工場", "params": {"method": ["phone"], "q": "新工場"}},
        format="json",
    )

    assert saved.status_code == 201, saved.json()
    assert saved.json()["params"] == {"method": "phone", "q": "新工場"}
    listed = client.get(RECORDS, {"saved_search": saved.json()["id"]}).json()["results"]
    assert [row["id"] for row in listed] == [phone["id"]]


def test_saved_searches_are_private(world):
    client = api_for(world.author)
    saved = client.post(SAVED, {"name": "自分用", "params": {}}, format="json").json()
    other = api_for(world.viewers["outsider"])

    assert other.get(SAVED).json() == []
    assert other.get(RECORDS, {"saved_search": saved["id"]}).status_code == 404


def test_an_unknown_parameter_is_refused(world):
    response = api_for(world.author).post(
        SAVED, {"name": "x", "params": {"colour": "red"}}, format="json"
    )

    assert response.status_code == 400
    assert "colour" in response.json()["params"][0]


def test_a_duplicate_name_is_a_conflict_naming_the_field(world):
    client = api_for(world.author)
    client.post(SAVED, {"name": "月次", "params": {}}, format="json")

    response = client.post(SAVED, {"name": "月次", "params": {}}, format="json")

    assert response.status_code == 409
    assert "name" in response.json()


def test_list_columns_default_then_follow_the_users_choice(world):
    client = api_for(world.author)
    default = client.get(COLUMNS).json()
    assert default["columns"][0] == "started_at"
    assert "content" in default["available"]

    response = client.put(COLUMNS, {"columns": ["company", "content", "company"]}, format="json")

    assert response.status_code == 200
    assert client.get(COLUMNS).json()["columns"] == ["company", "content"]
    assert api_for(world.viewers["outsider"]).get(COLUMNS).json() == default


def test_an_unknown_column_is_refused(world):
    response = api_for(world.author).put(COLUMNS, {"columns": ["salary"]}, format="json")

    assert response.status_code == 400
    assert "salary" in response.json()["columns"][0]
