from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from server import paging
from server.auth import service
from server.auth.current import current_actor, current_user, login_required
from server.auth.roles import STAFF_ROLES
from server.auth.schemas import (
    HealthSchema,
    LoginSchema,
    PasswordChangeSchema,
    PasswordResetSchema,
    TokenSchema,
    UserQuerySchema,
    UserSchema,
)
from server.db import database, get_session
from server.errors import ServiceError
from server.settings import current as current_settings

blp = Blueprint("auth", __name__, url_prefix="/api", description="Logging in, the current user, health")
users_blp = Blueprint("users", __name__, url_prefix="/api/users", description="Logins of caregivers, volunteers and staff")


def hasher():
    return current_app.extensions["zhaoying.hasher"]


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
    def post(self, data):
        """Change one's own password (clears must_change_password; every other token is revoked)"""
        return service.change_password(get_session(), actor=current_actor(), token_id=g.user.token_id,
                                       hasher=hasher(), **data)


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


@users_blp.route("")
class Users(MethodView):
    @login_required(*STAFF_ROLES)
    @users_blp.arguments(UserQuerySchema, location="query")
    @users_blp.arguments(paging.query_schema(), location="query")
    @users_blp.response(200, UserSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """List the users of your area, a page at a time"""
        return paging.respond(*service.list_users(get_session(), user=current_user(), page=paging.page(page_args),
                                                  **args))

    @login_required(*STAFF_ROLES)
    @users_blp.arguments(UserSchema)
    @users_blp.response(201, UserSchema)
    def post(self, data):
        """Create a login (township staff: caregivers and volunteers of their township)"""
        return service.create_user(get_session(), creator=current_user(), hasher=hasher(), **data)


@users_blp.route("/<id:user_id>/reset-password")
class UserPasswordReset(MethodView):
    @login_required(*STAFF_ROLES)
    @users_blp.response(200, PasswordResetSchema)
    def post(self, user_id):
        """Give a user a new one-time password, shown once (township staff: caregivers and volunteers of
        their township; district admins: anyone). Their tokens are revoked; they must change it at login."""
        user, password = service.reset_password(get_session(), actor=current_actor(), user_id=user_id,
                                                hasher=hasher())
        return {"user": user, "one_time_password": password}, 200, {"Cache-Control": "no-store"}
