from tests.contacts.conftest import RECORDS, api_for


def test_a_colleague_comments_and_the_comment_shows_its_author(world, create_record):
    record = create_record()
    colleague = api_for(world.viewers["outsider"])

    response = colleague.post(f"{RECORDS}{record['id']}/comments/", {"text": "次回は同行します。"})

    assert response.status_code == 201
    listed = api_for(world.author).get(f"{RECORDS}{record['id']}/comments/").json()
    assert [(c["text"], c["author"]["name"]) for c in listed] == [
        ("次回は同行します。", "部外 次郎")
    ]
    detail = api_for(world.author).get(f"{RECORDS}{record['id']}/").json()
    assert detail["comments"][0]["author"]["name"] == "部外 次郎"


def test_an_empty_comment_is_refused(world, create_record):
    record = create_record()

    response = api_for(world.author).post(f"{RECORDS}{record['id']}/comments/", {"text": "  "})

    assert response.status_code == 400
    assert "text" in response.json()


def test_only_its_author_deletes_a_comment(world, create_record):
    record = create_record()
    comment = (
        api_for(world.viewers["named"])
        .post(f"{RECORDS}{record['id']}/comments/", {"text": "確認しました"})
        .json()
    )
    path = f"{RECORDS}{record['id']}/comments/{comment['id']}/"

    assert api_for(world.author).delete(path).status_code == 403
    assert api_for(world.viewers["named"]).delete(path).status_code == 204
