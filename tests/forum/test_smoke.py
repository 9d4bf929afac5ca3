from tests import factories


def test_home_lists_public_boards(client, app):
    with app.app_context():
        factories.board("deuil", name="Deuil")
    response = client.get("/")
    assert response.status_code == 200
    assert "Deuil" in response.get_data(as_text=True)
