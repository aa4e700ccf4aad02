from datetime import timedelta

import pytest
from sqlalchemy import func, select

from server.auth.models import AuthToken, LoginFailure
from server.auth.service import issue_token
from tests import factories

EN = {"Accept-Language": "en"}


def login(client, username, password="correct horse", **headers):
    return client.post("/api/auth/login", json={"username": username, "password": password}, headers=headers)


def test_login_returns_token_and_user(client, world):
    r = login(client, world.a.staff.username)
    assert r.status_code == 200
    body = r.get_json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 14 * 24 * 3600
    assert body["user"] == {
        "id": world.a.staff.id,
        "username": world.a.staff.username,
        "role": "township_staff",
        "place_id": world.a.place.id,
        "display_name": world.a.staff.display_name,
        "must_change_password": False,
    }
    me = client.get("/api/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200
    assert me.get_json()["username"] == world.a.staff.username
    assert "password" not in me.get_json() and "password_hash" not in me.get_json()


def test_only_a_digest_of_the_token_is_stored(client, world, session):
    token = login(client, world.a.staff.username).get_json()["access_token"]
    hashes = session.scalars(select(AuthToken.token_hash).where(AuthToken.user_id == world.a.staff.id)).all()
    assert hashes and token not in hashes


def test_wrong_password_is_401_with_message(client, world):
    r = login(client, world.a.staff.username, "wrong", **EN)
    assert r.status_code == 401
    assert r.get_json()["message"] == "Wrong username or password"
    r = login(client, "nobody-here", "wrong")
    assert r.status_code == 401
    assert r.get_json()["message"] == "用户名或密码错误"


def test_repeated_failures_lock_the_account(client, world, session):
    for _ in range(4):
        assert login(client, world.a.caregiver.username, "wrong").status_code == 401
    r = login(client, world.a.caregiver.username, "wrong", **EN)
    assert r.status_code == 429
    assert "locked" in r.get_json()["message"]
    assert int(r.headers["Retry-After"]) == 15 * 60
    # even the right password is refused while the lock holds
    r = login(client, world.a.caregiver.username, **EN)
    assert r.status_code == 429
    assert r.get_json()["reason"] == "account_locked"
    # another account is not affected
    assert login(client, world.a.staff.username).status_code == 200


def test_lock_expires(client, world, session):
    from server.clock import now as utcnow

    world.a.caregiver.locked_until = utcnow() - timedelta(seconds=1)
    session.add(world.a.caregiver)
    session.flush()
    assert login(client, world.a.caregiver.username).status_code == 200


def test_an_address_guessing_many_accounts_is_slowed(app_config, world, session):
    from server import create_app

    app = create_app({**app_config, "LOGIN_IP_MAX_FAILURES": 3})
    client = app.test_client()
    for name in ("x1", "x2", "x3"):
        assert login(client, name, "guess").status_code == 401
    r = login(client, world.a.staff.username, **EN)
    assert r.status_code == 429
    assert r.get_json()["reason"] == "address_throttled"
    assert "Retry-After" in r.headers
    assert session.scalar(select(func.count()).select_from(LoginFailure)) == 3
    # a different address is not slowed
    r = client.post("/api/auth/login", json={"username": world.a.staff.username, "password": "correct horse"},
                    environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert r.status_code == 200


def test_logout_revokes_the_token(client, world):
    token = login(client, world.a.staff.username).get_json()["access_token"]
    auth = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/auth/logout", headers=auth).status_code == 204
    r = client.get("/api/me", headers={**auth, **EN})
    assert r.status_code == 401
    assert r.get_json()["message"] == "Your session has expired; please log in again"


def test_expired_token_is_refused(client, world, session):
    issued = issue_token(session, user=world.a.staff, ttl=timedelta(seconds=-1))
    r = client.get("/api/me", headers={"Authorization": f"Bearer {issued.token}"})
    assert r.status_code == 401
    assert r.get_json()["reason"] == "token_invalid"


@pytest.mark.parametrize("header", [None, "Bearer", "Basic abc", "Bearer not-a-token"])
def test_missing_or_bad_authorization(client, header):
    headers = {"Authorization": header} if header else {}
    r = client.get("/api/me", headers=headers)
    assert r.status_code == 401
    assert r.get_json()["message"]


def test_disabled_account_cannot_log_in(client, world, session):
    u = factories.user(session, "caregiver", world.a.villages[0], active=False)
    r = login(client, u.username, **EN)
    assert r.status_code == 403
    assert r.get_json()["message"] == "This account is disabled"


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "a"}, "password"),
        ({"username": "a", "password": "b", "remember": True}, "remember"),
        ({"username": 5, "password": "b"}, "username"),
        ({"username": "a" * 41, "password": "b"}, "username"),
    ],
)
def test_malformed_login_is_422_with_fields(client, body, field):
    r = client.post("/api/auth/login", json=body, headers=EN)
    assert r.status_code == 422
    payload = r.get_json()
    assert payload["code"] == 422 and payload["status"]
    assert payload["message"] == "The request has invalid fields; see errors"
    assert field in payload["errors"]
