import marshmallow as ma
from marshmallow import validate

from server.auth.roles import ROLES
from server.fields import Id, Name


class LoginSchema(ma.Schema):
    username = ma.fields.String(required=True, validate=validate.Length(min=1, max=40))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))


class UserSchema(ma.Schema):
    id = Id(dump_only=True)
    username = ma.fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.@+\-]{3,40}$"))
    password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=8, max=200))
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    display_name = Name(required=True)
    phone = ma.fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9+\-]{5,20}$"))
    place_id = Id(required=True)
    team_id = Id(load_default=None, allow_none=True, load_only=True)
    organisation_id = Id(load_default=None, allow_none=True, load_only=True,
                         metadata={"description": "a caregiver on the staff of this 供养服务机构/社会组织"})
    is_active = ma.fields.Boolean(dump_only=True)
    must_change_password = ma.fields.Boolean(dump_only=True)


class UserQuerySchema(ma.Schema):
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    place_id = Id()


class SessionUserSchema(ma.Schema):
    id = Id()
    username = ma.fields.String()
    role = ma.fields.String()
    place_id = Id()
    display_name = ma.fields.String()
    must_change_password = ma.fields.Boolean(
        metadata={"description": "true after a one-time password: only POST /api/me/password, GET /api/me and "
                                 "logging out are allowed until the password is changed"})


class PasswordChangeSchema(ma.Schema):
    current_password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = ma.fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200),
                                    metadata={"description": "at least 8 characters, not the username or phone"})


class PasswordResetSchema(ma.Schema):
    user = ma.fields.Nested(UserSchema)
    one_time_password = ma.fields.String(metadata={"description": "shown once; the user must change it at login"})


class TokenSchema(ma.Schema):
    access_token = ma.fields.String()
    token_type = ma.fields.String()
    expires_in = ma.fields.Integer(metadata={"description": "seconds"})
    user = ma.fields.Nested(SessionUserSchema)


class HealthSchema(ma.Schema):
    status = ma.fields.String()
    database = ma.fields.String()
