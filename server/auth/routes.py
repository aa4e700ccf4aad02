from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from server.auth import service
from server.auth.current import current_actor, current_user, hasher, login_required
from server.auth.schemas import (
    HealthSchema,
    LoginSchema,
    PasswordChangeSchema,
    TokenSchema,
    UserSchema,
)
from server.db import database, get_session
from server.errors import ServiceError
from server.settings import current as current_settings

blp = Blueprint("auth", __name__, url_prefix="/api", description="Logging in, the current user, health")


def login_policy() -> service.LoginPolicy:
    return current_settings().login


@blp.route("/auth/login")
class Login(MethodView):
    @blp.arguments(LoginSchema)
    @blp.response(200, TokenSchema)
    @blp.alt_response(401, description="Wrong username or password")
    @blp.alt_response(429, description="Account locked or address slowed after repeated failures")
    def post(self, data):
        """Log in with username (usually the phone number) and password"""
        session = get_session()
        policy = login_policy()
        try:
            issued = service.login(
                session,
                username=data["username"],
                password=data["password"],
                address=request.remote_addr or "unknown",
                hasher=hasher(),
                policy=policy,
            )
        except ServiceError:
            # The failure count is what locks the account: keep it though the request fails.
            session.commit()
            raise
        return {
            "access_token": issued.token,
            "token_type": "Bearer",
            "expires_in": policy.token_ttl_hours * 3600,
            "user": issued.user,
        }


@blp.route("/auth/logout")
class Logout(MethodView):
    @login_required(before_password_change=True)
    @blp.response(204)
    def post(self):
        """Revoke the token this request carries"""
        service.logout(get_session(), token_id=g.user.token_id)


@blp.route("/auth/logout-all")
class LogoutAll(MethodView):
    @login_required(before_password_change=True)
    @blp.response(204)
    def post(self):
        """Revoke every token of the logged-in user, this one too (log out on every device)"""
        service.logout_all(get_session(), user_id=g.user.id)


@blp.route("/me/password")
class MyPassword(MethodView):
    @login_required(before_password_change=True)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(422, description="Current password wrong, or the new one too short, the username, or unchanged")
    @blp.alt_response(429, description="A wrong current password too many times: the account is locked, as a login's")
    def post(self, data):
        """Change one's own password (clears must_change_password; every other token is revoked)"""
        session = get_session()
        try:
            return service.change_password(session, actor=current_actor(), token_id=g.user.token_id,
                                           hasher=hasher(), policy=login_policy(), **data)
        except ServiceError:
            session.commit()  # a wrong current password counts, as a failed login does
            raise


@blp.route("/me")
class Me(MethodView):
    @login_required(before_password_change=True)
    @blp.response(200, UserSchema)
    def get(self):
        """The logged-in user"""
        return current_user()


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="The database does not answer")
    def get(self):
        """Liveness and database reachability (no login needed)"""
        try:
            get_session().execute(text("SELECT 1"))
        except Exception:  # any failure to reach the database is the answer here
            current_app.logger.exception("health check: database unreachable")
            return {"status": "degraded", "database": "unreachable"}, 503
        return {"status": "ok", "database": database().engine.dialect.name}
