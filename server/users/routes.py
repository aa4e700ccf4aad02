from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.auth.current import current_actor, current_user, hasher, login_required
from server.auth.roles import STAFF_ROLES
from server.auth.schemas import PasswordResetSchema, UserQuerySchema, UserSchema
from server.db import get_session
from server.users import service

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Logins of caregivers, volunteers and staff")


@blp.route("")
class Users(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.arguments(UserQuerySchema, location="query")
    @blp.arguments(paging.query_schema(), location="query")
    @blp.response(200, UserSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """List the users of your area, a page at a time"""
        return paging.respond(*service.list_users(get_session(), user=current_user(), page=paging.page(page_args),
                                                  **args))

    @login_required(*STAFF_ROLES)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a login (township staff: caregivers and volunteers of their township)"""
        return service.create_user(get_session(), creator=current_user(), hasher=hasher(), actor=current_actor(), **data)


@blp.route("/<id:user_id>/reset-password")
class UserPasswordReset(MethodView):
    @login_required(*STAFF_ROLES)
    @blp.response(200, PasswordResetSchema)
    def post(self, user_id):
        """Give a user a new one-time password, shown once (township staff: caregivers and volunteers of
        their township; district admins: anyone). Their tokens are revoked; they must change it at login."""
        user, password = service.reset_password(get_session(), actor=current_actor(), user_id=user_id,
                                                hasher=hasher())
        return {"user": user, "one_time_password": password}, 200, {"Cache-Control": "no-store"}
