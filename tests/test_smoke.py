def test_the_token_endpoint_returns_a_token_for_valid_credentials(db, anon):
    from tests.factories.masters import UserFactory

    UserFactory(username="alice")
    response = anon.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "pass-word-123"}, format="json"
    )
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40
