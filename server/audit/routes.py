from flask.views import MethodView
from flask_smorest import Blueprint

from server import paging
from server.audit import service
from server.audit.schemas import AuditQuerySchema, AuditSchema
from server.auth.current import login_required
from server.auth.roles import DISTRICT_ADMIN
from server.db import get_session

blp = Blueprint("audit", __name__, url_prefix="/api/audit", description="Who read or changed a person's record")


@blp.route("")
class Audit(MethodView):
    @login_required(DISTRICT_ADMIN)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.arguments(paging.query_schema(100, 500), location="query")
    @blp.response(200, AuditSchema(many=True), headers=paging.HEADERS)
    def get(self, args, page_args):
        """The audit trail, newest first (district admins), a page at a time"""
        return paging.respond(*service.entries(get_session(), page=paging.page(page_args), **args))
